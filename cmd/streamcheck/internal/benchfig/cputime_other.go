//go:build !unix

package benchfig

import "time"

// processCPU returns 0: CPU time is read only on unix systems, and the
// CPU figures are left out where it is 0.
func processCPU() time.Duration { return 0 }
