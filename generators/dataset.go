package generators

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// Dataset is a kind of record a Source generates: a table schema and a
// function that fills one row of it. Use Ventilator, Payments or
// NewTableDataset; the zero value is not usable.
type Dataset struct {
	// Name identifies the data set in summaries ("ventilator", "payments",
	// "table").
	Name string
	// Table is the schema of every well-formed record.
	Table *Table
	// Key is the identity key column: unique per record, written to the
	// ledger's key column.
	Key string
	// Device is the column whose value is the partition key under
	// KeyDevice: many records share it.
	Device string
	// EventTime is the column that carries the record's event time, or ""
	// when records have none.
	EventTime string

	fill func(g *rowGen, seq int64, eventTime time.Time, row []any)
}

// rowGen is the per-record randomness a fill function draws from.
type rowGen struct {
	rng   *rand.Rand
	faker *gofakeit.Faker
}

// Range is an inclusive range of integer readings.
type Range struct{ Min, Max int }

// Contains reports whether v lies in r.
func (r Range) Contains(v int) bool { return v >= r.Min && v <= r.Max }

// The ventilator readings. Values are drawn from the full ranges of the
// generator that the AWS Glue streaming blog used (pressurecontrol 3–40,
// o2stats 90–100, minutevolume 2–10, ventilatorid 1–50); the normal ranges
// below are the reference a job joins against to grade readings.
var (
	ventilatorPressureControl = Range{3, 40}
	ventilatorO2Stats         = Range{90, 100}
	ventilatorMinuteVolume    = Range{2, 10}
	ventilatorIDs             = Range{1, 50}

	// normalPressureControl, normalO2Stats and normalMinuteVolume are the
	// normal ranges of the three metrics.
	normalPressureControl = Range{5, 30}
	normalO2Stats         = Range{92, 100}
	normalMinuteVolume    = Range{4, 8}

	// ventilatorManufacturers are the manufacturer values, as in the blog.
	ventilatorManufacturers = []string{"3M", "GE", "Vyaire", "Getinge"}
)

// Alert levels of a ventilator reading.
const (
	AlertGreen  = "GREEN"  // all three metrics in their normal range
	AlertOrange = "ORANGE" // one or two metrics out of range
	AlertRed    = "RED"    // all three metrics out of range
)

// Expected shares of well-formed ventilator readings by alert level. Each
// reading first draws its level with these probabilities, then draws each
// metric inside its normal range or outside it (within the full range)
// accordingly; ORANGE readings have one or two metrics out of range, chosen
// uniformly among the six combinations.
const (
	ShareGreen  = 0.80
	ShareOrange = 0.15
	ShareRed    = 0.05
)

// VentilatorAlert grades a reading: RED when all three metrics are outside
// their normal range, GREEN when all are inside, ORANGE otherwise. (The blog's
// job meant this; its GREEN condition, written with "or", matches every row.)
func VentilatorAlert(pressureControl, o2Stats, minuteVolume int) string {
	out := 0
	if !normalPressureControl.Contains(pressureControl) {
		out++
	}
	if !normalO2Stats.Contains(o2Stats) {
		out++
	}
	if !normalMinuteVolume.Contains(minuteVolume) {
		out++
	}
	switch out {
	case 0:
		return AlertGreen
	case 3:
		return AlertRed
	}
	return AlertOrange
}

// VentilatorEventTimeLayout is the layout of the ventilator eventtime column.
const VentilatorEventTimeLayout = "2006-01-02 15:04:05"

// Ventilator returns the ventilator metrics data set of the AWS Glue
// streaming blog. Its identity key is serialnumber (a UUID, unique per
// record), its device is ventilatorid, and eventtime carries the event time
// in UTC, to the second.
func Ventilator() *Dataset {
	col := func(name string, k Kind) Column { return Column{Name: name, Type: &Type{Kind: k}} }
	return &Dataset{
		Name: "ventilator",
		Table: &Table{Columns: []Column{
			col("ventilatorid", KindInt),
			col("eventtime", KindString),
			col("serialnumber", KindString),
			col("pressurecontrol", KindInt),
			col("o2stats", KindInt),
			col("minutevolume", KindInt),
			col("manufacturer", KindString),
		}},
		Key:       "serialnumber",
		Device:    "ventilatorid",
		EventTime: "eventtime",
		fill:      fillVentilator,
	}
}

// outside draws a value of full that is outside normal.
func outside(rng *rand.Rand, full, normal Range) int {
	below := normal.Min - full.Min
	above := full.Max - normal.Max
	i := rng.IntN(below + above)
	if i < below {
		return full.Min + i
	}
	return normal.Max + 1 + i - below
}

func inside(rng *rand.Rand, r Range) int { return r.Min + rng.IntN(r.Max-r.Min+1) }

