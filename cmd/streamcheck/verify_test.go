package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// writeVerifyFixture writes a two-batch output, its checkpoint and a ledger
// of the same ten records; extra ledger lines are appended.
func writeVerifyFixture(t *testing.T, extraLedger ...string) (out, ckpt, ledger string) {
	t.Helper()
	root := t.TempDir()
	out, ckpt, ledger = filepath.Join(root, "out"), filepath.Join(root, "ckpt"), filepath.Join(root, "ledger.jsonl")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lines []string
	for b := 0; b < 2; b++ {
		dir := filepath.Join(out, "ingest_year=2026", "ingest_month=11", "ingest_day=22", "ingest_hour=12")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, fmt.Sprintf("part-%08d-00000.snappy.parquet", b))
		q := fmt.Sprintf(`COPY (SELECT 'k' || i AS serialnumber, i * 1.5 AS value FROM range(%d, %d) t(i)) TO '%s' (FORMAT parquet)`, b*5, b*5+5, file)
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		planned := fmt.Sprintf("2026-11-22T12:0%d:30Z", b)
		writeTestFile(t, filepath.Join(ckpt, "offsets", fmt.Sprint(b)), fmt.Sprintf(
			`{"version":1,"batch_id":%d,"planned_at":%q,"ingest_time":%q,"delivery":"exactly-once","objects":[%q]}`, b, planned, planned, file))
		writeTestFile(t, filepath.Join(ckpt, "commits", fmt.Sprint(b)), fmt.Sprintf(
			`{"version":1,"batch_id":%d,"committed_at":"2026-11-22T12:0%d:31Z","batch_processing_time_ms":800}`, b, b))
		for i := b * 5; i < b*5+5; i++ {
			lines = append(lines, fmt.Sprintf(`{"seq":%d,"key":"k%d","partition_key":"p","payload_sha256":"h%d","malformed":"","duplicate_of":-1,`+
				`"outcome":"ack","shard_id":"shardId-000000000000","sequence_number":"%d","partition":-1,"offset":-1,"acked_at_ms":%d}`,
				i, i, i, 100+i, 1795348800000+int64(b)*60000+int64(i)*1000))
		}
	}
	lines = append(lines, extraLedger...)
	writeTestFile(t, ledger, strings.Join(lines, "\n")+"\n")
	return out, ckpt, ledger
}

