package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/cmd/streamcheck/internal/benchfig"
)

// emulatorItems is how many figures the emulator group reports.
const emulatorItems = 10

func TestBenchTable(t *testing.T) {
	code, stdout, stderr := runCLI(t, "bench", "--only", "emulator", "--duration", "200ms")
	if code != exitOK {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	// A title, a blank line, the header and one line per figure.
	if got, want := len(lines), 3+emulatorItems; got != want {
		t.Fatalf("got %d lines, want %d:\n%s", got, want, stdout)
	}
	header := strings.Fields(lines[2])
	if got, want := strings.Join(header, " "), "item figure unit target met"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	// The unit, target and met columns start at the same offset on every
	// line as in the header.
	for _, col := range []string{"unit", "target", "met"} {
		at := strings.Index(lines[2], col)
		for _, l := range lines[3:] {
			if col == "met" && len(l) <= at { // no target, no verdict
				continue
			}
			if len(l) <= at || l[at-2:at] != "  " || l[at] == ' ' {
				t.Errorf("column %q does not start at %d in %q", col, at, l)
			}
		}
	}
	for _, l := range lines[3:] {
		if !strings.HasPrefix(l, "emulator: ") {
			t.Errorf("row %q: want the emulator group only", l)
		}
	}
	if got := strings.Count(stderr, "bench: "); got < 5 {
		t.Errorf("got %d progress lines on stderr, want at least 5:\n%s", got, stderr)
	}
}

func TestBenchJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "bench", "--only", "emulator", "--duration", "200ms", "--json")
	if code != exitOK {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	var got benchOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if len(got.Figures) != emulatorItems {
		t.Fatalf("got %d figures, want %d", len(got.Figures), emulatorItems)
	}
	for _, f := range got.Figures {
		if f.Group != benchfig.GroupEmulator || f.Item == "" || f.Unit == "" || f.Value <= 0 {
			t.Errorf("figure %+v: want the emulator group, an item, a unit and a positive value", f)
		}
		if (f.Target == "") != (f.Met == nil) {
			t.Errorf("figure %q: target %q with met %v: want both or neither", f.Item, f.Target, f.Met)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown group", []string{"bench", "--only", "emulator,nope"}},
		{"zero duration", []string{"bench", "--duration", "0s"}},
		{"negative records", []string{"bench", "--records", "-1"}},
		{"negative cores", []string{"bench", "--only", "engine", "--cores", "-1"}},
		{"argument", []string{"bench", "extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
		})
	}
}
