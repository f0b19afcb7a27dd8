package scenarios

import (
	"context"
	"fmt"
	"os"
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
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
	"github.com/streamcheck/streamcheck/engine/enginetest/parquetcheck"
)

// pollingJumpClock is the wall clock plus an offset the test moves forward, so
// that the stack and the engine see a quarter of an hour pass at once.
type pollingJumpClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *pollingJumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// After fires once Now has passed d from now, jumps included (it polls).
func (c *pollingJumpClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	deadline := c.Now().Add(d)
	go func() {
		for {
			now := c.Now()
			if !now.Before(deadline) {
				ch <- now
				return
			}
			time.Sleep(min(5*time.Millisecond, deadline.Sub(now)))
		}
	}()
	return ch
}

func (c *pollingJumpClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.After(d):
		return nil
	}
}

func (c *pollingJumpClock) jump(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// TestAssumedRoleCredentialsExpireMidJob runs a job that names its stream by
// streamARN, its endpoint by endpointUrl, and reads through an assumed role
// (awsSTSRoleARN, awsSTSSessionName, awsSTSEndpoint) against the embedded
// stack's edge port. Halfway through the load the clock jumps past the
// credentials' expiry: the edge refuses the old credentials from then on, so
// the job must assume the role again to finish, with every record once.
func TestAssumedRoleCredentialsExpireMidJob(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := &pollingJumpClock{}
	stack, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithEdgeAddr("127.0.0.1:0"), emulator.WithClock(clk), emulator.WithSeed(3))
	if err != nil {
		t.Fatalf("start stack: %v", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	const stream, shards, total = "cross-account", 2, 600
	kc := stack.KinesisClient()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(stream)}, 10*time.Second); err != nil {
		t.Fatalf("wait for stream: %v", err)
	}
	put := func(from, to int) {
		t.Helper()
		var entries []ktypes.PutRecordsRequestEntry
		for i := from; i < to; i++ {
			entries = append(entries, ktypes.PutRecordsRequestEntry{
				PartitionKey: aws.String(fmt.Sprint(i)),
				Data: fmt.Appendf(nil, `{"ventilatorid":%d,"eventtime":"2026-11-22 13:00:00","serialnumber":"SN-%06d","pressurecontrol":1,"o2stats":2,"minutevolume":3,"manufacturer":"GE"}`,
					i%50, i),
			})
		}
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v (%v failed)", err, out)
		}
	}

	dir := t.TempDir()
	j := enginetest.VentilatorJob()
	j.Name = "assumed-role"
	j.Source.StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream
	j.Source.EndpointURL = stack.EdgeURL
	j.Options.AWSSTSRoleARN = "arn:aws:iam::000000000000:role/cross-account-reader"
	j.Options.AWSSTSSessionName = "glue-job"
	j.Options.AWSSTSEndpoint = stack.STSURL
	j.Options.StartingPosition = "trim_horizon"
	j.ForEachBatch.WindowSize = engine.Duration(100 * time.Millisecond)
	j.ForEachBatch.LeaseTimeout = engine.Duration(24 * time.Hour) // the jump must not end the lease
	j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
	j.Sink.Path = filepath.Join(dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
	cfg := stack.AWSConfig.Copy()
	cfg.BaseEndpoint = nil // the job's endpointUrl and awsSTSEndpoint must be what reaches the stack
	e, err := engine.New(j, engine.WithAWSConfig(cfg), engine.WithClock(clk))
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}

	put(0, total/2)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	// Once the first half is out, a quarter of an hour passes in a moment
	// (stscreds asks for 15-minute credentials), then the second half comes.
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= total/2 })
	clk.jump(16 * time.Minute)
	put(total/2, total)
	waitFor(t, done, func() bool { return len(serials(t, j.Sink.Path)) >= total })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	got := serials(t, j.Sink.Path)
	slices.Sort(got)
	if len(got) != total || len(slices.Compact(slices.Clone(got))) != total {
		t.Errorf("output has %d serial numbers (%d distinct), want each of %d once", len(got), len(slices.Compact(slices.Clone(got))), total)
	}
	if n := stack.STS().Calls("AssumeRole"); n < 2 {
		t.Errorf("AssumeRole calls = %d, want at least 2 (the credentials expired mid-job)", n)
	}
}

// waitFor polls cond for up to a minute, failing early if the run ends.
func waitFor(t *testing.T, done <-chan error, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case err := <-done: // a nil channel never answers
			t.Fatalf("Run ended before the output was complete: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting")
		}
	}
}

// serials returns the serialnumber of every row of the Parquet files under
// dir.
func serials(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return nil // a directory not there yet has no rows
	})
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if v, err := parquetcheck.Values(t.Context(), b); err == nil { // else still being written
			out = append(out, v["serialnumber"]...)
		}
	}
	return out
}
