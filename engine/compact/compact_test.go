package compact_test

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/compact"
	"github.com/streamcheck/streamcheck/engine/enginetest/parquetcheck"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// later is a clock two hours ahead, when the current ingest hour is closed.
func later() clock.Clock { return clock.NewFake(time.Now().Add(2 * time.Hour)) }

func config(p string) compact.Config {
	c := compact.DefaultConfig()
	c.Partitioning = p
	return c
}

func run(t *testing.T, out, cp blob.Store, cfg compact.Config, clk clock.Clock) (*compact.Summary, error) {
	t.Helper()
	c, err := compact.New(out, cp, cfg, compact.WithClock(clk))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c.Run(t.Context())
}

// engineFixture is an ingest-time partitioned output of several batches.
func engineFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, 2, engine.PartitionByIngestTime)
	f.put(200)
	if err := f.run(t.Context()); err != nil {
		t.Fatalf("engine: %v", err)
	}
	if n := len(parquetFiles(t, f.job.Sink.Path)); n < 4 {
		t.Fatalf("fixture has %d files, want several batches' worth", n)
	}
	return f
}

func TestCompactMergesClosedPartition(t *testing.T) {
	f := engineFixture(t)
	before := parquetFiles(t, f.job.Sink.Path)
	rowsBefore := readRows(t, f.job.Sink.Path)
	mustPass(t, f.verify(), "before compaction")
	out, cp := f.stores()
	sum, err := run(t, out, cp, config(compact.PartitionByIngestTime), later())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	in, outN, _, _, rows := sum.Totals()
	if in != len(before) || outN != 1 || rows != 200 {
		t.Errorf("files in %d, out %d, rows %d; want %d, 1, 200", in, outN, rows, len(before))
	}
	// The output carries the checkpoint's token, as the batch objects do,
	// so a new checkpoint's compactions never overwrite this one's.
	batchName, ok := sink.ParseObjectName(path.Base(before[0]))
	if !ok || batchName.Token == "" {
		t.Fatalf("batch object %s: want an exactly-once name with a checkpoint token", before[0])
	}
	after := parquetFiles(t, f.job.Sink.Path)
	if want := "/part-c00000000-00000-" + batchName.Token + ".snappy.parquet"; len(after) != 1 || !strings.HasSuffix(after[0], want) {
		t.Errorf("after compaction: %v, want one ...%s", after, want)
	}
	// A compacted file is written as the sink writes (version 1 pages,
	// PLAIN and dictionary encodings), read here by a second reader.
	for _, p := range after {
		data, err := os.ReadFile(filepath.Join(f.job.Sink.Path, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := parquetcheck.Check(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(rep.Problems) > 0 {
			t.Errorf("compacted %s: %v", p, rep.Problems)
		}
	}
	if got := readRows(t, f.job.Sink.Path); strings.Join(got, "\n") != strings.Join(rowsBefore, "\n") {
		t.Errorf("rows after compaction differ from the inputs' rows in batch order:\n got %d rows, first %v\nwant %d rows, first %v", len(got), got[:min(3, len(got))], len(rowsBefore), rowsBefore[:min(3, len(rowsBefore))])
	}
	rep := f.verify()
	mustPass(t, rep, "after compaction")
	if got := rep.Result("layout").Count("compacted_files"); got != 1 {
		t.Errorf("compacted_files = %d, want 1", got)
	}
	// A second run has nothing left to do.
	sum, err = run(t, out, cp, config(compact.PartitionByIngestTime), later())
	if err != nil || len(sum.Partitions) != 0 {
		t.Errorf("second Run: %d partitions, %v; want none", len(sum.Partitions), err)
	}
}

func TestOpenPartitionIsNotTouched(t *testing.T) {
	f := engineFixture(t)
	before := parquetFiles(t, f.job.Sink.Path)
	out, cp := f.stores()
	for _, tc := range []struct {
		name string
		clk  clock.Clock
		cfg  compact.Config
	}{
		{"hour not over", clock.NewFake(time.Now()), config(compact.PartitionByIngestTime)},
		{"hour over but not older than", clock.NewFake(time.Now().Add(time.Hour)), func() compact.Config {
			c := config(compact.PartitionByIngestTime)
			c.OlderThan = 3 * time.Hour
			return c
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := run(t, out, cp, tc.cfg, tc.clk)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(sum.Partitions) != 0 {
				t.Errorf("compacted %d partitions, want none", len(sum.Partitions))
			}
			if got := parquetFiles(t, f.job.Sink.Path); len(got) != len(before) {
				t.Errorf("files: got %d, want %d untouched", len(got), len(before))
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := engineFixture(t)
	before := parquetFiles(t, f.job.Sink.Path)
	out, cp := f.stores()
	cfg := config(compact.PartitionByIngestTime)
	cfg.DryRun = true
	sum, err := run(t, out, cp, cfg, later())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if in, o, _, _, _ := sum.Totals(); in != len(before) || o != 1 {
		t.Errorf("plan: %d files in, %d out; want %d, 1", in, o, len(before))
	}
	if got := parquetFiles(t, f.job.Sink.Path); len(got) != len(before) {
		t.Errorf("dry run changed the output: %d files, want %d", len(got), len(before))
	}
	if _, err := os.Stat(filepath.Join(f.job.ForEachBatch.CheckpointLocation, "compactions")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run wrote to the checkpoint: %v", err)
	}
}

func TestTargetSizeSplitsOutputs(t *testing.T) {
	f := engineFixture(t)
	out, cp := f.stores()
	cfg := config(compact.PartitionByIngestTime)
	cfg.TargetSize = 1 // every file is big enough already
	sum, err := run(t, out, cp, cfg, later())
	if err != nil || len(sum.Partitions) != 0 {
		t.Fatalf("TargetSize 1: %d partitions, %v; want none", len(sum.Partitions), err)
	}
	cfg.TargetSize = 3000 // a few files per output
	sum, err = run(t, out, cp, cfg, later())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, o, _, _, rows := sum.Totals(); o < 2 || rows == 0 {
		t.Errorf("TargetSize 3000: %d outputs of %d rows, want several", o, rows)
	}
	mustPass(t, f.verify(), "after compaction into several outputs")
}

// TestKilledHalfWayThenFinished kills the compactor after each number of
// writes and deletes it makes, checks that the output is consistent for
// the checkers right away, then compacts again and checks every row is
// there exactly once.
func TestKilledHalfWayThenFinished(t *testing.T) {
	f := engineFixture(t)
	pristine := t.TempDir()
	if err := os.CopyFS(pristine, os.DirFS(f.dir)); err != nil {
		t.Fatal(err)
	}
	// Count the writes and deletes of a whole run on a copy.
	total := 0
	{
		g := copyFixture(t, f, pristine)
		o, c := g.stores()
		budget := 1 << 30
		s := crashAfter(budget, o, c)
		if _, err := run(t, s[0], s[1], config(compact.PartitionByIngestTime), later()); err != nil {
			t.Fatalf("Run: %v", err)
		}
		total = budget - *s[0].(crashing).budget
	}
	if total < 5 {
		t.Fatalf("a run made %d writes and deletes, want at least lock, manifest, output, done, deletes", total)
	}
	seen := map[string]int64{}
	for k := 0; k < total; k++ {
		t.Run("after "+strconv.Itoa(k), func(t *testing.T) {
			g := copyFixture(t, f, pristine)
			o, c := g.stores()
			s := crashAfter(k, o, c)
			if _, err := run(t, s[0], s[1], config(compact.PartitionByIngestTime), later()); !errors.Is(err, errCrash) {
				t.Fatalf("Run with a crash after %d: %v, want the crash", k, err)
			}
			rep := g.verify()
			mustPass(t, rep, "killed half-way")
			for _, c := range []string{"compaction_in_progress", "pending_deletion", "compacted_files"} {
				seen[c] += rep.Result("layout").Count(c)
			}
			if _, err := run(t, o, c, config(compact.PartitionByIngestTime), later()); err != nil {
				t.Fatalf("Run after the crash: %v", err)
			}
			mustPass(t, g.verify(), "finished")
			if got := parquetFiles(t, g.job.Sink.Path); len(got) != 1 {
				t.Errorf("after finishing: %d files %v, want 1", len(got), got)
			}
		})
	}
	// The crash points must have left each state the checks know of.
	for _, c := range []string{"compaction_in_progress", "pending_deletion", "compacted_files"} {
		if seen[c] == 0 {
			t.Errorf("no crash point left a state with %s > 0", c)
		}
	}
}

// copyFixture is f with its files copied from pristine to a new directory.
func copyFixture(t *testing.T, f *fixture, pristine string) *fixture {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(pristine)); err != nil {
		t.Fatal(err)
	}
	j := *f.job
	j.Sink.Path = filepath.Join(dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
	j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
	g := &fixture{t: t, dir: dir, job: &j, ledger: f.ledger, n: f.n}
	return g
}

// TestCheckersRejectABrokenCompaction shows that the checks fail when a
// compaction's atomic point is lost: without .done the outputs are not part
// of the table and the deleted inputs are missing rows.
func TestCheckersRejectABrokenCompaction(t *testing.T) {
	f := engineFixture(t)
	out, cp := f.stores()
	if _, err := run(t, out, cp, config(compact.PartitionByIngestTime), later()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := os.Remove(filepath.Join(f.job.ForEachBatch.CheckpointLocation, "compactions", "0.done")); err != nil {
		t.Fatal(err)
	}
	rep := f.verify()
	if rep.OK {
		t.Fatal("Verify passed with the inputs deleted and no .done; want lost rows and missing objects")
	}
	if got := rep.Result("delivery").Count("lost"); got != 200 {
		t.Errorf("lost = %d, want 200", got)
	}
	if got := rep.Result("layout").Count("missing_object"); got == 0 {
		t.Errorf("missing_object = 0, want the deleted inputs")
	}
}

// TestCheckersRejectAnUnplannedMerge shows that a merged file no manifest
// accounts for is an orphan and its rows duplicates.
func TestCheckersRejectAnUnplannedMerge(t *testing.T) {
	f := engineFixture(t)
	out, cp := f.stores()
	cfg := config(compact.PartitionByIngestTime)
	cfg.DryRun = true
	sum, err := run(t, out, cp, cfg, later())
	if err != nil || len(sum.Partitions) != 1 {
		t.Fatalf("dry run: %v, %d partitions", err, len(sum.Partitions))
	}
	// Merge as a compaction would, but without its manifest.
	cfg.DryRun = false
	other := t.TempDir()
	o2, err := blob.Open(other, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(other, os.DirFS(f.job.Sink.Path)); err != nil {
		t.Fatal(err)
	}
	c2 := t.TempDir()
	if err := os.CopyFS(c2, os.DirFS(f.job.ForEachBatch.CheckpointLocation)); err != nil {
		t.Fatal(err)
	}
	cps, _ := blob.Open(c2, nil)
	if _, err := run(t, o2, cps, cfg, later()); err != nil {
		t.Fatal(err)
	}
	merged := parquetFiles(t, other)
	b, err := os.ReadFile(filepath.Join(other, merged[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.job.Sink.Path, merged[0]), b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := f.verify()
	if rep.OK {
		t.Fatal("Verify passed with an unplanned merged file beside its inputs")
	}
	if got := rep.Result("delivery").Count("duplicated"); got != 200 {
		t.Errorf("duplicated = %d, want 200", got)
	}
	if got := rep.Result("layout").Count("orphan"); got != 1 {
		t.Errorf("orphan = %d, want 1", got)
	}
}

func TestErrorsNameThePartitionAndObject(t *testing.T) {
	f := engineFixture(t)
	files := parquetFiles(t, f.job.Sink.Path)
	bad := filepath.Join(f.job.Sink.Path, filepath.FromSlash(files[1]))
	if err := os.WriteFile(bad, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, cp := f.stores()
	_, err := run(t, out, cp, config(compact.PartitionByIngestTime), later())
	if err == nil {
		t.Fatal("Run over a corrupt input: no error")
	}
	for _, want := range []string{"partition " + filepath.ToSlash(filepath.Dir(files[1])), bad} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if got := parquetFiles(t, f.job.Sink.Path); len(got) != len(files) {
		t.Errorf("a failed plan changed the output: %d files, want %d", len(got), len(files))
	}
}

func TestSecondCompactorIsRefused(t *testing.T) {
	f := engineFixture(t)
	out, cp := f.stores()
	// A lock held by a process on another host, taken just now.
	now := time.Now().Add(2 * time.Hour)
	lock := `{"version":1,"instance":"x","host":"elsewhere","pid":1,"acquired_at":"` + now.UTC().Format(time.RFC3339Nano) + `"}`
	if _, err := cp.Put(t.Context(), compact.LockKey, []byte(lock), blob.Cond{IfAbsent: true}); err != nil {
		t.Fatal(err)
	}
	c, err := compact.New(out, cp, config(compact.PartitionByIngestTime), compact.WithClock(clock.NewFake(now)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(t.Context()); !errors.Is(err, compact.ErrLocked) {
		t.Fatalf("Run with another compactor's lock: %v, want ErrLocked", err)
	}
	// Once it is older than LockTimeout it is taken over.
	cfg := config(compact.PartitionByIngestTime)
	cfg.LockTimeout = time.Minute
	if _, err := run(t, out, cp, cfg, clock.NewFake(now.Add(2*time.Minute))); err != nil {
		t.Fatalf("Run after the lock timed out: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*compact.Config)
		want string
	}{
		{"default", func(*compact.Config) {}, ""},
		{"negative older than", func(c *compact.Config) { c.OlderThan = -time.Second }, "OlderThan"},
		{"zero target", func(c *compact.Config) { c.TargetSize = 0 }, "TargetSize"},
		{"bad partitioning", func(c *compact.Config) { c.Partitioning = "daily" }, "Partitioning"},
		{"zero lock timeout", func(c *compact.Config) { c.LockTimeout = 0 }, "LockTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := compact.DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			if got := err != nil && strings.Contains(err.Error(), tc.want); (tc.want == "" && err != nil) || (tc.want != "" && !got) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestCompactWhileEngineRuns compacts column partitions in a loop with
// OlderThan zero while the engine writes to them, then checks that every
// record is in the output exactly once.
func TestCompactWhileEngineRuns(t *testing.T) {
	f := newFixture(t, 2, engine.PartitionByColumns)
	f.job.Options.MaxFetchRecordsPerShard = 5
	f.put(300)
	out, cp := f.stores()
	cfg := config(compact.PartitionByColumns)
	cfg.OlderThan = 0
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var compactions, runs int
	var runErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			sum, err := run(t, out, cp, cfg, clock.Real())
			if err != nil {
				runErr = err
				return
			}
			runs++
			compactions += len(sum.Partitions)
		}
	}()
	err := f.run(t.Context())
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	if runErr != nil {
		t.Fatalf("compactor: %v", runErr)
	}
	if compactions == 0 {
		t.Errorf("no compaction ran while the engine wrote (%d runs)", runs)
	}
	mustPass(t, f.verify(), "engine done, compactions concurrent")
	if _, err := run(t, out, cp, cfg, clock.Real()); err != nil {
		t.Fatalf("final Run: %v", err)
	}
	rep := f.verify()
	mustPass(t, rep, "after the final compaction")
	t.Logf("%d runs, %d compactions; layout %+v", runs, compactions, rep.Result("layout").Counts)
}
