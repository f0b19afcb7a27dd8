package scenarios

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
)

// watcher is the engine's slog.Handler in a scenario: it counts the batches
// the engine commits and writes a progress line for each commit and replay.
type watcher struct {
	shared *watched
}

type watched struct {
	mu       sync.Mutex
	w        io.Writer
	batches  atomic.Int64
	records  atomic.Int64   // records of committed batches, replays included
	replayed map[int64]bool // under mu
}

func (w *watched) replayedBatches() map[int64]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int64]bool, len(w.replayed))
	for k, v := range w.replayed {
		out[k] = v
	}
	return out
}

func newWatcher(w io.Writer) *watcher {
	return &watcher{shared: &watched{w: w, replayed: map[int64]bool{}}}
}

func (h *watcher) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *watcher) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case "batch committed":
		h.shared.batches.Add(1)
		var batch, n, dead int64
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "batch":
				batch = a.Value.Int64()
			case "numRecords":
				n = a.Value.Int64()
			case "numDeadLetter":
				dead = a.Value.Int64()
			}
			return true
		})
		h.shared.records.Add(n)
		h.printf("  batch %d committed: %d records, %d dead letters", batch, n, dead)
	case "replaying planned batch":
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "batch" {
				h.shared.mu.Lock()
				h.shared.replayed[a.Value.Int64()] = true
				h.shared.mu.Unlock()
				h.printf("  replaying batch %d from its plan (same objects, overwritten)", a.Value.Int64())
			}
			return true
		})
	case "batch failed; restarting from the checkpoint":
		var batch, attempt int64
		var cause string
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "batch":
				batch = a.Value.Int64()
			case "attempt":
				attempt = a.Value.Int64()
			case "err":
				cause = a.Value.String()
			}
			return true
		})
		h.printf("  batch %d failed (attempt %d), retried from the checkpoint: %s", batch, attempt, cause)
	case "uncommitted at-least-once batch is read again":
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "batch" {
				h.printf("  batch %d was not committed: at-least-once reads it again under new object names", a.Value.Int64())
			}
			return true
		})
	}
	return nil
}

func (h *watcher) printf(format string, args ...any) {
	h.shared.mu.Lock()
	defer h.shared.mu.Unlock()
	fmt.Fprintf(h.shared.w, format+"\n", args...)
}

// WithAttrs and WithGroup return h: the attributes the watcher reads are
// the records' own.
func (h *watcher) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *watcher) WithGroup(string) slog.Handler { return h }
