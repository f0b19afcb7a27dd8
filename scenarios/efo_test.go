package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
)

// efoStack starts a stack with a stream of shards shards and a registered,
// active consumer, and returns the Kinesis client and the consumer's ARN.
func efoStack(t *testing.T, stream string, shards int32) (*emulator.Stack, *kinesis.Client, string) {
	t.Helper()
	ctx := t.Context()
	stack, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithSeed(9))
	if err != nil {
		t.Fatalf("start stack: %v", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	kc := stack.KinesisClient()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(stream)}, 10*time.Second); err != nil {
		t.Fatalf("wait for stream: %v", err)
	}
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("glue-efo")})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err == nil && d.ConsumerDescription.ConsumerStatus == ktypes.ConsumerStatusActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer not active: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return stack, kc, arn
}

// putVentilator puts records [from, to) with serial numbers SN-%06d.
func putVentilator(t *testing.T, kc *kinesis.Client, stream string, from, to int) {
	t.Helper()
	for start := from; start < to; start += 250 {
		var entries []ktypes.PutRecordsRequestEntry
		for i := start; i < min(start+250, to); i++ {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)),
				Data: fmt.Appendf(nil, `{"ventilatorid":%d,"eventtime":"2026-11-22 13:00:00","serialnumber":"SN-%06d","pressurecontrol":1,"o2stats":2,"minutevolume":3,"manufacturer":"GE"}`, i%50, i)})
		}
		if out, err := kc.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}); err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v", err)
		}
	}
}

// efoJob is the ventilator job reading stream through consumer.
func efoJob(t *testing.T, stream, consumer string) *engine.Job {
	dir := t.TempDir()
	j := enginetest.VentilatorJob()
	j.Name = "efo"
	j.Source.StreamName = stream
	j.Options.FanoutConsumerARN = consumer
	j.Options.StartingPosition = "trim_horizon"
	j.Options.MaxFetchRecordsPerShard = 60
	j.Options.MaxFetchTimeInMs = 200
	j.Options.RetryIntervalMs, j.Options.MaxRetryIntervalMs = 250, 1000
	j.Options.DescribeShardInterval = engine.Duration(100 * time.Millisecond)
	j.ForEachBatch.WindowSize = engine.Duration(50 * time.Millisecond)
	j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
	j.Sink.Path = filepath.Join(dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
	return j
}

// checkOnce fails unless the job's output holds each of total serial
// numbers exactly once.
func checkOnce(t *testing.T, j *engine.Job, total int) {
	t.Helper()
	got := serials(t, j.Sink.Path)
	slices.Sort(got)
	distinct := len(slices.Compact(slices.Clone(got)))
	if len(got) != total || distinct != total {
		t.Errorf("output has %d serial numbers (%d distinct), want each of %d once", len(got), distinct, total)
	}
}

// TestEFOSteady reads a stream through an enhanced fan-out consumer.
func TestEFOSteady(t *testing.T) {
	t.Parallel()
	stack, kc, consumer := efoStack(t, "efo-steady", 2)
	const total = 500
	putVentilator(t, kc, "efo-steady", 0, total)
	j := efoJob(t, "efo-steady", consumer)
	e, err := engine.New(j, engine.WithAWSConfig(stack.AWSConfig), engine.WithUntilIdle())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOnce(t, j, total)
}

// TestEFOCrashPoints: the engine dies at every crash point in turn, reading
// through the consumer; each restart subscribes again (after AWS's 5-second
// rule refuses the first attempts) and every record is in the output once.
func TestEFOCrashPoints(t *testing.T) {
	t.Parallel()
	stack, kc, consumer := efoStack(t, "efo-crash", 2)
	const total = 800
	putVentilator(t, kc, "efo-crash", 0, total)
	j := efoJob(t, "efo-crash", consumer)
	for _, cp := range []engine.CrashPoint{engine.CrashAfterPlan(1), engine.CrashInSinkAfter(2, 0), engine.CrashAfterSink(3), {At: engine.AtAfterCommit, Batch: 4}} {
		e, err := engine.New(j, engine.WithAWSConfig(stack.AWSConfig), engine.WithUntilIdle(), engine.WithCrashPoint(cp))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(t.Context()); !errors.Is(err, engine.ErrCrashed) {
			t.Fatalf("Run with crash point %v = %v, want ErrCrashed", cp, err)
		}
	}
	e, err := engine.New(j, engine.WithAWSConfig(stack.AWSConfig), engine.WithUntilIdle())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(t.Context()); err != nil {
		t.Fatalf("final Run: %v", err)
	}
	checkOnce(t, j, total)
}

// TestEFOSplitDuringLoad splits a shard while the job reads through the
// consumer: the parent is read to its end (the last event's ChildShards)
// before its children, and every record lands once.
func TestEFOSplitDuringLoad(t *testing.T) {
	t.Parallel()
	stack, kc, consumer := efoStack(t, "efo-split", 1)
	const total = 600
	putVentilator(t, kc, "efo-split", 0, total/2)
	j := efoJob(t, "efo-split", consumer)
	e, err := engine.New(j, engine.WithAWSConfig(stack.AWSConfig))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ctx, stop := contextWithCancel(t)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= total/4 })
	if _, err := kc.SplitShard(t.Context(), &kinesis.SplitShardInput{StreamName: aws.String("efo-split"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(t.Context(), &kinesis.DescribeStreamInput{StreamName: aws.String("efo-split")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	putVentilator(t, kc, "efo-split", total/2, total)
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= total })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOnce(t, j, total)
}

// contextWithCancel is t.Context with a cancel function.
func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

// countingHTTP counts the Kinesis operations an SDK client sends.
type countingHTTP struct {
	inner aws.HTTPClient
	mu    sync.Mutex
	ops   map[string]int
}

func (c *countingHTTP) Do(r *http.Request) (*http.Response, error) {
	if op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202."); ok {
		c.mu.Lock()
		c.ops[op]++
		c.mu.Unlock()
	}
	return c.inner.Do(r)
}

func (c *countingHTTP) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops[op]
}

