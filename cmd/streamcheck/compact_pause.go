package main

import (
	"context"
	"fmt"
	"os"

	"github.com/streamcheck/streamcheck/engine/compact"
)

// envCompactPauseAt names a step of the compaction protocol (after-plan,
// in-write, after-done or in-delete) at which `streamcheck compact` stops
// and waits, holding its lock, until it is killed or interrupted: the
// scenarios kill it there with SIGKILL. It is a test hook, not in the help.
const envCompactPauseAt = "STREAMCHECK_COMPACT_PAUSE_AT"

// compactPauseMarker starts the line printed to stderr once paused.
const compactPauseMarker = "streamcheck compact: paused at "

// compactPauseOptions returns the compactor's options for
// envCompactPauseAt: none when it is unset.
func compactPauseOptions(e *env) ([]compact.Option, error) {
	v := e.getenv(envCompactPauseAt)
	if v == "" {
		return nil, nil
	}
	step, err := compact.ParseStep(v)
	if err != nil {
		return nil, usagef("%s: %v", envCompactPauseAt, err)
	}
	return []compact.Option{compact.WithHook(func(ctx context.Context, s compact.Step, m *compact.Manifest) error {
		if s != step {
			return nil
		}
		fmt.Fprintf(e.stderr, "%s%s of compaction %d (partition %s, pid %d)\n", compactPauseMarker, s, m.ID, m.Partition, os.Getpid())
		<-ctx.Done()
		return fmt.Errorf("%w: interrupted while paused at %s", compact.ErrCrashed, s)
	})}, nil
}
