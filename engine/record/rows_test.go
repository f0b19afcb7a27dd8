package record_test

import (
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

// TestRows fills rows of 3 values in blocks of 4 rows, 10 rows (the last
// block short), a block at a time, and reads every value back by Row and
// by At; FlatRows must read a flat slice the same way.
func TestRows(t *testing.T) {
	const n, width = 10, 3
	r := record.NewRows(n, width, 2)
	if r.Len() != n || r.Width() != width || r.Blocks() != 3 {
		t.Fatalf("Len %d, Width %d, Blocks %d; want %d, %d, 3", r.Len(), r.Width(), r.Blocks(), n, width)
	}
	if r.Flat() != nil {
		t.Error("Flat of rows in 3 blocks: want nil")
	}
	for k, want := range []int{4 * width, 4 * width, 2 * width} {
		if got := len(r.MakeBlock(k)); got != want {
			t.Errorf("block %d: %d values, want %d", k, got, want)
		}
	}
	flat := make([]record.Value, 0, n*width)
	for i := range n {
		if r.Block(i) != i/4 {
			t.Errorf("row %d in block %d, want %d", i, r.Block(i), i/4)
		}
		row := r.Row(i)
		if len(row) != width || cap(row) != width {
			t.Fatalf("row %d: len %d, cap %d, want %d and %d", i, len(row), cap(row), width, width)
		}
		for c := range row {
			row[c] = record.Value{Type: record.Int, I: int64(10*i + c)}
		}
		flat = append(flat, row...)
	}
	f := record.FlatRows(flat, width)
	if f.Len() != n || f.Blocks() != 1 || len(f.Flat()) != n*width {
		t.Errorf("FlatRows: Len %d, Blocks %d, %d values flat; want %d, 1, %d", f.Len(), f.Blocks(), len(f.Flat()), n, n*width)
	}
	for i := range n {
		for c := range width {
			want := int64(10*i + c)
			if got := r.At(i, c).I; got != want {
				t.Errorf("At(%d, %d) = %d, want %d", i, c, got, want)
			}
			if got := f.At(i, c).I; got != want {
				t.Errorf("FlatRows At(%d, %d) = %d, want %d", i, c, got, want)
			}
			if got := f.Row(i)[c].I; got != want {
				t.Errorf("FlatRows Row(%d)[%d] = %d, want %d", i, c, got, want)
			}
		}
	}
	if z := (record.Rows{}); z.Len() != 0 || z.Blocks() != 0 {
		t.Errorf("zero Rows: Len %d, Blocks %d", z.Len(), z.Blocks())
	}
	if e := record.NewRows(0, width, 2); e.Blocks() != 0 {
		t.Errorf("no rows: %d blocks, want 0", e.Blocks())
	}
}
