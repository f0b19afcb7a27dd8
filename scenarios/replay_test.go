package scenarios_test

import (
	"github.com/streamcheck/streamcheck/engine"
	"testing"

	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios"
)

// A seed replays a run: the same ledger (records, keys, payloads, what is
// malformed) and the same verdicts.
func TestReplaySameSeed(t *testing.T) {
	s := scenarios.Scenario{
		Name:    "replay",
		Load:    scenarios.Load{Records: 1000, Malformed: 0.03, Duplicates: 0.02},
		Crashes: []scenarios.Crash{{At: engine.AtAfterSink, Batch: 0, BatchUpTo: 1}},
	}
	type row struct {
		seq, dup                int64
		key, pk, sha, malformed string
	}
	ledger := func(res *scenarios.Result) []row {
		t.Helper()
		rows, err := generators.ReadLedger(res.Ledger)
		if err != nil {
			t.Fatalf("read ledger: %v", err)
		}
		out := make([]row, len(rows))
		for i, r := range rows {
			out[i] = row{r.Seq, r.DuplicateOf, r.Key, r.PartitionKey, r.PayloadSHA256, r.Malformed}
		}
		return out
	}
	a := scenarios.Run(t, s, scenarios.WithSeed(11))
	b := scenarios.Run(t, s, scenarios.WithSeed(11))
	if a == nil || b == nil || t.Failed() {
		return
	}
	la, lb := ledger(a), ledger(b)
	if len(la) != len(lb) {
		t.Fatalf("ledgers have %d and %d rows, want the same", len(la), len(lb))
	}
	for i := range la {
		if la[i] != lb[i] {
			t.Fatalf("ledger row %d differs: %+v then %+v", i, la[i], lb[i])
		}
	}
	if a.Passed != b.Passed || a.Delivered != b.Delivered || a.DeadLetters != b.DeadLetters || a.Crashes[0] != b.Crashes[0] {
		t.Errorf("verdicts differ: %v %d %d %v, then %v %d %d %v", a.Passed, a.Delivered, a.DeadLetters, a.Crashes, b.Passed, b.Delivered, b.DeadLetters, b.Crashes)
	}
}
