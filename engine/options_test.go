package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamcheck/streamcheck/engine"
)

func TestMetricsRegistry(t *testing.T) {
	h := newHarness(t, 2)
	h.put(50, 2, true)
	reg := prometheus.NewRegistry()
	if err := h.run(h.job(), engine.WithMetricsRegistry(reg)); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		m := f.GetMetric()[0]
		switch {
		case m.GetCounter() != nil:
			got[f.GetName()] = m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			got[f.GetName()] = m.GetGauge().GetValue()
		}
	}
	for name, want := range map[string]float64{"streamcheck_engine_records_total": 40, "streamcheck_engine_dead_letter_total": 10} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	for _, name := range []string{"streamcheck_engine_num_records", "streamcheck_engine_batch_processing_time_ms", "streamcheck_engine_max_consumer_lag_ms", "streamcheck_engine_millis_behind_latest"} {
		if _, ok := got[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}
}

func TestInferredSchemaAndRecordTimestamp(t *testing.T) {
	h := newHarness(t, 1)
	h.put(20, 1, false)
	j := h.job()
	j.Source.Columns = nil
	j.Transforms.ApplyMapping = nil
	j.Options.AddRecordTimestamp = true
	if err := h.run(j); err != nil {
		t.Fatal(err)
	}
	h.checkOnce(false)
	if got := column(t, filepath.Join(h.dir, "out"), "__src_timestamp"); len(got) != 20 {
		t.Errorf("__src_timestamp has %d values, want 20", len(got))
	}
	if got := column(t, filepath.Join(h.dir, "out"), "pressurecontrol"); len(got) != 20 {
		t.Errorf("inferred column pressurecontrol has %d values, want 20", len(got))
	}
}

func TestAvoidEmptyBatches(t *testing.T) {
	for _, avoid := range []bool{false, true} {
		h := newHarness(t, 1)
		h.put(10, 1, false)
		j := h.job()
		j.Options.AvoidEmptyBatches = avoid
		if err := h.run(j); err != nil {
			t.Fatal(err)
		}
		commits, _ := os.ReadDir(filepath.Join(h.dir, "cp", "commits"))
		// One batch reads the 10 records; the idle check needs one more.
		want := 2
		if avoid {
			want = 1
		}
		if len(commits) != want {
			t.Errorf("avoidEmptyBatches=%v: %d commits, want %d", avoid, len(commits), want)
		}
	}
}

func TestStartingPositionLatest(t *testing.T) {
	h := newHarness(t, 1)
	h.put(10, 1, false) // before the engine starts: not read
	j := h.job()
	j.Options.StartingPosition = "latest"
	e, err := engine.New(j, engine.WithAWSConfig(h.cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, func() bool { _, err := os.Stat(filepath.Join(h.dir, "cp", "commits", "0")); return err == nil })
	h.put(10, 1, false) // while it runs: read
	waitFor(t, func() bool { return len(column(t, filepath.Join(h.dir, "out"), "serialnumber")) >= 10 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := column(t, filepath.Join(h.dir, "out"), "serialnumber")
	sort.Strings(got)
	if len(got) != 10 || got[0] != "SN-000010" || got[9] != "SN-000019" {
		t.Errorf("read %v, want SN-000010 to SN-000019 only", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
