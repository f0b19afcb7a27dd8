package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// crashState is what a crash left in the checkpoint and the sink.
type crashState struct {
	planned   bool // offsets/N exists
	committed bool // commits/N exists
	objects   int  // how many of the plan's objects (output and dead letter) exist
	total     int  // how many the plan names
}

// TestCrashPhases is a restart test in phases: one run crashes at each
// point, in successive batches; after each crash, before the restart, the
// checkpoint and the sink must be exactly as the point says (phase 1); after
// the restarts every record must be there exactly once (phase 2, Run's
// verification).
func TestCrashPhases(t *testing.T) {
	s := Scenario{
		Name:  "crash-phases",
		Load:  Load{Rate: 2000, Records: 4000, Malformed: 0.02},
		Setup: Setup{Window: 200 * time.Millisecond},
		Crashes: []Crash{
			{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
			{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
		},
		Expect: Expect{MinDeadLetters: 1},
	}
	got := map[engine.CrashAt]crashState{}
	inspect := func(ctx context.Context, stack *emulator.Stack, job *engine.Job, cp engine.CrashPoint) error {
		st, err := readCrashState(ctx, stack.S3Client(), job.ForEachBatch.CheckpointLocation, cp.Batch)
		got[cp.At] = st
		return err
	}
	res := Run(t, s, withAfterCrash(inspect))
	if res == nil || t.Failed() {
		return
	}
	tests := []struct {
		at   engine.CrashAt
		want func(st crashState) bool
		says string
	}{
		{engine.AtAfterPlan, func(st crashState) bool { return st.planned && !st.committed && st.objects == 0 && st.total > 0 },
			"planned, nothing written, not committed"},
		{engine.AtInSink, func(st crashState) bool { return st.planned && !st.committed && st.objects == 1 && st.total > 1 },
			"planned, exactly one object of several written, not committed"},
		{engine.AtAfterSink, func(st crashState) bool { return st.planned && !st.committed && st.objects == st.total && st.total > 0 },
			"planned, every object written, not committed"},
		{engine.AtAfterCommit, func(st crashState) bool { return st.planned && st.committed && st.objects == st.total },
			"planned, every object written, committed"},
	}
	for _, tt := range tests {
		st, ok := got[tt.at]
		if !ok {
			t.Errorf("the engine never crashed at %v", tt.at)
			continue
		}
		if !tt.want(st) {
			t.Errorf("after a crash at %s: %+v, want %s", engine.CrashPoint{At: tt.at, Objects: 1}, st, tt.says)
		}
	}
	if len(res.Crashes) != 4 {
		t.Errorf("crashes = %v, want 4", res.Crashes)
	}
}

func withAfterCrash(f func(context.Context, *emulator.Stack, *engine.Job, engine.CrashPoint) error) Option {
	return optionFunc(func(o *options) error { o.afterCrash = f; return nil })
}

func readCrashState(ctx context.Context, c *s3.Client, cp string, batch int64) (crashState, error) {
	var st crashState
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(cp, "s3://"), "/")
	get := func(key string) ([]byte, bool, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return b, true, err
	}
	plan, ok, err := get(fmt.Sprintf("%s/offsets/%d", prefix, batch))
	if err != nil || !ok {
		return st, err
	}
	st.planned = true
	var off checkpoint.Offsets
	if err := json.Unmarshal(plan, &off); err != nil {
		return st, fmt.Errorf("read offsets/%d: %w", batch, err)
	}
	if _, st.committed, err = get(fmt.Sprintf("%s/commits/%d", prefix, batch)); err != nil {
		return st, err
	}
	for _, u := range append(off.Objects, off.DeadLetterObjects...) {
		st.total++
		b, key, _ := strings.Cut(strings.TrimPrefix(u, "s3://"), "/")
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err == nil {
			st.objects++
		}
	}
	return st, nil
}
