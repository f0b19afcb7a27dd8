package kinesisfake_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
)

func entries(n, size int) []types.PutRecordsRequestEntry {
	out := make([]types.PutRecordsRequestEntry, n)
	for i := range out {
		out[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'x'}, size)}
	}
	return out
}

func TestWriteLimits(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	s := aws.String("s")

	// 1,000 records a second per shard: 500 + 500 pass, the next fail per record.
	for i := 0; i < 2; i++ {
		out, err := e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: s, Records: entries(500, 10)})
		if err != nil {
			t.Fatalf("PutRecords batch %d: %v", i, err)
		}
		if aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords batch %d: err %v, failed %d; want none", i, err, aws.ToInt32(out.FailedRecordCount))
		}
	}
	out, err := e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: s, Records: entries(3, 10)})
	if err != nil {
		t.Fatalf("PutRecords over the rate: %v", err)
	}
	if got := aws.ToInt32(out.FailedRecordCount); got != 3 {
		t.Fatalf("FailedRecordCount over 1,000 records/s: got %d, want 3", got)
	}
	if got := aws.ToString(out.Records[0].ErrorCode); got != "ProvisionedThroughputExceededException" {
		t.Fatalf("ErrorCode: got %q, want ProvisionedThroughputExceededException", got)
	}
	_, err = e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: s, PartitionKey: aws.String("k"), Data: []byte("x")})
	wantCode(t, "PutRecord over the rate", err, "ProvisionedThroughputExceededException")

	// 1 MiB a second per shard: the second 600 KiB record fails.
	e.clk.Advance(time.Second)
	big := bytes.Repeat([]byte{'y'}, 600<<10)
	if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: s, PartitionKey: aws.String("k"), Data: big}); err != nil {
		t.Fatalf("first 600 KiB record: %v", err)
	}
	_, err = e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: s, PartitionKey: aws.String("k"), Data: big})
	wantCode(t, "second 600 KiB record in a second", err, "ProvisionedThroughputExceededException")

	// A new second is a new window.
	e.clk.Advance(time.Second)
	if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: s, PartitionKey: aws.String("k"), Data: big}); err != nil {
		t.Fatalf("600 KiB record in the next second: %v", err)
	}

	// Request-wide limits.
	_, err = e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: s, Records: entries(501, 1)})
	wantCode(t, "PutRecords with 501 records", err, "ValidationException")
	_, err = e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: s, Records: entries(6, 1000<<10)})
	wantCode(t, "PutRecords over 5 MiB", err, "InvalidArgumentException")
	_, err = e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: s, PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'z'}, 1<<20)})
	wantCode(t, "PutRecord over 1 MiB with its key", err, "ValidationException")
}

func TestReadLimits(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	it := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	for i := 0; i < 5; i++ {
		if _, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
			t.Fatalf("GetRecords call %d: %v", i+1, err)
		}
	}
	_, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, "sixth GetRecords in a second", err, "ProvisionedThroughputExceededException")

	// 2 MiB a second: one 3 MiB read goes through, the next call is refused.
	e.clk.Advance(time.Second)
	for i := 0; i < 3; i++ {
		if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'r'}, 1000<<10)}); err != nil {
			t.Fatalf("PutRecord %d: %v", i, err)
		}
		e.clk.Advance(time.Second)
	}
	out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, ""))})
	if err != nil || len(out.Records) != 3 {
		t.Fatalf("3 MiB read: got %d records, err %v; want 3", len(out.Records), err)
	}
	_, err = e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	wantCode(t, "GetRecords after 3 MiB in a second", err, "ProvisionedThroughputExceededException")
}

func TestLimitsOff(t *testing.T) {
	e := newEnv(t, kinesisfake.WithLimits(kinesisfake.Limits{}))
	ctx := t.Context()
	e.createStream(t, "s", 1)
	for i := 0; i < 3; i++ {
		out, err := e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries(1000, 10)})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords of 1,000 with limits off: err %v, failed %d", err, aws.ToInt32(out.FailedRecordCount))
		}
	}
	it := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	for i := 0; i < 8; i++ {
		if _, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
			t.Fatalf("GetRecords call %d with limits off: %v", i+1, err)
		}
	}
}
