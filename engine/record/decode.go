package record

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// DecodeError says why a payload does not fit a schema. Field is "" when the
// payload is not well-formed at all (not a JSON object, not one CSV record,
// a truncated Avro datum, a line the Grok pattern does not match).
type DecodeError struct {
	Field  string // the offending column, if any
	Offset int    // byte offset in the payload
	Reason string // what was wrong, naming the expected type where there is one
	// Format is the classification that rejected the payload ("CSV",
	// "Avro", "Grok"); "" means JSON.
	Format string
}

// Error names the field (if any), the byte offset and the problem.
func (e *DecodeError) Error() string {
	if e.Field == "" {
		f := e.Format
		if f == "" {
			f = "JSON"
		}
		return fmt.Sprintf("invalid %s at byte %d: %s", f, e.Offset, e.Reason)
	}
	return fmt.Sprintf("field %q at byte %d: %s", e.Field, e.Offset, e.Reason)
}

// Decoder reads JSON objects into rows of a fixed schema. Unknown fields are
// checked for validity and ignored; a repeated field keeps its last value. A
// Decoder is not safe for concurrent use; make one per goroutine.
//
// String values that need no unescaping point into the payload instead of
// copying it, so the caller must not modify a payload while its row is in use.
type Decoder struct {
	cols  []Column
	index map[string]int
	seen  []bool
	buf   []byte
}

// NewDecoder returns a Decoder for cols.
func NewDecoder(cols []Column) *Decoder {
	d := &Decoder{cols: cols, index: make(map[string]int, len(cols)), seen: make([]bool, len(cols))}
	for i, c := range cols {
		d.index[c.Name] = i
	}
	return d
}

// Decode parses data into row, which must have one Value per column. Missing
// optional fields are null.
func (d *Decoder) Decode(data []byte, row []Value) error {
	if !utf8.Valid(data) {
		return &DecodeError{Offset: invalidUTF8At(data), Reason: "invalid UTF-8"}
	}
	for i := range d.seen {
		d.seen[i] = false
		row[i] = Value{}
	}
	s := scanner{b: data}
	s.ws()
	if s.peek() != '{' {
		return s.err("", "want a JSON object")
	}
	s.i++
	s.ws()
	hint := 0
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			s.ws()
			if s.peek() != '"' {
				return s.err("", "want a field name")
			}
			key, _, err := s.str(&d.buf)
			if err != nil {
				return err
			}
			s.ws()
			if s.peek() != ':' {
				return s.err(string(key), "want ':'")
			}
			s.i++
			s.ws()
			// Fields usually come in the schema's order: try the column
			// after the last one found before the map.
			var (
				ci    int
				known bool
			)
			if hint < len(d.cols) && string(key) == d.cols[hint].Name {
				ci, known = hint, true
			} else {
				ci, known = d.index[string(key)]
			}
			if known {
				hint = ci + 1
			}
			if !known {
				if err := s.skip(0); err != nil {
					return err
				}
			} else {
				d.seen[ci] = true
				if err := d.valueInto(&s, &d.cols[ci], &row[ci]); err != nil {
					return err
				}
			}
			s.ws()
			c := s.peek()
			s.i++
			if c == '}' {
				break
			}
			if c != ',' {
				s.i--
				return s.err("", "want ',' or '}'")
			}
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return s.err("", "trailing data after the object")
	}
	for i, c := range d.cols {
		if c.Required && row[i].Null() {
			if d.seen[i] {
				return &DecodeError{Field: c.Name, Offset: len(data), Reason: "null for a required field of type " + c.Type.String()}
			}
			return &DecodeError{Field: c.Name, Offset: len(data), Reason: "missing required field of type " + c.Type.String()}
		}
	}
	return nil
}

func (d *Decoder) value(s *scanner, c Column) (Value, error) {
	var v Value
	err := d.valueInto(s, &c, &v)
	return v, err
}

