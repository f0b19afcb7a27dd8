package sink

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

// TestDistinctSetMatchesMap adds the same seeded Values, scalars of the
// leaf's type and of others, to a distinctSet and to a plain map of Values
// and compares what add reports and the count after every step, for a
// leaf of each kind of scalar, reusing one set across leaves as
// dictionaryPays does.
func TestDistinctSetMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	value := func() record.Value {
		n := int64(rng.IntN(20))
		switch rng.IntN(6) {
		case 0:
			return record.Value{Type: record.String, S: strconv.FormatInt(n, 10)}
		case 1:
			return record.Value{Type: record.String} // the empty string
		case 2:
			return record.Value{Type: record.Bigint, I: n}
		case 3:
			return record.FloatValue(record.Double, float64(n)/4)
		case 4:
			return record.Value{Type: record.Timestamp, I: n}
		}
		return record.Value{Type: record.Binary, S: string(rune('a' + n)), I: int64(rng.IntN(2))} // I and S both set, as a decimal has them
	}
	d := distinctSets.Get().(*distinctSet)
	defer distinctSets.Put(d)
	for _, leaf := range []record.Type{record.String, record.Bigint, record.Double, record.Timestamp, record.Binary} {
		d.reset()
		want := map[record.Value]struct{}{}
		for i := range 2000 {
			v := value()
			_, seen := want[v]
			want[v] = struct{}{}
			if got := d.add(v, leaf); got == seen {
				t.Fatalf("leaf %s, step %d: add(%+v) reported new=%v, want %v", leaf, i, v, got, !seen)
			}
			if got := d.len(); got != len(want) {
				t.Fatalf("leaf %s, step %d: len %d, want %d", leaf, i, got, len(want))
			}
		}
	}
}
