package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs streamcheck in process and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestCLI(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "no args", args: nil, wantCode: exitUsage, wantStderr: "Usage: streamcheck <command>"},
		{name: "help", args: []string{"--help"}, wantCode: exitOK, wantStdout: "version"},
		{name: "help command", args: []string{"help", "version"}, wantCode: exitOK, wantStdout: "usage: streamcheck version"},
		{name: "help unknown", args: []string{"help", "nope"}, wantCode: exitUsage, wantStderr: `no command "nope"`},
		{name: "version", args: []string{"version"}, wantCode: exitOK, wantStdout: "streamcheck "},
		{name: "--version", args: []string{"--version"}, wantCode: exitOK, wantStdout: "streamcheck "},
		{name: "version -h", args: []string{"version", "-h"}, wantCode: exitOK, wantStdout: "usage: streamcheck version"},
		{name: "version bad flag", args: []string{"version", "--bogus"}, wantCode: exitUsage, wantStderr: "unknown flag -bogus"},
		{name: "version extra arg", args: []string{"version", "x"}, wantCode: exitUsage, wantStderr: `unexpected argument "x"`},
		{name: "unknown command", args: []string{"verson"}, wantCode: exitUsage, wantStderr: `unknown command "verson"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d (stderr: %s)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}
