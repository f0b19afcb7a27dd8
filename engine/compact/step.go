package compact

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrCrashed is returned by Run when a Hook stopped it with it: nothing is
// cleaned up, the lock included, so the checkpoint and the output are left
// as a kill at that step would leave them.
var ErrCrashed = errors.New("compact: stopped dead at a step of the protocol")

// Step names a point of one partition's compaction where a Hook is called,
// in the order a compaction reaches them.
type Step int

// The steps of the protocol in the package comment.
const (
	// StepAfterPlan: compactions/<K> written, no output yet.
	StepAfterPlan Step = iota + 1
	// StepInWrite: the first output written; the others and <K>.done not
	// yet (with one output, all outputs are written).
	StepInWrite
	// StepAfterDone: <K>.done written, no input deleted yet.
	StepAfterDone
	// StepInDelete: the first input of a finished compaction deleted, the
	// others and <K>.clean not yet.
	StepInDelete
)

var stepNames = map[Step]string{StepAfterPlan: "after-plan", StepInWrite: "in-write", StepAfterDone: "after-done", StepInDelete: "in-delete"}

// Steps returns the steps in protocol order.
func Steps() []Step { return []Step{StepAfterPlan, StepInWrite, StepAfterDone, StepInDelete} }

// String names the step as ParseStep reads it.
func (s Step) String() string {
	if n, ok := stepNames[s]; ok {
		return n
	}
	return fmt.Sprintf("step(%d)", int(s))
}

// ParseStep reads "after-plan", "in-write", "after-done" or "in-delete".
func ParseStep(s string) (Step, error) {
	for _, st := range Steps() {
		if stepNames[st] == strings.TrimSpace(s) {
			return st, nil
		}
	}
	return 0, fmt.Errorf("compaction step %q: want after-plan, in-write, after-done or in-delete", s)
}

// Hook is called at each step of every compaction a Run executes, and of
// every interrupted one it rolls forward (StepInDelete only), with the
// compaction's manifest. An error stops the Run with it; ErrCrashed (or an
// error wrapping it) stops it dead, leaving the lock held as a killed
// process would.
type Hook func(ctx context.Context, step Step, m *Manifest) error

// WithHook sets a Hook; the default is none. Tests and the scenarios use
// it to stop or kill a compactor at a chosen step.
func WithHook(h Hook) Option {
	return optionFunc(func(o *options) error {
		if h == nil {
			return errors.New("compact: WithHook: hook is nil")
		}
		o.hook = h
		return nil
	})
}

// at calls the hook, if any, at step of m.
func (c *Compactor) at(ctx context.Context, step Step, m *Manifest) error {
	if c.hook == nil {
		return nil
	}
	return c.hook(ctx, step, m)
}