// valueInto reads the value of column c at s into *out, which it leaves
// alone on error. Writing into the row, rather than returning the Value,
// spares a copy through the stack (and the stall of reading it back).
func (d *Decoder) valueInto(s *scanner, c *Column, out *Value) error {
	start := s.i
	switch s.peek() {
	case 'n':
		if err := s.lit("null"); err != nil {
			return err
		}
		*out = Value{}
		return nil
	case 't', 'f':
		want := "true"
		if s.peek() == 'f' {
			want = "false"
		}
		if err := s.lit(want); err != nil {
			return err
		}
		if c.Type != Boolean {
			return wrongType(*c, start, "boolean")
		}
		*out = Bool(want == "true")
		return nil
	case '"':
		raw, copied, err := s.str(&d.buf)
		if err != nil {
			return err
		}
		var str string
		if copied {
			str = string(raw)
		} else if len(raw) > 0 {
			str = unsafe.String(&raw[0], len(raw))
		}
		switch c.Type {
		case String:
			*out = Value{Type: String, S: str}
			return nil
		case Binary:
			b, err := base64.StdEncoding.DecodeString(str)
			if err != nil {
				return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("want binary as a base64 string (standard alphabet, padded), got %s: %v", quoteShort(str), err)}
			}
			*out = Value{Type: Binary, S: string(b)}
			return nil
		case Timestamp:
			t, ok := parseTimestamp(str)
			if !ok {
				return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("want a timestamp (RFC 3339 or yyyy-MM-dd HH:mm:ss), got %q", str)}
			}
			*out = Value{Type: Timestamp, I: t.UnixMicro()}
			return nil
		case Date:
			t, err := time.Parse(time.DateOnly, str)
			if err != nil {
				return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("want a date (yyyy-MM-dd), got %q", str)}
			}
			*out = Value{Type: Date, I: t.Unix() / 86400}
			return nil
		}
		if _, _, ok := c.Type.Decimal(); ok {
			v, err := ParseDecimal(str, c.Type)
			if err != nil {
				return &DecodeError{Field: c.Name, Offset: start, Reason: err.Error()}
			}
			*out = v
			return nil
		}
		return wrongType(*c, start, "string")
	case '{', '[':
		switch {
		case s.peek() == '{' && c.Type.Struct():
			v, err := d.structValue(s, *c)
			if err == nil {
				*out = v
			}
			return err
		case s.peek() == '{' && c.Type.Map():
			v, err := d.mapValue(s, *c)
			if err == nil {
				*out = v
			}
			return err
		case s.peek() == '[' && c.Type.Array():
			v, err := d.arrayValue(s, *c)
			if err == nil {
				*out = v
			}
			return err
		}
		if err := s.skip(0); err != nil {
			return err
		}
		if c.Type == String {
			*out = Value{Type: String, S: string(s.b[start:s.i])}
			return nil
		}
		return wrongType(*c, start, map[byte]string{'{': "object", '[': "array"}[s.b[start]])
	}
	num, isInt, err := s.number()
	if err != nil {
		return err
	}
	switch c.Type {
	case Int, Bigint:
		if !isInt {
			return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("want %s, got fractional number %s", c.Type, num)}
		}
		n, ok := parseInt(num)
		if !ok || (c.Type == Int && (n < math.MinInt32 || n > math.MaxInt32)) {
			return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("number %s out of range for %s", num, c.Type)}
		}
		*out = Value{Type: c.Type, I: n}
		return nil
	case Double, Float:
		f, err := strconv.ParseFloat(unsafe.String(&num[0], len(num)), 64)
		if err != nil {
			return &DecodeError{Field: c.Name, Offset: start, Reason: fmt.Sprintf("number %s out of range for %s", num, c.Type)}
		}
		*out = FloatValue(c.Type, f)
		return nil
	}
	if _, _, ok := c.Type.Decimal(); ok {
		// The number's own text, never a float: exact to the last digit.
		v, err := ParseDecimal(string(num), c.Type)
		if err != nil {
			return &DecodeError{Field: c.Name, Offset: start, Reason: err.Error()}
		}
		*out = v
		return nil
	}
	return wrongType(*c, start, "number")
}

// arrayValue reads a JSON array into an array Value; an error inside it
// names the element as column[i].
func (d *Decoder) arrayValue(s *scanner, c Column) (Value, error) {
	elem := Column{Name: c.Name, Type: c.Type.Elem()}
	var elems []Value
	s.i++ // '['
	s.ws()
	if s.peek() == ']' {
		s.i++
		return ArrayValue(c.Type, nil), nil
	}
	for {
		s.ws()
		elem.Name = c.Name + "[" + strconv.Itoa(len(elems)) + "]"
		v, err := d.value(s, elem)
		if err != nil {
			return Value{}, err
		}
		elems = append(elems, v)
		s.ws()
		ch := s.peek()
		s.i++
		if ch == ']' {
			return ArrayValue(c.Type, elems), nil
		}
		if ch != ',' {
			s.i--
			return Value{}, s.err(c.Name, "want ',' or ']'")
		}
	}
}

