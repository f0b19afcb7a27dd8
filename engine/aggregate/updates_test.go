package aggregate

import (
	"testing"
	"time"
)

// With WithUpdates, each batch returns the open windows it counted a
// reading in, with their running averages, besides the windows it closed;
// without it, Updated stays empty.
func TestApplyUpdates(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	o, err := New(cfg, ventilatorColumns, WithUpdates())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	o.SetReference(normalRanges(50))
	plain := newOp(t, nil)
	batches := [][]vent{
		{{id: 2, at: time.Minute, pc: 10, o2: 95, mv: 6}, {id: 1, at: 2 * time.Minute, pc: 20, o2: 95, mv: 6}},
		{{id: 1, at: 3 * time.Minute, pc: 30, o2: 95, mv: 6}},
		// Event time 13:13 moves the watermark to 13:11: [12:55, 13:05) and
		// [13:00, 13:10) close; device 2 only gets its new windows.
		{{id: 2, at: 13 * time.Minute, pc: 25, o2: 95, mv: 6}},
	}
	want := []struct{ updated, closed string }{
		{updated: "1 12:55-13:05 20 95 6 n=1 r/o/g=0/0/1\n2 12:55-13:05 10 95 6 n=1 r/o/g=0/0/1\n1 13:00-13:10 20 95 6 n=1 r/o/g=0/0/1\n2 13:00-13:10 10 95 6 n=1 r/o/g=0/0/1\n"},
		{updated: "1 12:55-13:05 25 95 6 n=2 r/o/g=0/0/2\n1 13:00-13:10 25 95 6 n=2 r/o/g=0/0/2\n"},
		{updated: "2 13:05-13:15 25 95 6 n=1 r/o/g=0/0/1\n2 13:10-13:20 25 95 6 n=1 r/o/g=0/0/1\n",
			closed: "1 12:55-13:05 25 95 6 n=2 r/o/g=0/0/2\n2 12:55-13:05 10 95 6 n=1 r/o/g=0/0/1\n1 13:00-13:10 25 95 6 n=2 r/o/g=0/0/2\n2 13:00-13:10 10 95 6 n=1 r/o/g=0/0/1\n"},
	}
	for i, b := range batches {
		res, err := o.Apply(int64(i), rowsOf(b...), base)
		if err != nil {
			t.Fatalf("batch %d: Apply: %v", i, err)
		}
		if got := windowText(o, res.Updated); got != want[i].updated {
			t.Errorf("batch %d: updated windows\n%s\nwant\n%s", i, got, want[i].updated)
		}
		if got := windowText(o, res.Windows); got != want[i].closed {
			t.Errorf("batch %d: closed windows\n%s\nwant\n%s", i, got, want[i].closed)
		}
		pres, err := plain.Apply(int64(i), rowsOf(b...), base)
		if err != nil {
			t.Fatalf("batch %d: Apply without updates: %v", i, err)
		}
		if len(pres.Updated) != 0 {
			t.Errorf("batch %d: without WithUpdates, Updated has %d values, want none", i, len(pres.Updated))
		}
		if windowText(plain, pres.Windows) != want[i].closed {
			t.Errorf("batch %d: WithUpdates changed the closed windows", i)
		}
	}
}
