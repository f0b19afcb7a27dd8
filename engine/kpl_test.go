package engine_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

// putThirdPartyKPL puts the aggregated records that aws-kinesis-agg
// (awslabs/kinesis-aggregation's Node.js module, a KPL-compatible producer
// library) wrote into internal/kpl/testdata, round-robin over the shards,
// plus one copy of an aggregate with a flipped bit. It returns the number
// of user records.
func (h *harness) putThirdPartyKPL(shards int) int {
	h.t.Helper()
	b, err := os.ReadFile("../internal/kpl/testdata/kpl_aggregated.json")
	if err != nil {
		h.t.Fatal(err)
	}
	var recs []struct {
		PartitionKey string `json:"partitionKey"`
		Data         string `json:"data"`
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		h.t.Fatal(err)
	}
	for i, r := range recs {
		data, err := base64.StdEncoding.DecodeString(r.Data)
		if err != nil {
			h.t.Fatal(err)
		}
		h.kin.Put(stream, i%shards, r.PartitionKey, data)
		if i == 5 {
			bad := bytes.Clone(data)
			bad[len(bad)/2] ^= 0x40
			h.kin.Put(stream, (i+1)%shards, r.PartitionKey, bad)
		}
	}
	return 2000
}

func (h *harness) kplJob() *engine.Job {
	j := h.job()
	j.Source.Columns = []engine.Column{{Name: "serialnumber", Type: "string", Required: true}, {Name: "n", Type: "bigint"}}
	j.Transforms.ApplyMapping = nil
	j.Options.MaxFetchRecordsPerShard = 4 // Kinesis records: a few aggregates a batch
	j.Options.MaxRecordPerRead = 3
	return j
}

// checkKPLOnce fails unless each of the n user records is in the output
// exactly once and the corrupt aggregate is in the dead letter once, whole,
// with the reason.
func (h *harness) checkKPLOnce(n int) {
	h.t.Helper()
	got := map[string]int{}
	for _, v := range column(h.t, filepath.Join(h.dir, "out"), "serialnumber") {
		got[v]++
	}
	for i := range n {
		if k := fmt.Sprintf("kpl-%05d", i); got[k] != 1 {
			h.t.Errorf("user record %s: in output %d times, want 1", k, got[k])
		}
	}
	if len(got) != n {
		h.t.Errorf("output has %d distinct user records, want %d", len(got), n)
	}
	dead := deadLetters(h.t, filepath.Join(h.dir, "dlq"))
	if len(dead) != 1 || !strings.Contains(dead[0].Error, "corrupt KPL aggregate: MD5") || dead[0].SubSequenceNumber != nil {
		h.t.Errorf("dead letters %+v, want the one corrupt aggregate, whole, with its MD5 mismatch", dead)
	}
}

// TestKPLAggregatesExactlyOnceAcrossCrashes reads a stream of KPL
// aggregates written by a third-party library: one row per user record,
// exactly once whichever crash point the engine stops at mid-stream (each
// batch holds a few aggregates, so every crash falls between user records
// of one Kinesis record's batch).
func TestKPLAggregatesExactlyOnceAcrossCrashes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cp   *engine.CrashPoint
	}{
		{"no crash", nil},
		{"after-plan", ptr(engine.CrashAfterPlan(2))},
		{"in-sink:0", ptr(engine.CrashInSinkAfter(2, 0))},
		{"after-sink", ptr(engine.CrashAfterSink(2))},
		{"after-commit", ptr(engine.CrashAfterCommit(2))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 2)
			n := h.putThirdPartyKPL(2)
			if tc.cp != nil {
				if err := h.run(h.kplJob(), engine.WithCrashPoint(*tc.cp)); !errors.Is(err, engine.ErrCrashed) {
					t.Fatalf("first run: got %v, want ErrCrashed", err)
				}
			}
			if err := h.run(h.kplJob()); err != nil {
				t.Fatalf("run: %v", err)
			}
			h.checkKPLOnce(n)
		})
	}
}

// TestCheckKPLOnceRejectsLoss makes sure the check can fail: a job that
// stops after a few batches has not written every user record.
func TestCheckKPLOnceRejectsLoss(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2)
	n := h.putThirdPartyKPL(2)
	if err := h.run(h.kplJob(), engine.WithCrashPoint(engine.CrashAfterCommit(1))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("run: got %v, want ErrCrashed", err)
	}
	r := &recorder{TB: t}
	h.t = r
	h.checkKPLOnce(n)
	if !r.failed {
		t.Errorf("checkKPLOnce passed on an output missing most user records")
	}
}

func ptr[T any](v T) *T { return &v }
