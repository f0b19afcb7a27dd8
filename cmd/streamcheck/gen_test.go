package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
	"github.com/streamcheck/streamcheck/generators"
)

// genCLI runs streamcheck gen in process with the given environment.
func genCLI(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	code = run(t.Context(), e, append([]string{"gen"}, args...))
	return code, out.String(), errb.String()
}

func TestGenKinesis(t *testing.T) {
	srv, _ := kinesisfaketest.NewServer(t, kinesisfake.WithLimits(kinesisfake.Limits{}))
	ledger := filepath.Join(t.TempDir(), "ledger.parquet")
	// The endpoint comes from the environment, as in the AWS SDKs.
	code, stdout, stderr := genCLI(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL()},
		"ventilator", "--to", "kinesis://ventilatorstream", "--create", "--shards", "2", "--count", "700",
		"--producers", "2", "--malformed", "0.05", "--ledger", ledger, "--json")
	if code != exitOK {
		t.Fatalf("exit status %d, stderr: %s", code, stderr)
	}
	var sum generators.Summary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("--json summary %q: %v", stdout, err)
	}
	if sum.Attempted != 700 || sum.Target != "kinesis://ventilatorstream" || sum.Dataset != "ventilator" {
		t.Errorf("summary %+v: want 700 ventilator records to kinesis://ventilatorstream", sum)
	}
	rows, err := generators.ReadLedger(ledger)
	if err != nil || len(rows) != 700 {
		t.Fatalf("ledger: %d rows, %v; want 700", len(rows), err)
	}
	// Human summary, and the same seed again gives the same ledger rows
	// (apart from what the stream assigns).
	ledger2 := filepath.Join(t.TempDir(), "ledger.jsonl")
	code, stdout, stderr = genCLI(t, nil, "ventilator", "--to", "kinesis://ventilatorstream", "--endpoint", srv.URL(),
		"--count", "700", "--producers", "2", "--malformed", "0.05", "--ledger", ledger2)
	if code != exitOK || !strings.Contains(stdout, "kinesis://ventilatorstream: 700 ventilator records") || !strings.Contains(stdout, "ledger "+ledger2) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	rows2, err := generators.ReadLedger(ledger2)
	if err != nil || len(rows2) != 700 {
		t.Fatalf("second ledger: %d rows, %v", len(rows2), err)
	}
	for i := range rows {
		a, b := rows[i], rows2[i]
		if a.Seq != b.Seq || a.Key != b.Key || a.PayloadSHA256 != b.PayloadSHA256 || a.PartitionKey != b.PartitionKey || a.Malformed != b.Malformed {
			t.Fatalf("row %d differs between runs with the same seed:\n%+v\n%+v", i, a, b)
		}
	}
}

func TestGenDurationAndRate(t *testing.T) {
	srv, _ := kinesisfaketest.NewServer(t)
	code, stdout, stderr := genCLI(t, nil, "payments", "--to", "kinesis://pay", "--endpoint", srv.URL(), "--create",
		"--duration", "300ms", "--rate", "500", "--burst", "50", "--key-strategy", "hot:0.2", "--ordered", "--start", "now", "--json")
	if code != exitOK {
		t.Fatalf("exit status %d, stderr: %s", code, stderr)
	}
	var sum generators.Summary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Attempted == 0 || sum.Acked != sum.Attempted {
		t.Fatalf("summary %s (%v): want some records, all acknowledged", stdout, err)
	}
}