func fillVentilator(g *rowGen, _ int64, eventTime time.Time, row []any) {
	rng := g.rng
	var out [3]bool
	switch u := rng.Float64(); {
	case u < ShareRed:
		out = [3]bool{true, true, true}
	case u < ShareRed+ShareOrange:
		m := 1 + rng.IntN(6) // a non-empty proper subset of the three metrics
		out = [3]bool{m&1 != 0, m&2 != 0, m&4 != 0}
	}
	metric := func(o bool, full, normal Range) int64 {
		if o {
			return int64(outside(rng, full, normal))
		}
		return int64(inside(rng, normal))
	}
	row[0] = int64(inside(rng, ventilatorIDs))
	row[1] = eventTime.UTC().Format(VentilatorEventTimeLayout)
	row[2] = g.faker.UUID()
	row[3] = metric(out[0], ventilatorPressureControl, normalPressureControl)
	row[4] = metric(out[1], ventilatorO2Stats, normalO2Stats)
	row[5] = metric(out[2], ventilatorMinuteVolume, normalMinuteVolume)
	row[6] = ventilatorManufacturers[rng.IntN(len(ventilatorManufacturers))]
}

// Payment event types and currencies drawn by Payments.
var (
	paymentEventTypes = []string{"payment_initiated", "payment_authorized", "payment_captured", "payment_failed", "refund_issued"}
	paymentCurrencies = []string{"USD", "EUR", "GBP", "JPY", "CAD", "AUD"}
	// paymentUsers is the number of distinct user_id values.
	paymentUsers = 1000
	// paymentAmount is the range of amounts in cents.
	paymentAmount = Range{100, 200000}
)

// Payments returns the payment events data set: event_id (a UUID, the
// identity key), user_id ("user-0001" to "user-1000", the device),
// event_type, amount (decimal(10,2)), currency, event_time (epoch
// milliseconds, the event time) and metadata (map<string,string> with
// channel, country and ip).
func Payments() *Dataset {
	col := func(name string, k Kind) Column { return Column{Name: name, Type: &Type{Kind: k}} }
	return &Dataset{
		Name: "payments",
		Table: &Table{Columns: []Column{
			col("event_id", KindString),
			col("user_id", KindString),
			col("event_type", KindString),
			{Name: "amount", Type: &Type{Kind: KindDecimal, Precision: 10, Scale: 2}},
			col("currency", KindString),
			col("event_time", KindBigint),
			{Name: "metadata", Type: &Type{Kind: KindMap, Key: &Type{Kind: KindString}, Value: &Type{Kind: KindString}}},
		}},
		Key:       "event_id",
		Device:    "user_id",
		EventTime: "event_time",
		fill:      fillPayment,
	}
}

var paymentChannels = []string{"web", "mobile", "pos"}

func fillPayment(g *rowGen, _ int64, eventTime time.Time, row []any) {
	rng := g.rng
	row[0] = g.faker.UUID()
	row[1] = fmt.Sprintf("user-%04d", 1+rng.IntN(paymentUsers))
	row[2] = paymentEventTypes[rng.IntN(len(paymentEventTypes))]
	row[3] = decimal{unscaled: int64(inside(rng, paymentAmount)), scale: 2}
	row[4] = paymentCurrencies[rng.IntN(len(paymentCurrencies))]
	row[5] = eventTime.UnixMilli()
	row[6] = []mapEntry{
		{"channel", paymentChannels[rng.IntN(len(paymentChannels))]},
		{"country", g.faker.CountryAbr()},
		{"ip", g.faker.IPv4Address()},
	}
}

// ErrKeyColumn is wrapped by NewTableDataset when the key column is unusable.
var ErrKeyColumn = errors.New("key column")

// GeneratedKey is the name of the identity key column NewTableDataset adds
// to a table that has no string column.
const GeneratedKey = "__id"

