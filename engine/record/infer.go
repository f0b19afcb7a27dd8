package record

import "sort"

// Infer derives a schema from sample JSON payloads as Spark's JSON
// inference does for a batch (Glue's inferSchema): one nullable column per
// top-level field seen, sorted by name; integers are bigint (decimal(p,0)
// beyond 64 bits), other numbers double, true and false boolean, strings
// string; an object is a struct of its fields (sorted by name, merged over
// every record), an array an array of its elements' merged type. Types
// seen for one field across records (or for one array's elements) merge
// as Widen says: bigint and double make double, structs merge field by
// field, arrays element by element, and any other conflict makes string
// (the decoder then keeps the JSON text). A field only ever null, and the
// elements of arrays only ever empty, are string.
//
// Where it differs from Spark: a field only ever seen as {} is a string
// (Spark drops it); an object whose keys cannot name struct fields (empty,
// holding a space or one of :,<>`, or two keys equal ignoring case) or that
// nests deeper than MaxStructDepth is a string; numbers are never inferred
// as decimal unless an integer exceeds 64 bits (Spark's prefersDecimal is
// off by default too). Payloads that are not well-formed JSON objects are
// ignored (the decoder sends them to the dead letter).
func Infer(payloads [][]byte) []Column {
	var top *itype
	var scratch []byte
	for _, p := range payloads {
		s := scanner{b: p}
		s.ws()
		if s.peek() != '{' {
			continue
		}
		it, ok := inferValue(&s, &scratch, 0)
		if !ok {
			continue
		}
		s.ws()
		if s.i != len(s.b) {
			continue
		}
		top = mergeInferred(top, it)
	}
	if top == nil {
		return []Column{}
	}
	names := make([]string, 0, len(top.fields))
	for name := range top.fields {
		names = append(names, name)
	}
	sort.Strings(names)
	cols := make([]Column, 0, len(names))
	for _, name := range names {
		cols = append(cols, Column{Name: name, Type: top.fields[name].toType(1)})
	}
	return cols
}

// itype is an inferred type before it becomes a Type: merging these costs
// no interning per record.
type itype struct {
	kind   byte // 'n' null, 's' scalar, 'o' object, 'a' array
	t      Type // of a scalar
	fields map[string]*itype
	elem   *itype // of an array; nil when every array was empty
}

var nullType = &itype{kind: 'n'}

// inferValue infers the type of the JSON value at s.
func inferValue(s *scanner, scratch *[]byte, depth int) (*itype, bool) {
	if depth > MaxStructDepth+1 {
		return &itype{kind: 's', t: String}, s.skip(0) == nil
	}
	switch s.peek() {
	case '"':
		return &itype{kind: 's', t: String}, s.skip(0) == nil
	case 't', 'f':
		return &itype{kind: 's', t: Boolean}, s.skip(0) == nil
	case 'n':
		return nullType, s.skip(0) == nil
	case '{':
		s.i++
		it := &itype{kind: 'o', fields: map[string]*itype{}}
		for {
			s.ws()
			if s.peek() == '}' {
				s.i++
				return it, true
			}
			key, _, err := s.str(scratch)
			if err != nil {
				return nil, false
			}
			name := string(key)
			s.ws()
			if s.peek() != ':' {
				return nil, false
			}
			s.i++
			s.ws()
			v, ok := inferValue(s, scratch, depth+1)
			if !ok {
				return nil, false
			}
			it.fields[name] = mergeInferred(it.fields[name], v)
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case '}':
			default:
				return nil, false
			}
		}
	case '[':
		s.i++
		it := &itype{kind: 'a'}
		for {
			s.ws()
			if s.peek() == ']' {
				s.i++
				return it, true
			}
			v, ok := inferValue(s, scratch, depth+1)
			if !ok {
				return nil, false
			}
			it.elem = mergeInferred(it.elem, v)
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
			default:
				return nil, false
			}
		}
	}
	num, isInt, err := s.number()
	if err != nil {
		return nil, false
	}
	if !isInt {
		return &itype{kind: 's', t: Double}, true
	}
	if _, ok := parseInt(num); ok {
		return &itype{kind: 's', t: Bigint}, true
	}
	digits := len(num)
	if num[0] == '-' {
		digits--
	}
	if t, err := DecimalOf(digits, 0); err == nil {
		return &itype{kind: 's', t: t}, true
	}
	return &itype{kind: 's', t: Double}, true
}

