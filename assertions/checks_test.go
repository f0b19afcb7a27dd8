package assertions

import (
	"testing"
	"time"
)

func TestLagRestarts(t *testing.T) {
	tests := []struct {
		name        string
		mutate      func(f *fixture, c *Config)
		wantRestart []Restart // Lag left out
		wantStatus  Status
	}{
		{name: "none", mutate: func(*fixture, *Config) {}, wantStatus: Pass},
		{
			name: "replayed batch",
			mutate: func(f *fixture, c *Config) {
				f.batches[2].commitLag = 5 * time.Minute // planned by one run, committed by the next
				c.MaxLagMax = 0
			},
			wantRestart: []Restart{{Batch: 2, Reason: "replayed", LastBatch: 3}},
			wantStatus:  Pass,
		},
		{
			name: "slow recovery",
			mutate: func(f *fixture, c *Config) {
				f.batches[2].commitLag = 5 * time.Minute
				c.MaxLagMax, c.MaxRecoveryLag = 0, 2*time.Minute
			},
			wantRestart: []Restart{{Batch: 2, Reason: "replayed", LastBatch: 3}},
			wantStatus:  Fail,
		},
		{
			// A fast restart leaves no timing trace; the engine ids say it.
			name: "replayed by another engine",
			mutate: func(f *fixture, c *Config) {
				for _, b := range f.batches {
					b.planEngine, b.commitEngine = "run-a", "run-a"
				}
				f.batches[2].commitEngine = "run-b"
				f.batches[3].planEngine, f.batches[3].commitEngine = "run-b", "run-b"
				c.MaxLagMax = 0
			},
			wantRestart: []Restart{{Batch: 2, Reason: "replayed", LastBatch: 3}},
			wantStatus:  Pass,
		},
		{
			name: "new engine after a commit",
			mutate: func(f *fixture, c *Config) {
				for i, b := range f.batches {
					b.planEngine, b.commitEngine = "run-a", "run-a"
					if i >= 3 {
						b.planEngine, b.commitEngine = "run-b", "run-b"
					}
				}
				c.MaxLagMax, c.RecoveryBatches = 0, 1
			},
			wantRestart: []Restart{{Batch: 3, Reason: "new engine", LastBatch: 3}},
			wantStatus:  Pass,
		},
		{
			name: "one engine throughout",
			mutate: func(f *fixture, c *Config) {
				for _, b := range f.batches {
					b.planEngine, b.commitEngine = "run-a", "run-a"
				}
			},
			wantStatus: Pass,
		},
		{
			name: "gap",
			mutate: func(f *fixture, c *Config) {
				f.batches[3].plannedAt = f.batches[3].plannedAt.Add(3 * time.Hour)
				c.MaxLagMax, c.RecoveryBatches = 0, 1
			},
			wantRestart: []Restart{{Batch: 3, Reason: "gap", LastBatch: 3}},
			wantStatus:  Pass,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cleanFixture()
			cfg := Config{}
			tt.mutate(f, &cfg)
			p := f.write(t)
			c := p.config()
			c.MaxLagMax, c.MaxRecoveryLag, c.RecoveryBatches = cfg.MaxLagMax, cfg.MaxRecoveryLag, cfg.RecoveryBatches
			s, err := Open(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r, err := s.Lag(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s (%s %+v)", r.Status, tt.wantStatus, r.Detail, r.Examples)
			}
			if len(r.Lag.Restarts) != len(tt.wantRestart) {
				t.Fatalf("restarts = %+v, want %+v", r.Lag.Restarts, tt.wantRestart)
			}
			for i, got := range r.Lag.Restarts {
				want := tt.wantRestart[i]
				if got.Batch != want.Batch || got.Reason != want.Reason || got.LastBatch != want.LastBatch {
					t.Errorf("restart %d = %+v, want %+v", i, got, want)
				}
				if got.Lag.Records == 0 || got.Lag.Max < got.Lag.P50 {
					t.Errorf("restart %d lag = %+v, want records and max >= p50", i, got.Lag)
				}
			}
			if o := r.Lag.Overall; o.Records != 41 || o.P50 > o.P95 || o.P95 > o.P99 || o.P99 > o.Max {
				t.Errorf("overall = %+v, want 41 records and ordered percentiles", o)
			}
		})
	}
}

