package engine

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

// TestGroupRows holds the grouping by partition columns to the paths the
// values' text gives, each group in row order: equal scalars share a
// group, values whose fields differ but whose text is the same (an integer
// and a string of its digits, arrays with the same elements) share a path,
// nulls go to Hive's default partition, dropped rows to none.
func TestGroupRows(t *testing.T) {
	arr, err := record.ArrayOf(record.Int)
	if err != nil {
		t.Fatal(err)
	}
	ints := func(v ...int64) record.Value {
		elems := make([]record.Value, len(v))
		for i, x := range v {
			elems[i] = record.Value{Type: record.Int, I: x}
		}
		return record.ArrayValue(arr, elems)
	}
	str := func(s string) record.Value { return record.Value{Type: record.String, S: s} }
	num := func(i int64) record.Value { return record.Value{Type: record.Int, I: i} }
	// Two columns: the partition key, then a payload never looked at.
	keys := []record.Value{num(5), str("a"), str("5"), ints(1, 2), {}, num(5), ints(1, 2), str("a"), ints(3), num(7), {}}
	keep := []bool{true, true, true, true, true, true, true, true, true, false, true}
	var rows []record.Value
	for i, k := range keys {
		rows = append(rows, k, num(int64(i)))
	}
	w := &batchWork{rows: record.FlatRows(rows, 2), keep: keep}
	j := DefaultJob()
	j.Sink.Partitioning, j.Sink.PartitionKeys = PartitionByColumns, []string{"k"}
	e := &Engine{job: j}
	got := e.groupRows(w, []int{0})
	want := map[string][]int{
		"k=5":                          {0, 2, 5},
		"k=a":                          {1, 7},
		"k=%5B1%2C2%5D":                {3, 6},
		"k=%5B3%5D":                    {8},
		"k=__HIVE_DEFAULT_PARTITION__": {4, 10},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("groups:\n got %v\nwant %v", fmt.Sprint(got), fmt.Sprint(want))
	}
	if w.nkept != 10 {
		t.Errorf("nkept: got %d, want 10", w.nkept)
	}
}
