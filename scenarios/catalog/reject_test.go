package catalog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/internal/treetest"
	"github.com/streamcheck/streamcheck/scenarios"
	"github.com/streamcheck/streamcheck/scenarios/catalog"
)

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

// spoiltCopy is a copy of a catalog run's objects that a test spoils
// before verifying it again with scenarios.VerifyCopy.
type spoiltCopy struct {
	s    scenarios.Scenario
	res  *scenarios.Result
	job  *engine.Job
	root string // the copy's s3/ directory: root/BUCKET/KEY
}

// local is where the copy holds the job's location uri.
func (c *spoiltCopy) local(uri string) string {
	cp := *c.res
	cp.LocalCopy = c.root
	return cp.LocalPath(uri)
}

// copyRun copies the files of the catalog run of name (CatalogRun's) for a
// test to spoil. It skips the test when that run did not pass.
func copyRun(t *testing.T, name string) *spoiltCopy {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a catalog scenario end to end; skipped with -short")
	}
	res := catalog.CatalogRun(t, name)
	if res == nil || !res.Passed {
		t.Skipf("the %s run did not pass; nothing to spoil", name)
	}
	s, _ := catalog.Lookup(name)
	job, err := engine.LoadJob(res.Job)
	if err != nil {
		t.Fatalf("read the run's job: %v", err)
	}
	c := &spoiltCopy{s: s, res: res, job: job, root: filepath.Join(t.TempDir(), "s3")}
	treetest.Copy(t, res.LocalCopy, c.root)
	return c
}

// verify runs the scenario's checks, those of package assertions and its
// own, on the copy.
func (c *spoiltCopy) verify(t *testing.T) *assertions.Report {
	t.Helper()
	rep, err := scenarios.VerifyCopy(t.Context(), c.s, c.res, c.root)
	if err != nil {
		t.Fatalf("verify the copy: %v", err)
	}
	return rep
}

