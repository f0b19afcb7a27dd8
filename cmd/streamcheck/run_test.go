package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/engine/enginetest/kinesistest"
)

func writeJob(t *testing.T, dir, endpoint, extra string) string {
	t.Helper()
	job := fmt.Sprintf(`name: cli
source:
  streamName: s
  endpoint: %s
  columns:
    - {name: id, type: bigint, required: true}
connectionOptions:
  startingPosition: trim_horizon
forEachBatch:
  windowSize: 100 seconds
  checkpointLocation: %s
sink:
  path: %s
  deadLetterPath: %s
%s`, endpoint, filepath.Join(dir, "cp"), filepath.Join(dir, "out"), filepath.Join(dir, "dlq"), extra)
	p := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(p, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runEnv(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, errb.String()
}

func TestRunCommand(t *testing.T) {
	kin := kinesistest.New(t, nil)
	kin.CreateStream("s", 2)
	for i := 0; i < 20; i++ {
		kin.Put("s", i%2, "k", []byte(fmt.Sprintf(`{"id":%d}`, i)))
	}
	kin.Put("s", 0, "k", []byte(`{"id":"x"}`))
	dir := t.TempDir()
	job := writeJob(t, dir, kin.URL(), "")

	code, stderr := runEnv(t, "run", "--job", job, "--until-idle", "--window", "10ms")
	if code != exitOK {
		t.Fatalf("run: exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "batch committed") || !strings.Contains(stderr, "numRecords=20") {
		t.Errorf("stderr lacks the batch metrics line:\n%s", stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "out", "ingest_year=*", "*", "*", "*", "part-00000000-00000-*.snappy.parquet")); len(m) != 1 {
		t.Errorf("output objects %v, want one for batch 0", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "dlq", "part-00000000-00000-*.jsonl")); len(m) != 1 {
		t.Errorf("dead-letter objects %v, want one", m)
	}
}

func TestRunCrashAt(t *testing.T) {
	var exited []int
	exitProcess = func(code int) { exited = append(exited, code) }
	t.Cleanup(func() { exitProcess = os.Exit })
	kin := kinesistest.New(t, nil)
	kin.CreateStream("s", 1)
	kin.Put("s", 0, "k", []byte(`{"id":1}`))
	dir := t.TempDir()
	job := writeJob(t, dir, kin.URL(), "")
	code, stderr := runEnv(t, "run", "--job", job, "--until-idle", "--window", "10ms", "--crash-at", "after-sink")
	if code != exitCrashed || len(exited) != 1 || exited[0] != exitCrashed {
		t.Fatalf("crash run: exit %d (process exits %v), want %d; stderr:\n%s", code, exited, exitCrashed, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cp", "commits", "0")); err == nil {
		t.Errorf("commits/0 exists after a crash after the sink")
	}
	// A restart replays the batch and commits it.
	if code, stderr := runEnv(t, "run", "--job", job, "--until-idle", "--window", "10ms"); code != exitOK {
		t.Fatalf("restart: exit %d; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cp", "commits", "0")); err != nil {
		t.Errorf("commits/0 after the restart: %v", err)
	}
}

func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	good := writeJob(t, dir, "http://127.0.0.1:1", "")
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("name: x\nsink:\n  pathh: /tmp/x\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no job", []string{"run"}, "--job is required"},
		{"missing file", []string{"run", "--job", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"unknown key", []string{"run", "--job", bad}, "line 3: unknown key pathh"},
		{"bad window", []string{"run", "--job", good, "--window", "soon"}, `--window "soon"`},
		{"bad crash point", []string{"run", "--job", good, "--crash-at", "in-sink"}, "in-sink:K"},
		{"extra argument", []string{"run", "--job", good, "x"}, `unexpected argument "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runEnv(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestRunKafkaJob(t *testing.T) {
	c, err := kfake.NewCluster(kfake.SeedTopics(2, "payments"))
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	for i := 0; i < 30; i++ {
		if err := prod.ProduceSync(t.Context(), &kgo.Record{Topic: "payments", Key: []byte(fmt.Sprint(i)), Value: fmt.Appendf(nil, `{"id":%d}`, i)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	job := fmt.Sprintf(`name: cli-kafka
source:
  kind: kafka
  columns:
    - {name: id, type: bigint, required: true}
connectionOptions:
  topicName: payments
  startingOffsets: earliest
forEachBatch:
  windowSize: 10ms
  checkpointLocation: %s
sink:
  path: %s
  deadLetterPath: %s
`, filepath.Join(dir, "cp"), filepath.Join(dir, "out"), filepath.Join(dir, "dlq"))
	path := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(path, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without brokers in the job or the environment it is a usage error.
	if code, stderr := runEnv(t, "run", "--job", path, "--until-idle"); code != exitUsage || !strings.Contains(stderr, "STREAMCHECK_KAFKA_BROKERS") {
		t.Errorf("run without brokers: exit %d, stderr %q; want %d naming STREAMCHECK_KAFKA_BROKERS", code, stderr, exitUsage)
	}
	var errb bytes.Buffer
	e := &env{stdout: &bytes.Buffer{}, stderr: &errb, getenv: func(k string) string {
		if k == "STREAMCHECK_KAFKA_BROKERS" {
			return strings.Join(c.ListenAddrs(), ",")
		}
		return ""
	}}
	if code := run(context.Background(), e, []string{"run", "--job", path, "--until-idle"}); code != exitOK {
		t.Fatalf("run: exit %d, want 0; stderr:\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "numRecords=30") {
		t.Errorf("stderr lacks a batch of 30 records:\n%s", errb.String())
	}
}
