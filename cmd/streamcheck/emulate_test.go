package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"
)

// emuBuffer is a bytes.Buffer safe for a command writing while a test reads.
type emuBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *emuBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *emuBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// emulating runs 'streamcheck emulate args...' in process until the test
// stops it with the returned function, which returns the exit status and
// stderr. It waits for the endpoints to be printed and returns the
// exported environment.
func emulating(t *testing.T, args ...string) (env map[string]string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb emuBuffer
	e := &emuEnv{stdout: &out, stderr: &errb}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e.env(), append([]string{"emulate"}, args...)) }()
	re := regexp.MustCompile(`(?m)^export ([A-Z_]+)=(.*)$`)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "STREAMCHECK_KAFKA_BROKERS=") {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("emulate exited with %d before serving; stderr: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("emulate printed no endpoints in 20s; stdout: %s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	env = map[string]string{}
	for _, m := range re.FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	stopped := false
	var code int
	stop = func() (int, string) {
		if !stopped {
			stopped = true
			cancel()
			code = <-done
		}
		return code, errb.String()
	}
	t.Cleanup(func() { stop() })
	return env, stop
}

type emuEnv struct{ stdout, stderr io.Writer }

func (e *emuEnv) env() *env {
	return &env{stdout: e.stdout, stderr: e.stderr, getenv: func(string) string { return "" }}
}

// clientsFrom builds SDK clients from nothing but the exported variables.
func clientsFrom(env map[string]string) (*kinesis.Client, *s3.Client) {
	cfg := aws.Config{
		Region:       env["AWS_REGION"],
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL"]),
	}
	return kinesis.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func TestEmulate(t *testing.T) {
	dir := t.TempDir()
	env, stop := emulating(t, "--port", "0", "--kafka-port", "0", "--data-dir", dir, "--seed", "7", "--region", "eu-west-1")
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "STREAMCHECK_KAFKA_BROKERS"} {
		if env[k] == "" {
			t.Fatalf("emulate did not export %s; got %v", k, env)
		}
	}
	if env["AWS_ACCESS_KEY_ID"] != "test" || env["AWS_REGION"] != "eu-west-1" {
		t.Errorf("exported credentials/region = %q/%q, want test/eu-west-1", env["AWS_ACCESS_KEY_ID"], env["AWS_REGION"])
	}
	ctx := t.Context()
	kc, sc := clientsFrom(env)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatalf("CreateStream through the edge: %v", err)
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("PutRecord through the edge: %v", err)
	}
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatalf("CreateBucket through the edge: %v", err)
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatalf("PutObject through the edge: %v", err)
	}
	resp, err := http.Get(env["AWS_ENDPOINT_URL"] + "/_localstack/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"kinesis":"running"`) {
		t.Errorf("health = %s, want kinesis running", body)
	}
	kcl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env["STREAMCHECK_KAFKA_BROKERS"], ",")...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	if err := kcl.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatalf("Kafka produce: %v", err)
	}
	kcl.Close()

	// The fault command against the running emulator.
	ep := env["AWS_ENDPOINT_URL"]
	if code, out, errOut := runCLI(t, "fault", "add", "--endpoint", ep, "--service", "s3", "--operation", "PutObject", "--code", "SlowDown", "--status", "503", "--times", "1"); code != 0 || strings.TrimSpace(out) != "1" {
		t.Fatalf("fault add = %d, %q (stderr %s), want 0 and rule id 1", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "fault", "list", "--endpoint", ep); code != 0 || !strings.Contains(out, "SlowDown") {
		t.Errorf("fault list = %d, %q; want the SlowDown rule", code, out)
	}
	if code, out, _ := runCLI(t, "fault", "list", "--endpoint", ep, "--json"); code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"SlowDown"`) {
		t.Errorf("fault list --json = %d, %q; want the SlowDown rule as JSON", code, out)
	}
	noRetry := func(o *s3.Options) { o.RetryMaxAttempts = 1 }
	_, err = sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k2"), Body: strings.NewReader("x")}, noRetry)
	if err == nil || !strings.Contains(err.Error(), "SlowDown") {
		t.Errorf("PutObject under the rule = %v, want SlowDown", err)
	}
	if code, _, errOut := runCLI(t, "fault", "add", "--endpoint", ep, "--service", "kafka", "--code", "SlowDown"); code != exitUsage && code != exitFailure {
		t.Errorf("fault add with an AWS code for kafka = %d, want a failure (stderr %s)", code, errOut)
	}
	if code, _, errOut := runCLI(t, "fault", "clear", "--endpoint", ep); code != 0 {
		t.Errorf("fault clear = %d (stderr %s), want 0", code, errOut)
	}
	if code, _, errOut := runCLI(t, "fault", "rm", "--endpoint", ep, "1"); code != exitFailure {
		t.Errorf("fault rm of a cleared rule = %d (stderr %s), want %d", code, errOut, exitFailure)
	}

	if code, _, errOut := runCLI(t, "fault", "kafka", "shuffle-leaders", "--endpoint", ep); code != 0 {
		t.Errorf("fault kafka shuffle-leaders = %d (stderr %s), want 0", code, errOut)
	}
	if code, _, errOut := runCLI(t, "fault", "kafka", "remove-node", "--node", "0", "--endpoint", ep); code != exitFailure || !strings.Contains(errOut, "cannot remove all brokers") {
		t.Errorf("fault kafka remove-node of the only broker = %d (stderr %s), want %d and kfake's refusal", code, errOut, exitFailure)
	}

	code, errOut := stop()
	if code != 0 {
		t.Fatalf("emulate exit status after cancel = %d, want 0; stderr: %s", code, errOut)
	}
	if !strings.Contains(errOut, "data kept in "+dir) {
		t.Errorf("stderr = %q, want it to say the data is kept", errOut)
	}

	// Phase 2: the data directory survives a restart.
	env2, _ := emulating(t, "--port", "0", "--kafka-port", "0", "--data-dir", dir, "--kinesis-limits", "off")
	kc2, sc2 := clientsFrom(env2)
	big := make([]ktypes.PutRecordsRequestEntry, 600) // AWS allows 500 a call
	for i := range big {
		big[i] = ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	if _, err := kc2.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: big}); err != nil {
		t.Errorf("PutRecords of 600 entries with --kinesis-limits off: %v", err)
	}
	if _, err := kc2.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")}); err != nil {
		t.Errorf("stream after restart: %v", err)
	}
	get, err := sc2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("object after restart: %v", err)
	}
	b, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(b) != "kept" {
		t.Errorf("object after restart = %q, want %q", b, "kept")
	}
}

func TestEmulateUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
		wantStdout string
	}{
		{name: "help", args: []string{"emulate", "-h"}, wantCode: exitOK, wantStdout: "--kafka-port"},
		{name: "bad port", args: []string{"emulate", "--port", "70000"}, wantCode: exitUsage, wantStderr: "--port 70000"},
		{name: "same ports", args: []string{"emulate", "--port", "5000", "--kafka-port", "5000"}, wantCode: exitUsage, wantStderr: "two different ports"},
		{name: "bad host", args: []string{"emulate", "--host", "not a host"}, wantCode: exitUsage, wantStderr: "--host"},
		{name: "extra arg", args: []string{"emulate", "x"}, wantCode: exitUsage, wantStderr: `unexpected argument "x"`},
		{name: "bad kinesis limits", args: []string{"emulate", "--kinesis-limits", "none"}, wantCode: exitUsage, wantStderr: `--kinesis-limits "none"`},
		{name: "fault no subcommand", args: []string{"fault"}, wantCode: exitUsage, wantStderr: "missing subcommand"},
		{name: "fault unknown subcommand", args: []string{"fault", "explode"}, wantCode: exitUsage, wantStderr: "unknown subcommand"},
		{name: "fault add invalid rule", args: []string{"fault", "add", "--service", "s3"}, wantCode: exitUsage, wantStderr: "invalid rule"},
		{name: "fault rm no id", args: []string{"fault", "rm"}, wantCode: exitUsage, wantStderr: "one rule ID"},
		{name: "fault kafka no action", args: []string{"fault", "kafka"}, wantCode: exitUsage, wantStderr: "wants an action"},
		{name: "fault kafka remove without node", args: []string{"fault", "kafka", "remove-node"}, wantCode: exitUsage, wantStderr: "needs --node"},
		{name: "fault unreachable", args: []string{"fault", "list", "--endpoint", "http://127.0.0.1:1"}, wantCode: exitFailure, wantStderr: "list faults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d (stderr: %s)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout, tt.wantStdout)
			}
		})
	}
}