// files lists the copy's files under one of the job's locations.
func (c *spoiltCopy) files(t *testing.T, uri, ext string) []string {
	t.Helper()
	var out []string
	for _, f := range treetest.List(t, c.local(uri)) {
		if strings.HasSuffix(f, ext) {
			out = append(out, filepath.Join(c.local(uri), filepath.FromSlash(f)))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s files under %s", ext, uri)
	}
	return out
}

// rewriteParquet replaces a Parquet file of the copy with the result of a
// DuckDB query over it (the file is the table {file}).
func (c *spoiltCopy) rewriteParquet(t *testing.T, file, query string) {
	t.Helper()
	sess, err := assertions.Open(t.Context(), assertions.Config{Output: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	tmp := file + ".new"
	q := strings.ReplaceAll(query, "{file}", "read_parquet("+sqlQuote(file)+")")
	if _, err := sess.Query(t.Context(), fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", q, sqlQuote(tmp))); err != nil {
		t.Fatalf("rewrite %s: %v", file, err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// dropLine removes the first line of a JSON lines file.
func dropLine(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	if err := os.WriteFile(file, rest, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dropLineContaining removes the first line containing text from the first
// of files that has one.
func dropLineContaining(t *testing.T, files []string, text string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, []byte(text))
		if i < 0 {
			continue
		}
		start := bytes.LastIndexByte(b[:i], '\n') + 1
		end := len(b)
		if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		if err := os.WriteFile(f, append(b[:start:start], b[end:]...), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no line containing %q in %d files", text, len(files))
}

// rewriteError sets the error of every entry of a dead-letter file to msg.
func rewriteError(t *testing.T, file, msg string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for line := range bytes.Lines(b) {
		var entry map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&entry); err != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		entry["error"] = msg
		nb, _ := json.Marshal(entry)
		out.Write(append(nb, '\n'))
	}
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustFail asserts that the report fails check with a positive count.
func mustFail(t *testing.T, rep *assertions.Report, check, count string) {
	t.Helper()
	r := rep.Result(check)
	if r == nil || r.Status != assertions.Fail {
		t.Fatalf("%s check = %+v, want fail", check, r)
	}
	if r.Count(count) == 0 {
		t.Errorf("%s check counts %s = 0, want > 0 (%s)", check, count, r.Detail)
	}
	if rep.OK {
		t.Errorf("report OK with a failed check")
	}
}

// The new catalog scenarios pass on their own files (TestCatalog) and their
// checks reject spoilt copies of them.
func TestCatalogChecksReject(t *testing.T) {
	tests := []struct {
		name, scenario string
		spoil          func(t *testing.T, c *spoiltCopy)
		check, count   string
	}{
		{name: "a window average tampered", scenario: "aggregation-restart", check: scenarios.CheckWindows, count: "wrong_window",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.files(t, c.job.Sink.WindowsPath, ".parquet")[0], "SELECT * REPLACE (avg_o2stats + 0.5 AS avg_o2stats) FROM {file}")
			}},
		{name: "a window count tampered", scenario: "aggregation-restart", check: scenarios.CheckWindows, count: "wrong_window",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.files(t, c.job.Sink.WindowsPath, ".parquet")[0], `SELECT * REPLACE ("count" + 1 AS "count") FROM {file}`)
			}},
		{name: "windows lost", scenario: "aggregation-restart", check: scenarios.CheckWindows, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) { treetest.Remove(t, c.local(c.job.Sink.WindowsPath), 1) }},
		{name: "windows counted twice", scenario: "aggregation-restart", check: scenarios.CheckWindows, count: "duplicated",
			spoil: func(t *testing.T, c *spoiltCopy) {
				f := c.files(t, c.job.Sink.WindowsPath, ".parquet")[0]
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(filepath.Dir(f), "part-00000099-00000.snappy.parquet"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "an alert level wrong", scenario: "aggregation-restart", check: scenarios.CheckWindows, count: "wrong_level",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.files(t, c.job.Sink.Path, ".parquet")[0], "SELECT * REPLACE (CASE status WHEN 'GREEN' THEN 'ORANGE' ELSE 'GREEN' END AS status) FROM {file}")
			}},
		{name: "an unmatched reading not dead-lettered", scenario: "aggregation-restart", check: assertions.CheckDeadLetter, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) {
				dropLineContaining(t, c.files(t, c.job.Sink.DeadLetterPath, ".jsonl"), "aggregate: unmatched:")
			}},
		{name: "a window item counted twice", scenario: "aggregation-dynamodb-sink", check: scenarios.CheckWindowsTable, count: "wrong_window",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.local("dynamodb://"+scenarios.WindowsTable), `SELECT * REPLACE (CASE WHEN "start" = (SELECT min("start") FROM {file}) THEN "count" * 2 ELSE "count" END AS "count") FROM {file}`)
			}},
		{name: "a window item lost", scenario: "aggregation-dynamodb-sink", check: scenarios.CheckWindowsTable, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.local("dynamodb://"+scenarios.WindowsTable), `SELECT * FROM {file} WHERE "start" <> (SELECT min("start") FROM {file})`)
			}},
		{name: "a window item regressed by a stale write", scenario: "aggregation-dynamodb-sink", check: scenarios.CheckWindowsTable, count: "wrong_batch",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.local("dynamodb://"+scenarios.WindowsTable), `SELECT * REPLACE (CASE WHEN "start" = (SELECT min("start") FROM {file}) THEN batch_id - 1 ELSE batch_id END AS batch_id) FROM {file}`)
			}},
		{name: "an open window item marked final", scenario: "aggregation-dynamodb-sink", check: scenarios.CheckWindowsTable, count: "final_too_soon",
			spoil: func(t *testing.T, c *spoiltCopy) {
				c.rewriteParquet(t, c.local("dynamodb://"+scenarios.WindowsTable), `SELECT * REPLACE (true AS "final") FROM {file}`)
			}},
		{name: "a CSV dead letter dropped", scenario: "format-csv-malformed", check: assertions.CheckDeadLetter, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) { dropLine(t, c.files(t, c.job.Sink.DeadLetterPath, ".jsonl")[0]) }},
		{name: "a CSV dead letter with another error", scenario: "format-csv-malformed", check: scenarios.CheckDeadLetterErrors, count: "wrong_error",
			spoil: func(t *testing.T, c *spoiltCopy) {
				rewriteError(t, c.files(t, c.job.Sink.DeadLetterPath, ".jsonl")[0], "rejected")
			}},
		{name: "an Avro dead letter dropped", scenario: "format-avro-malformed", check: assertions.CheckDeadLetter, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) { dropLine(t, c.files(t, c.job.Sink.DeadLetterPath, ".jsonl")[0]) }},
		{name: "a Grok dead letter dropped", scenario: "format-grok-malformed", check: assertions.CheckDeadLetter, count: "missing",
			spoil: func(t *testing.T, c *spoiltCopy) { dropLine(t, c.files(t, c.job.Sink.DeadLetterPath, ".jsonl")[0]) }},
		{name: "a Grok good record lost", scenario: "format-grok-malformed", check: assertions.CheckDelivery, count: "lost",
			spoil: func(t *testing.T, c *spoiltCopy) { treetest.Remove(t, c.local(c.job.Sink.Path), 1) }},
		{name: "an object written twice after broker faults", scenario: "kafka-broker-faults", check: assertions.CheckDelivery, count: "duplicated",
			spoil: func(t *testing.T, c *spoiltCopy) {
				f := c.files(t, c.job.Sink.Path, ".parquet")[0]
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(otherIndex(t, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "an object lost after SIGKILLs", scenario: "sigkill-soak", check: assertions.CheckDelivery, count: "lost",
			spoil: func(t *testing.T, c *spoiltCopy) { treetest.Remove(t, c.local(c.job.Sink.Path), 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.name, func(t *testing.T) {
			c := copyRun(t, tt.scenario)
			tt.spoil(t, c)
			mustFail(t, c.verify(t), tt.check, tt.count)
		})
	}
}
