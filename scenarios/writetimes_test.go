package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// TestAttributeDuplicates charges each object's duplicates to the run
// during which it was written; with the kill moved, the same objects must
// be charged differently.
func TestAttributeDuplicates(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	writes := []objectWrite{{key: "a", at: at(100)}, {key: "b", at: at(900)}, {key: "c", at: at(1500)}, {key: "d", at: at(2500)}}
	dups := map[string]int64{"b": 2, "c": 412, "d": 5}
	tests := []struct {
		name   string
		starts []runStart
		want   []report.PipelineRun
		line   string
	}{
		{"two kills", []runStart{{at(0), ""}, {at(1000), "kill 1: tripwire in-sink of output object 2"}, {at(2000), "kill 2: SIGKILL 1.9s after start"}},
			[]report.PipelineRun{{Run: 1, Objects: 2, Duplicates: 2}, {Run: 2, After: "kill 1: tripwire in-sink of output object 2", Objects: 1, Duplicates: 412},
				{Run: 3, After: "kill 2: SIGKILL 1.9s after start", Objects: 1, Duplicates: 5}},
			"run 1, before any kill → 2 duplicates; kill 1: tripwire in-sink of output object 2 → 412 duplicates; kill 2: SIGKILL 1.9s after start → 5 duplicates"},
		// The first kill later: object c, written before it, belongs to
		// run 1 now.
		{"first kill later", []runStart{{at(0), ""}, {at(1600), "kill 1: tripwire in-sink of output object 3"}, {at(2000), "kill 2: SIGKILL 0.4s after start"}},
			[]report.PipelineRun{{Run: 1, Objects: 3, Duplicates: 414}, {Run: 2, After: "kill 1: tripwire in-sink of output object 3", Objects: 0, Duplicates: 0},
				{Run: 3, After: "kill 2: SIGKILL 0.4s after start", Objects: 1, Duplicates: 5}},
			"run 1, before any kill → 414 duplicates; kill 2: SIGKILL 0.4s after start → 5 duplicates"},
		// S3 keeps milliseconds: an object written in the millisecond of
		// a start, after it, is that run's.
		{"same millisecond", []runStart{{at(0), ""}, {at(1500).Add(300 * time.Microsecond), "kill 1: SIGKILL 1.5s after start"}},
			[]report.PipelineRun{{Run: 1, Objects: 2, Duplicates: 2}, {Run: 2, After: "kill 1: SIGKILL 1.5s after start", Objects: 2, Duplicates: 417}},
			"run 1, before any kill → 2 duplicates; kill 1: SIGKILL 1.5s after start → 417 duplicates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := attributeDuplicates(tt.starts, writes, dups)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d runs, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				tt.want[i].Started = tt.starts[i].at
				if got[i] != tt.want[i] {
					t.Errorf("run %d: got %+v, want %+v", i+1, got[i], tt.want[i])
				}
			}
			if l := duplicatesLine(got); l != tt.line {
				t.Errorf("line: got %q, want %q", l, tt.line)
			}
		})
	}
}

// TestClockMismatch wants write times outside the run's wall time named,
// and those within it accepted.
func TestClockMismatch(t *testing.T) {
	from := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	until := from.Add(time.Minute)
	if why := clockMismatch([]objectWrite{{at: from.Add(time.Second)}, {at: until}}, from, until); why != "" {
		t.Errorf("writes within the run: %q, want none", why)
	}
	virtual := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	why := clockMismatch([]objectWrite{{at: virtual}, {at: virtual.Add(time.Hour)}}, from, until)
	if !strings.Contains(why, "another clock") || !strings.Contains(why, "2020-01-01T00:00:00Z") {
		t.Errorf("writes on another clock: %q, want a reason naming them", why)
	}
}

