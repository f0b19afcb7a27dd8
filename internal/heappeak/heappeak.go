// Package heappeak measures the peak heap of a piece of work, for the
// benchmarks that show memory stays bounded by a batch rather than a stream.
package heappeak

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

const (
	liveBytes    = "/gc/heap/live:bytes"
	objectsBytes = "/memory/classes/heap/objects:bytes"
	unusedBytes  = "/memory/classes/heap/unused:bytes"
)

// Peaks is what Watch measured: the peak growth, in bytes, over the heap
// when Watch was called.
type Peaks struct {
	// Live is the live heap as marked by the last collection: garbage
	// not yet collected does not count. It is what the work holds.
	Live uint64
	// InUse is the heap's spans in use (MemStats.HeapInuse): live
	// objects, garbage awaiting collection and the spans' unused room.
	// It is what the process holds for the work's heap between
	// collections; with GOGC at g it reaches about (1 + g/100) × Live.
	InUse uint64
}

// Watch collects garbage, then samples the heap every millisecond until the
// returned stop is called, which returns the peaks.
func Watch() (stop func() Peaks) {
	runtime.GC()
	baseLive, baseInUse := read()
	var peakLive, peakInUse atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			live, inUse := read()
			if live > peakLive.Load() {
				peakLive.Store(live)
			}
			if inUse > peakInUse.Load() {
				peakInUse.Store(inUse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() Peaks {
		close(done)
		<-finished
		return Peaks{Live: growth(peakLive.Load(), baseLive), InUse: growth(peakInUse.Load(), baseInUse)}
	}
}

func growth(peak, base uint64) uint64 {
	if peak > base {
		return peak - base
	}
	return 0
}

func read() (live, inUse uint64) {
	s := []metrics.Sample{{Name: liveBytes}, {Name: objectsBytes}, {Name: unusedBytes}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64() + s[2].Value.Uint64()
}
