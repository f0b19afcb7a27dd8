package scenarios

import (
	"github.com/streamcheck/streamcheck/engine"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/internal/treetest"
)

// TestVentilatorEndToEnd is the engine's acceptance test: ventilator JSON
// from 4 shards, with malformed records and a crash after the sink of batch
// 1, becomes ingest-hour partitioned Parquet that DuckDB reads with the
// job's types, every record exactly once and every malformed record in the
// dead letter once. The checker is then shown to reject broken copies of
// the same output.
func TestVentilatorEndToEnd(t *testing.T) {
	s := Scenario{
		Name:    "end-to-end",
		Load:    Load{Rate: 4000, Malformed: 0.03},
		Crashes: []Crash{{At: engine.AtAfterSink, Batch: 1}},
		Expect:  Expect{MinDeadLetters: 10},
	}
	res := Run(t, s)
	if t.Failed() {
		t.FailNow()
	}
	if got, want := res.Delivered+res.DeadLetters, res.Load.Acked; got != want {
		t.Errorf("delivered %d + dead letters %d = %d, want the %d acknowledged records", res.Delivered, res.DeadLetters, got, want)
	}
	if res.DeadLetters != res.Load.Malformed {
		t.Errorf("dead letters = %d, want the %d malformed records", res.DeadLetters, res.Load.Malformed)
	}
	if len(res.Crashes) != 1 || res.EngineRuns < 2 {
		t.Errorf("crashes %v over %d engine runs, want one crash and a restart", res.Crashes, res.EngineRuns)
	}
	if r := res.Report.Result(CheckTypes); r == nil || r.Status != assertions.Pass {
		t.Errorf("types check = %+v, want pass", r)
	}

	// The local copy holds exactly what the engine wrote to S3.
	cfg := assertions.Config{
		Output: res.LocalPath(res.Output), DeadLetter: res.LocalPath(res.DeadLetter), Checkpoint: res.LocalPath(res.Checkpoint),
		Ledger: res.Ledger, KeyColumn: "serialnumber", IngestTimePartitioning: true,
	}
	t.Run("types", func(t *testing.T) {
		sess, err := assertions.Open(t.Context(), cfg)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer sess.Close()
		tab, err := sess.Query(t.Context(), "SELECT * FROM output LIMIT 0")
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		got := map[string]string{}
		for i, c := range tab.Columns {
			got[c] = tab.Types[i]
		}
		for col, want := range map[string]string{
			"ventilatorid": "INTEGER", "eventtime": "TIMESTAMP", "serialnumber": "VARCHAR", "pressurecontrol": "INTEGER",
			"o2stats": "INTEGER", "minutevolume": "INTEGER", "manufacturer": "VARCHAR",
		} {
			if !strings.HasPrefix(got[col], want) {
				t.Errorf("column %s reads as %q, want %s", col, got[col], want)
			}
		}
		for _, col := range []string{"ingest_year", "ingest_month", "ingest_day", "ingest_hour"} {
			if _, ok := got[col]; !ok {
				t.Errorf("no hive partition column %s in the output (columns %v)", col, tab.Columns)
			}
		}
		n, err := sess.Query(t.Context(), "SELECT count(*) FILTER (WHERE eventtime IS NULL), count(*) FILTER (WHERE ventilatorid IS NULL) FROM output")
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if n.Rows[0][0] != int64(0) || n.Rows[0][1] != int64(0) {
			t.Errorf("null eventtime, ventilatorid = %v, %v; want 0, 0 (the casts must hold)", n.Rows[0][0], n.Rows[0][1])
		}
	})
	t.Run("layout", func(t *testing.T) {
		name := regexp.MustCompile(`^ingest_year=\d{4}/ingest_month=\d{2}/ingest_day=\d{2}/ingest_hour=\d{2}/part-\d{8}-\d{5}-[0-9a-f]{8}\.snappy\.parquet$`)
		files := treetest.List(t, cfg.Output)
		if len(files) < 3 {
			t.Errorf("%d output objects, want one per batch (at least 3)", len(files))
		}
		for _, f := range files {
			if !name.MatchString(f) {
				t.Errorf("output object %s is not named as docs/formats.md says", f)
			}
		}
	})

	// The checker must reject each of these.
	tests := []struct {
		name   string
		spoil  func(t *testing.T, c assertions.Config)
		check  string
		counts []string
	}{
		{name: "an object lost", check: assertions.CheckDelivery, counts: []string{"lost"},
			spoil: func(t *testing.T, c assertions.Config) { treetest.Remove(t, c.Output, 1) }},
		{name: "an object written twice", check: assertions.CheckDelivery, counts: []string{"duplicated"},
			spoil: func(t *testing.T, c assertions.Config) {
				f := treetest.List(t, c.Output)[0]
				b, err := os.ReadFile(filepath.Join(c.Output, f))
				if err != nil {
					t.Fatal(err)
				}
				dup := otherIndex(t, f)
				if err := os.WriteFile(filepath.Join(c.Output, dup), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "the dead letter lost", check: assertions.CheckDeadLetter, counts: []string{"missing"},
			spoil: func(t *testing.T, c assertions.Config) { treetest.Remove(t, c.DeadLetter, -1) }},
		{name: "a column of the wrong type", check: CheckTypes, counts: []string{"wrong_type"},
			spoil: func(t *testing.T, c assertions.Config) {}},
	}
	for _, tt := range tests {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			c := cfg
			root := t.TempDir()
			treetest.Copy(t, filepath.Dir(cfg.Output), root)
			c.Output = filepath.Join(root, filepath.Base(cfg.Output))
			c.DeadLetter = filepath.Join(root, filepath.Base(cfg.DeadLetter))
			c.Checkpoint = filepath.Join(root, filepath.Base(cfg.Checkpoint))
			c.Schema = []assertions.Column{{Name: "ventilatorid", Type: "int", Nullable: true}, {Name: "eventtime", Type: "timestamp", Nullable: true}}
			if tt.check == CheckTypes {
				c.Schema[0].Type = "bigint"
			}
			tt.spoil(t, c)
			rep, err := verify(t.Context(), c)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			r := rep.Result(tt.check)
			if r == nil || r.Status != assertions.Fail {
				t.Fatalf("%s check = %+v, want fail", tt.check, r)
			}
			for _, n := range tt.counts {
				if r.Count(n) == 0 {
					t.Errorf("%s check counts %s = 0, want > 0 (%s)", tt.check, n, describe(*r))
				}
			}
			if rep.OK {
				t.Errorf("report OK with a failed check")
			}
		})
	}

	// VerifyCopy passes a copy of the run as it is, and rejects one with an
	// object lost.
	t.Run("VerifyCopy", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			spoil bool
		}{{name: "as it is"}, {name: "an object lost", spoil: true}} {
			root := filepath.Join(t.TempDir(), "s3")
			treetest.Copy(t, res.LocalCopy, root)
			if tt.spoil {
				cp := *res
				cp.LocalCopy = root
				treetest.Remove(t, cp.LocalPath(res.Output), 1)
			}
			rep, err := VerifyCopy(t.Context(), s, res, root)
			if err != nil {
				t.Fatalf("%s: VerifyCopy: %v", tt.name, err)
			}
			d := rep.Result(assertions.CheckDelivery)
			if got, want := rep.OK && d != nil && d.Status == assertions.Pass, !tt.spoil; got != want {
				t.Errorf("%s: report OK %v, delivery %+v; want passed %v", tt.name, rep.OK, d, want)
			}
			if tt.spoil && d != nil && d.Count("lost") == 0 {
				t.Errorf("%s: delivery counts lost = 0, want > 0 (%s)", tt.name, describe(*d))
			}
		}
	})
}

// exactlyOnceIndex matches the index and what follows it in an
// exactly-once Parquet name, with or without the checkpoint's token.
var exactlyOnceIndex = regexp.MustCompile(`-00000((?:-[0-9a-f]{8})?\.snappy\.parquet)$`)

// otherIndex names a copy of the exactly-once object f (file index 0) as
// file index 99 of the same batch and checkpoint.
func otherIndex(t *testing.T, f string) string {
	t.Helper()
	dup := exactlyOnceIndex.ReplaceAllString(f, "-00099$1")
	if dup == f {
		t.Fatalf("%s is not an exactly-once name of file index 0", f)
	}
	return dup
}
