package kinesisfake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestPutRecordsKeepsDataAcrossBodyReuse sends PutRecords bodies of the same
// size one after another, so each reuses the memory of the one before (see
// ServeHTTP's bodyPool), and checks every record's data and partition key
// as it was sent: nothing stored may point into a request body.
func TestPutRecordsKeepsDataAcrossBodyReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createStream(t, "reuse", 1)
	letters := "abcde"
	for _, l := range letters {
		recs := make([]types.PutRecordsRequestEntry, 50)
		for i := range recs {
			recs[i] = types.PutRecordsRequestEntry{Data: []byte(strings.Repeat(string(l), 200)), PartitionKey: aws.String(fmt.Sprintf("%c-%02d", l, i))}
		}
		if _, err := e.kc.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("reuse"), Records: recs}); err != nil {
			t.Fatalf("PutRecords %c: %v", l, err)
		}
	}
	out, err := e.kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String(e.iterator(t, "reuse", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, ""))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 50*len(letters) {
		t.Fatalf("%d records, want %d", len(out.Records), 50*len(letters))
	}
	for n, r := range out.Records {
		l, i := letters[n/50], n%50
		if want := strings.Repeat(string(l), 200); string(r.Data) != want {
			t.Fatalf("record %d data %.20q..., want %.20q...", n, r.Data, want)
		}
		if want := fmt.Sprintf("%c-%02d", l, i); aws.ToString(r.PartitionKey) != want {
			t.Fatalf("record %d partition key %q, want %q", n, aws.ToString(r.PartitionKey), want)
		}
	}
}
