package aggregate

// Level is an alert level.
type Level uint8

// The alert levels. Their order is that of the counts in window rows.
const (
	Red    Level = iota // every metric out of its normal range
	Orange              // anything else, including a null reading or bound
	Green               // every metric within its normal range
)

// String returns "RED", "ORANGE" or "GREEN".
func (l Level) String() string {
	switch l {
	case Red:
		return "RED"
	case Green:
		return "GREEN"
	}
	return "ORANGE"
}

// Bound is the normal range of one metric, inclusive at both ends. A bound
// that is not Valid (null in the reference table) compares as unknown.
type Bound struct {
	Min, Max float64
	Valid    bool
}

// Reading is one metric's value; Valid is false for null.
type Reading struct {
	V     float64
	Valid bool
}

// Grade returns the alert level of readings against bounds (same length,
// in metric order) with Spark SQL's three-valued logic, as the blog's job
// computes it: RED when every reading is known to be out of range, GREEN
// when every reading is known to be in range, ORANGE otherwise. A null
// reading or bound is neither in nor out, so it makes the level ORANGE.
// The blog's GREEN condition, written with "or", matches every row; Grade
// uses the intended "and".
func Grade(readings []Reading, bounds []Bound) Level {
	out, in := 0, 0
	for i, r := range readings {
		b := Bound{}
		if i < len(bounds) {
			b = bounds[i]
		}
		if !r.Valid || !b.Valid {
			continue
		}
		if r.V < b.Min || r.V > b.Max {
			out++
		} else {
			in++
		}
	}
	switch len(readings) {
	case out:
		return Red
	case in:
		return Green
	}
	return Orange
}
