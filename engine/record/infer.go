package record

import "sort"

// Infer derives a schema from sample JSON payloads, as Glue's inferSchema does
// for a batch: one nullable column per top-level field seen, typed bigint for
// integers, double for other numbers, boolean, and string for strings and
// nested values. A field seen with several kinds gets the type Widen gives
// them (bigint and double make double; anything else mixed makes string); a
// field only ever null is a string. Payloads that are not well-formed JSON
// objects are ignored (the decoder sends them to the dead letter). Columns
// are sorted by name so that the schema does not depend on order.
func Infer(payloads [][]byte) []Column {
	kinds := map[string]Type{}
	var scratch []byte
	for _, p := range payloads {
		s := scanner{b: p}
		s.ws()
		if s.peek() != '{' {
			continue
		}
		s.i++
		seen := map[string]Type{}
		ok := true
		for ok {
			s.ws()
			if s.peek() == '}' {
				break
			}
			key, _, err := s.str(&scratch)
			if err != nil {
				ok = false
				break
			}
			name := string(key)
			s.ws()
			if s.peek() != ':' {
				ok = false
				break
			}
			s.i++
			s.ws()
			var t Type
			switch s.peek() {
			case '"', '{', '[':
				t = String
				ok = s.skip(0) == nil
			case 't', 'f':
				t = Boolean
				ok = s.skip(0) == nil
			case 'n':
				t = Invalid
				ok = s.skip(0) == nil
			default:
				_, isInt, err := s.number()
				ok = err == nil
				t = Double
				if isInt {
					t = Bigint
				}
			}
			seen[name] = t
			s.ws()
			if s.peek() == ',' {
				s.i++
			} else if s.peek() != '}' {
				ok = false
			}
		}
		if !ok {
			continue
		}
		for name, t := range seen {
			kinds[name] = Widen(kinds[name], t)
		}
	}
	cols := make([]Column, 0, len(kinds))
	for name, t := range kinds {
		if t == Invalid {
			t = String
		}
		cols = append(cols, Column{Name: name, Type: t})
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	return cols
}

// Widen returns the narrowest type that holds values of both a and b, the
// rule Infer applies when a field's kinds differ across records: Invalid (a
// null) gives way to the other type; int widens to bigint; int, bigint and
// float widen to double; date widens to timestamp; any other mix is string.
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
