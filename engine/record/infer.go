package record

import "sort"

// Infer derives a schema from sample payloads, as Glue's inferSchema does for
// a batch: one nullable column per top-level field seen, typed bigint for
// integers, double for other numbers (or a mix of both), boolean, and string
// for strings, nested values and fields whose kinds conflict. Payloads that are
// not JSON objects are ignored (the decoder sends them to the dead letter).
// Columns are sorted by name so that the schema does not depend on order.
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
			old, had := kinds[name]
			switch {
			case !had || old == Invalid:
				kinds[name] = t
			case t == Invalid || t == old:
			case (old == Bigint && t == Double) || (old == Double && t == Bigint):
				kinds[name] = Double
			default:
				kinds[name] = String
			}
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
