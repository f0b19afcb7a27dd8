package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "demo", "--records", "2000", "--seed", "3", "--dir", dir)
	if code != exitOK {
		t.Fatalf("demo exit status = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitOK, stdout, stderr)
	}
	for _, want := range []string{
		"created stream ventilatorstream (4 shards)",
		"engine stopped dead at after-sink of batch 2",
		"replaying batch 2 from its plan",
		"verifying with DuckDB",
		"PASS  scenario demo, seed 3",
		"delivery", "dead_letter", "types",
		"lag p50 / p99 / max",
		"time taken",
		filepath.Join(dir, "ledger.jsonl"),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"ledger.jsonl", "job.yaml", "result.json", "report.html", "report.json", "junit.xml", "s3/streamcheck/demo/checkpoint/commits/2"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the demo did not leave %s: %v", f, err)
		}
	}
	// The job it wrote runs with streamcheck run: it must load.
	code, _, stderr = runCLI(t, "run", "--job", filepath.Join(dir, "job.yaml"), "--window", "bogus")
	if code != exitUsage || !strings.Contains(stderr, "--window") {
		t.Errorf("run --job <demo job> --window bogus: status %d, stderr %q; want a usage error about --window only (the job must load)", code, stderr)
	}
	// Without the demo's emulators, which are gone: the endpoints come
	// from the environment, so the printed command works (it used to keep
	// the dead ones).
	if job, err := os.ReadFile(filepath.Join(dir, "job.yaml")); err != nil || strings.Contains(string(job), "http://127.0.0.1") {
		t.Errorf("the demo's job.yaml (%v) names its emulators' endpoints:\n%s", err, job)
	}
}

func TestDemoJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "demo", "--records", "400", "--json", "--dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("demo --json exit status = %d, want %d\nstderr:\n%s", code, exitOK, stderr)
	}
	var res struct {
		Scenario  string `json:"scenario"`
		Passed    bool   `json:"passed"`
		Delivered int64  `json:"delivered"`
		Crashes   []string
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout is not the JSON result: %v\n%s", err, stdout)
	}
	if res.Scenario != "demo" || !res.Passed || res.Delivered == 0 || len(res.Crashes) != 1 {
		t.Errorf("result = %+v, want the demo passed with records delivered and one crash", res)
	}
	if !strings.Contains(stderr, "verifying with DuckDB") {
		t.Errorf("progress did not go to stderr: %q", stderr)
	}
}

func TestDemoUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
		wantStdout string
	}{
		{name: "too few records", args: []string{"demo", "--records", "5"}, wantCode: exitUsage, wantStderr: "--records 5: want at least 100"},
		{name: "extra argument", args: []string{"demo", "now"}, wantCode: exitUsage, wantStderr: `unexpected argument "now"`},
		{name: "bad seed", args: []string{"demo", "--seed", "x"}, wantCode: exitUsage, wantStderr: "invalid value"},
		{name: "help", args: []string{"demo", "-h"}, wantCode: exitOK, wantStdout: "usage: streamcheck demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) || !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("status %d, stdout %q, stderr %q; want %d with %q / %q", code, stdout, stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}
