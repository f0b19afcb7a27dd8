package main

import (
	"bytes"
	"errors"
	"testing"
)

func TestCompactPauseOptions(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        int
		usage       bool
	}{
		{name: "unset", value: "", want: 0},
		{name: "a step", value: "after-done", want: 1},
		{name: "not a step", value: "after-sink", usage: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string {
				if k == envCompactPauseAt {
					return tc.value
				}
				return ""
			}}
			opts, err := compactPauseOptions(e)
			var ue *usageError
			if got := errors.As(err, &ue); got != tc.usage {
				t.Fatalf("%s=%q: error %v, want a usage error: %v", envCompactPauseAt, tc.value, err, tc.usage)
			}
			if len(opts) != tc.want {
				t.Errorf("%s=%q: %d options, want %d", envCompactPauseAt, tc.value, len(opts), tc.want)
			}
		})
	}
}
