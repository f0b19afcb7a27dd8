package aggregate

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

func TestSnapshotIsDeterministic(t *testing.T) {
	bs := stream(5, 10, 300, time.Minute)
	a, b := newOp(t, nil), newOp(t, nil)
	run(t, a, bs)
	run(t, b, bs)
	sa, sb := snapshot(t, a), snapshot(t, b)
	if !bytes.Equal(sa, sb) {
		t.Fatal("two operators with the same input snapshot differently")
	}
	if !bytes.Equal(snapshot(t, a), sa) {
		t.Error("two snapshots of one state differ")
	}
	// Restoring and snapshotting again gives the same bytes.
	c := newOp(t, nil)
	if err := c.Restore(sa); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snapshot(t, c), sa) {
		t.Error("snapshot after Restore differs from the restored bytes")
	}
	if a.OpenWindows() == 0 {
		t.Error("no open windows in the snapshot; the test covers nothing")
	}
}

func TestRestoreRejectsBadState(t *testing.T) {
	bs := stream(5, 6, 100, time.Minute)
	o := newOp(t, nil)
	run(t, o, bs)
	good := snapshot(t, o)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 1
	version := bytes.Clone(good)
	version[len(stateMagic)] = StateVersion + 1
	tests := []struct {
		name string
		data []byte
		mod  func(*Config)
		want string
	}{
		{"empty", nil, nil, "not an aggregate state"},
		{"json", []byte(`{"version":1}`), nil, "not an aggregate state"},
		{"truncated", good[:len(good)-9], nil, "checksum"},
		{"a flipped bit", flipped, nil, "checksum"},
		{"a newer version", version, nil, "version 2"},
		{"another window", good, func(c *Config) { c.WindowDuration = Duration(20 * time.Minute) }, "another key, time mode, window"},
		{"another watermark delay", good, func(c *Config) { c.WatermarkDelay = 0 }, "another key"},
		{"processing time", good, func(c *Config) { c.TimeMode = ProcessingTime }, "another key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newOp(t, tt.mod)
			before := snapshot(t, r)
			err := r.Restore(tt.data)
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore: %v, want ErrState mentioning %q", err, tt.want)
			}
			if !bytes.Equal(snapshot(t, r), before) {
				t.Error("a refused Restore changed the state")
			}
		})
	}
	// The checker accepts the good state, so the rejections above mean something.
	if err := newOp(t, nil).Restore(good); err != nil {
		t.Errorf("Restore(good): %v", err)
	}
}

// TestReplayWritesIdenticalParquet encodes a replayed batch's windows and
// joined rows with the engine's Parquet writer: the bytes are those of the
// original batch.
func TestReplayWritesIdenticalParquet(t *testing.T) {
	bs := stream(9, 16, 200, time.Minute)
	o := newOp(t, nil)
	run(t, o, bs[:12])
	state := snapshot(t, o)
	encode := func(o *Operator) (windows, joined []byte) {
		t.Helper()
		res, err := o.Apply(bs[12].id, bs[12].rows, bs[12].ingest)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Windows) == 0 {
			t.Fatal("batch 12 closes no window; the test covers nothing")
		}
		var wb, jb bytes.Buffer
		wp, err := sink.NewParquet(o.WindowColumns(), "snappy")
		if err != nil {
			t.Fatal(err)
		}
		if err := wp.EncodeProjected(&wb, record.FlatRows(res.Windows, len(o.WindowColumns())), seq(len(o.WindowColumns())), seq(len(res.Windows)/len(o.WindowColumns()))); err != nil {
			t.Fatal(err)
		}
		jp, err := sink.NewParquet(o.JoinedColumns(), "snappy")
		if err != nil {
			t.Fatal(err)
		}
		if err := jp.EncodeProjected(&jb, record.FlatRows(res.Joined, len(o.JoinedColumns())), seq(len(o.JoinedColumns())), seq(len(res.JoinedRows))); err != nil {
			t.Fatal(err)
		}
		return wb.Bytes(), jb.Bytes()
	}
	w0, j0 := encode(o)
	r := newOp(t, nil)
	if err := r.Restore(state); err != nil {
		t.Fatal(err)
	}
	w1, j1 := encode(r)
	if !bytes.Equal(w0, w1) || !bytes.Equal(j0, j1) {
		t.Errorf("replayed batch's Parquet differs: windows %d vs %d bytes, joined %d vs %d bytes", len(w0), len(w1), len(j0), len(j1))
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestConfigFromYAML(t *testing.T) {
	doc := `
keyColumn: ventilatorid
timeMode: event
eventTimeColumn: eventtime
windowDuration: 10 minutes
slideDuration: 5 minutes
watermarkDelay: 90s
joinType: left
reference:
  dynamodb.input.tableName: ventilator_normal_ranges
  dynamodb.endpoint: http://127.0.0.1:8000
  refreshInterval: 1 hour
`
	cfg := DefaultConfig()
	if err := yaml.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ValidateReference(); err != nil {
		t.Fatal(err)
	}
	if cfg.WatermarkDelay != Duration(90*time.Second) || cfg.JoinType != LeftJoin || cfg.Reference.RefreshInterval != Duration(time.Hour) ||
		cfg.Reference.DynamoDBTable != "ventilator_normal_ranges" || len(cfg.Metrics) != 3 {
		t.Errorf("config %+v", cfg)
	}
	if err := yaml.Unmarshal([]byte("windowDuration: ten minutes"), &cfg); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad duration: %v, want an error naming line 1", err)
	}
}

// FuzzRestore feeds Restore damaged states: it must return ErrState or a
// usable state, never panic.
func FuzzRestore(f *testing.F) {
	o := newOp(f, nil)
	for i, b := range stream(5, 4, 20, time.Minute) {
		if _, err := o.Apply(int64(i), b.rows, b.ingest); err != nil {
			f.Fatal(err)
		}
	}
	good, _ := o.Snapshot()
	f.Add(good)
	f.Add(good[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newOp(t, nil)
		if err := r.Restore(data); err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatalf("Restore: %v, want ErrState", err)
			}
			return
		}
		if _, err := r.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}
