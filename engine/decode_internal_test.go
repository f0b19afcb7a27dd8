package engine

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"weak"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/source"
)

// TestDecodedRowsOwnTheirStrings checks that a decoded batch's rows hold
// copies of their strings, not pointers into the records' payloads: once
// the batch is released, every payload goes back to the collector while
// the rows stay whole. A malformed record's row is cleared. It fails if
// decode leaves the strings where they were decoded.
func TestDecodedRowsOwnTheirStrings(t *testing.T) {
	const n, bad = 5000, 7 // more than a block of rows
	e, err := New(ventilatorJob())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.job.transform(e.fixed)
	if err != nil {
		t.Fatal(err)
	}
	out := tr.Output()
	serial := slices.IndexFunc(out, func(c record.Column) bool { return c.Name == "serialnumber" })
	maker := slices.IndexFunc(out, func(c record.Column) bool { return c.Name == "manufacturer" })
	b, payloads := func() (*source.Batch, []weak.Pointer[byte]) {
		recs := ventilatorRecords(n)
		recs[bad].Data = []byte(`{"ventilatorid":"x`)
		payloads := make([]weak.Pointer[byte], n)
		for i := range recs {
			payloads[i] = weak.Make(&recs[i].Data[0])
		}
		return &source.Batch{Records: recs}, payloads
	}()
	w := &batchWork{}
	if err := e.decode(w, b, checkpoint.SourceInfo{Kind: "kinesis"}, e.fixed, tr, len(out)); err != nil {
		t.Fatal(err)
	}
	if len(w.dead) != 1 || w.keep[bad] {
		t.Fatalf("%d dead letters, keep[%d] %v: want the malformed record's alone", len(w.dead), bad, w.keep[bad])
	}
	b.Release()
	w.dead = nil // a dead letter's payload is its own copy, but not the point here
	runtime.GC()
	held := 0
	for i, p := range payloads {
		if p.Value() != nil {
			held++
			if held == 1 {
				t.Errorf("record %d's payload is still reachable after the batch was released", i)
			}
		}
	}
	if held > 0 {
		t.Errorf("%d of %d payloads still reachable: the rows point into them", held, n)
	}
	for i := range n {
		if i == bad {
			if row := w.rows.Row(i); slices.ContainsFunc(row, func(v record.Value) bool { return !v.Null() }) {
				t.Errorf("malformed record %d: row %v, want cleared", i, row)
			}
			continue
		}
		wantSerial := fmt.Sprintf("%08x-6b3b-4c5d-9d1b-2f1c4c2a9e11", i)
		wantMaker := []string{"GE", "Vyaire", "Medtronic"}[i%3]
		if got, got2 := w.rows.At(i, serial).S, w.rows.At(i, maker).S; got != wantSerial || got2 != wantMaker {
			t.Fatalf("row %d: serialnumber %q, manufacturer %q; want %q, %q", i, got, got2, wantSerial, wantMaker)
		}
	}
}
