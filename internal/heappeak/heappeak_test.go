package heappeak_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/internal/heappeak"
)

var held [][]byte

func TestWatchSeesLiveGrowth(t *testing.T) {
	stop := heappeak.Watch()
	for range 64 {
		held = append(held, make([]byte, 1<<20)) // 64 MiB kept live
	}
	runtime.GC() // mark it live
	time.Sleep(20 * time.Millisecond)
	got := stop()
	held = nil
	if got < 32<<20 {
		t.Fatalf("peak growth = %d bytes, want at least 32 MiB of the 64 MiB held", got)
	}
}

func TestWatchIgnoresGarbage(t *testing.T) {
	stop := heappeak.Watch()
	time.Sleep(10 * time.Millisecond)
	if got := stop(); got > 16<<20 {
		t.Fatalf("peak growth = %d bytes with nothing held, want little", got)
	}
}