// TestWriteFigures reads a black-box output of two JSON-lines objects
// with the ledger: the duplicates are the rows of the later object that
// repeat keys, and the lag runs from each acknowledgement to the first
// object holding the key. A bound the late object exceeds must fail the
// lag check; one it keeps must pass.
func TestWriteFigures(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	ledger := filepath.Join(dir, "ledger.jsonl")
	l, err := generators.CreateLedger(ledger)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		// k0..k9 acknowledged 100 ms apart, from t0.
		row := generators.LedgerRow{Seq: int64(i), Key: fmt.Sprintf("k%d", i), Outcome: generators.OutcomeAck, DuplicateOf: -1,
			Partition: -1, Offset: -1, AckedAtMs: t0.Add(time.Duration(i) * 100 * time.Millisecond).UnixMilli()}
		if err := l.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "s3", "b", "out")
	file := func(name string, keys ...int) {
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "{\"serialnumber\":\"k%d\",\"v\":%d}\n", k, k)
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// part-1 holds k0..k5 at t0+1s; part-2, written 20 s later after a
	// restart, k4..k9: k4 and k5 again.
	file("part-1.jsonl", 0, 1, 2, 3, 4, 5)
	file("part-2.jsonl", 4, 5, 6, 7, 8, 9)
	written := map[string]time.Time{"out/part-1.jsonl": t0.Add(time.Second), "out/part-2.jsonl": t0.Add(21 * time.Second)}
	var objs []object
	for k, at := range written {
		size := int64(1)
		objs = append(objs, object{Key: aws.String(k), Size: &size, LastModified: aws.Time(at)})
	}
	writes := outputWrites(objs, filepath.Join(dir, "s3", "b"), FormatJSONL, "")
	if len(writes) != 2 || writes[0].key != "out/part-1.jsonl" {
		t.Fatalf("outputWrites: %+v, want both objects, oldest first", writes)
	}
	cfg := assertions.Config{Output: out, Ledger: ledger, KeyColumn: "serialnumber", OutputFormat: assertions.FormatJSONLines,
		Delivery: assertions.AtLeastOnce, TempDir: t.TempDir()}
	for _, tt := range []struct {
		name   string
		bound  time.Duration
		status assertions.Status
	}{
		// k6 is acknowledged at t0+600ms and first visible at t0+21s.
		{"late object over the bound", 10 * time.Second, assertions.Fail},
		{"within the bound", 30 * time.Second, assertions.Pass},
		{"no bound", 0, assertions.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f writeFigures
			if _, err := verify(t.Context(), cfg, measureWrites(writes, FormatJSONL, "serialnumber", false, tt.bound, &f)); err != nil {
				t.Fatal(err)
			}
			if f.err != nil {
				t.Fatal(f.err)
			}
			if got := f.dups; len(got) != 1 || got["out/part-2.jsonl"] != 2 {
				t.Errorf("duplicates by object: %v, want 2 in out/part-2.jsonl", got)
			}
			if f.lag.Records != 10 || f.lag.Max != 20400*time.Millisecond || f.lag.P50 != 900*time.Millisecond {
				t.Errorf("lag: %+v, want 10 records, p50 900ms (k1, the fifth of ten, at 1s less 100ms), max 20.4s (k6)", f.lag)
			}
			if len(f.lagPoints) != 2 {
				t.Errorf("lag points: %+v, want one per object", f.lagPoints)
			}
			r := f.lagResult(tt.bound, "")
			if r.Status != tt.status {
				t.Errorf("lag check %s (%s), want %s", r.Status, r.Detail, tt.status)
			}
			if tt.status == assertions.Fail && (len(r.Examples) != 1 || r.Examples[0].File != "out/part-2.jsonl" || r.Count("over_bound") != 4) {
				t.Errorf("failed lag check: examples %+v, over_bound %d; want the late object named and its 4 records counted", r.Examples, r.Count("over_bound"))
			}
		})
	}
	var f writeFigures
	if r := f.lagResult(time.Second, "the scenario runs on a virtual clock"); r.Status != assertions.Skip || !strings.Contains(r.Detail, "virtual clock") {
		t.Errorf("lag on another clock: %s (%s), want skipped with the reason", r.Status, r.Detail)
	}
}

// checkWriteFigures wants a black-box run's figures from its objects' write
// times: its lag measured, and its duplicates, all of them, charged to the
// runs after its kills (a first run reads nothing twice).
func checkWriteFigures(t *testing.T, res *Result) {
	t.Helper()
	if l := res.Report.Result(assertions.CheckLag); l == nil || l.Status != assertions.Pass || res.Lag.Records == 0 {
		t.Errorf("lag check %+v, lag %+v; want it measured from the objects' write times", l, res.Lag)
	}
	if res.Duplicated == 0 && len(res.Crashes) == 0 {
		if res.PipelineRuns != nil {
			t.Errorf("pipeline runs %+v without restarts or duplicates, want none", res.PipelineRuns)
		}
		return
	}
	if len(res.PipelineRuns) != res.EngineRuns {
		t.Fatalf("pipeline runs %+v, want one per start (%d)", res.PipelineRuns, res.EngineRuns)
	}
	var sum int64
	for _, p := range res.PipelineRuns {
		sum += p.Duplicates
		if p.Duplicates > 0 && !strings.HasPrefix(p.After, "kill ") {
			t.Errorf("%d duplicates charged to %q, want them after a kill", p.Duplicates, p.Label())
		}
	}
	if sum != res.Duplicated {
		t.Errorf("%d duplicates charged to the runs, want all %d: %+v", sum, res.Duplicated, res.PipelineRuns)
	}
	if line := duplicatesLine(res.PipelineRuns); line != "" {
		t.Logf("duplicates by restart: %s", line)
	}
}
