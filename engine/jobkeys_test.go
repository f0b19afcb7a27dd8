package engine

import (
	"os"
	"strings"
	"testing"
)

// TestParseJobNamesKeyOfBadValue checks that a value of the wrong type, a
// duration out of range and a misspelt key are reported with the key, its
// line and what was wanted (before, a wrong type named only the line and the
// Go type, and a huge duration overflowed silently).
func TestParseJobNamesKeyOfBadValue(t *testing.T) {
	t.Parallel()
	base, err := os.ReadFile("../examples/ventilator/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"duration", "windowSize: 100 seconds", "windowSize: lots",
			`forEachBatch.windowSize: line 32: want a duration like "100 seconds" or "100s", got "lots"`},
		{"duration out of range", "windowSize: 100 seconds", "windowSize: 1e300 days",
			`forEachBatch.windowSize: line 32: duration "1e300 days" is out of range`},
		{"integer", "startingPosition: trim_horizon", "startingPosition: trim_horizon\n  maxFetchTimeInMs: abc",
			`connectionOptions.maxFetchTimeInMs: line 30: want a whole number, got "abc"`},
		{"flow mapping", "{name: o2stats, type: int}", "{name: o2stats, type: [int]}",
			`source.columns[4].type: line 24: want a string, got a list`},
		{"misspelt key", "windowSize: 100 seconds", "windowSise: 100 seconds",
			`line 32: unknown key windowSise (did you mean windowSize?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := strings.Replace(string(base), tt.old, tt.new, 1)
			_, err := ParseJob([]byte(data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseJob error = %v; want it to hold %q", err, tt.want)
			}
		})
	}
	if _, err := ParseJob(base); err != nil {
		t.Errorf("ParseJob(example) = %v; want it accepted", err)
	}
}
