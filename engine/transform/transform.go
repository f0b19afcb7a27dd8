package transform

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/streamcheck/streamcheck/engine/record"
)

// Mapping is one ApplyMapping entry: the source column, the target name and
// type, and for string to timestamp or date casts an optional Format (a Java
// pattern such as "yyyy-MM-dd HH:mm:ss", or a Go layout).
type Mapping struct {
	Source string
	Target string
	Type   record.Type
	Format string
}

// Derived is a column computed by an expression over the mapped columns.
type Derived struct {
	Name string
	Type record.Type
	Expr string
}

// Spec is the transforms of a job, applied in order: mappings (none means
// every input column as is), derived columns, then the filter (a boolean
// expression; rows for which it is false are dropped).
type Spec struct {
	Mappings []Mapping
	Derived  []Derived
	Filter   string
}

// Transform is a compiled Spec. It is safe for concurrent use.
type Transform struct {
	out      []record.Column
	steps    []step
	derived  []*vm.Program
	filter   *vm.Program
	needsEnv bool
}

type step struct {
	from   int
	to     record.Type
	layout string
}

// New compiles spec against the input schema in. Errors name the mapping or
// expression at fault.
func New(in []record.Column, spec Spec) (*Transform, error) {
	t := &Transform{}
	idx := map[string]int{}
	for i, c := range in {
		idx[c.Name] = i
	}
	if len(spec.Mappings) == 0 {
		for i, c := range in {
			t.out = append(t.out, record.Column{Name: c.Name, Type: c.Type})
			t.steps = append(t.steps, step{from: i, to: c.Type})
		}
	}
	seen := map[string]bool{}
	for i, m := range spec.Mappings {
		from, ok := idx[m.Source]
		if !ok {
			return nil, fmt.Errorf("transform: mapping %d: no source column %q", i, m.Source)
		}
		if seen[m.Target] {
			return nil, fmt.Errorf("transform: mapping %d: target %q appears twice", i, m.Target)
		}
		seen[m.Target] = true
		s := step{from: from, to: m.Type}
		if m.Format != "" {
			s.layout = Layout(m.Format)
		}
		t.out = append(t.out, record.Column{Name: m.Target, Type: m.Type})
		t.steps = append(t.steps, s)
	}
	env := map[string]any{}
	for _, c := range t.out {
		env[c.Name] = zero(c.Type)
	}
	for _, d := range spec.Derived {
		p, err := expr.Compile(d.Expr, expr.Env(env), expr.AllowUndefinedVariables())
		if err != nil {
			return nil, fmt.Errorf("transform: derived column %q: compile %q: %w", d.Name, d.Expr, err)
		}
		t.derived = append(t.derived, p)
		t.out = append(t.out, record.Column{Name: d.Name, Type: d.Type})
		env[d.Name] = zero(d.Type)
	}
	if spec.Filter != "" {
		p, err := expr.Compile(spec.Filter, expr.Env(env), expr.AsBool(), expr.AllowUndefinedVariables())
		if err != nil {
			return nil, fmt.Errorf("transform: filter: compile %q: %w", spec.Filter, err)
		}
		t.filter = p
	}
	t.needsEnv = len(t.derived) > 0 || t.filter != nil
	return t, nil
}

func zero(t record.Type) any {
	switch t {
	case record.String:
		return ""
	case record.Int, record.Bigint:
		return int64(0)
	case record.Double, record.Float:
		return float64(0)
	case record.Boolean:
		return false
	case record.Timestamp, record.Date:
		return time.Time{}
	case record.Binary:
		return []byte{}
	}
	if _, _, ok := t.Decimal(); ok {
		return float64(0)
	}
	switch {
	case t.Struct() || t.Map():
		return map[string]any{}
	case t.Array():
		return []any{}
	}
	return nil
}

// Output returns the schema of the rows Apply produces.
func (t *Transform) Output() []record.Column { return t.out }

