package heappeak_test

import (
	"runtime"
	"runtime/debug"
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
	if got.Live < 32<<20 {
		t.Fatalf("live peak growth = %d bytes, want at least 32 MiB of the 64 MiB held", got.Live)
	}
	if got.InUse < 32<<20 {
		t.Fatalf("in-use peak growth = %d bytes, want at least 32 MiB of the 64 MiB held", got.InUse)
	}
}

var sink []byte

func TestWatchIgnoresGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	stop := heappeak.Watch()
	for range 64 {
		sink = make([]byte, 1<<20) // 64 MiB of garbage, not collected
	}
	time.Sleep(10 * time.Millisecond)
	got := stop()
	if got.Live > 16<<20 {
		t.Fatalf("live peak growth = %d bytes with nothing held, want little", got.Live)
	}
	// The garbage is in use until a collection: the in-use peak sees it.
	if got.InUse < 32<<20 {
		t.Fatalf("in-use peak growth = %d bytes with 64 MiB of garbage uncollected, want at least 32 MiB", got.InUse)
	}
}
