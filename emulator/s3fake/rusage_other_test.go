//go:build !unix

package s3fake

import "time"

// cpuTime is not measured off Unix.
func cpuTime() time.Duration { return 0 }