// Apply maps in (a row of the input schema) into out (len(Output())) and
// reports whether the filter keeps it. A cast that fails yields null, as
// ApplyMapping does, with two exceptions that are errors (the record goes to
// the dead letter rather than lose its value): a binary value that is not
// valid UTF-8 cast to string, and a number too large for the precision of a
// decimal it is cast to (see castDecimal; casts to and from decimal are
// exact, never through binary floating point unless a float is the source
// or the target). String to binary takes the string's bytes; binary to
// string the bytes as text; a struct, array or map to string is its JSON
// text, and keeps its value only when mapped to the same type. An
// expression that fails at run time is an error.
func (t *Transform) Apply(in, out []record.Value) (bool, error) {
	for i, s := range t.steps {
		v := &in[s.from]
		if v.Type == s.to || v.Type == record.Invalid { // v.Null() would copy *v
			out[i] = *v // as cast does, without the call
			continue
		}
		if v.Type == record.Binary && s.to == record.String && !utf8.ValidString(v.S) {
			return false, fmt.Errorf("transform: mapping to %q: binary value (%d bytes) is not valid UTF-8, so it cannot be cast to string", t.out[i].Name, len(v.S))
		}
		if _, _, ok := s.to.Decimal(); ok {
			d, err := castDecimal(*v, s.to)
			if err != nil {
				return false, fmt.Errorf("transform: mapping to %q: %w", t.out[i].Name, err)
			}
			out[i] = d
			continue
		}
		out[i] = cast(*v, s.to, s.layout)
	}
	if !t.needsEnv {
		return true, nil
	}
	env := make(map[string]any, len(t.out))
	n := len(t.steps)
	for i := 0; i < n; i++ {
		env[t.out[i].Name] = out[i].Any()
	}
	for j, p := range t.derived {
		x, err := expr.Run(p, env)
		if err != nil {
			return false, fmt.Errorf("transform: derived column %q: %w", t.out[n+j].Name, err)
		}
		v, err := record.FromAny(x, t.out[n+j].Type)
		if err != nil {
			return false, fmt.Errorf("transform: derived column %q: %w", t.out[n+j].Name, err)
		}
		out[n+j] = v
		env[t.out[n+j].Name] = v.Any()
	}
	if t.filter != nil {
		x, err := expr.Run(t.filter, env)
		if err != nil {
			return false, fmt.Errorf("transform: filter: %w", err)
		}
		keep, _ := x.(bool)
		return keep, nil
	}
	return true, nil
}

func cast(v record.Value, to record.Type, layout string) record.Value {
	if v.Null() || v.Type == to {
		return v
	}
	if _, _, ok := v.Type.Decimal(); ok && to != record.String {
		return decimalTo(v, to)
	}
	switch to {
	case record.String:
		if v.Type == record.Binary {
			return record.Value{Type: record.String, S: v.S}
		}
		return record.Value{Type: record.String, S: v.Text()}
	case record.Binary:
		if v.Type == record.String {
			return record.Value{Type: record.Binary, S: v.S}
		}
	case record.Int, record.Bigint:
		var n int64
		switch v.Type {
		case record.Int, record.Bigint, record.Boolean:
			n = v.I
		case record.Double, record.Float:
			if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
				return record.Value{}
			}
			n = int64(v.Float())
		case record.String:
			p, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
			if err != nil {
				return record.Value{}
			}
			n = p
		case record.Timestamp:
			n = v.I / 1e6
		default:
			return record.Value{}
		}
		if to == record.Int && (n < math.MinInt32 || n > math.MaxInt32) {
			return record.Value{}
		}
		return record.Value{Type: to, I: n}
	case record.Double, record.Float:
		switch v.Type {
		case record.Int, record.Bigint:
			return record.FloatValue(to, float64(v.I))
		case record.Double, record.Float:
			return record.FloatValue(to, v.Float())
		case record.String:
			f, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
			if err != nil {
				return record.Value{}
			}
			return record.FloatValue(to, f)
		}
	case record.Boolean:
		switch v.Type {
		case record.Int, record.Bigint:
			return record.Bool(v.I != 0)
		case record.String:
			b, err := strconv.ParseBool(strings.TrimSpace(v.S))
			if err != nil {
				return record.Value{}
			}
			return record.Bool(b)
		}
	case record.Timestamp:
		switch v.Type {
		case record.String:
			if layout == sqlLayout {
				if us, ok := parseSQLMicros(v.S); ok {
					return record.Value{Type: record.Timestamp, I: us}
				}
			}
			ts, ok := parseTime(v.S, layout)
			if !ok {
				return record.Value{}
			}
			return record.Value{Type: record.Timestamp, I: ts.UnixMicro()}
		case record.Int, record.Bigint:
			return record.Value{Type: record.Timestamp, I: v.I * 1e6}
		case record.Date:
			return record.Value{Type: record.Timestamp, I: v.I * 86400 * 1e6}
		}
	case record.Date:
		switch v.Type {
		case record.String:
			if layout == "" {
				layout = time.DateOnly
			}
			ts, ok := parseTime(v.S, layout)
			if !ok {
				return record.Value{}
			}
			return record.Value{Type: record.Date, I: ts.Unix() / 86400}
		case record.Timestamp:
			return record.Value{Type: record.Date, I: floorDiv(v.I, 86400*1e6)}
		}
	}
	return record.Value{}
}

// castDecimal casts v to decimal type to, exactly: integers and decimal text
// as they are, other decimals and floating point numbers by their decimal
// text (a float by its shortest text, so 0.1 is 0.1), rounding half up to
// the scale. Text that is not a number, booleans and other types give null,
// as ApplyMapping's casts do; a number too large for the precision is an
// error, so the record goes to the dead letter instead of losing its value.
func castDecimal(v record.Value, to record.Type) (record.Value, error) {
	var text string
	switch v.Type {
	case record.Int, record.Bigint:
		text = strconv.FormatInt(v.I, 10)
	case record.Double, record.Float:
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			return record.Value{}, nil
		}
		text = strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case record.String:
		text = strings.TrimSpace(v.S)
	default:
		if _, _, ok := v.Type.Decimal(); !ok {
			return record.Value{}, nil
		}
		text = v.Text()
	}
	d, err := record.ParseDecimal(text, to)
	if err != nil && v.Type == record.String && !strings.Contains(err.Error(), "does not fit") {
		return record.Value{}, nil // not a number: null, as a failed cast is
	}
	return d, err
}

