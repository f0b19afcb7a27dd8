//go:build unix

package benchfig

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used,
// every thread counted (DuckDB's included); 0 where it cannot be read.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
