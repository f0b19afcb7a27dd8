package engine_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// token returns the name token of the checkpoint under h.dir/cp.
func (h *harness) token() string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "cp", "metadata"))
	if err != nil {
		h.t.Fatalf("read checkpoint metadata: %v", err)
	}
	var m checkpoint.Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		h.t.Fatalf("checkpoint metadata: %v", err)
	}
	tok := sink.CheckpointToken(m.ID)
	if tok == "" {
		h.t.Fatalf("checkpoint metadata %s has no id", b)
	}
	return tok
}

// checkKept fails t for every file of before (from files) that is gone
// from dir or whose content differs now.
func checkKept(t testing.TB, dir string, before map[string][]byte) {
	t.Helper()
	after := files(t, dir)
	for name, b := range before {
		switch a, ok := after[name]; {
		case !ok:
			t.Errorf("%s is gone", filepath.Join(dir, name))
		case !bytes.Equal(a, b):
			t.Errorf("%s was overwritten", filepath.Join(dir, name))
		}
	}
}

func TestCheckKeptRejectsOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "part-00000000-00000.jsonl"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, before := range map[string]map[string][]byte{
		"overwritten": {"part-00000000-00000.jsonl": []byte("old\n")},
		"gone":        {"part-00000001-00000.jsonl": []byte("old\n")},
	} {
		r := &recorder{TB: t}
		checkKept(r, dir, before)
		if !r.failed {
			t.Errorf("%s: checkKept passed", name)
		}
	}
}

// A job run to completion, its checkpoint deleted and the job run again
// from trim_horizon on the same output path: the new checkpoint reads every
// record again (duplicates, as AWS Glue reprocesses) but its batch 0, 1, ...
// are named with its own token, so no object of the first run is
// overwritten and every record of it is still there.
func TestNewCheckpointKeepsEarlierOutput(t *testing.T) {
	sources(t, 4, testNewCheckpointKeepsEarlierOutput)
}

func testNewCheckpointKeepsEarlierOutput(t *testing.T, h *harness) {
	out, dlq := filepath.Join(h.dir, "out"), filepath.Join(h.dir, "dlq")
	h.put(300, 4, true)
	if err := h.run(h.job()); err != nil {
		t.Fatalf("first run: %v", err)
	}
	h.checkOnce(true)
	first, tok1 := h.n, h.token()
	beforeOut, beforeDLQ := files(t, out), files(t, dlq)
	if err := os.RemoveAll(filepath.Join(h.dir, "cp")); err != nil {
		t.Fatal(err)
	}
	h.put(100, 4, true)
	if err := h.run(h.job()); err != nil {
		t.Fatalf("run on a new checkpoint: %v", err)
	}
	tok2 := h.token()
	if tok1 == tok2 {
		t.Fatalf("both checkpoints have token %s", tok1)
	}
	checkKept(t, out, beforeOut)
	checkKept(t, dlq, beforeDLQ)
	for dir, before := range map[string]map[string][]byte{out: beforeOut, dlq: beforeDLQ} {
		for name := range files(t, dir) {
			want := tok2
			if _, ok := before[name]; ok {
				want = tok1
			}
			if p, ok := sink.ParseObjectName(path.Base(name)); !ok || p.Token != want {
				t.Errorf("%s: want an exactly-once name with token %s", name, want)
			}
		}
	}
	// Records of the first run twice (kept, then reprocessed), later ones once.
	got := map[string]int{}
	for _, v := range column(t, out, "serialnumber") {
		got[v]++
	}
	for i := 0; i < h.n; i++ {
		want := 1
		if i < first {
			want = 2
		}
		if i%10 == 7 || i%10 == 3 {
			continue
		}
		if k := fmt.Sprintf("SN-%06d", i); got[k] != want {
			t.Errorf("record %s: in output %d times, want %d", k, got[k], want)
		}
	}
	if deadTotal, want := len(deadLetters(t, dlq)), 2*(first/10*2)+(h.n-first)/10*2; deadTotal != want {
		t.Errorf("%d dead-letter entries, want %d (the first run's twice)", deadTotal, want)
	}
}

// A plan written before names carried the checkpoint's token is replayed
// with the names it lists; batches planned afterwards carry the token.
func TestReplayKeepsPlannedNamesWithoutToken(t *testing.T) {
	h := newHarness(t, 4)
	h.put(300, 4, true)
	if err := h.run(h.job(), engine.WithCrashPoint(engine.CrashAfterPlan(1))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: got %v, want ErrCrashed", err)
	}
	tok := h.token()
	p := filepath.Join(h.dir, "cp", "offsets", "1")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	legacy := bytes.ReplaceAll(b, []byte("-"+tok+"."), []byte("."))
	if bytes.Equal(legacy, b) {
		t.Fatalf("offsets/1 names no object with token %s: %s", tok, b)
	}
	if err := os.WriteFile(p, legacy, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.run(h.job()); err != nil {
		t.Fatalf("restart: %v", err)
	}
	h.checkOnce(true)
	for _, dir := range []string{"out", "dlq"} {
		for name := range files(t, filepath.Join(h.dir, dir)) {
			n, ok := sink.ParseObjectName(path.Base(name))
			want := tok
			if n.Batch == 1 {
				want = ""
			}
			if !ok || n.Token != want {
				t.Errorf("%s/%s: want an exactly-once name with token %q", dir, name, want)
			}
		}
	}
}
