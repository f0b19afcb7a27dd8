package compact_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/compact"
)

// TestHookStopsAtEachStep stops a run dead at each step of the protocol,
// as a kill would, and shows what the step left: the lock held, the state
// the checks know of, and a next run that repairs it.
func TestHookStopsAtEachStep(t *testing.T) {
	f := engineFixture(t)
	pristine := t.TempDir()
	if err := os.CopyFS(pristine, os.DirFS(f.dir)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		step       compact.Step
		wantLayout string // a count of the layout check the stop must leave above zero
		forward    bool   // the next run rolls it forward, else back
	}{
		{name: "after plan", step: compact.StepAfterPlan, wantLayout: "", forward: false},
		{name: "in write", step: compact.StepInWrite, wantLayout: "compaction_in_progress", forward: false},
		{name: "after done", step: compact.StepAfterDone, wantLayout: "pending_deletion", forward: true},
		{name: "in delete", step: compact.StepInDelete, wantLayout: "pending_deletion", forward: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := copyFixture(t, f, pristine)
			out, cp := g.stores()
			var stopped []compact.Step
			hook := compact.WithHook(func(_ context.Context, s compact.Step, m *compact.Manifest) error {
				if m == nil {
					t.Errorf("hook at %s without a manifest", s)
				}
				stopped = append(stopped, s)
				if s == tt.step {
					return compact.ErrCrashed
				}
				return nil
			})
			c, err := compact.New(out, cp, config(compact.PartitionByIngestTime), compact.WithClock(later()), hook)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Run(t.Context()); !errors.Is(err, compact.ErrCrashed) {
				t.Fatalf("Run: %v, want ErrCrashed at %s", err, tt.step)
			}
			if got := stopped[len(stopped)-1]; got != tt.step {
				t.Errorf("stopped at %s, want %s (steps seen %v)", got, tt.step, stopped)
			}
			if _, _, err := cp.Get(t.Context(), compact.LockKey); err != nil {
				t.Errorf("lock after a stop at %s: %v, want it left held as a kill leaves it", tt.step, err)
			}
			rep := g.verify()
			mustPass(t, rep, "stopped at "+tt.step.String())
			if tt.wantLayout != "" && rep.Result("layout").Count(tt.wantLayout) == 0 {
				t.Errorf("layout %s = 0 after a stop at %s, want more", tt.wantLayout, tt.step)
			}
			sum, err := run(t, out, cp, config(compact.PartitionByIngestTime), later())
			if err != nil {
				t.Fatalf("Run after the stop: %v", err)
			}
			if got := len(sum.RolledForward) == 1; got != tt.forward {
				t.Errorf("rolled forward %v, back %v; want forward = %v", sum.RolledForward, sum.RolledBack, tt.forward)
			}
			if !tt.forward && len(sum.RolledBack) != 1 {
				t.Errorf("rolled back %v, want one compaction", sum.RolledBack)
			}
			mustPass(t, g.verify(), "repaired")
			if got := parquetFiles(t, g.job.Sink.Path); len(got) != 1 {
				t.Errorf("after the repair: %d files %v, want 1", len(got), got)
			}
			if _, _, err := cp.Get(t.Context(), compact.LockKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("lock after the repairing run: %v, want it released", err)
			}
		})
	}
}

func TestParseStep(t *testing.T) {
	for _, s := range compact.Steps() {
		got, err := compact.ParseStep(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStep(%q) = %v, %v; want %v", s.String(), got, err, s)
		}
	}
	for _, bad := range []string{"", "after-sink", "in-write:1"} {
		if _, err := compact.ParseStep(bad); err == nil {
			t.Errorf("ParseStep(%q) succeeded, want an error", bad)
		}
	}
}