// mapValue reads a JSON object into a map Value: each name is parsed as the
// key type (as text, the way Spark reads a JSON map's keys), each value as
// the value type; a repeated name keeps its last value. An error names the
// entry as column["key"].
func (d *Decoder) mapValue(s *scanner, c Column) (Value, error) {
	keyCol := Column{Name: c.Name, Type: c.Type.Key()}
	valCol := Column{Name: c.Name, Type: c.Type.Elem()}
	var kv []Value
	index := map[string]int{}
	s.i++ // '{'
	s.ws()
	if s.peek() == '}' {
		s.i++
		return MapValue(c.Type, nil), nil
	}
	var keyBuf []byte
	for {
		s.ws()
		at := s.i
		if s.peek() != '"' {
			return Value{}, s.err(c.Name, "want a map key")
		}
		raw, _, err := s.str(&keyBuf)
		if err != nil {
			return Value{}, err
		}
		key := string(raw)
		k, reason := Value{Type: String, S: key}, ""
		if keyCol.Type != String {
			k, reason = parseText(key, keyCol)
		}
		if reason == "" && k.Null() {
			reason = "empty map key"
		}
		if reason != "" {
			return Value{}, &DecodeError{Field: c.Name, Offset: at, Reason: "map key: " + reason}
		}
		s.ws()
		if s.peek() != ':' {
			return Value{}, s.err(c.Name, "want ':'")
		}
		s.i++
		s.ws()
		valCol.Name = c.Name + "[" + strconv.Quote(key) + "]"
		v, err := d.value(s, valCol)
		if err != nil {
			return Value{}, err
		}
		if i, dup := index[key]; dup {
			kv[i+1] = v
		} else {
			index[key] = len(kv)
			kv = append(kv, k, v)
		}
		s.ws()
		ch := s.peek()
		s.i++
		if ch == '}' {
			return MapValue(c.Type, kv), nil
		}
		if ch != ',' {
			s.i--
			return Value{}, s.err(c.Name, "want ',' or '}'")
		}
	}
}

// structValue reads an object into a struct Value: fields go to the struct
// fields of the same name (exactly, else ignoring case), unknown fields are
// checked and ignored, missing ones are null. Errors name the field as
// column.field.
func (d *Decoder) structValue(s *scanner, c Column) (Value, error) {
	st := structOf(c.Type)
	fields := make([]Value, len(st.fields))
	s.i++ // '{'
	s.ws()
	if s.peek() == '}' {
		s.i++
		return StructValue(c.Type, fields), nil
	}
	var keyBuf []byte
	for {
		s.ws()
		if s.peek() != '"' {
			return Value{}, s.err(c.Name, "want a field name")
		}
		key, _, err := s.str(&keyBuf)
		if err != nil {
			return Value{}, err
		}
		s.ws()
		if s.peek() != ':' {
			return Value{}, s.err(c.Name+"."+string(key), "want ':'")
		}
		s.i++
		s.ws()
		if fi := st.fieldIndex(string(key)); fi < 0 {
			if err := s.skip(0); err != nil {
				return Value{}, err
			}
		} else {
			v, err := d.value(s, st.fields[fi])
			if err != nil {
				return Value{}, nestField(err, c.Name)
			}
			fields[fi] = v
		}
		s.ws()
		ch := s.peek()
		s.i++
		if ch == '}' {
			return StructValue(c.Type, fields), nil
		}
		if ch != ',' {
			s.i--
			return Value{}, s.err(c.Name, "want ',' or '}'")
		}
	}
}

// nestField prefixes the field a *DecodeError names with the struct column
// holding it; an error naming no field is about the payload and is kept.
func nestField(err error, column string) error {
	var de *DecodeError
	if errors.As(err, &de) && de.Field != "" {
		de.Field = column + "." + de.Field
	}
	return err
}

// quoteShort quotes s, cut to 64 bytes so that a long value does not flood
// the dead letter's error.
func quoteShort(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "..."
	}
	return strconv.Quote(s)
}

func wrongType(c Column, at int, got string) error {
	return &DecodeError{Field: c.Name, Offset: at, Reason: fmt.Sprintf("want %s, got %s", c.Type, got)}
}

var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", time.DateOnly}

