package kinesisfake

import (
	"math/rand/v2"
	"testing"
)

// TestRecIndexMatchesSlice drives recIndex and a plain slice with the same
// seeded pushes and trims and compares them after every step.
func TestRecIndexMatchesSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x recIndex
	var model []rec
	next := uint64(1)
	check := func(step int) {
		t.Helper()
		if got, want := x.len(), len(model); got != want {
			t.Fatalf("step %d: len got %d, want %d", step, got, want)
		}
		for _, i := range []int{0, len(model) / 2, len(model) - 1} {
			if i >= 0 && i < len(model) && x.at(i) != model[i] {
				t.Fatalf("step %d: at(%d) got %+v, want %+v", step, i, x.at(i), model[i])
			}
		}
		if len(model) > 0 {
			c := model[len(model)/3].counter
			if got, want := x.search(func(r rec) bool { return r.counter >= c }), len(model)/3; got != want {
				t.Fatalf("step %d: search got %d, want %d", step, got, want)
			}
		}
	}
	for step := 0; step < 2000; step++ {
		if rng.IntN(3) > 0 {
			for n := rng.IntN(3 * recBlock); n > 0; n-- {
				r := rec{counter: next}
				next++
				x.push(r)
				model = append(model, r)
			}
		} else if len(model) > 0 {
			n := rng.IntN(len(model) + 1)
			x.dropFront(n)
			model = model[n:]
		}
		check(step)
	}
	// The checker must be able to fail: a wrong model is caught.
	if len(model) > 1 && x.at(1) == model[0] {
		t.Fatalf("at(1) equals at(0): the comparison cannot tell records apart")
	}
}
