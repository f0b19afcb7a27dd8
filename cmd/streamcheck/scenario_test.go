package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScenarioCommand(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{name: "list", args: []string{"scenario", "list"}, wantCode: exitOK,
			wantStdout: []string{"steady-kinesis", "crash-after-plan", "crash-in-sink", "crash-after-sink", "crash-after-commit", "at-least-once-duplicates", "malformed-records", "steady-kafka", "kinesis-split-merge-during-load", "iterator-expiry"}},
		{name: "no subcommand", args: []string{"scenario"}, wantCode: exitUsage, wantStderr: "want a subcommand"},
		{name: "unknown subcommand", args: []string{"scenario", "walk"}, wantCode: exitUsage, wantStderr: `unknown subcommand "walk"`},
		{name: "run without name", args: []string{"scenario", "run"}, wantCode: exitUsage, wantStderr: "wants a scenario name"},
		{name: "run unknown", args: []string{"scenario", "run", "nope"}, wantCode: exitUsage, wantStderr: `no scenario "nope"`},
		{name: "run extra", args: []string{"scenario", "run", "steady-kinesis", "again"}, wantCode: exitUsage, wantStderr: `unexpected argument "again"`},
		{name: "bad backend", args: []string{"scenario", "run", "steady-kinesis", "--backend", "cloud"}, wantCode: exitUsage, wantStderr: `--backend "cloud"`},
		{name: "faults skipped off embedded", args: []string{"scenario", "run", "s3-errors", "--backend", "external", "--quiet", "--report", "REPORT"}, wantCode: exitOK,
			wantStdout: []string{"SKIP   scenario s3-errors injects emulator faults", "1 scenarios skipped", "0 of 0 scenarios passed"}},
		{name: "list for a pipeline", args: []string{"scenario", "list", "--pipeline", "../../examples/pipelines/go-consumer/pipeline.yaml"}, wantCode: exitOK,
			wantStdout: []string{"steady", "kill-storm", "tripwire-in-sink", "tripwire-after-sink", "s3-errors", "duplicates counted and reported"}},
		{name: "list for a bad pipeline file", args: []string{"scenario", "list", "--pipeline", "nope.yaml"}, wantCode: exitUsage, wantStderr: "--pipeline: pipeline file"},
		{name: "run unknown for a pipeline", args: []string{"scenario", "run", "--pipeline", "../../examples/pipelines/go-consumer/pipeline.yaml", "crash-in-sink"}, wantCode: exitUsage,
			wantStderr: `no scenario "crash-in-sink" for a pipeline`},
		{name: "help", args: []string{"scenario", "-h"}, wantCode: exitOK, wantStdout: []string{"usage: streamcheck scenario"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, a := range tt.args {
				if a == "REPORT" {
					tt.args[i] = t.TempDir()
				}
			}
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("status %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestScenarioRun(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "scenario", "run", "at-least-once-duplicates", "--seed", "5", "--report", dir, "--quiet")
	if code != exitOK {
		t.Fatalf("status %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"PASS  scenario at-least-once-duplicates, seed 5", "delivery (exactly-once reading)  fail", "1 of 1 scenarios passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "at-least-once-duplicates", "report.json")); err != nil {
		t.Errorf("no report: %v", err)
	}
}

// STREAMCHECK_BACKEND chooses the backend as --backend does: a fault
// scenario is skipped off the embedded backend without starting anything.
func TestScenarioBackendFromEnvironment(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "STREAMCHECK_BACKEND" {
			return "containers"
		}
		return ""
	}}
	code := run(t.Context(), e, []string{"scenario", "run", "kinesis-throttling-and-5xx", "--quiet", "--report", t.TempDir()})
	if code != exitOK {
		t.Fatalf("status %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if want := "this run uses containers"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, out.String())
	}
}

// TestScenarioRunPipeline runs a pipeline file whose command exits at once:
// the run fails with a verdict that says so, its stderr and the replay
// command with --pipeline.
func TestScenarioRunPipeline(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.yaml")
	yaml := "command: \"echo 'cannot reach the brokers' >&2; exit 4\"\noutput: {path: s3://lake/out, format: jsonl}\nload: {records: 100}\nmaxExits: 2\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "scenario", "run", "--pipeline", file, "steady", "--report", filepath.Join(dir, "r"), "--quiet")
	if code != exitFailure {
		t.Fatalf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailure, stdout, stderr)
	}
	for _, want := range []string{"FAIL  scenario steady", "does not stay up", "status 4", "cannot reach the brokers", "streamcheck scenario run --pipeline " + file + " steady --seed 1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}
