package engine_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

// countingHandler counts the log records whose message is msg (and whose
// "during" attribute is during, unless that is empty), and keeps the
// smallest of their "batch" attributes in first.
type countingHandler struct {
	msg, during string
	n           *atomic.Int64
	first       *atomic.Int64
}

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	batch := int64(-1)
	during := ""
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "batch":
			batch = a.Value.Int64()
		case "during":
			during = a.Value.String()
		}
		return true
	})
	if h.during != "" && during != h.during {
		return nil
	}
	h.n.Add(1)
	if h.first.Load() < 0 || batch < h.first.Load() {
		h.first.Store(batch)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// readAheadLog returns a logger that counts the batches read ahead during
// (the write, or the uploads; "" for both), and the first of them (-1 if
// none).
func readAheadLog(during string) (*slog.Logger, *atomic.Int64, *atomic.Int64) {
	n, first := new(atomic.Int64), new(atomic.Int64)
	first.Store(-1)
	return slog.New(countingHandler{msg: "reading the next batch ahead", during: during, n: n, first: first}), n, first
}

// TestReadAheadCrashPointsThenRestart: with the next batch read while
// the current one is written (from its plan, or once its objects are
// encoded), a crash at any point of a batch, and a restart, still yield
// every record once, and a replay overwrites its objects with the same
// bytes.
func TestReadAheadCrashPointsThenRestart(t *testing.T) {
	for _, during := range []struct {
		name   string
		budget int64
	}{
		{"write", 1 << 30},
		{"uploads", 0},
	} {
		for _, tc := range crashPoints {
			t.Run(during.name+"/"+tc.name, func(t *testing.T) {
				sources(t, 4, func(t *testing.T, h *harness) {
					j := h.job()
					j.ForEachBatch.ReadAheadBytes = during.budget
					j.ForEachBatch.WindowSize = engine.Duration(time.Nanosecond) // over when a batch is written
					log, ahead, _ := readAheadLog(during.name)
					h.crashThenRestart(t, j, tc.cp, engine.WithLogger(log))
					if ahead.Load() == 0 {
						t.Error("first run: no batch was read ahead")
					}
				})
			})
		}
	}
}

// TestReadAheadOutputIsTheSame: reading ahead changes when batches are
// read, not what they hold: over a stream written beforehand, the objects
// are those of a run without read-ahead, byte for byte. A budget below
// every batch's size reads nothing ahead from a plan but of a batch
// without records (only of the empty batch at the end: batches 0 to 2
// hold the records); a batch is still read during the uploads before it.
func TestReadAheadOutputIsTheSame(t *testing.T) {
	sources(t, 4, func(t *testing.T, h *harness) {
		h.put(1200, 4, true)
		plain := filepath.Join(h.dir, "plain")
		j := h.determinismJob(plain)
		j.ForEachBatch.ReadAheadBytes = -1
		if err := h.run(j, engine.WithInstanceID(determinismID)); err != nil {
			t.Fatalf("without read-ahead: %v", err)
		}
		want := h.outputs(plain)
		for _, tc := range []struct {
			name      string
			budget    int64
			during    string
			wantFirst int64 // the first batch read ahead during
		}{
			{"read ahead", 1 << 30, "write", 1},
			{"over the budget", 1, "write", 4},
			{"over the budget, during uploads", 1, "uploads", 1},
			{"during uploads", 0, "uploads", 1},
		} {
			dir := filepath.Join(h.dir, tc.name)
			j := h.determinismJob(dir)
			j.ForEachBatch.ReadAheadBytes = tc.budget
			j.ForEachBatch.WindowSize = engine.Duration(time.Nanosecond) // over when a batch is written
			log, _, first := readAheadLog(tc.during)
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

// TestNextBatchIsReadDuringUploads: once a batch's objects are encoded and
// its window is over, the next batch is read while they upload: an upload
// held in the fake S3 sees GetRecords calls made after its batch's plan.
// With readAheadBytes -1, or while the window still runs, the next batch
// is read only after the commit.
func TestNextBatchIsReadDuringUploads(t *testing.T) {
	for _, tc := range []struct {
		name   string
		budget int64
		window time.Duration
		want   bool
	}{
		{"window over", 0, time.Nanosecond, true},
		{"readAheadBytes -1", -1, time.Nanosecond, false},
		{"window not over", 0, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 2)
			s3 := s3test.New(t)
			hold := 200 * time.Millisecond // long enough for a read ahead to begin
			if tc.want {
				hold = 10 * time.Second // until it does
			}
			var planned, uploads, overlapped atomic.Int64
			// FailPut runs under the fake's lock: holding an upload holds
			// every S3 request, but the next batch is read from Kinesis.
			s3.FailPut = func(path string) bool {
				switch {
				case strings.Contains(path, "/cp/offsets/"):
					planned.Store(int64(h.kin.Calls("GetRecords")))
				case strings.Contains(path, "/out/"):
					uploads.Add(1)
					for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(time.Millisecond) {
						if int64(h.kin.Calls("GetRecords")) > planned.Load() {
							overlapped.Add(1)
							break
						}
					}
				}
				return false
			}
			h.put(240, 2, true)
			j := h.job()
			inS3(j, s3.URL(), "bucket")
			j.ForEachBatch.WindowSize = engine.Duration(tc.window)
			j.ForEachBatch.ReadAheadBytes = tc.budget
			var opts []engine.Option
			if tc.window >= time.Minute {
				clk := clock.NewFake(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
				autoAdvance(t, clk) // windows pass at once; a batch takes no time
				opts = append(opts, engine.WithClock(clk))
			}
			if err := h.run(j, opts...); err != nil {
				t.Fatalf("run: %v", err)
			}
			n, got := uploads.Load(), overlapped.Load()
			if n < 3 {
				t.Fatalf("%d uploads of output, want one for each of 3 batches", n)
			}
			want := int64(0)
			if tc.want {
				want = n
			}
			if got != want {
				t.Errorf("%d of %d uploads saw the next batch read, want %d", got, n, want)
			}
		})
	}
}