// mergeInferred merges two inferred types by Widen's rules.
func mergeInferred(a, b *itype) *itype {
	switch {
	case a == nil || a.kind == 'n':
		if b == nil {
			return a
		}
		return b
	case b == nil || b.kind == 'n':
		return a
	case a.kind == 's' && b.kind == 's':
		if a.t == b.t {
			return a
		}
		return &itype{kind: 's', t: Widen(a.t, b.t)}
	case a.kind == 'o' && b.kind == 'o':
		m := &itype{kind: 'o', fields: make(map[string]*itype, len(a.fields)+len(b.fields))}
		for k, v := range a.fields {
			m.fields[k] = v
		}
		for k, v := range b.fields {
			m.fields[k] = mergeInferred(m.fields[k], v)
		}
		return m
	case a.kind == 'a' && b.kind == 'a':
		return &itype{kind: 'a', elem: mergeInferred(a.elem, b.elem)}
	}
	return &itype{kind: 's', t: String}
}

// toType makes the Type of it, nested depth levels deep.
func (it *itype) toType(depth int) Type {
	if it == nil {
		return String
	}
	switch it.kind {
	case 's':
		return it.t
	case 'a':
		if depth > MaxStructDepth {
			return String
		}
		t, err := ArrayOf(it.elem.toType(depth + 1))
		if err != nil {
			return String
		}
		return t
	case 'o':
		if len(it.fields) == 0 || depth > MaxStructDepth {
			return String
		}
		names := make([]string, 0, len(it.fields))
		for n := range it.fields {
			names = append(names, n)
		}
		sort.Strings(names)
		fields := make([]Column, len(names))
		for i, n := range names {
			fields[i] = Column{Name: n, Type: it.fields[n].toType(depth + 1)}
		}
		t, err := StructOf(fields)
		if err != nil {
			return String
		}
		return t
	}
	return String
}

// Widen returns the narrowest type that holds values of both a and b, the
// rule Infer applies when a field's kinds differ across records: Invalid (a
// null) gives way to the other type; int widens to bigint; int, bigint and
// float widen to double; decimals widen to a decimal that holds both (an
// integer counting as decimal(19,0)), and with a float to double; date
// widens to timestamp; any other mix is string.
func Widen(a, b Type) Type {
	switch {
	case a == b || b == Invalid:
		return a
	case a == Invalid:
		return b
	}
	rank := func(t Type) int {
		switch t {
		case Int:
			return 1
		case Bigint:
			return 2
		case Float:
			return 3
		case Double:
			return 4
		}
		return 0
	}
	pa, sa, da := a.Decimal()
	pb, sb, db := b.Decimal()
	if da || db {
		// Spark's rule: a decimal wide enough for both (integers count
		// as decimal(19,0)); with a float, double.
		switch {
		case !da && (a == Int || a == Bigint):
			pa, sa, da = 19, 0, true
		case !db && (b == Int || b == Bigint):
			pb, sb, db = 19, 0, true
		}
		if da && db {
			scale := max(sa, sb)
			t, err := DecimalOf(min(MaxDecimalPrecision, max(pa-sa, pb-sb)+scale), scale)
			if err == nil {
				return t
			}
		}
		if rank(a) >= 3 || rank(b) >= 3 {
			return Double
		}
		return String
	}
	if ra, rb := rank(a), rank(b); ra > 0 && rb > 0 {
		switch {
		case ra >= 3 || rb >= 3:
			return Double
		default:
			return Bigint
		}
	}
	if (a == Date && b == Timestamp) || (a == Timestamp && b == Date) {
		return Timestamp
	}
	return String
}
