package generators

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
)

// countSink acknowledges everything and counts what it saw.
type countSink struct{ n atomic.Int64 }

func (c *countSink) Target() string { return "kinesis://count" }

func (c *countSink) Send(_ context.Context, batch []*Attempt, _ *Stats) error {
	for _, a := range batch {
		a.Row.Outcome, a.Row.Attempts = OutcomeAck, 1
	}
	c.n.Add(int64(len(batch)))
	return nil
}

// runOnFakeClock runs cfg while moving the fake clock 10 ms whenever every
// producer is asleep on it.
func runOnFakeClock(t *testing.T, clk *clock.Fake, cfg RunConfig) Summary {
	t.Helper()
	done := make(chan struct{})
	var sum Summary
	var err error
	go func() {
		defer close(done)
		sum, err = Run(t.Context(), cfg)
	}()
	for {
		select {
		case <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			return sum
		default:
		}
		if clk.Waiters() > 0 {
			clk.Advance(10 * time.Millisecond)
		} else {
			time.Sleep(50 * time.Microsecond)
		}
	}
}

func TestRunRateAndDuration(t *testing.T) {
	for _, tc := range []struct {
		name      string
		producers int
		rate      float64
		burst     int
		duration  time.Duration
		min, max  int64
	}{
		// A full bucket of Burst, then Rate per second.
		{"one producer", 1, 1000, 100, time.Second, 1090, 1110},
		{"three producers", 3, 500, 50, 2 * time.Second, 1040, 1060},
		{"default burst", 2, 200, 0, 3 * time.Second, 615, 625},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
			s, err := NewSource(SourceConfig{Dataset: Ventilator(), Producers: tc.producers})
			if err != nil {
				t.Fatal(err)
			}
			sink := &countSink{}
			sum := runOnFakeClock(t, clk, RunConfig{Source: s, Sink: sink, Duration: tc.duration, Rate: tc.rate, Burst: tc.burst, Clock: clk})
			if sum.Attempted < tc.min || sum.Attempted > tc.max || sum.Acked != sum.Attempted || sink.n.Load() != sum.Attempted {
				t.Errorf("attempted %d, acked %d, sink saw %d in %v at %v/s; want %d to %d, all acked", sum.Attempted, sum.Acked, sink.n.Load(), tc.duration, tc.rate, tc.min, tc.max)
			}
		})
	}
}

func TestRunConfigValidate(t *testing.T) {
	s, _ := NewSource(SourceConfig{Dataset: Ventilator()})
	for _, tc := range []struct {
		name string
		cfg  RunConfig
	}{
		{"no source", RunConfig{Sink: &countSink{}, Count: 1}},
		{"no sink", RunConfig{Source: s, Count: 1}},
		{"no count or duration", RunConfig{Source: s, Sink: &countSink{}}},
		{"negative rate", RunConfig{Source: s, Sink: &countSink{}, Count: 1, Rate: -1}},
	} {
		if err := tc.cfg.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", tc.name, tc.cfg)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	s, _ := NewSource(SourceConfig{Dataset: Ventilator(), Producers: 2})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	sum, err := Run(ctx, RunConfig{Source: s, Sink: &countSink{}, Count: 1000})
	if err != context.Canceled || sum.Attempted != 0 {
		t.Errorf("Run on a cancelled context = %+v, %v; want nothing attempted and context.Canceled", sum, err)
	}
}