// NewTableDataset returns a data set of random rows of t. key names the
// identity key column, which must be a string, int or bigint column; ""
// picks the first string column, or adds a string column named GeneratedKey
// when there is none. Key values are unique: UUIDs for string columns, the
// record's sequence number for integer ones. The device column is the first
// integer column other than the key, else the key. The event time goes to
// the first timestamp column, else to the first bigint column whose name
// contains "time" (as epoch milliseconds), else nowhere.
func NewTableDataset(t *Table, key string) (*Dataset, error) {
	if t == nil || len(t.Columns) == 0 {
		return nil, fmt.Errorf("%w: table has no columns", ErrTableDefinition)
	}
	cols := append([]Column(nil), t.Columns...)
	tab := &Table{Columns: cols}
	ki := -1
	if key != "" {
		if ki = tab.Index(key); ki < 0 {
			return nil, fmt.Errorf("%w %q: no such column; the table has %s", ErrKeyColumn, key, tab)
		}
		switch tab.Columns[ki].Type.Kind {
		case KindString, KindVarchar, KindChar, KindInt, KindBigint:
		default:
			return nil, fmt.Errorf("%w %q: type %s cannot hold a unique key; want string, varchar, char, int or bigint", ErrKeyColumn, key, tab.Columns[ki].Type)
		}
		if k := tab.Columns[ki].Type; (k.Kind == KindVarchar || k.Kind == KindChar) && k.Length < 36 {
			return nil, fmt.Errorf("%w %q: %s is too short for a UUID key; want at least 36 characters", ErrKeyColumn, key, k)
		}
	} else {
		for i, c := range cols {
			if c.Type.Kind == KindString {
				ki = i
				break
			}
		}
		if ki < 0 {
			tab.Columns = append(tab.Columns, Column{Name: GeneratedKey, Type: &Type{Kind: KindString}})
			ki = len(tab.Columns) - 1
		}
	}
	d := &Dataset{Name: "table", Table: tab, Key: tab.Columns[ki].Name, Device: tab.Columns[ki].Name}
	for i, c := range tab.Columns {
		if i != ki && c.Type.isInteger() {
			d.Device = c.Name
			break
		}
	}
	eti, etMillis := -1, false
	for i, c := range tab.Columns {
		if i != ki && c.Type.Kind == KindTimestamp {
			eti = i
			break
		}
	}
	if eti < 0 {
		for i, c := range tab.Columns {
			if i != ki && c.Type.Kind == KindBigint && containsFold(c.Name, "time") {
				eti, etMillis = i, true
				break
			}
		}
	}
	if eti >= 0 {
		d.EventTime = tab.Columns[eti].Name
	}
	d.fill = func(g *rowGen, seq int64, eventTime time.Time, row []any) {
		for i, c := range tab.Columns {
			switch {
			case i == ki && c.Type.isInteger():
				row[i] = seq
			case i == ki:
				row[i] = g.faker.UUID()
			case i == eti && etMillis:
				row[i] = eventTime.UnixMilli()
			case i == eti:
				row[i] = eventTime.UTC()
			default:
				row[i] = randomValue(g, c.Type, eventTime, 0)
			}
		}
	}
	return d, nil
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// decimal is a decimal value: unscaled × 10^-scale.
type decimal struct {
	unscaled int64
	scale    int
}

func (d decimal) String() string {
	neg := d.unscaled < 0
	u := d.unscaled
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	if d.scale > 0 {
		for len(s) <= d.scale {
			s = "0" + s
		}
		s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// mapEntry is one entry of a map value; maps are kept as ordered slices so
// that encodings are deterministic.
type mapEntry struct{ k, v any }

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000}

// randomValue draws a value of type t. Values are kept small and readable:
// integers within their type, short words for strings, times within a day
// before the event time.
func randomValue(g *rowGen, t *Type, eventTime time.Time, depth int) any {
	rng := g.rng
	switch t.Kind {
	case KindTinyint:
		return int64(rng.IntN(128))
	case KindSmallint:
		return int64(rng.IntN(10000))
	case KindInt:
		return int64(rng.IntN(1000000))
	case KindBigint:
		return rng.Int64N(1000000000000)
	case KindFloat:
		return float64(float32(rng.Float64() * 1000))
	case KindDouble:
		return rng.Float64() * 1000000
	case KindDecimal:
		digits := min(t.Precision, 18)
		return decimal{unscaled: rng.Int64N(pow10[digits]), scale: t.Scale}
	case KindString:
		return g.faker.Word()
	case KindVarchar:
		s := g.faker.Word()
		if len(s) > t.Length {
			s = s[:t.Length]
		}
		return s
	case KindChar:
		s := g.faker.Word()
		for len(s) < t.Length {
			s += " "
		}
		return s[:t.Length]
	case KindBoolean:
		return rng.IntN(2) == 1
	case KindDate:
		return eventTime.UTC().AddDate(0, 0, -rng.IntN(365)).Truncate(24 * time.Hour)
	case KindTimestamp:
		return eventTime.UTC().Add(-time.Duration(rng.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond)
	case KindBinary:
		b := make([]byte, 4+rng.IntN(13))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	case KindArray:
		n := rng.IntN(4)
		if depth > 3 {
			n = 0
		}
		a := make([]any, n)
		for i := range a {
			a[i] = randomValue(g, t.Elem, eventTime, depth+1)
		}
		return a
	case KindMap:
		n := rng.IntN(4)
		if depth > 3 {
			n = 0
		}
		m := make([]mapEntry, 0, n)
		seen := map[string]bool{}
		for range n {
			k := randomValue(g, t.Key, eventTime, depth+1)
			ks := fmt.Sprint(k)
			if seen[ks] {
				continue
			}
			seen[ks] = true
			m = append(m, mapEntry{k, randomValue(g, t.Value, eventTime, depth+1)})
		}
		return m
	case KindStruct:
		s := make([]any, len(t.Fields))
		for i, f := range t.Fields {
			s[i] = randomValue(g, f.Type, eventTime, depth+1)
		}
		return s
	}
	return nil
}
