package engine_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

// autoAdvance moves clk forward whenever something waits on it, so that
// windows and backoffs pass at once.
func autoAdvance(t *testing.T, clk *clock.Fake) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for ctx.Err() == nil {
			if clk.Waiters() > 0 {
				clk.Advance(time.Second)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}()
}

func TestFailedBatchIsRetriedFromItsPlan(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int64
		wantErr  string
	}{
		{"recovers within batchMaxRetries", 2, ""},
		{"gives up after batchMaxRetries", 1 << 30, "failed 4 times"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 2)
			h.cfg.RetryMaxAttempts = 1 // the engine's batch retries, not the SDK's, are under test
			s3 := s3test.New(t)
			var failed atomic.Int64
			s3.FailPut = func(path string) bool {
				return strings.Contains(path, "/out/") && failed.Add(1) <= tc.failures
			}
			h.put(100, 2, true)
			j := h.job()
			j.Sink.Endpoint = s3.URL()
			j.Sink.Path = "s3://bucket/out"
			clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
			autoAdvance(t, clk)
			err := h.run(j, engine.WithClock(clk))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Run = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := len(s3.Keys("bucket", "out/")); got == 0 {
				t.Fatalf("no output objects")
			}
		})
	}
}
