package source

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/internal/kpl"
)

// TestAppendKinesisRecordKPL: an aggregate becomes its user records with
// their own keys and sub-sequence numbers; a corrupt one stays whole with
// the reason; any other record passes as it is.
func TestAppendKinesisRecordKPL(t *testing.T) {
	t.Parallel()
	agg := kpl.Aggregate([]kpl.Record{
		{PartitionKey: "a", Data: []byte(`{"n":1}`)},
		{PartitionKey: "b", ExplicitHashKey: "42", Data: []byte(`{"n":2}`)},
		{PartitionKey: "a", Data: []byte(`{"n":3}`)},
	})
	bad := append([]byte(nil), agg...)
	bad[len(bad)-1] ^= 1
	rec := func(data []byte) *types.Record {
		return &types.Record{Data: data, PartitionKey: aws.String("outer"), SequenceNumber: aws.String("4960")}
	}
	var out []Record
	shard := &Origin{ShardID: "shardId-000000000001", Partition: -1}
	out = appendKinesisRecord(out, sdkRecord(rec([]byte(`{"n":0}`)), shard))
	out = appendKinesisRecord(out, sdkRecord(rec(agg), shard))
	out = appendKinesisRecord(out, sdkRecord(rec(bad), shard))
	var got []string
	for _, r := range out {
		if r.ShardID() != shard.ShardID || r.Partition() != -1 || r.Offset != -1 {
			t.Errorf("record %q from shard %q partition %d offset %d, want %q -1 -1", r.Data, r.ShardID(), r.Partition(), r.Offset, shard.ShardID)
		}
		got = append(got, strings.Join([]string{string(r.Data), r.PartitionKey, r.ExplicitHashKey(), r.SequenceNumber,
			map[bool]string{true: "agg", false: "-"}[r.Aggregated], strconv.Itoa(int(r.SubSequenceNumber))}, " "))
	}
	want := []string{
		`{"n":0} outer  4960 - 0`,
		`{"n":1} a  4960 agg 0`,
		`{"n":2} b 42 4960 agg 1`,
		`{"n":3} a  4960 agg 2`,
	}
	if len(out) != 5 || strings.Join(got[:4], "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant\n%s\nthen the corrupt aggregate", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := out[4]; string(c.Data) != string(bad) || c.Aggregated || !strings.Contains(c.Err(), "corrupt KPL aggregate: MD5") {
		t.Errorf("corrupt aggregate: %+v, want it whole with an MD5 error", c)
	}
}
