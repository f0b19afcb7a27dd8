package assertions

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// failing lists, per check, the counts that fail it.
var failing = map[string][]string{
	CheckDelivery:   {"lost", "duplicated", "unexpected"},
	CheckDeadLetter: {"missing", "duplicated", "unexpected", "rejected_well_formed", "no_error"},
	CheckLag:        {"over_bound"},
	CheckSchema:     {"missing_column", "unexpected_column", "mistyped_column", "null_values"},
	CheckLayout:     {"misplaced", "bad_name", "orphan", "missing_object"},
	CheckOrder:      {"out_of_order"},
}

func TestVerifyReportsExactlyTheFault(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fixture)
		// want maps "check/count" to its value; every other failing count
		// must be zero and every check without one must pass.
		want map[string]int64
		// wantExample's words all appear in one example.
		wantExample string
		// also holds informational counts to compare.
		also map[string]int64
	}{
		{
			name:   "clean",
			mutate: func(*fixture) {},
			also: map[string]int64{"delivery/delivered": 42, "delivery/recovered": 1, "dead_letter/entries": 2,
				"layout/files": 5, "lag/records": 41, "lag/no_arrival_time": 1, "order/partition_keys": 4},
		},
		{
			name: "lost record",
			mutate: func(f *fixture) {
				f.batches[0].files[1].rows = slices.Delete(f.batches[0].files[1].rows, 2, 3) // k007
			},
			want:        map[string]int64{"delivery/lost": 1},
			wantExample: "lost k007",
		},
		{
			name: "lost record inside a data-loss range",
			mutate: func(f *fixture) {
				f.batches[3].files[0].rows = slices.Delete(f.batches[3].files[0].rows, 3, 4) // k033
				f.batches[3].dataLoss = []lossSpan{{ShardID: "shardId-000000000000", Partition: -1, From: "1302", To: "1303"}}
			},
			also: map[string]int64{"delivery/in_data_loss_range": 2, "delivery/lost": 0},
		},
		{
			name: "duplicate",
			mutate: func(f *fixture) {
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k012", 12})
			},
			want:        map[string]int64{"delivery/duplicated": 1},
			wantExample: "duplicated k012",
		},
		{
			name: "unexpected row",
			mutate: func(f *fixture) {
				f.batches[2].files[0].rows = append(f.batches[2].files[0].rows, outRow{"zzz", 1})
			},
			want:        map[string]int64{"delivery/unexpected": 1},
			wantExample: "unexpected zzz",
		},
		{
			name: "failed attempt delivered",
			mutate: func(f *fixture) {
				f.batches[2].files[0].rows = append(f.batches[2].files[0].rows, outRow{"k043", 43})
			},
			want:        map[string]int64{"delivery/unexpected": 1},
			wantExample: "unexpected k043",
		},
		{
			name: "orphan file",
			mutate: func(f *fixture) {
				// Batch 4 wrote its object and crashed before committing.
				f.batches = append(f.batches, &fixBatch{id: 4, plannedAt: batchStart(4), files: []fixFile{{rows: []outRow{{"k042", 42}}}}})
			},
			want:        map[string]int64{"layout/orphan": 1},
			wantExample: "orphan part-00000004-00000.snappy.parquet",
			also:        map[string]int64{"delivery/recovered": 2},
		},
		{
			name:   "names scoped by the checkpoint",
			mutate: func(f *fixture) { f.token = "0badcafe" },
			also: map[string]int64{"delivery/delivered": 42, "dead_letter/entries": 2, "layout/files": 5,
				"layout/bad_name": 0, "layout/orphan": 0},
		},
		{
			name: "object of another checkpoint",
			mutate: func(f *fixture) {
				f.token = "0badcafe"
				// The run before the checkpoint was replaced wrote batch 0
				// too; this checkpoint read its records again.
				f.batches = append(f.batches, &fixBatch{id: 0, plannedAt: f.batches[0].plannedAt, unlisted: true,
					files: []fixFile{{name: "part-00000000-00000-1a2b3c4d.snappy.parquet", rows: f.batches[0].files[0].rows}}})
			},
			want:        map[string]int64{"layout/orphan": 1, "delivery/duplicated": 5},
			wantExample: "orphan part-00000000-00000-1a2b3c4d.snappy.parquet another checkpoint 1a2b3c4d 0badcafe",
		},
		{
			name: "scoped name of another batch",
			mutate: func(f *fixture) {
				f.token = "0badcafe"
				f.batches[1].files[0].name = "part-00000002-00009-0badcafe.snappy.parquet"
			},
			// Its rows' lag is measured from batch 2's commit, as named.
			want:        map[string]int64{"layout/bad_name": 1, "lag/over_bound": 10},
			wantExample: "bad_name part-00000002-00009-0badcafe.snappy.parquet listed by batch 1",
		},
		{
			name: "missing object",
			mutate: func(f *fixture) {
				f.batches[1].files = append(f.batches[1].files, fixFile{absent: true})
			},
			want:        map[string]int64{"layout/missing_object": 1},
			wantExample: "missing_object part-00000001-00001.snappy.parquet",
		},
		{
			name: "mistyped column",
			mutate: func(f *fixture) {
				f.batches[1].files[0].valueType = "VARCHAR"
			},
			want:        map[string]int64{"schema/mistyped_column": 1},
			wantExample: "mistyped_column value type string, want double",
		},
		{
			name: "lagging batch",
			mutate: func(f *fixture) {
				f.batches[2].commitLag = 5 * time.Minute
			},
			want:        map[string]int64{"lag/over_bound": 11},
			wantExample: "lagging_batch",
		},
		{
			name: "misplaced file",
			mutate: func(f *fixture) {
				f.batches[1].files[0].dir = "ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=14"
			},
			want:        map[string]int64{"layout/misplaced": 1},
			wantExample: "misplaced ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=14/part-00000001-00000.snappy.parquet",
		},
		{
			name: "missing dead letter",
			mutate: func(f *fixture) {
				f.batches[1].deadLetter = f.batches[1].deadLetter[:1]
			},
			want:        map[string]int64{"dead_letter/missing": 1},
			wantExample: "missing",
		},
		{
			name: "duplicated dead letter",
			mutate: func(f *fixture) {
				f.batches[1].deadLetter = append(f.batches[1].deadLetter, dlEntry{seq: 45, error: "invalid JSON"})
			},
			want:        map[string]int64{"dead_letter/duplicated": 1},
			wantExample: "duplicated part-00000001-00000.jsonl",
		},
		{
			name: "dead letter without error",
			mutate: func(f *fixture) {
				f.batches[1].deadLetter[0].error = ""
			},
			want: map[string]int64{"dead_letter/no_error": 1},
		},
		{
			name: "unexpected dead letter",
			mutate: func(f *fixture) {
				f.batches[1].deadLetter = append(f.batches[1].deadLetter, dlEntry{seq: -1, error: "bad"})
			},
			want: map[string]int64{"dead_letter/unexpected": 1},
		},
		{
			name: "out of order within a file",
			mutate: func(f *fixture) {
				rows := f.batches[0].files[1].rows // k005..k009; k005 and k009 share pk1
				rows[0], rows[4] = rows[4], rows[0]
			},
			want:        map[string]int64{"order/out_of_order": 1},
			wantExample: "out_of_order pk1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cleanFixture()
			tt.mutate(f)
			p := f.write(t)
			rep, err := Verify(t.Context(), p.config())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			failedChecks := map[string]bool{}
			for k := range tt.want {
				check, _, _ := strings.Cut(k, "/")
				failedChecks[check] = true
			}
			for check, names := range failing {
				r := rep.Result(check)
				if r == nil {
					t.Fatalf("no %s result", check)
				}
				for _, n := range names {
					if got, want := r.Count(n), tt.want[check+"/"+n]; got != want {
						t.Errorf("%s %s = %d, want %d (examples %+v)", check, n, got, want, r.Examples)
					}
				}
				wantStatus := Pass
				if failedChecks[check] {
					wantStatus = Fail
				}
				if r.Status != wantStatus {
					t.Errorf("%s status = %s, want %s (%s; %+v)", check, r.Status, wantStatus, r.Detail, r.Examples)
				}
			}
			for k, want := range tt.also {
				check, name, _ := strings.Cut(k, "/")
				if got := rep.Result(check).Count(name); got != want {
					t.Errorf("%s = %d, want %d", k, got, want)
				}
			}
			if rep.OK != (len(tt.want) == 0) {
				t.Errorf("report OK = %v, want %v", rep.OK, len(tt.want) == 0)
			}
			if tt.wantExample != "" {
				found := false
				for _, r := range rep.Results {
					for _, e := range r.Examples {
						s := strings.Join(slices.DeleteFunc([]string{e.Kind, e.Key, e.File, e.Detail}, func(s string) bool { return s == "" }), " ")
						if containsAll(s, strings.Fields(tt.wantExample)) {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("no example matching %q in %+v", tt.wantExample, rep.Results)
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Output: "/tmp/out", Ledger: "l.jsonl", KeyColumn: "k"}
	tests := []struct {
		name    string
		mutate  func(c *Config)
		wantErr string
	}{
		{name: "good", mutate: func(*Config) {}},
		{name: "no output", mutate: func(c *Config) { c.Output = "" }, wantErr: "Output: required"},
		{name: "s3 without client", mutate: func(c *Config) { c.Output = "s3://b/out" }, wantErr: "S3: required"},
		{name: "bad scheme", mutate: func(c *Config) { c.Output = "gs://b/out" }, wantErr: "Output:"},
		{name: "ledger ext", mutate: func(c *Config) { c.Ledger = "l.csv" }, wantErr: "Ledger:"},
		{name: "delivery", mutate: func(c *Config) { c.Delivery = "twice" }, wantErr: "Delivery:"},
		{name: "bad type", mutate: func(c *Config) { c.Schema = []Column{{Name: "a", Type: "uuid"}} }, wantErr: `Schema: [0] "a": unknown type`},
		{name: "both partitionings", mutate: func(c *Config) { c.PartitionBy = []string{"a"}; c.IngestTimePartitioning = true }, wantErr: "PartitionBy:"},
		{name: "negative lag", mutate: func(c *Config) { c.MaxLagP99 = -1 }, wantErr: "MaxLagP99:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.mutate(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConfig) {
				t.Fatalf("Validate() = %v, want an ErrConfig containing %q", err, tt.wantErr)
			}
		})
	}
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