// counted returns cfg with an HTTP client that counts operations.
func counted(cfg aws.Config) (aws.Config, *countingHTTP) {
	c := &countingHTTP{inner: cfg.HTTPClient, ops: map[string]int{}}
	if c.inner == nil {
		c.inner = http.DefaultClient
	}
	cfg = cfg.Copy()
	cfg.HTTPClient = c
	return cfg, c
}

// TestEFOReadsBySubscription: a steady EFO job subscribes to each shard and
// never polls GetRecords (replays, which poll, need a crash).
func TestEFOReadsBySubscription(t *testing.T) {
	t.Parallel()
	stack, kc, consumer := efoStack(t, "efo-calls", 3)
	putVentilator(t, kc, "efo-calls", 0, 300)
	j := efoJob(t, "efo-calls", consumer)
	cfg, calls := counted(stack.AWSConfig)
	e, err := engine.New(j, engine.WithAWSConfig(cfg), engine.WithUntilIdle())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOnce(t, j, 300)
	if n := calls.count("SubscribeToShard"); n < 3 {
		t.Errorf("SubscribeToShard calls = %d, want at least one per shard (3)", n)
	}
	if n := calls.count("GetRecords"); n != 0 {
		t.Errorf("GetRecords calls = %d, want 0: an EFO job reads by subscription", n)
	}
}

// TestEFOSubscriptionFaults: SubscribeToShard is refused (throttled, a 500,
// the connection dropped) again and again; the job retries and every record
// lands once.
func TestEFOSubscriptionFaults(t *testing.T) {
	t.Parallel()
	stack, kc, consumer := efoStack(t, "efo-faults", 2)
	for _, r := range []fault.Rule{
		{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError, Code: "LimitExceededException", Times: 3},
		{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError, Code: "InternalFailure", Status: 500, Times: 2},
		{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionDrop, Times: 1},
	} {
		if _, err := stack.AddFault(r); err != nil {
			t.Fatalf("AddFault: %v", err)
		}
	}
	putVentilator(t, kc, "efo-faults", 0, 400)
	j := efoJob(t, "efo-faults", consumer)
	j.Options.RetryIntervalMs, j.Options.MaxRetryIntervalMs = 20, 100
	cfg, calls := counted(stack.AWSConfig)
	e, err := engine.New(j, engine.WithAWSConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := contextWithCancel(t)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= 400 })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOnce(t, j, 400)
	if n := calls.count("SubscribeToShard"); n < 2+6 {
		t.Errorf("SubscribeToShard calls = %d, want the 6 refused and one per shard", n)
	}
}

// TestEFOSubscriptionRenewal: AWS ends a subscription after 5 minutes; the
// clock jumps past that mid-load and the job subscribes again after the
// last record delivered, every record once.
func TestEFOSubscriptionRenewal(t *testing.T) {
	t.Parallel()
	clk := &pollingJumpClock{}
	stack, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded), emulator.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	kc := stack.KinesisClient()
	if _, err := kc.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("efo-renew"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(t.Context(), &kinesis.DescribeStreamInput{StreamName: aws.String("efo-renew")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	sum, err := kc.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("efo-renew")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := kc.RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("renew")})
	if err != nil {
		t.Fatal(err)
	}
	consumer := aws.ToString(reg.Consumer.ConsumerARN)
	waitFor(t, nil, func() bool {
		d, err := kc.DescribeStreamConsumer(t.Context(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(consumer)})
		return err == nil && d.ConsumerDescription.ConsumerStatus == ktypes.ConsumerStatusActive
	})
	putVentilator(t, kc, "efo-renew", 0, 200)
	j := efoJob(t, "efo-renew", consumer)
	j.ForEachBatch.LeaseTimeout = engine.Duration(24 * time.Hour)
	cfg, calls := counted(stack.AWSConfig)
	e, err := engine.New(j, engine.WithAWSConfig(cfg), engine.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := contextWithCancel(t)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= 200 })
	before := calls.count("SubscribeToShard")
	clk.jump(6 * time.Minute)
	putVentilator(t, kc, "efo-renew", 200, 400)
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= 400 })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOnce(t, j, 400)
	if after := calls.count("SubscribeToShard"); after <= before {
		t.Errorf("SubscribeToShard calls %d before the 5 minutes passed, %d after; want renewals", before, after)
	}
}
