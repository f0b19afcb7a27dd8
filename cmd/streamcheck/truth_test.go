package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// shortDialTimeout makes the checks before work give up sooner, for the
// length of a test that must not run in parallel.
func shortDialTimeout(t *testing.T) {
	t.Helper()
	old := dialTimeout
	dialTimeout = 2 * time.Second
	t.Cleanup(func() { dialTimeout = old })
}

// TestGenTellsTheTruth: gen used to exit 0 after sending to a missing
// stream (acked 0, failed 10), to an endpoint refusing connections (unknown
// 10) and when the stream rejected records; to an unreachable Kafka broker
// it printed progress forever.
func TestGenTellsTheTruth(t *testing.T) {
	shortDialTimeout(t)
	srv, _ := kinesisfaketest.NewServer(t)
	tiny, _ := kinesisfaketest.NewServer(t, kinesisfake.WithLimits(kinesisfake.Limits{RecordBytes: 50}))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing stream", []string{"ventilator", "--to", "kinesis://nosuch", "--endpoint", srv.URL(), "--count", "10"},
			[]string{"stream nosuch does not exist", "--create"}},
		{"connection refused", []string{"ventilator", "--to", "kinesis://s", "--endpoint", "http://" + closedPort(t), "--count", "10"},
			[]string{"did not answer (connection refused)", "streamcheck emulate"}},
		{"records rejected", []string{"ventilator", "--to", "kinesis://s", "--endpoint", tiny.URL(), "--create", "--count", "10"},
			[]string{"10 records failed: ValidationException; the first: ValidationException: 1 validation error", "10 of 10 records were not acknowledged"}},
		{"unreachable broker", []string{"payments", "--to", "kafka://t", "--brokers", closedPort(t), "--count", "10"},
			[]string{"no Kafka broker answered at", "within 2s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			code, _, stderr := genCLI(t, nil, tt.args...)
			if code != exitFailure {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitFailure, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if el := time.Since(start); el > 20*time.Second {
				t.Errorf("took %v: want the failure within the dial timeout", el)
			}
		})
	}
}

// TestGenMalformedKinds: by default gen's malformed records are the kinds
// every job rejects; missing_field (which the tour's job accepts) only when
// asked for.
func TestGenMalformedKinds(t *testing.T) {
	t.Parallel()
	srv, _ := kinesisfaketest.NewServer(t, kinesisfake.WithLimits(kinesisfake.Limits{}))
	dir := t.TempDir()
	for _, tt := range []struct {
		name, kinds string
		want        []string
	}{
		{"default", "", []string{"invalid_json", "wrong_type", "invalid_utf8"}},
		{"asked", "missing_field", []string{"missing_field"}},
	} {
		ledger := filepath.Join(dir, tt.name+".jsonl")
		args := []string{"ventilator", "--to", "kinesis://s" + tt.name, "--endpoint", srv.URL(), "--create", "--count", "300",
			"--malformed", "0.5", "--ledger", ledger}
		if tt.kinds != "" {
			args = append(args, "--malformed-kinds", tt.kinds)
		}
		if code, _, stderr := genCLI(t, nil, args...); code != exitOK {
			t.Fatalf("%s: exit %d: %s", tt.name, code, stderr)
		}
		data, err := os.ReadFile(ledger)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"invalid_json", "wrong_type", "invalid_utf8", "missing_field", "oversize"} {
			got := strings.Contains(string(data), `"malformed":"`+k+`"`)
			want := strings.Contains(strings.Join(tt.want, ","), k)
			if got != want {
				t.Errorf("%s: ledger has %s records: %v, want %v", tt.name, k, got, want)
			}
		}
	}
	if code, _, stderr := genCLI(t, nil, "ventilator", "--to", "kinesis://s", "--endpoint", srv.URL(), "--malformed-kinds", "missing_feild"); code != exitUsage ||
		!strings.Contains(stderr, `did you mean "missing_field"?`) {
		t.Errorf("a misspelt kind: exit %d, stderr %q; want a usage error with a suggestion", code, stderr)
	}
}

