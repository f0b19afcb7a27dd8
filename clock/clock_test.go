package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
)

var epoch = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestFakeAfterFiresOnlyWhenDue(t *testing.T) {
	f := clock.NewFake(epoch)
	ch := f.After(10 * time.Second)

	f.Advance(9 * time.Second)
	select {
	case <-ch:
		t.Fatal("timer fired 1s early")
	default:
	}

	f.Advance(time.Second)
	select {
	case got := <-ch:
		if want := epoch.Add(10 * time.Second); !got.Equal(want) {
			t.Fatalf("fired at %v, want %v", got, want)
		}
	default:
		t.Fatal("timer did not fire when due")
	}
	if n := f.Waiters(); n != 0 {
		t.Fatalf("Waiters() = %d after firing, want 0", n)
	}
}

func TestFakeNeverGoesBack(t *testing.T) {
	f := clock.NewFake(epoch)
	f.Advance(-time.Hour)
	f.Set(epoch.Add(-time.Minute))
	if got := f.Now(); !got.Equal(epoch) {
		t.Fatalf("Now() = %v, want %v", got, epoch)
	}
}

func TestFakeSleepHonoursContext(t *testing.T) {
	f := clock.NewFake(epoch)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Sleep(ctx, time.Hour) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Sleep() = %v, want context.Canceled", err)
	}
}

func TestFakeSleepWakesOnAdvance(t *testing.T) {
	f := clock.NewFake(epoch)
	done := make(chan error, 1)
	go func() { done <- f.Sleep(t.Context(), time.Minute) }()
	for f.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	f.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatalf("Sleep() = %v, want nil", err)
	}
}

func TestRealSleepZero(t *testing.T) {
	if err := clock.Real().Sleep(t.Context(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}
