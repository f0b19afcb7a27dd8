package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/cmd/streamcheck/internal/benchfig"
)

func TestMain(m *testing.M) {
	benchfig.ServeIfChild() // bench's server processes are this test binary again
	os.Exit(m.Run())
}

// emulatorItems is how many figures the emulator group reports: 10 rates
// and 7 server CPU figures.
const emulatorItems = 17

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
	// The unit, target and met columns start at the same offset (in
	// characters: units hold a µ) on every line as in the header.
	for _, col := range []string{"unit", "target", "met"} {
		at := strings.Index(lines[2], col)
		for _, s := range lines[3:] {
			l := []rune(s)
			if col == "met" && len(l) <= at { // no target, no verdict
				continue
			}
			if len(l) <= at || string(l[at-2:at]) != "  " || l[at] == ' ' {
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
		if f.Unmeasured != "" {
			t.Errorf("figure %q is unmeasured: %s", f.Item, f.Unmeasured)
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
		{"zero rounds", []string{"bench", "--only", "engine", "--rounds", "0"}},
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

// TestBenchUnmeasuredServerCPU: a server process that cannot report its CPU
// time gives server CPU figures marked unmeasured, never a number, and the
// table says why.
func TestBenchUnmeasuredServerCPU(t *testing.T) {
	t.Setenv(benchfig.NoCPUEnv, "1") // the server processes inherit it
	code, stdout, stderr := runCLI(t, "bench", "--only", "emulator", "--duration", "100ms", "--json")
	if code != exitOK {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	var got benchOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	cpu := 0
	for _, f := range got.Figures {
		if f.Unit != "CPU-µs/op" {
			if f.Unmeasured != "" {
				t.Errorf("figure %q is marked unmeasured (%s), want only the server CPU figures", f.Item, f.Unmeasured)
			}
			continue
		}
		cpu++
		if f.Unmeasured == "" || f.Value != 0 {
			t.Errorf("figure %q = %v, unmeasured %q: want 0 and a reason", f.Item, f.Value, f.Unmeasured)
		}
		if f.Met != nil && *f.Met {
			t.Errorf("figure %q: an unmeasured figure meets its target", f.Item)
		}
	}
	if cpu != 7 {
		t.Errorf("got %d server CPU figures, want 7", cpu)
	}

	var table strings.Builder
	printBenchTable(&table, got.Figures, 0)
	if n := strings.Count(table.String(), "unmeasured: "); n != 7 {
		t.Errorf("the table explains %d unmeasured figures, want 7:\n%s", n, table.String())
	}
}