// s3Job writes a job reading stream s from the stack and writing under
// bucket b.
func s3Job(t *testing.T, st *emulator.Stack, bucket string) string {
	t.Helper()
	job := fmt.Sprintf(`name: s3job
source:
  streamName: s
  endpoint: %s
  columns:
    - {name: id, type: bigint}
connectionOptions:
  startingPosition: trim_horizon
forEachBatch:
  windowSize: 100 seconds
  checkpointLocation: s3://%s/cp/
sink:
  path: s3://%s/out
  deadLetterPath: s3://%s/dlq
  endpoint: %s
`, st.KinesisURL, bucket, bucket, bucket, st.S3URL)
	p := filepath.Join(t.TempDir(), "job.yaml")
	if err := os.WriteFile(p, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunMissingResources: run used to retry a missing bucket's
// NoSuchBucket (and a missing stream's ResourceNotFoundException) with
// Glue's backoff before failing with the SDK's error chain; it fails at once,
// naming the job key, the resource and the fix, and --create makes them.
func TestRunMissingResources(t *testing.T) {
	t.Parallel()
	st, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	job := s3Job(t, st, "lake")

	start := time.Now()
	code, stderr := runEnv(t, "run", "--job", job, "--until-idle", "--window", "50ms")
	if code != exitFailure || !strings.Contains(stderr, "stream s (source.streamName) does not exist") || !strings.Contains(stderr, "run with --create") {
		t.Errorf("missing stream: exit %d, stderr %q; want 1 naming the stream, its key and --create", code, stderr)
	}
	if _, err := st.KinesisClient().CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	code, stderr = runEnv(t, "run", "--job", job, "--until-idle", "--window", "50ms")
	if code != exitFailure || !strings.Contains(stderr, "bucket lake (forEachBatch.checkpointLocation) does not exist") || strings.Contains(stderr, "StatusCode") {
		t.Errorf("missing bucket: exit %d, stderr %q; want 1 naming the bucket and its key, no SDK chain", code, stderr)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v: want the failure at once, not after retries", el)
	}
	code, stderr = runEnv(t, "run", "--job", job, "--until-idle", "--window", "50ms", "--debug")
	if code != exitFailure || !strings.Contains(stderr, "error chain (--debug)") {
		t.Errorf("--debug: exit %d, stderr %q; want the error chain", code, stderr)
	}
	code, stderr = runEnv(t, "run", "--job", job, "--until-idle", "--window", "50ms", "--create")
	if code != exitOK {
		t.Errorf("--create: exit %d, stderr %q; want 0", code, stderr)
	}
	if _, err := st.S3Client().HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String("lake")}); err != nil {
		t.Errorf("--create did not make bucket lake: %v", err)
	}
}

