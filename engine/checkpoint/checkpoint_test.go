package checkpoint_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

var t0 = time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)

func open(t *testing.T, s blob.Store, clk clock.Clock, id string) (*checkpoint.Log, error) {
	t.Helper()
	return checkpoint.Open(context.Background(), s, checkpoint.Options{Job: "j", LeaseTimeout: time.Minute, Clock: clk, ID: id})
}

func TestPlanCommitLatest(t *testing.T) {
	ctx := context.Background()
	s, _ := blob.NewDir(t.TempDir())
	clk := clock.NewFake(t0)
	l, err := open(t, s, clk, "a")
	if err != nil {
		t.Fatal(err)
	}
	st, err := l.Latest(ctx)
	if err != nil || st.Committed != nil || st.Pending != nil || st.NextBatchID() != 0 {
		t.Fatalf("empty log: %+v, %v; want nothing, next batch 0", st, err)
	}
	for id := int64(0); id < 12; id++ {
		if err := l.Plan(ctx, &checkpoint.Offsets{BatchID: id}); err != nil {
			t.Fatal(err)
		}
		if id == 11 {
			break // batch 11 is planned, not committed
		}
		if err := l.Commit(ctx, &checkpoint.Commit{BatchID: id}); err != nil {
			t.Fatal(err)
		}
	}
	st, err = l.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Committed == nil || st.Committed.BatchID != 10 || st.Pending == nil || st.Pending.BatchID != 11 || st.NextBatchID() != 11 {
		t.Errorf("Latest = committed %+v pending %+v; want 10 and 11 (ids compare as numbers)", st.Committed, st.Pending)
	}
	if err := l.Plan(ctx, &checkpoint.Offsets{BatchID: 11}); !errors.Is(err, checkpoint.ErrExists) {
		t.Errorf("planning batch 11 twice: %v, want ErrExists", err)
	}
}

func TestLease(t *testing.T) {
	ctx := context.Background()
	s, _ := blob.NewDir(t.TempDir())
	clk := clock.NewFake(t0)
	a, err := open(t, s, clk, "a")
	if err != nil {
		t.Fatal(err)
	}
	// Phase 1: a live owner keeps a second engine out.
	if _, err := open(t, s, clk, "b"); !errors.Is(err, checkpoint.ErrLocked) {
		t.Fatalf("second engine while the first is live: %v, want ErrLocked", err)
	}
	clk.Advance(50 * time.Second)
	if err := a.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(50 * time.Second) // 100 s after start, 50 s after renewal
	if _, err := open(t, s, clk, "b"); !errors.Is(err, checkpoint.ErrLocked) {
		t.Fatalf("second engine before the renewed lease expired: %v, want ErrLocked", err)
	}
	// Phase 2: after expiry the lease is taken over, and the old owner
	// learns it at its next write.
	clk.Advance(11 * time.Second)
	b, err := open(t, s, clk, "b")
	if err != nil {
		t.Fatalf("takeover after expiry: %v", err)
	}
	if err := a.Plan(ctx, &checkpoint.Offsets{BatchID: 0}); !errors.Is(err, checkpoint.ErrLeaseLost) {
		t.Errorf("old owner planning: %v, want ErrLeaseLost", err)
	}
	// Phase 3: a crashed owner in this process is taken over at once; a
	// released lease too.
	b.Abandon()
	c, err := open(t, s, clk, "c")
	if err != nil {
		t.Fatalf("takeover from a crashed engine: %v", err)
	}
	if err := c.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, s, clk, "d"); err != nil {
		t.Fatalf("start after a release: %v", err)
	}
}
