package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

// countingHandler counts the log records whose message is msg, and
// keeps the smallest of their "batch" attributes in first.
type countingHandler struct {
	msg   string
	n     *atomic.Int64
	first *atomic.Int64
}

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	h.n.Add(1)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "batch" {
			if id := a.Value.Int64(); h.first.Load() < 0 || id < h.first.Load() {
				h.first.Store(id)
			}
		}
		return true
	})
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// readAheadLog returns a logger that counts the batches read ahead, and
// the first of them (-1 if none).
func readAheadLog() (*slog.Logger, *atomic.Int64, *atomic.Int64) {
	n, first := new(atomic.Int64), new(atomic.Int64)
	first.Store(-1)
	return slog.New(countingHandler{msg: "reading the next batch ahead", n: n, first: first}), n, first
}

// TestReadAheadCrashPointsThenRestart: with the next batch read while
// the current one is written, a crash at any point of a batch, and a
// restart, still yield every record once, and a replay overwrites its
// objects with the same bytes.
func TestReadAheadCrashPointsThenRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		cp   engine.CrashPoint
	}{
		{"after-plan", engine.CrashAfterPlan(1)},
		{"in-sink:0", engine.CrashInSinkAfter(1, 0)},
		{"in-sink:1", engine.CrashInSinkAfter(1, 1)},
		{"after-sink", engine.CrashAfterSink(1)},
		{"after-commit", engine.CrashAfterCommit(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sources(t, 4, func(t *testing.T, h *harness) {
				h.put(300, 4, true)
				j := h.job()
				j.ForEachBatch.ReadAheadBytes = 1 << 30
				log, ahead, _ := readAheadLog()
				err := h.run(j, engine.WithCrashPoint(tc.cp), engine.WithLogger(log))
				if !errors.Is(err, engine.ErrCrashed) {
					t.Fatalf("first run: got %v, want ErrCrashed", err)
				}
				if ahead.Load() == 0 {
					t.Fatal("first run: no batch was read ahead")
				}
				before := files(t, filepath.Join(h.dir, "out"))
				h.put(100, 4, true) // more arrives while the engine is down
				if err := h.run(j); err != nil {
					t.Fatalf("restart: %v", err)
				}
				h.checkOnce(true)
				checkUnchanged(t, filepath.Join(h.dir, "out"), before)
			})
		})
	}
}

// TestReadAheadOutputIsTheSame: reading ahead changes when batches are
// read, not what they hold: over a stream written beforehand, the objects
// are those of a run without read-ahead, byte for byte. A budget below
// every batch's size reads nothing ahead of a batch with records (only of
// the empty batch at the end: batches 0 to 2 hold the records).
func TestReadAheadOutputIsTheSame(t *testing.T) {
	sources(t, 4, func(t *testing.T, h *harness) {
		h.put(1200, 4, true)
		plain := filepath.Join(h.dir, "plain")
		if err := h.run(h.determinismJob(plain), engine.WithInstanceID(determinismID)); err != nil {
			t.Fatalf("without read-ahead: %v", err)
		}
		want := h.outputs(plain)
		for _, tc := range []struct {
			name      string
			budget    int64
			wantFirst int64 // the first batch read ahead
		}{
			{"read ahead", 1 << 30, 1},
			{"over the budget", 1, 4},
		} {
			dir := filepath.Join(h.dir, tc.name)
			j := h.determinismJob(dir)
			j.ForEachBatch.ReadAheadBytes = tc.budget
			log, _, first := readAheadLog()
			if err := h.run(j, engine.WithInstanceID(determinismID), engine.WithLogger(log)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := first.Load(); got != tc.wantFirst {
				t.Errorf("%s: first batch read ahead %d, want %d", tc.name, got, tc.wantFirst)
			}
			sameObjects(t, tc.name, h.outputs(dir), want)
		}
	})
}