// TestEmulateInit: emulate --init makes the streams, topics, buckets and
// tables a file names, and a bad file is a usage error naming it.
func TestEmulateInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	init := filepath.Join(dir, "init.yaml")
	if err := os.WriteFile(init, []byte("streams: [{name: st, shards: 2}]\ntopics: [{name: tp, partitions: 3}]\n"+
		"buckets: [bkt]\ntables: [{name: tbl, hashKey: id, hashKeyType: N}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rs, err := loadInitFile(init)
	if err != nil {
		t.Fatal(err)
	}
	if err := emulateInit(t.Context(), &env{stdout: os.Stdout, stderr: &strings.Builder{}, getenv: os.Getenv}, st, rs); err != nil {
		t.Fatal(err)
	}
	out, err := st.KinesisClient().DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("st")})
	if err != nil || aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount) != 2 {
		t.Errorf("stream st: %v; want it with 2 shards", err)
	}
	if _, err := st.S3Client().HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Errorf("bucket bkt: %v", err)
	}
	if _, err := st.DynamoDBClient().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("tbl")}); err != nil {
		t.Errorf("table tbl: %v", err)
	}
	// Again: what exists is kept.
	if err := emulateInit(t.Context(), &env{stdout: os.Stdout, stderr: &strings.Builder{}, getenv: os.Getenv}, st, rs); err != nil {
		t.Errorf("second init: %v", err)
	}

	// The tour's init file, and a job file's resources through jobs:.
	rs, err = loadInitFile("../../examples/ventilator/init.yaml")
	if err != nil || len(rs) != 3 {
		t.Errorf("examples/ventilator/init.yaml: %d resources, %v; want a stream, a bucket and a table", len(rs), err)
	}
	withJob := filepath.Join(dir, "jobs.yaml")
	abs, _ := filepath.Abs("../../examples/ventilator/job.yaml")
	if err := os.WriteFile(withJob, []byte("jobs: ["+abs+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err = loadInitFile(withJob)
	if err != nil || len(rs) != 2 || rs[0] != (resource{Kind: resStream, Name: "ventilatorstream", Key: "source.streamName"}) ||
		rs[1].Kind != resBucket || rs[1].Name != "ventilator-output" {
		t.Errorf("init file naming the ventilator job: %+v, %v; want its stream and its bucket", rs, err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("streams: [{name: st, shard: 2}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "emulate", "--port", "0", "--kafka-port", "0", "--init", bad)
	if code != exitUsage || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "line 1") {
		t.Errorf("bad init file: exit %d, stderr %q; want a usage error naming the file and line", code, stderr)
	}
}

// TestVerifyRefusesBadLedgers: a missing, garbage, truncated or
// wrong-shape ledger used to exit 1 (or, {"foo":1} lines, report every
// record unexpected); a ledger path was read as a glob; a missing output
// was reported as every record lost.
func TestVerifyRefusesBadLedgers(t *testing.T) {
	t.Parallel()
	out, ckpt, ledger := writeVerifyFixture(t)
	good, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := string(good[:len(good)-20])
	tests := []struct {
		name, ledger, output string
		want                 []string
	}{
		{"missing", filepath.Join(dir, "nope.jsonl"), out, []string{"nope.jsonl does not exist"}},
		{"garbage", write("garbage.jsonl", "\x00\x01garbage\n"), out, []string{"garbage.jsonl: line 1: not a JSON object"}},
		{"truncated", write("trunc.jsonl", truncated), out, []string{"trunc.jsonl: line 10: not a JSON object"}},
		{"wrong shape", write("shape.jsonl", strings.Repeat(`{"foo":1}`+"\n", 5)), out, []string{`shape.jsonl: line 1: no field "seq"`}},
		{"bad outcome", write("outcome.jsonl", `{"seq":1,"key":"k","outcome":"maybe"}`+"\n"), out, []string{`line 1: outcome "maybe"`}},
		{"parquet that is not", write("fake.parquet", "not parquet at all"), out, []string{"fake.parquet: not a Parquet file"}},
		{"glob", filepath.Join(dir, "L[1].jsonl"), out, []string{"L[1].jsonl does not exist"}},
		{"missing output", ledger, filepath.Join(dir, "no-output"), []string{"no-output does not exist"}},
	}
	write("L1.jsonl", string(good))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, "verify", "--output", tt.output, "--checkpoint", ckpt, "--ledger", tt.ledger, "--key", "serialnumber")
			if code != exitUsage {
				t.Errorf("exit status %d, want %d; stdout %q stderr %q", code, exitUsage, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			for _, leak := range []string{"SELECT", "CREATE", "LINE "} {
				if strings.Contains(stderr, leak) {
					t.Errorf("stderr leaks SQL (%q): %s", leak, stderr)
				}
			}
		})
	}
	// A ledger whose name holds glob characters is read as itself.
	globbed := write("L[2].jsonl", string(good))
	if code, stdout, stderr := runCLI(t, "verify", "--output", out, "--checkpoint", ckpt, "--ledger", globbed, "--key", "serialnumber"); code != exitOK {
		t.Errorf("ledger L[2].jsonl: exit %d; stdout %s stderr %s", code, stdout, stderr)
	}
}

// TestSuggestions: misspelt commands, flags and job keys get one
// suggestion, the same every run.
func TestSuggestions(t *testing.T) {
	t.Parallel()
	job := filepath.Join(t.TempDir(), "job.yaml")
	data, err := os.ReadFile("../../examples/ventilator/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job, []byte(strings.Replace(string(data), "windowSize: 100 seconds", "windowSize: lots", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"command", []string{"verfy"}, `unknown command "verfy" (did you mean "verify"?)`},
		{"flag", []string{"run", "--jbo", "x.yaml"}, "unknown flag -jbo (did you mean --job?)"},
		{"job value", []string{"run", "--job", job}, `forEachBatch.windowSize: line 32: want a duration like "100 seconds" or "100s", got "lots"`},
	}
	for _, tt := range tests {
		for range 3 {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("%s: exit %d, stderr %q; want a usage error saying %q", tt.name, code, stderr, tt.want)
			}
		}
	}
}

// TestFaultAddChecksNames: fault add used to install a rule for a service,
// operation or code that does not exist, which then never fired.
func TestFaultAddChecksNames(t *testing.T) {
	t.Parallel()
	dead := "http://" + closedPort(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"service", []string{"--service", "kinesys", "--operation", "GetRecords", "--code", "InternalFailure"}, `did you mean "kinesis"?`},
		{"operation", []string{"--service", "s3", "--operation", "PutObjects", "--code", "SlowDown"}, `no such operation of s3 (did you mean "PutObject"?)`},
		{"aws code", []string{"--service", "s3", "--operation", "PutObject", "--code", "Slowdown"}, `not an error code of s3 (did you mean "SlowDown"?)`},
		{"kafka code", []string{"--service", "kafka", "--operation", "Produce", "--code", "NOT_A_LEADER"}, "not a Kafka error name"},
		{"kafka operation", []string{"--service", "kafka", "--operation", "Produce2", "--delay", "1s"}, `did you mean "Produce"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runCLI(t, append([]string{"fault", "add", "--endpoint", dead}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want a usage error saying %q", code, stderr, tt.want)
			}
		})
	}
	// A good rule passes the names check and fails only on the dead endpoint.
	code, _, stderr := runCLI(t, "fault", "add", "--endpoint", dead, "--service", "kafka", "--operation", "Produce", "--code", "NOT_LEADER_FOR_PARTITION")
	if code != exitFailure {
		t.Errorf("good rule to a dead endpoint: exit %d, stderr %q; want 1", code, stderr)
	}
}