func parseTimestamp(s string) (time.Time, bool) {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseInt(b []byte) (int64, bool) {
	neg := false
	i := 0
	if b[0] == '-' {
		neg, i = true, 1
	}
	if len(b)-i > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	var n int64
	for ; i < len(b); i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) err(field, reason string) error {
	if s.i >= len(s.b) {
		reason += ", got end of input"
	}
	return &DecodeError{Field: field, Offset: s.i, Reason: reason}
}

func (s *scanner) lit(want string) error {
	if len(s.b)-s.i < len(want) || string(s.b[s.i:s.i+len(want)]) != want {
		return s.err("", "want "+want)
	}
	s.i += len(want)
	return nil
}

// str reads a string at s.i (which is '"'). It returns a slice of the
// payload when there are no escapes, else an unescaped copy in *buf.
func (s *scanner) str(buf *[]byte) ([]byte, bool, error) {
	b, i := s.b, s.i+1
	start := i
	// Eight bytes at a time: the lowest flagged byte of each test below is
	// exact (a borrow only flags bytes above a true one), so the lowest
	// flag of all is the first byte that ends the run; the byte loop reads
	// the last few bytes of the payload.
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := (hasZeroByte(w^0x2222222222222222) | hasZeroByte(w^0x5c5c5c5c5c5c5c5c) | (w-0x2020202020202020)&^w) & 0x8080808080808080; m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
		i += 8
	}
	for i < len(b) && !strStop[b[i]] {
		i++
	}
	s.i = i
	switch {
	case i == len(b):
		return nil, false, s.err("", "unterminated string")
	case b[i] == '"':
		s.i++
		return b[start:i], false, nil
	case b[i] == '\\':
		return s.strEscaped(start, buf)
	}
	return nil, false, s.err("", "control character in string")
}

// hasZeroByte has the high bit of a byte of its result set where the byte of
// w is 0, exactly for the lowest such byte (see str).
func hasZeroByte(w uint64) uint64 { return (w - 0x0101010101010101) &^ w }

// strStop marks the bytes that end a run of plain string bytes: the
// closing quote, a backslash and the control characters.
var strStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (s *scanner) strEscaped(start int, buf *[]byte) ([]byte, bool, error) {
	out := append((*buf)[:0], s.b[start:s.i]...) //nolint:gocritic // reuses the caller's buffer; *buf is updated on return
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			*buf = out
			return out, true, nil
		case c < 0x20:
			return nil, false, s.err("", "control character in string")
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		s.i++
		if s.i >= len(s.b) {
			break
		}
		e := s.b[s.i]
		s.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, false, s.err("", "invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					r2, ok := s.hex4()
					if !ok {
						return nil, false, s.err("", "invalid \\u escape")
					}
					r = utf16.DecodeRune(r, r2)
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.i--
			return nil, false, s.err("", "invalid escape")
		}
	}
	return nil, false, s.err("", "unterminated string")
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.i += 4
	return r, true
}

// number reads a JSON number and reports whether it is an integer.
func (s *scanner) number() ([]byte, bool, error) {
	b, start := s.b, s.i
	i := start
	if i < len(b) && b[i] == '-' {
		i++
	}
	first := i
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	if i == first {
		return nil, false, s.err("", "want a value")
	}
	if i-first > 1 && b[first] == '0' {
		s.i = i
		return nil, false, s.err("", "leading zero in number")
	}
	if i == len(b) || b[i] != '.' && b[i] != 'e' && b[i] != 'E' {
		s.i = i
		return b[start:i], true, nil
	}
	s.i = i
	return s.fraction(start)
}

// fraction reads the rest of a number from its '.' or exponent on; the
// number began at start.
func (s *scanner) fraction(start int) ([]byte, bool, error) {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.peek() == '.' {
		s.i++
		if digits() == 0 {
			return nil, false, s.err("", "want digits after '.'")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if digits() == 0 {
			return nil, false, s.err("", "want digits in exponent")
		}
	}
	return s.b[start:s.i], false, nil
}

// skip validates and skips one value of any kind.
func (s *scanner) skip(depth int) error {
	if depth > 512 {
		return s.err("", "nesting too deep")
	}
	var scratch []byte
	switch s.peek() {
	case '"':
		_, _, err := s.str(&scratch)
		return err
	case 'n':
		return s.lit("null")
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case '{', '[':
		closer := byte('}')
		obj := s.peek() == '{'
		if !obj {
			closer = ']'
		}
		s.i++
		s.ws()
		if s.peek() == closer {
			s.i++
			return nil
		}
		for {
			s.ws()
			if obj {
				if s.peek() != '"' {
					return s.err("", "want a field name")
				}
				if _, _, err := s.str(&scratch); err != nil {
					return err
				}
				s.ws()
				if s.peek() != ':' {
					return s.err("", "want ':'")
				}
				s.i++
				s.ws()
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			c := s.peek()
			if c == closer {
				s.i++
				return nil
			}
			if c != ',' {
				return s.err("", fmt.Sprintf("want ',' or '%c'", closer))
			}
			s.i++
		}
	}
	_, _, err := s.number()
	return err
}
