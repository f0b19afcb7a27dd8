package aggregate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine/record"
)

// batch is one micro-batch of a generated stream.
type batch struct {
	id     int64
	rows   []record.Value
	ingest time.Time
}

// stream generates n batches of ventilator readings from devices 1..20
// (and a few from device 99, which the reference table lacks). Batch b's
// event times lie within disorder of base+b minutes.
func stream(seed uint64, n, perBatch int, disorder time.Duration) []batch {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []batch
	for b := range n {
		var vs []vent
		for range perBatch {
			id := int64(1 + rng.IntN(20))
			if rng.IntN(50) == 0 {
				id = 99
			}
			off := time.Duration(rng.Int64N(int64(2*disorder+1))) - disorder
			vs = append(vs, vent{id, time.Duration(b)*time.Minute + off, int64(3 + rng.IntN(38)), int64(90 + rng.IntN(11)), int64(2 + rng.IntN(9))})
		}
		out = append(out, batch{id: int64(b), rows: rowsOf(vs...), ingest: base.Add(time.Duration(b) * time.Minute)})
	}
	return out
}

// render is a batch's whole output in a canonical text form; equal
// renderings mean byte-identical output.
func render(res *Result) string {
	return fmt.Sprintf("joined=%v rows=%v windows=%v late=%v unmatched=%v rejected=%v wm=%d",
		res.Joined, res.JoinedRows, res.Windows, res.Late, res.Unmatched, res.Rejected, res.Watermark.UnixMicro())
}

// run applies batches to o and returns each batch's rendering.
func run(t *testing.T, o *Operator, bs []batch) []string {
	t.Helper()
	var out []string
	for _, b := range bs {
		res, err := o.Apply(b.id, b.rows, b.ingest)
		if err != nil {
			t.Fatalf("batch %d: %v", b.id, err)
		}
		out = append(out, render(res))
	}
	return out
}

// compareRuns returns an error naming the first batch whose output differs.
func compareRuns(got, want []string) error {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Errorf("batch %d: missing", i)
		case i >= len(want):
			return fmt.Errorf("batch %d: extra output", i)
		case got[i] != want[i]:
			return fmt.Errorf("batch %d differs:\n got %.300s\nwant %.300s", i, got[i], want[i])
		}
	}
	return nil
}

func snapshot(t *testing.T, o *Operator) []byte {
	t.Helper()
	b, err := o.Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return b
}

var datasets = []struct {
	name     string
	disorder time.Duration
	mod      func(*Config)
}{
	{"in order within the watermark delay", 50 * time.Second, nil},
	{"disordered with late readings", 4 * time.Minute, nil},
	{"processing time", time.Minute, func(c *Config) { c.TimeMode = ProcessingTime }},
}

// TestRestartInPhases runs a stream without interruption, then again
// stopped after batch k, snapshotted, restored into a new operator and
// continued; the outputs and the final states must be identical.
func TestRestartInPhases(t *testing.T) {
	for _, ds := range datasets {
		t.Run(ds.name, func(t *testing.T) {
			bs := stream(7, 40, 150, ds.disorder)
			whole := newOp(t, ds.mod)
			want := run(t, whole, bs)
			wantState := snapshot(t, whole)
			if ds.mod == nil && ds.disorder > DefaultWatermarkDelay && whole.Counters().Late == 0 {
				t.Fatal("the disordered stream produced no late readings; the test would not cover them")
			}
			for _, k := range []int{1, 2, 13, 39} {
				// Phase 1: batches before k, then stop.
				first := newOp(t, ds.mod)
				got := run(t, first, bs[:k])
				state := snapshot(t, first)
				// Phase 2: a new operator from the state continues.
				second := newOp(t, ds.mod)
				if err := second.Restore(state); err != nil {
					t.Fatalf("k=%d: Restore: %v", k, err)
				}
				if second.LastBatch() != int64(k-1) {
					t.Errorf("k=%d: restored last batch %d, want %d", k, second.LastBatch(), k-1)
				}
				got = append(got, run(t, second, bs[k:])...)
				if err := compareRuns(got, want); err != nil {
					t.Errorf("restart after batch %d: %v", k-1, err)
				}
				if gotState := snapshot(t, second); string(gotState) != string(wantState) {
					t.Errorf("restart after batch %d: final state differs from the uninterrupted run's", k-1)
				}
			}
		})
	}
}

