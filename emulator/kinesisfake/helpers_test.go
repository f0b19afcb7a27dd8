package kinesisfake_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

var epoch = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// env is a started server, its fake clock and a client without retries.
type env struct {
	srv *kinesisfake.Server
	clk *clock.Fake
	kc  *kinesis.Client
}

func newEnv(t testing.TB, opts ...kinesisfake.Option) *env {
	t.Helper()
	clk := clock.NewFake(epoch)
	srv, _ := kinesisfaketest.NewServer(t, append([]kinesisfake.Option{kinesisfake.WithClock(clk)}, opts...)...)
	kc := kinesisfaketest.NewClient(srv, func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} })
	return &env{srv: srv, clk: clk, kc: kc}
}

func (e *env) createStream(t testing.TB, name string, shards int32) {
	t.Helper()
	_, err := e.kc.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
	if err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
}

func (e *env) iterator(t testing.TB, stream, shard string, typ types.ShardIteratorType, seq string) string {
	t.Helper()
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: typ}
	if seq != "" {
		in.StartingSequenceNumber = aws.String(seq)
	}
	out, err := e.kc.GetShardIterator(t.Context(), in)
	if err != nil {
		t.Fatalf("GetShardIterator %s %s %s: %v", stream, shard, typ, err)
	}
	return aws.ToString(out.ShardIterator)
}

// readAll reads a shard from TRIM_HORIZON until a page comes back empty or
// the iterator ends, returning the data strings.
func (e *env) readAll(t testing.TB, stream, shard string) []string {
	t.Helper()
	it := e.iterator(t, stream, shard, types.ShardIteratorTypeTrimHorizon, "")
	var got []string
	for it != "" {
		out, err := e.kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
		if err != nil {
			t.Fatalf("GetRecords %s %s: %v", stream, shard, err)
		}
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		if len(out.Records) == 0 && out.ChildShards == nil {
			break
		}
		it = aws.ToString(out.NextShardIterator)
	}
	return got
}

// wantCode fails unless err is an AWS API error with the given code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got error %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("%s: got %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func data(i int) []byte { return []byte(fmt.Sprintf("record-%04d", i)) }
