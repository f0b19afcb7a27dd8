package cputime_test

import (
	"runtime"
	"testing"

	"github.com/streamcheck/streamcheck/internal/cputime"
)

var sink uint64

// TestProcessGrowsWithWork: spinning for a while must show as CPU time.
func TestProcessGrowsWithWork(t *testing.T) {
	before, ok := cputime.Process()
	if !ok {
		t.Skipf("CPU time is not measured on %s", runtime.GOOS)
	}
	for i := range uint64(200_000_000) {
		sink += i * i
	}
	after, _ := cputime.Process()
	if after <= before {
		t.Errorf("CPU time went from %v to %v over a busy loop, want it to grow", before, after)
	}
}
