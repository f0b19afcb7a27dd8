package kinesisfake_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

func TestFaults(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 2)
	in := e.srv.Faults()
	put := func() error {
		_, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	if _, err := in.Add(fault.Rule{Service: fault.ServiceKinesis, Operation: "PutRecord", Resource: "s", Times: 2, Action: fault.ActionError, Code: "InternalFailure", Status: 500, Message: "boom"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "first faulted PutRecord", put(), "InternalFailure")
	wantCode(t, "second faulted PutRecord", put(), "InternalFailure")
	if err := put(); err != nil {
		t.Fatalf("PutRecord after the rule expired: %v", err)
	}

	// A rule on another stream does not match.
	in.Clear()
	if _, err := in.Add(fault.Rule{Resource: "other", Action: fault.ActionError, Code: "InternalFailure"}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Fatalf("PutRecord with a rule on another stream: %v", err)
	}

	// Shard-level matching for GetRecords, and a dropped connection.
	in.Clear()
	if _, err := in.Add(fault.Rule{Operation: "GetRecords", Shard: "shardId-000000000001", Times: 1, Action: fault.ActionDrop}); err != nil {
		t.Fatal(err)
	}
	it0 := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeLatest, "")
	if _, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it0)}); err != nil {
		t.Fatalf("GetRecords on shard 0: %v", err)
	}
	it1 := e.iterator(t, "s", "shardId-000000000001", types.ShardIteratorTypeLatest, "")
	_, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it1)})
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("GetRecords with a dropped connection: got %v, want a transport error", err)
	}

	// A delay holds the request in real time: the answer cannot come
	// sooner than the delay. (A lower bound holds on any machine; a client
	// timeout shorter than the delay did not, when a loaded machine let the
	// timeout expire before the request reached the server.)
	in.Clear()
	const delay = 50 * time.Millisecond
	if _, err := in.Add(fault.Rule{Operation: "ListStreams", Delay: delay, Times: 1}); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if _, err := e.kc.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams under a delay rule: %v", err)
	}
	if took := time.Since(began); took < delay {
		t.Errorf("ListStreams held %v answered in %v", delay, took)
	}
	if got := in.Rules()[0].Fired; got != 1 {
		t.Fatalf("delay rule fired %d times, want 1", got)
	}
}

func TestRestartKeepsStreamsAndRecords(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(epoch)
	opts := []kinesisfake.Option{kinesisfake.WithClock(clk), kinesisfake.WithDataDir(dir)}

	// Phase 1: create, write, reshard, close.
	srv, _ := kinesisfaketest.NewServer(t, opts...)
	kc := kinesisfaketest.NewClient(srv)
	ctx := t.Context()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	var acked []string
	for i := 0; i < 3; i++ {
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: data(2 * i)}, {PartitionKey: aws.String("k"), Data: data(2*i + 1)}}})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v", err)
		}
		acked = append(acked, string(data(2*i)), string(data(2*i+1)))
	}
	if _, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"team": "data"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// A crash in the middle of the next write leaves a torn frame.
	f, err := os.OpenFile(filepath.Join(dir, "kinesis.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0, 0, 1, 0, 0xde, 0xad, 'R', 0, 1}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Phase 2: reopen and verify.
	srv2, _ := kinesisfaketest.NewServer(t, opts...)
	e := &env{srv: srv2, clk: clk, kc: kinesisfaketest.NewClient(srv2)}
	if got := e.readAll(t, "s", "shardId-000000000000"); !slices.Equal(got, acked) {
		t.Fatalf("records after restart: got %v, want %v", got, acked)
	}
	tags, err := e.kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "data" {
		t.Fatalf("tags after restart: %+v %v", tags, err)
	}
	// Writes continue with higher sequence numbers.
	out, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data(6)})
	if err != nil {
		t.Fatalf("PutRecord after restart: %v", err)
	}
	clk.Advance(time.Second)
	if got := e.readAll(t, "s", "shardId-000000000000"); len(got) != 7 || got[6] != "record-0006" {
		t.Fatalf("after a write on the reopened server: got %v (last seq %s)", got, aws.ToString(out.SequenceNumber))
	}
	srv2.Close()

	// Phase 3: the torn frame was cut off, so the log is clean again.
	srv3, _ := kinesisfaketest.NewServer(t, opts...)
	e3 := &env{srv: srv3, clk: clk, kc: kinesisfaketest.NewClient(srv3)}
	clk.Advance(time.Second)
	if got := e3.readAll(t, "s", "shardId-000000000000"); len(got) != 7 {
		t.Fatalf("second restart: got %d records, want 7", len(got))
	}
}
