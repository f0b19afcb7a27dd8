package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

// coreCounts are the GOMAXPROCS settings the output must not depend on:
// one core, and more than this machine has, so that every parallel step
// (shards, partitions, decoding chunks, objects, Parquet columns) is split.
func coreCounts() []int { return []int{1, max(8, runtime.NumCPU())} }

// setProcs sets GOMAXPROCS to n until the test ends. Tests that call it
// change the whole process and must not run in parallel with others.
func setProcs(t *testing.T, n int) {
	t.Helper()
	prev := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// outputs returns every object a run into dir left in its output and
// dead-letter stores, by path.
func (h *harness) outputs(dir string) map[string][]byte {
	h.t.Helper()
	out := map[string][]byte{}
	for name, b := range files(h.t, filepath.Join(dir, "out")) {
		out["out/"+name] = b
	}
	for name, b := range files(h.t, filepath.Join(dir, "dlq")) {
		out["dlq/"+name] = b
	}
	return out
}

// determinismJob is h's job into dir, partitioned by manufacturer so that
// a batch writes several objects at once.
func (h *harness) determinismJob(dir string) *engine.Job {
	j := h.job()
	j.Options.MaxFetchRecordsPerShard = 100
	j.Options.MaxRecordPerRead = 30
	if h.kafka != nil {
		j.Options.MaxOffsetsPerTrigger = 400
	}
	j.Sink.Partitioning = engine.PartitionByColumns
	j.Sink.PartitionKeys = []string{"manufacturer"}
	j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
	j.Sink.Path = filepath.Join(dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
	return j
}

// sameObjects fails t unless got holds exactly the objects of want, byte
// for byte.
func sameObjects(t testing.TB, what string, got, want map[string][]byte) {
	t.Helper()
	names := func(m map[string][]byte) []string {
		out := make([]string, 0, len(m))
		for n := range m {
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	if g, w := names(got), names(want); !slices.Equal(g, w) {
		t.Errorf("%s: objects\n got %v\nwant %v", what, g, w)
		return
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s: %s: %d bytes differ from the %d bytes wanted", what, name, len(got[name]), len(w))
		}
	}
}

const determinismID = "0badcafe-0000-4000-8000-000000000000"

// TestOutputIsTheSameAtAnyCoreCount runs the same job over the same
// records at GOMAXPROCS 1 and 8 (or every CPU): the object names and bytes
// must be identical. A run that crashes in the sink part-way through a
// batch at one core count and restarts at the other must leave the same
// objects too: the replay writes what the plan named, byte for byte.
func TestOutputIsTheSameAtAnyCoreCount(t *testing.T) {
	sources(t, 4, func(t *testing.T, h *harness) {
		h.put(1200, 4, true) // 3 batches; dead letters in each
		counts := coreCounts()
		var want map[string][]byte
		for _, procs := range counts {
			setProcs(t, procs)
			dir := filepath.Join(h.dir, fmt.Sprintf("procs-%d", procs))
			if err := h.run(h.determinismJob(dir), engine.WithInstanceID(determinismID)); err != nil {
				t.Fatalf("GOMAXPROCS %d: Run: %v", procs, err)
			}
			got := h.outputs(dir)
			if len(got) < 6 {
				t.Fatalf("GOMAXPROCS %d: %d objects, want several a batch: %v", procs, len(got), got)
			}
			if want == nil {
				want = got
				continue
			}
			sameObjects(t, fmt.Sprintf("GOMAXPROCS %d against %d", procs, counts[0]), got, want)
		}

		for i, procs := range counts {
			dir := filepath.Join(h.dir, fmt.Sprintf("crash-%d", procs))
			setProcs(t, procs)
			err := h.run(h.determinismJob(dir), engine.WithInstanceID(determinismID), engine.WithCrashPoint(engine.CrashInSinkAfter(1, 1)))
			if !errors.Is(err, engine.ErrCrashed) {
				t.Fatalf("GOMAXPROCS %d: crashing run: got %v, want ErrCrashed", procs, err)
			}
			restart := counts[len(counts)-1-i]
			setProcs(t, restart)
			if err := h.run(h.determinismJob(dir), engine.WithInstanceID(determinismID)); err != nil {
				t.Fatalf("restart at GOMAXPROCS %d: %v", restart, err)
			}
			sameObjects(t, fmt.Sprintf("crash in the sink at GOMAXPROCS %d, replay at %d", procs, restart), h.outputs(dir), want)
		}
	})
}

// TestSameObjectsRejectsDifferences shows that sameObjects fails on a
// changed byte, a missing object and an extra one.
func TestSameObjectsRejectsDifferences(t *testing.T) {
	t.Parallel()
	want := map[string][]byte{"out/a": []byte("abc"), "dlq/b": []byte("x")}
	for _, tc := range []struct {
		name string
		got  map[string][]byte
	}{
		{"changed byte", map[string][]byte{"out/a": []byte("abd"), "dlq/b": []byte("x")}},
		{"missing object", map[string][]byte{"out/a": []byte("abc")}},
		{"extra object", map[string][]byte{"out/a": []byte("abc"), "dlq/b": []byte("x"), "out/c": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{TB: t}
			sameObjects(r, tc.name, tc.got, want)
			if !r.failed {
				t.Errorf("sameObjects passed %v against %v", tc.got, want)
			}
		})
	}
	r := &recorder{TB: t}
	sameObjects(r, "identical", map[string][]byte{"out/a": []byte("abc"), "dlq/b": []byte("x")}, want)
	if r.failed {
		t.Error("sameObjects failed identical objects")
	}
}

// TestBatchOfManyRowBlocks reads batches of 9,000 Kinesis records in pages
// of 3,000: each page is decoded in chunks of 2,048 and 952 records, so
// chunks cross the batch's blocks of 4,096 rows and pages go back while
// the batch is still being decoded. Every well-formed record must be in
// the output exactly once, its strings intact, and every malformed one in
// the dead letter.
func TestBatchOfManyRowBlocks(t *testing.T) {
	h := newHarness(t, 2)
	h.put(18000, 2, true)
	j := h.job()
	j.Options.MaxFetchRecordsPerShard = 4500
	j.Options.MaxRecordPerRead = 3000
	for _, procs := range coreCounts() {
		setProcs(t, procs)
		j.ForEachBatch.CheckpointLocation = filepath.Join(h.dir, fmt.Sprintf("cp-%d", procs))
		if err := h.run(j); err != nil {
			t.Fatalf("GOMAXPROCS %d: %v", procs, err)
		}
		h.checkOnce(true)
		if err := os.RemoveAll(filepath.Join(h.dir, "out")); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(filepath.Join(h.dir, "dlq")); err != nil {
			t.Fatal(err)
		}
	}
}