func TestGenKafkaTable(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	tableFile := filepath.Join(t.TempDir(), "context.json")
	if err := os.WriteFile(tableFile, []byte(`{"glue_kinesis_table":{"columns":[{"name":"id","type":"string"},{"name":"n","type":"int"},{"name":"at","type":"timestamp"}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := genCLI(t, map[string]string{"STREAMCHECK_KAFKA_BROKERS": strings.Join(cluster.ListenAddrs(), ",")},
		"table", "--table-file", tableFile, "--to", "kafka://things", "--create", "--partitions", "3", "--count", "300", "--format", "avro", "--json")
	if code != exitOK {
		t.Fatalf("exit status %d, stderr: %s", code, stderr)
	}
	var sum generators.Summary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Acked != 300 || sum.Format != "avro" {
		t.Fatalf("summary %s (%v): want 300 avro records acknowledged", stdout, err)
	}
}

func TestGenUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badTable := filepath.Join(dir, "bad.ddl")
	if err := os.WriteFile(badTable, []byte("`a` int, `b` strng"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no data set", []string{"--to", "kinesis://s"}, "missing data set"},
		{"unknown data set", []string{"weather", "--to", "kinesis://s"}, `data set "weather"`},
		{"no target", []string{"ventilator"}, "--to is required"},
		{"bad target", []string{"ventilator", "--to", "sqs://q"}, `--to "sqs://q"`},
		{"count and duration", []string{"ventilator", "--to", "kinesis://s", "--count", "5", "--duration", "1s"}, "exclude each other"},
		{"share above one", []string{"ventilator", "--to", "kinesis://s", "--malformed", "2"}, "--malformed 2"},
		{"key strategy", []string{"ventilator", "--to", "kinesis://s", "--key-strategy", "hot:x"}, "--key-strategy"},
		{"format", []string{"ventilator", "--to", "kinesis://s", "--format", "xml"}, `--format: format "xml"`},
		{"ledger extension", []string{"ventilator", "--to", "kinesis://s", "--ledger", "l.csv"}, "--ledger"},
		{"table without ddl", []string{"table", "--to", "kinesis://s"}, "exactly one of --ddl"},
		{"ddl on ventilator", []string{"ventilator", "--to", "kinesis://s", "--ddl", "a int"}, "table data set only"},
		{"bad ddl", []string{"table", "--to", "kinesis://s", "--ddl", "a int, b"}, "--ddl: invalid table definition: at position 9"},
		{"bad table file", []string{"table", "--to", "kinesis://s", "--table-file", badTable}, `at position 14 (near "strng"): unknown type "strng"`},
		{"missing table file", []string{"table", "--to", "kinesis://s", "--table-file", filepath.Join(dir, "nope")}, "--table-file: open"},
		{"ordered with producers", []string{"ventilator", "--to", "kinesis://s", "--ordered", "--producers", "2"}, "--ordered with --producers 2"},
		{"bad start", []string{"ventilator", "--to", "kinesis://s", "--start", "yesterday"}, `--start "yesterday"`},
		{"bad key", []string{"table", "--to", "kinesis://s", "--ddl", "a int", "--key", "b"}, `--key: key column "b": no such column`},
		{"no brokers", []string{"payments", "--to", "kafka://t"}, "STREAMCHECK_KAFKA_BROKERS"},
		{"kpl to kafka", []string{"payments", "--to", "kafka://t", "--kpl-aggregate", "10"}, "--kpl-aggregate applies to kinesis://"},
		{"negative kpl", []string{"payments", "--to", "kinesis://t", "--kpl-aggregate", "-1"}, "--kpl-aggregate -1"},
		{"extra argument", []string{"payments", "extra", "--to", "kafka://t"}, `unexpected argument "extra"`},
		{"bad flag", []string{"payments", "--bogus"}, "unknown flag -bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := genCLI(t, nil, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestGenHelp(t *testing.T) {
	code, stdout, _ := genCLI(t, nil, "-h")
	if code != exitOK || !strings.Contains(stdout, "usage: streamcheck gen ventilator|payments|table") || !strings.Contains(stdout, "--key-strategy") {
		t.Errorf("gen -h: exit %d, stdout %q", code, stdout)
	}
}

func TestGenProgressLogLines(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	var buf syncBuffer
	st := &generators.Stats{}
	st.Attempted.Add(500)
	st.Throttled.Add(3)
	stop := genProgress(&buf, st, clk)
	for clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	clk.Advance(genLogInterval)
	for !strings.Contains(buf.String(), "\n") {
		time.Sleep(time.Millisecond)
	}
	stop()
	if got, want := buf.String(), "streamcheck gen: sent 500 (100/s) acked 0 throttled 3 failed 0 unknown 0\n"; got != want {
		t.Errorf("progress on a non-terminal = %q, want %q", got, want)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestGenKPLAggregate: with --kpl-aggregate the stream holds KPL aggregates
// and the ledger a row per user record, user records sharing the sequence
// number of the aggregate that carried them.
func TestGenKPLAggregate(t *testing.T) {
	srv, _ := kinesisfaketest.NewServer(t, kinesisfake.WithLimits(kinesisfake.Limits{}))
	ledger := filepath.Join(t.TempDir(), "ledger.jsonl")
	code, _, stderr := genCLI(t, nil, "payments", "--to", "kinesis://pay", "--endpoint", srv.URL(), "--create", "--shards", "2",
		"--count", "500", "--kpl-aggregate", "25", "--ledger", ledger)
	if code != exitOK {
		t.Fatalf("exit status %d, stderr: %s", code, stderr)
	}
	rows, err := generators.ReadLedger(ledger)
	if err != nil || len(rows) != 500 {
		t.Fatalf("ledger: %d rows, %v; want 500", len(rows), err)
	}
	perSeq := map[string]int{}
	for _, r := range rows {
		if r.Outcome != generators.OutcomeAck {
			t.Fatalf("row %d: outcome %s (%s)", r.Seq, r.Outcome, r.Error)
		}
		perSeq[r.ShardID+"/"+r.SequenceNumber]++
	}
	if len(perSeq) != 20 {
		t.Errorf("%d Kinesis records carried 500 user records, want 20 aggregates of 25", len(perSeq))
	}
}
