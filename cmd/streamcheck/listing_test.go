package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestScenarioListJSON: the listing as JSON, one entry per scenario.
func TestScenarioListJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, "scenario", "list", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var list []struct{ Name, Description string }
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) < 10 {
		t.Fatalf("scenario list --json = %q (%v); want a JSON array of the catalog", stdout, err)
	}
	for _, s := range list {
		if s.Name == "" || s.Description == "" {
			t.Errorf("entry %+v: want a name and a description", s)
		}
	}
}

// TestScenarioRunBrief: with several scenarios, one line each and the
// summary, no progress (the engine's restarts used to be narrated dozens of
// times in a passing run).
func TestScenarioRunBrief(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "scenario", "run", "all", "--backend", "external", "--report", dir, "--seed", "1")
	// Off the embedded backend the fault scenarios are skipped at once; the
	// others fail for want of an external stack, quickly. What matters here is
	// the shape of the output.
	_ = code
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if strings.HasPrefix(line, "===") || strings.Contains(line, "engine:") {
			t.Fatalf("brief output has progress or headers: %q\nstdout:\n%s\nstderr:\n%s", line, stdout, stderr)
		}
	}
	if !strings.Contains(stdout, "SKIP   scenario s3-errors") || !strings.Contains(stdout, "scenarios passed") {
		t.Errorf("stdout lacks the SKIP line or the summary:\n%s", stdout)
	}
}

// TestVersion: the version command names the Go version and platform, and
// gives the same as JSON.
func TestVersion(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runCLI(t, "version", "--json")
	var v map[string]string
	if code != exitOK || json.Unmarshal([]byte(stdout), &v) != nil || v["version"] == "" || v["go"] == "" || v["platform"] == "" {
		t.Errorf("version --json = %d, %q; want version, go and platform", code, stdout)
	}
}

// TestCompletionAndHelp: shell completion scripts for bash, zsh and fish,
// completion of commands and of a command's flags, and help with examples.
func TestCompletionAndHelp(t *testing.T) {
	t.Parallel()
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, stdout, stderr := runCLI(t, "completion", sh)
		if code != exitOK || !strings.Contains(stdout, "streamcheck") {
			t.Errorf("completion %s: exit %d, stderr %q, %d bytes", sh, code, stderr, len(stdout))
		}
	}
	code, stdout, _ := runCLI(t, "__complete", "ver")
	if code != exitOK || !strings.Contains(stdout, "verify") || !strings.Contains(stdout, "version") {
		t.Errorf("completing \"ver\": %d %q; want verify and version", code, stdout)
	}
	code, stdout, _ = runCLI(t, "__complete", "run", "--cr")
	if code != exitOK || !strings.Contains(stdout, "--crash-at") || !strings.Contains(stdout, "--create") {
		t.Errorf("completing run --cr: %d %q; want --crash-at and --create", code, stdout)
	}
	code, stdout, _ = runCLI(t, "gen", "-h")
	if code != exitOK || !strings.Contains(stdout, "Examples:\n  streamcheck gen ventilator") || !strings.Contains(stdout, "  --key-strategy string") {
		t.Errorf("gen -h: %d %q; want examples and --flag style flags", code, stdout)
	}
}

// TestVerdictColour: colour only when asked for by a terminal, never with
// NO_COLOR; every verdict padded by the same number of bytes.
func TestVerdictColour(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	if useColor(&env{getenv: func(string) string { return "" }}, &buf) {
		t.Error("colour on a buffer, which is no terminal")
	}
	on, off := verdictPainter(true), verdictPainter(false)
	if off("FAIL") != "FAIL" {
		t.Errorf("uncoloured FAIL = %q", off("FAIL"))
	}
	if got := on("FAIL"); got != "\033[31mFAIL\033[0m" {
		t.Errorf("coloured FAIL = %q", got)
	}
	want := len(on("PASS"))
	for _, v := range []string{"FAIL", "SKIP", "N/A ", "ERROR"[:4]} {
		if len(on(v)) != want {
			t.Errorf("coloured %q is %d bytes, PASS %d: columns would not line up", v, len(on(v)), want)
		}
	}
}