// TestReplayAfterRestore replays a batch twice from the same restored
// state, as an engine does when it crashed after writing part of the
// batch's output: both replays and the original run give the same output.
func TestReplayAfterRestore(t *testing.T) {
	bs := stream(11, 20, 200, 3*time.Minute)
	o := newOp(t, nil)
	run(t, o, bs[:12])
	state := snapshot(t, o)
	res, err := o.Apply(bs[12].id, bs[12].rows, bs[12].ingest)
	if err != nil {
		t.Fatal(err)
	}
	original, originalState := render(res), snapshot(t, o)
	for i := range 2 {
		r := newOp(t, nil)
		if err := r.Restore(state); err != nil {
			t.Fatal(err)
		}
		res, err := r.Apply(bs[12].id, bs[12].rows, bs[12].ingest)
		if err != nil {
			t.Fatalf("replay %d: %v", i, err)
		}
		if got := render(res); got != original {
			t.Errorf("replay %d: output differs from the original batch:\n got %.300s\nwant %.300s", i, got, original)
		}
		if got := snapshot(t, r); string(got) != string(originalState) {
			t.Errorf("replay %d: state differs from the original batch's", i)
		}
	}
}

// windowKey identifies an aggregate in the independent computation.
type windowKey struct {
	id    int64
	start int64
}

// bruteForce aggregates every matched reading into every window holding
// it, with no state and no watermark, and renders the windows ending at or
// before until, one line each, sorted.
func bruteForce(bs []batch, window, slide time.Duration, until time.Time) []string {
	type agg struct {
		n          int64
		pc, o2, mv float64
		lv         [3]int64
	}
	ref := normalRanges(50)
	aggs := map[windowKey]*agg{}
	w := len(ventilatorColumns)
	for _, b := range bs {
		for i := 0; i < len(b.rows); i += w {
			row := b.rows[i : i+w]
			if _, ok := ref.Lookup(fmt.Sprint(row[0].I)); !ok {
				continue
			}
			pc, o2, mv := int(row[3].I), int(row[4].I), int(row[5].I)
			lv := map[string]int{"RED": 0, "ORANGE": 1, "GREEN": 2}[independentLevel(pc, o2, mv)]
			ts := time.UnixMicro(row[1].I)
			for s := ts.Truncate(slide); s.After(ts.Add(-window)); s = s.Add(-slide) {
				k := windowKey{row[0].I, s.UnixMicro()}
				if aggs[k] == nil {
					aggs[k] = &agg{}
				}
				a := aggs[k]
				a.n++
				a.pc += float64(pc)
				a.o2 += float64(o2)
				a.mv += float64(mv)
				a.lv[lv]++
			}
		}
	}
	var lines []string
	for k, a := range aggs {
		start := time.UnixMicro(k.start).UTC()
		if start.Add(window).After(until) {
			continue
		}
		n := float64(a.n)
		lines = append(lines, fmt.Sprintf("%d %s %v %v %v n=%d r/o/g=%d/%d/%d", k.id, start.Format(time.RFC3339),
			a.pc/n, a.o2/n, a.mv/n, a.n, a.lv[0], a.lv[1], a.lv[2]))
	}
	slices.Sort(lines)
	return lines
}

// emitted renders the windows of a run's results like bruteForce.
func emitted(o *Operator, results [][]record.Value) []string {
	w := len(o.WindowColumns())
	var lines []string
	for _, rows := range results {
		for i := 0; i < len(rows); i += w {
			r := rows[i : i+w]
			lines = append(lines, fmt.Sprintf("%d %s %v %v %v n=%d r/o/g=%d/%d/%d", r[0].I, time.UnixMicro(r[1].I).UTC().Format(time.RFC3339),
				r[3].Float(), r[4].Float(), r[5].Float(), r[6].I, r[7].I, r[8].I, r[9].I))
		}
	}
	slices.Sort(lines)
	return lines
}

