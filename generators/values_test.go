package generators

import (
	"slices"
	"testing"
)

// TestMalformedKindsIsACopy: a caller that changes the slice it got does
// not change what a seed produces.
func TestMalformedKindsIsACopy(t *testing.T) {
	got := MalformedKinds()
	if !slices.Equal(got, malformedKinds) || len(got) == 0 {
		t.Fatalf("MalformedKinds() = %v, want %v", got, malformedKinds)
	}
	got[0] = "changed"
	if MalformedKinds()[0] == "changed" {
		t.Error("changing the returned slice changed the generator's kinds")
	}
}