// decimalTo casts a decimal Value to an integer or floating point type:
// integers truncate toward zero (as Spark's cast does) and are null when out
// of range; floating point takes the nearest value to the decimal text.
func decimalTo(v record.Value, to record.Type) record.Value {
	_, scale, _ := v.Type.Decimal()
	switch to {
	case record.Double, record.Float:
		f, err := strconv.ParseFloat(v.Text(), 64)
		if err != nil {
			return record.Value{}
		}
		return record.FloatValue(to, f)
	case record.Int, record.Bigint:
		u := v.Unscaled()
		u.Quo(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
		if !u.IsInt64() {
			return record.Value{}
		}
		n := u.Int64()
		if to == record.Int && (n < math.MinInt32 || n > math.MaxInt32) {
			return record.Value{}
		}
		return record.Value{Type: to, I: n}
	}
	return record.Value{}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// sqlLayout is the Go layout of Java's "yyyy-MM-dd HH:mm:ss", the most
// common cast format, which parseSQLMicros reads without time.Parse.
const sqlLayout = "2006-01-02 15:04:05"

func parseTime(s, layout string) (time.Time, bool) {
	if layout == sqlLayout {
		if us, ok := parseSQLMicros(s); ok {
			return time.UnixMicro(us).UTC(), true
		}
	}
	if layout != "" {
		t, err := time.Parse(layout, s)
		return t.UTC(), err == nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Layout turns a Java date pattern (as in Spark's to_timestamp, e.g.
// "yyyy-MM-dd HH:mm:ss.SSS") into a Go layout. A string that already contains
// Go's reference year "2006" is returned unchanged. Text in single quotes is
// literal.
func Layout(pattern string) string {
	if strings.Contains(pattern, "2006") {
		return pattern
	}
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := strings.IndexByte(pattern[i+1:], '\'')
			if j < 0 {
				b.WriteString(pattern[i+1:])
				break
			}
			b.WriteString(pattern[i+1 : i+1+j])
			i += j + 2
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		tok := pattern[i : i+n]
		i += n
		switch c {
		case 'y':
			if n == 2 {
				b.WriteString("06")
			} else {
				b.WriteString("2006")
			}
		case 'M':
			switch {
			case n >= 4:
				b.WriteString("January")
			case n == 3:
				b.WriteString("Jan")
			case n == 2:
				b.WriteString("01")
			default:
				b.WriteString("1")
			}
		case 'd':
			if n == 2 {
				b.WriteString("02")
			} else {
				b.WriteString("2")
			}
		case 'H':
			b.WriteString("15")
		case 'h':
			if n == 2 {
				b.WriteString("03")
			} else {
				b.WriteString("3")
			}
		case 'm':
			if n == 2 {
				b.WriteString("04")
			} else {
				b.WriteString("4")
			}
		case 's':
			if n == 2 {
				b.WriteString("05")
			} else {
				b.WriteString("5")
			}
		case 'S':
			b.WriteString(strings.Repeat("0", n))
		case 'a':
			b.WriteString("PM")
		case 'X':
			if n >= 3 {
				b.WriteString("Z07:00")
			} else {
				b.WriteString("Z0700")
			}
		case 'Z':
			b.WriteString("-0700")
		case 'E':
			if n >= 4 {
				b.WriteString("Monday")
			} else {
				b.WriteString("Mon")
			}
		default:
			b.WriteString(tok)
		}
	}
	return b.String()
}

// parseSQLMicros parses "yyyy-MM-dd HH:mm:ss" (UTC) into microseconds
// since the epoch without time.Parse's generality, days counted from the
// civil date by arithmetic; it reports false for anything else, a day the
// month does not have included (time.Parse then decides).
func parseSQLMicros(s string) (int64, bool) {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	n := func(i, w int) int {
		v := 0
		for _, c := range []byte(s[i : i+w]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, se := n(0, 4), n(5, 2), n(8, 2), n(11, 2), n(14, 2), n(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return 0, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+se)
	return secs * 1e6, true
}

// daysIn returns the number of days of month mo (1 to 12) in year y of the
// proleptic Gregorian calendar.
func daysIn(mo, y int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to the proleptic
// Gregorian date y-mo-d (years counted from March, so that the leap day
// ends a year; eras of 400 years of 146,097 days).
func daysFromCivil(y, mo, d int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                     // [0, 399]
	doy := (153*((mo+9)%12)+2)/5 + d - 1   // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}