// applyAll applies bs with a restart after every batch in restartAfter,
// and applies the batches in twice a second time under a new id, as an
// engine that lost track of its state would. It returns the windows of
// each batch and the final watermark.
func applyAll(t *testing.T, bs []batch, restartAfter, twice map[int]bool) ([][]record.Value, time.Time) {
	t.Helper()
	o := newOp(t, nil)
	var out [][]record.Value
	for i, b := range bs {
		res, err := o.Apply(b.id*10, b.rows, b.ingest)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Windows)
		if twice[i] {
			if res, err = o.Apply(b.id*10+1, b.rows, b.ingest); err != nil {
				t.Fatal(err)
			}
			out = append(out, res.Windows)
		}
		if restartAfter[i] {
			state := snapshot(t, o)
			o = newOp(t, nil)
			if err := o.Restore(state); err != nil {
				t.Fatal(err)
			}
		}
	}
	wm, _ := o.Watermark()
	return out, wm
}

// checkWindows compares the emitted windows with the independent
// computation: each window up to the watermark exactly once, with the
// right averages, count and alert levels.
func checkWindows(o *Operator, bs []batch, got [][]record.Value, wm time.Time) error {
	want := bruteForce(bs, DefaultWindowDuration, DefaultSlideDuration, wm)
	have := emitted(o, got)
	if len(want) == 0 {
		return fmt.Errorf("no windows expected; the stream is too short to test anything")
	}
	if !slices.Equal(have, want) {
		for i := range max(len(have), len(want)) {
			if i >= len(have) || i >= len(want) || have[i] != want[i] {
				return fmt.Errorf("%d windows emitted, %d expected; first difference at %d:\n got %v\nwant %v", len(have), len(want), i, at(have, i), at(want, i))
			}
		}
	}
	return nil
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func TestWindowsAgainstIndependentComputation(t *testing.T) {
	bs := stream(3, 45, 120, 50*time.Second) // no late readings
	restarts := map[int]bool{4: true, 5: true, 17: true, 30: true}
	got, wm := applyAll(t, bs, restarts, nil)
	if err := checkWindows(newOp(t, nil), bs, got, wm); err != nil {
		t.Errorf("with restarts after batches 4, 5, 17 and 30: %v", err)
	}
}

// TestCheckersRejectADoubleAppliedBatch shows that both checks above fail
// when a batch is counted twice.
func TestCheckersRejectADoubleAppliedBatch(t *testing.T) {
	bs := stream(3, 45, 120, 50*time.Second)
	got, wm := applyAll(t, bs, nil, map[int]bool{20: true})
	if err := checkWindows(newOp(t, nil), bs, got, wm); err == nil {
		t.Error("checkWindows accepted a run that applied batch 20 twice")
	} else {
		t.Logf("rejected as expected: %.200s", err)
	}

	// compareRuns, even with the second application's own output hidden:
	// the double count shows in the windows later batches close.
	want := run(t, newOp(t, nil), bs)
	o := newOp(t, nil)
	var twice []string
	for i, b := range bs {
		res, err := o.Apply(b.id*10, b.rows, b.ingest)
		if err != nil {
			t.Fatal(err)
		}
		out := render(res)
		if i == 20 {
			if _, err := o.Apply(b.id*10+1, b.rows, b.ingest); err != nil {
				t.Fatal(err)
			}
		}
		twice = append(twice, out)
	}
	if err := compareRuns(twice, want); err == nil {
		t.Error("compareRuns accepted a run that applied batch 20 twice")
	} else if !strings.HasPrefix(err.Error(), "batch 2") {
		t.Errorf("compareRuns: %.100s; want the difference found after batch 20", err)
	} else {
		t.Logf("rejected as expected: %.60s", err)
	}
}
