package aggregate

import (
	"math/rand/v2"
	"testing"
)

var ventilatorBounds = []Bound{{5, 30, true}, {92, 100, true}, {4, 8, true}}

func r(v float64) Reading { return Reading{V: v, Valid: true} }

func TestGrade(t *testing.T) {
	tests := []struct {
		name     string
		readings []Reading
		bounds   []Bound
		want     Level
	}{
		{"all in", []Reading{r(10), r(95), r(6)}, ventilatorBounds, Green},
		{"all at the bounds", []Reading{r(5), r(100), r(8)}, ventilatorBounds, Green},
		{"all out", []Reading{r(40), r(90), r(2)}, ventilatorBounds, Red},
		{"just outside every bound", []Reading{r(4.999), r(100.5), r(8.01)}, ventilatorBounds, Red},
		{"one out", []Reading{r(40), r(95), r(6)}, ventilatorBounds, Orange},
		{"two out", []Reading{r(40), r(91), r(6)}, ventilatorBounds, Orange},
		{"null reading, rest in", []Reading{{}, r(95), r(6)}, ventilatorBounds, Orange},
		{"null reading, rest out", []Reading{{}, r(90), r(2)}, ventilatorBounds, Orange},
		{"null bound (left join miss)", []Reading{r(10), r(95), r(6)}, nil, Orange},
		{"one null bound", []Reading{r(40), r(90), r(2)}, []Bound{{}, {92, 100, true}, {4, 8, true}}, Orange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Grade(tt.readings, tt.bounds); got != tt.want {
				t.Errorf("Grade(%v) = %s, want %s", tt.readings, got, tt.want)
			}
		})
	}
}

// independentLevel grades integer readings the way an analyst would by
// hand: count the metrics inside their inclusive range.
func independentLevel(pc, o2, mv int) string {
	inside := 0
	for _, ok := range []bool{5 <= pc && pc <= 30, 92 <= o2 && o2 <= 100, 4 <= mv && mv <= 8} {
		if ok {
			inside++
		}
	}
	switch inside {
	case 3:
		return "GREEN"
	case 0:
		return "RED"
	}
	return "ORANGE"
}

// blogLevel is the blog job's expression as written: its GREEN test uses
// "or" and so holds for every reading that is not RED.
func blogLevel(readings []Reading, bounds []Bound) Level {
	out := 0
	for i, rd := range readings {
		if rd.V < bounds[i].Min || rd.V > bounds[i].Max {
			out++
		}
	}
	if out == len(readings) {
		return Red
	}
	return Green
}

// mismatches grades n random ventilator readings with grade and counts
// where it disagrees with independentLevel.
func mismatches(seed uint64, n int, grade func([]Reading, []Bound) Level) int {
	rng := rand.New(rand.NewPCG(seed, 0))
	bad := 0
	for range n {
		// The generator's full ranges, a little wider.
		pc, o2, mv := 1+rng.IntN(45), 85+rng.IntN(20), rng.IntN(13)
		got := grade([]Reading{r(float64(pc)), r(float64(o2)), r(float64(mv))}, ventilatorBounds)
		if got.String() != independentLevel(pc, o2, mv) {
			bad++
		}
	}
	return bad
}

func TestGradeAgainstIndependentComputation(t *testing.T) {
	if bad := mismatches(42, 20000, Grade); bad != 0 {
		t.Errorf("Grade disagrees with the independent computation on %d of 20000 readings", bad)
	}
	// The check must be able to fail: the blog's literal expression grades
	// ORANGE readings GREEN.
	if bad := mismatches(42, 20000, blogLevel); bad == 0 {
		t.Error("the check accepted the blog's literal GREEN condition; it cannot tell a wrong grader")
	}
}