func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyCommand(t *testing.T) {
	out, ckpt, ledger := writeVerifyFixture(t)
	_, _, lossy := writeVerifyFixture(t, `{"seq":10,"key":"k10","malformed":"","duplicate_of":-1,"outcome":"ack","acked_at_ms":1795348900000}`)
	common := []string{"verify", "--output", out, "--checkpoint", ckpt, "--key", "serialnumber", "--ingest-time",
		"--schema", "serialnumber:string!,value:decimal(21,1)"}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{name: "clean", args: append(common, "--ledger", ledger), wantCode: exitOK,
			wantStdout: []string{"CHECK", "delivery     PASS", "lost=0", "lag over 10 records", "OK: no check failed"}},
		{name: "lost record", args: append(common, "--ledger", lossy), wantCode: exitFailure,
			wantStdout: []string{"delivery     FAIL", "lost=1", "lost key=k10 seq=10", "FAIL: 1 of 6 checks failed"}},
		{name: "lag bound", args: append(common, "--ledger", ledger, "--max-lag", "2s"), wantCode: exitFailure,
			wantStdout: []string{"lag          FAIL", "lagging_batch batch=0"}},
		{name: "no output", args: []string{"verify", "--ledger", ledger}, wantCode: exitUsage, wantStderr: "--output (or --job) is required"},
		{name: "no ledger", args: []string{"verify", "--output", out}, wantCode: exitUsage, wantStderr: "--ledger is required"},
		{name: "job missing", args: []string{"verify", "--job", "no-such-job.yaml", "--ledger", ledger}, wantCode: exitUsage, wantStderr: "--job: "},
		{name: "no key", args: []string{"verify", "--output", out, "--ledger", ledger}, wantCode: exitUsage, wantStderr: "--key is required"},
		{name: "bad schema", args: append(common, "--ledger", ledger, "--schema", "x"), wantCode: exitUsage, wantStderr: "want name:type"},
		{name: "bad delivery", args: append(common, "--ledger", ledger, "--delivery", "twice"), wantCode: exitUsage, wantStderr: "Delivery"},
		{name: "missing key column", args: []string{"verify", "--output", out, "--ledger", ledger, "--key", "nope"}, wantCode: exitFailure,
			wantStderr: `key column "nope": not in the output`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	out, ckpt, ledger := writeVerifyFixture(t, `{"seq":10,"key":"k10","malformed":"","duplicate_of":-1,"outcome":"ack","acked_at_ms":1795348900000}`)
	code, stdout, stderr := runCLI(t, "verify", "--output", out, "--checkpoint", ckpt, "--ledger", ledger, "--key", "serialnumber", "--json")
	if code != exitFailure {
		t.Fatalf("exit status = %d, want %d (stderr %s)", code, exitFailure, stderr)
	}
	var rep struct {
		OK      bool `json:"ok"`
		Results []struct {
			Check    string `json:"check"`
			Status   string `json:"status"`
			Examples []struct {
				Kind string `json:"kind"`
				Key  string `json:"key"`
			} `json:"examples"`
			Lag *struct {
				Overall struct {
					Records int64   `json:"records"`
					MaxMS   float64 `json:"max_ms"`
				} `json:"overall"`
			} `json:"lag"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout)
	}
	if rep.OK || rep.Results[0].Check != "delivery" || rep.Results[0].Status != "fail" {
		t.Fatalf("report = %+v, want a failed delivery check first", rep)
	}
	if got := rep.Results[0].Examples; len(got) != 1 || got[0].Kind != "lost" || got[0].Key != "k10" {
		t.Errorf("delivery examples = %+v, want one lost k10", got)
	}
	for _, r := range rep.Results {
		if r.Check == "lag" && (r.Lag == nil || r.Lag.Overall.Records != 10 || r.Lag.Overall.MaxMS <= 0) {
			t.Errorf("lag = %+v, want 10 records with a max", r.Lag)
		}
	}
}

func TestQueryCommand(t *testing.T) {
	out, _, _ := writeVerifyFixture(t)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "table", args: []string{"query", "--output", out, "SELECT serialnumber, value, ingest_hour FROM output ORDER BY value LIMIT 2"},
			wantStdout: "serialnumber  value  ingest_hour\n------------  -----  -----------\nk0                0           12\nk1              1.5           12\n(2 rows)\n"},
		{name: "csv", args: []string{"query", "--output", "file://" + out, "--format", "csv", "SELECT count(*) AS n, NULL AS x FROM output"},
			wantStdout: "n,x\n10,\n"},
		{name: "json", args: []string{"query", "--output", out, "--format", "json", "SELECT serialnumber, value FROM output WHERE serialnumber = 'k3'"},
			wantStdout: `{"serialnumber":"k3","value":4.5}` + "\n"},
		{name: "sql error", args: []string{"query", "--output", out, "SELECT nope FROM output"}, wantCode: exitFailure,
			wantStderr: `Binder Error: Referenced column "nope" not found`},
		{name: "no sql", args: []string{"query", "--output", out}, wantCode: exitUsage, wantStderr: "no SQL given"},
		{name: "bad format", args: []string{"query", "--output", out, "--format", "xml", "SELECT 1"}, wantCode: exitUsage, wantStderr: `--format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d (stderr %s)", code, tt.wantCode, stderr)
			}
			if tt.wantStdout != "" && stdout != tt.wantStdout {
				t.Errorf("stdout =\n%s\nwant\n%s", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

// TestVerifyJobFile checks that --job supplies the paths, key and
// partitioning, and that flags still override it.
func TestVerifyJobFile(t *testing.T) {
	out, ckpt, ledger := writeVerifyFixture(t)
	_, _, lossy := writeVerifyFixture(t, `{"seq":10,"key":"k10","malformed":"","duplicate_of":-1,"outcome":"ack","acked_at_ms":1795348900000}`)
	job := filepath.Join(t.TempDir(), "job.yaml")
	writeTestFile(t, job, fmt.Sprintf(`name: fixture
source:
  streamName: s
  columns:
    - {name: serialnumber, type: string}
    - {name: value, type: double}
forEachBatch:
  windowSize: 10 seconds
  checkpointLocation: %s
sink:
  path: %s
  deadLetterPath: %s
  partitioning: ingest_time
`, ckpt, out, filepath.Join(t.TempDir(), "dlq")))

	code, stdout, stderr := runCLI(t, "verify", "--job", job, "--ledger", ledger)
	for _, want := range []string{"delivery     PASS", "lost=0", "layout       PASS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("clean run: stdout lacks %q (exit %d)\n%s%s", want, code, stdout, stderr)
		}
	}
	code, stdout, _ = runCLI(t, "verify", "--job", job, "--ledger", lossy)
	if code != exitFailure || !strings.Contains(stdout, "lost=1") {
		t.Errorf("lossy run: exit %d, want %d with lost=1\n%s", code, exitFailure, stdout)
	}
	// A flag overrides the job: another output directory has no files.
	code, stdout, _ = runCLI(t, "verify", "--job", job, "--ledger", ledger, "--output", t.TempDir())
	if code != exitFailure || !strings.Contains(stdout, "lost=10") {
		t.Errorf("--output override: exit %d, want %d with lost=10\n%s", code, exitFailure, stdout)
	}
}
