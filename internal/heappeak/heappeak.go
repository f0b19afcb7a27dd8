// Package heappeak measures the peak live heap of a piece of work, for the
// benchmarks that show memory stays bounded by a batch rather than a stream.
package heappeak

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

const liveBytes = "/gc/heap/live:bytes"

// Watch collects garbage, then samples the live heap (as marked by the last
// GC, so garbage not yet collected does not count) every millisecond until
// the returned stop is called. stop returns the peak growth over the live
// heap when Watch was called, in bytes.
func Watch() (stop func() uint64) {
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}

func read() uint64 {
	s := []metrics.Sample{{Name: liveBytes}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
