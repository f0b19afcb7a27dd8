package editdist_test

import (
	"testing"

	"github.com/streamcheck/streamcheck/internal/editdist"
)

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{name: "equal", a: "windowSize", b: "windowSize", want: 0},
		{name: "empty", a: "", b: "abc", want: 3},
		{name: "substitution", a: "shard", b: "shart", want: 1},
		{name: "insertion and deletion", a: "startingPosition", b: "startingPositon", want: 1},
		{name: "unrelated", a: "kitten", b: "sitting", want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := editdist.Levenshtein(tt.a, tt.b); got != tt.want {
				t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := editdist.Levenshtein(tt.b, tt.a); got != tt.want {
				t.Errorf("Levenshtein(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}
