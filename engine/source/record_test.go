package source_test

import (
	"testing"
	"time"
	"unsafe"

	"github.com/streamcheck/streamcheck/engine/source"
)

// TestRecordSize keeps Record at the size the engine's peak heap was
// measured with: a batch holds every one of its records at once, so each
// byte here is a megabyte at a million records a batch.
func TestRecordSize(t *testing.T) {
	t.Parallel()
	if got, want := unsafe.Sizeof(source.Record{}), uintptr(96); got > want {
		t.Errorf("unsafe.Sizeof(Record{}) = %d bytes, want at most %d", got, want)
	}
}

func TestRecordFields(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))
	shard := &source.Origin{ShardID: "shardId-000000000001", Partition: -1}
	for _, tc := range []struct {
		name           string
		rec            source.Record
		shardID, topic string
		partition      int32
		offset         int64
		arrival        time.Time
	}{
		{"zero", source.Record{}, "", "", -1, 0, time.Time{}},
		{"kinesis", source.NewRecord(nil, shard, at), "shardId-000000000001", "", -1, -1, time.UnixMilli(at.UnixMilli()).UTC()},
		{"kafka", source.NewRecord(nil, &source.Origin{Topic: "t", Partition: 3}, time.UnixMilli(0)), "", "t", 3, -1, time.UnixMilli(0).UTC()},
		{"before 1970", source.NewRecord(nil, nil, time.UnixMilli(-1500)), "", "", -1, -1, time.UnixMilli(-1500).UTC()},
		{"no arrival", source.NewRecord(nil, shard, time.Time{}), "shardId-000000000001", "", -1, -1, time.Time{}},
	} {
		r := tc.rec
		if r.ShardID() != tc.shardID || r.Topic() != tc.topic || r.Partition() != tc.partition || r.Offset != tc.offset {
			t.Errorf("%s: shard %q topic %q partition %d offset %d, want %q %q %d %d", tc.name,
				r.ShardID(), r.Topic(), r.Partition(), r.Offset, tc.shardID, tc.topic, tc.partition, tc.offset)
		}
		if got := r.ArrivalTime(); got != tc.arrival {
			t.Errorf("%s: ArrivalTime() = %v, want %v (UTC, to the millisecond)", tc.name, got, tc.arrival)
		}
		if r.Headers() != nil || r.ExplicitHashKey() != "" || r.Err() != "" {
			t.Errorf("%s: headers %v, explicit hash key %q, err %q; want none", tc.name, r.Headers(), r.ExplicitHashKey(), r.Err())
		}
	}
}
