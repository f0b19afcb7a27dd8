// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU cost beside wall time: on a shared machine the wall-clock
// figure follows the neighbours, the CPU cost much less.
package cputime

import "time"

// Process returns the CPU time (user and system) this process has used, and
// false on a platform where it is not measured.
func Process() (time.Duration, bool) { return process() }
