package main

import (
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
			wantStdout: []string{"steady-kinesis", "crash-after-plan", "crash-in-sink", "crash-after-sink", "crash-after-commit", "at-least-once-duplicates", "malformed-records"}},
		{name: "no subcommand", args: []string{"scenario"}, wantCode: exitUsage, wantStderr: "want a subcommand"},
		{name: "unknown subcommand", args: []string{"scenario", "walk"}, wantCode: exitUsage, wantStderr: `unknown subcommand "walk"`},
		{name: "run without name", args: []string{"scenario", "run"}, wantCode: exitUsage, wantStderr: "wants a scenario name"},
		{name: "run unknown", args: []string{"scenario", "run", "nope"}, wantCode: exitUsage, wantStderr: `no scenario "nope"`},
		{name: "run extra", args: []string{"scenario", "run", "steady-kinesis", "again"}, wantCode: exitUsage, wantStderr: `unexpected argument "again"`},
		{name: "help", args: []string{"scenario", "-h"}, wantCode: exitOK, wantStdout: []string{"usage: streamcheck scenario"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