func TestDeliveryModes(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(f *fixture, c *Config)
		check      string
		wantStatus Status
		wantCounts map[string]int64
	}{
		{
			name: "at-least-once tolerates duplicates",
			mutate: func(f *fixture, c *Config) {
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k012", 12})
				c.Delivery = AtLeastOnce
			},
			check: CheckDelivery, wantStatus: Pass, wantCounts: map[string]int64{"duplicated": 1},
		},
		{
			name: "at-least-once still fails a loss",
			mutate: func(f *fixture, c *Config) {
				f.batches[1].files[0].rows = f.batches[1].files[0].rows[1:]
				c.Delivery = AtLeastOnce
			},
			check: CheckDelivery, wantStatus: Fail, wantCounts: map[string]int64{"lost": 1},
		},
		{
			name: "at-least-once counts orphans",
			mutate: func(f *fixture, c *Config) {
				f.batches = append(f.batches, &fixBatch{id: 4, plannedAt: batchStart(4), files: []fixFile{{rows: []outRow{{"k042", 42}}}}})
				c.Delivery = AtLeastOnce
			},
			check: CheckLayout, wantStatus: Pass, wantCounts: map[string]int64{"orphan": 1},
		},
		{
			name: "row hash finds identical rows",
			mutate: func(f *fixture, c *Config) {
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k031", 31})
				c.KeyColumn = KeyRowHash
			},
			// k005's deliberate resend is an identical row too.
			check: CheckDelivery, wantStatus: Fail, wantCounts: map[string]int64{"duplicated": 2, "delivered": 43},
		},
		{
			name: "row hash passes distinct rows",
			mutate: func(f *fixture, c *Config) {
				c.KeyColumn = KeyRowHash
			},
			check: CheckDelivery, wantStatus: Fail, wantCounts: map[string]int64{"duplicated": 1}, // k005's deliberate resend
		},
		{
			name: "null in a non-nullable column",
			mutate: func(f *fixture, c *Config) {
				c.Schema[1].Nullable = false
				f.batches[1].files[0].valueType = nullDouble
			},
			check: CheckSchema, wantStatus: Fail, wantCounts: map[string]int64{"null_values": 10, "mistyped_column": 0},
		},
		{
			name: "missing and unexpected columns",
			mutate: func(f *fixture, c *Config) {
				c.Schema = append(c.Schema[:1], Column{Name: "pressure", Type: "int", Nullable: true})
			},
			check: CheckSchema, wantStatus: Fail, wantCounts: map[string]int64{"missing_column": 1, "unexpected_column": 2},
		},
		{
			name: "column partitioning",
			mutate: func(f *fixture, c *Config) {
				for _, b := range f.batches {
					b.files[0].dir = "value_bucket=1"
				}
				f.batches[0].files[1].dir = "other=1"
				c.IngestTimePartitioning, c.PartitionBy = false, []string{"value_bucket"}
			},
			check: CheckLayout, wantStatus: Fail, wantCounts: map[string]int64{"misplaced": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cleanFixture()
			c := Config{Schema: []Column{{Name: "serialnumber", Type: "string"}, {Name: "value", Type: "double", Nullable: true},
				{Name: "eventtime", Type: "timestamp", Nullable: true}}, KeyColumn: "serialnumber", IngestTimePartitioning: true}
			tt.mutate(f, &c)
			p := f.write(t)
			cfg := p.config()
			cfg.Delivery, cfg.KeyColumn, cfg.Schema = c.Delivery, c.KeyColumn, c.Schema
			cfg.IngestTimePartitioning, cfg.PartitionBy = c.IngestTimePartitioning, c.PartitionBy
			rep, err := Verify(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Result(tt.check)
			if r.Status != tt.wantStatus {
				t.Errorf("%s status = %s, want %s (%+v)", tt.check, r.Status, tt.wantStatus, r)
			}
			for name, want := range tt.wantCounts {
				if got := r.Count(name); got != want {
					t.Errorf("%s %s = %d, want %d (%+v)", tt.check, name, got, want, r.Examples)
				}
			}
		})
	}
}

// TestLayoutWindows: an aggregating job's windows objects, named in the
// plans' windows_objects, are checked with Config.Windows (missing and
// orphan) and otherwise left alone; they are never output.
func TestLayoutWindows(t *testing.T) {
	tests := []struct {
		name        string
		windows     []string // batch 1's and batch 3's windows object
		withWindows bool
		wantStatus  Status
		wantCounts  map[string]int64
	}{
		{"present", []string{"present", "present"}, true, Pass, map[string]int64{"orphan": 0, "missing_object": 0, "files": 5}},
		{"not configured", []string{"present", "absent"}, false, Pass, map[string]int64{"orphan": 0, "missing_object": 0, "files": 5}},
		{"named but absent", []string{"present", "absent"}, true, Fail, map[string]int64{"orphan": 0, "missing_object": 1}},
		{"written but not named", []string{"unnamed", "present"}, true, Fail, map[string]int64{"orphan": 1, "missing_object": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cleanFixture()
			f.batches[1].windows, f.batches[3].windows = tt.windows[0], tt.windows[1]
			p := f.write(t)
			cfg := p.config()
			if tt.withWindows {
				cfg.Windows = p.win
			}
			rep, err := Verify(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Result(CheckLayout)
			if r.Status != tt.wantStatus {
				t.Errorf("layout status = %s, want %s (%+v)", r.Status, tt.wantStatus, r)
			}
			for name, want := range tt.wantCounts {
				if got := r.Count(name); got != want {
					t.Errorf("layout %s = %d, want %d (%+v)", name, got, want, r.Examples)
				}
			}
			if d := rep.Result(CheckDelivery); d.Status != Pass {
				t.Errorf("delivery = %s, want pass: windows objects are not output (%+v)", d.Status, d)
			}
		})
	}
}
