package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/enginetest/kinesistest"
)

func runOut(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestCompactCommand(t *testing.T) {
	kin := kinesistest.New(t, nil)
	kin.CreateStream("s", 2)
	dir := t.TempDir()
	job := writeJob(t, dir, kin.URL(), "  partitioning: none\n")
	// Each run of the engine writes at least one batch.
	for r := 0; r < 4; r++ {
		for i := 0; i < 10; i++ {
			kin.Put("s", i%2, "k", []byte(fmt.Sprintf(`{"id":%d}`, r*10+i)))
		}
		if code, stderr := runEnv(t, "run", "--job", job, "--until-idle", "--window", "10ms"); code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out", "*.parquet"))
	if len(files) < 2 {
		t.Skipf("the engine wrote %d files; the test needs several batches", len(files))
	}

	code, stdout, stderr := runOut(t, "compact", "--job", job, "--older-than", "0s", "--dry-run")
	if code != 0 {
		t.Fatalf("compact --dry-run: exit %d: %s", code, stderr)
	}
	want := fmt.Sprintf("would compact 1 partitions: %d files -> 1,", len(files))
	if !strings.Contains(stdout, want) || !strings.Contains(stdout, "40 rows (dry run") {
		t.Errorf("dry run printed %q, want %q and 40 rows", stdout, want)
	}
	if after, _ := filepath.Glob(filepath.Join(dir, "out", "*.parquet")); len(after) != len(files) {
		t.Errorf("dry run changed the output: %d files, want %d", len(after), len(files))
	}

	code, stdout, stderr = runOut(t, "compact", "--job", job, "--older-than", "0s", "--target-size", "64MiB")
	if code != 0 {
		t.Fatalf("compact: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("compacted 1 partitions: %d files -> 1,", len(files))) {
		t.Errorf("compact printed %q", stdout)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "out", "*.parquet"))
	if len(after) != 1 || !strings.HasPrefix(filepath.Base(after[0]), "part-c00000000-00000-") {
		t.Errorf("after compact: %v, want one part-c00000000-00000-<checkpoint token>", after)
	}
	code, stdout, stderr = runOut(t, "verify", "--job", job, "--key", "id")
	if code != 0 {
		t.Errorf("verify after compact: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestCompactUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no job", []string{"compact"}, "--job is required"},
		{"bad size", []string{"compact", "--job", "x.yaml", "--target-size", "big"}, "--target-size"},
		{"negative age", []string{"compact", "--job", "x.yaml", "--older-than", "-1h"}, "--older-than"},
		{"extra argument", []string{"compact", "--job", "x.yaml", "more"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runOut(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"128MiB", 128 << 20}, {"1GB", 1e9}, {"4096", 4096}, {"10 KiB", 10240}, {"0", -1}, {"x", -1}, {"-5MB", -1}} {
		got, err := parseSize(tc.in)
		if tc.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
