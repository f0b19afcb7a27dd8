package kpl_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/streamcheck/streamcheck/internal/kpl"
)

func TestAggregatedSize(t *testing.T) {
	t.Parallel()
	var recs []kpl.Record
	for i := range 300 {
		r := kpl.Record{PartitionKey: fmt.Sprintf("pk-%d", i%7), Data: bytes.Repeat([]byte{'x'}, i)}
		if i%5 == 0 {
			r.ExplicitHashKey = fmt.Sprint(i % 3)
		}
		recs = append(recs, r)
		if got, want := kpl.AggregatedSize(recs), len(kpl.Aggregate(recs)); got != want {
			t.Fatalf("AggregatedSize of %d records = %d, want len(Aggregate) = %d", len(recs), got, want)
		}
	}
}

func TestPack(t *testing.T) {
	t.Parallel()
	rec := func(i, size int) kpl.Record {
		return kpl.Record{PartitionKey: fmt.Sprintf("k%d", i), Data: bytes.Repeat([]byte{byte('a' + i%26)}, size)}
	}
	var small []kpl.Record
	for i := range 100 {
		small = append(small, rec(i, 100))
	}
	for _, tt := range []struct {
		name     string
		recs     []kpl.Record
		maxSize  int
		maxCount int64
		want     []int // user records per Kinesis record; negative: sent plain
	}{
		{"count bound", small[:10], 51200, 4, []int{4, 4, 2}},
		{"size bound", small[:10], 4 + 16 + 3*(100+10), 0, []int{3, 3, 3, -1}},
		{"oversize bypasses", []kpl.Record{rec(0, 10), rec(1, 10), rec(2, 60000), rec(3, 10)}, 51200, 0, []int{2, -1, -1}},
		{"single left plain", small[:1], 51200, 0, []int{-1}},
		{"no bounds", small, 0, 0, []int{100}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := kpl.Pack(tt.recs, tt.maxSize, tt.maxCount)
			var got []int
			var back []kpl.Record
			for _, p := range out {
				if !p.Aggregated {
					got = append(got, -p.Records)
					back = append(back, kpl.Record{PartitionKey: p.PartitionKey, Data: p.Data})
					continue
				}
				got = append(got, p.Records)
				if tt.maxSize > 0 && len(p.Data) > tt.maxSize {
					t.Errorf("aggregate of %d bytes, want at most %d", len(p.Data), tt.maxSize)
				}
				recs, err := kpl.Deaggregate(p.Data)
				if err != nil {
					t.Fatalf("Deaggregate: %v", err)
				}
				if p.PartitionKey != recs[0].PartitionKey {
					t.Errorf("aggregate's key %q, want its first record's %q", p.PartitionKey, recs[0].PartitionKey)
				}
				back = append(back, recs...)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("records per Kinesis record = %v, want %v", got, tt.want)
			}
			if len(back) != len(tt.recs) {
				t.Fatalf("unpacked %d records, want %d", len(back), len(tt.recs))
			}
			for i := range back {
				if back[i].PartitionKey != tt.recs[i].PartitionKey || !bytes.Equal(back[i].Data, tt.recs[i].Data) {
					t.Errorf("record %d unpacked as %q, want %q (order and content kept)", i, back[i].PartitionKey, tt.recs[i].PartitionKey)
				}
			}
		})
	}
}
