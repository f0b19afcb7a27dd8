package expr

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// maxDepth is how deeply DynamoDB lets lists and maps nest: an attribute
// is level 1, and nothing may sit at level 33.
const maxDepth = 32

const (
	msgInvalidPrefix = "One or more parameter values were invalid: "
	msgEmptyValue    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgTwoTypes      = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullFalse     = msgInvalidPrefix + "Null attribute value types must have the value of true"
	msgNesting       = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
)

// MarshalJSON encodes v as DynamoDB JSON 1.0 sends an AttributeValue:
// {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"BOOL":true}, {"NULL":true},
// {"L":[...]}, {"M":{...}}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]}.
func (v Value) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(nil), nil
}

// AppendJSON appends v's DynamoDB JSON encoding (as MarshalJSON) to dst.
func (v Value) AppendJSON(dst []byte) []byte {
	switch v.Type {
	case TypeS:
		dst = append(dst, `{"S":`...)
		dst = jsontext.AppendString(dst, v.S)
	case TypeN:
		dst = append(dst, `{"N":"`...)
		dst = append(dst, v.N...)
		dst = append(dst, '"')
	case TypeB:
		dst = append(dst, `{"B":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, v.B)
		dst = append(dst, '"')
	case TypeBOOL:
		if v.BOOL {
			return append(dst, `{"BOOL":true}`...)
		}
		return append(dst, `{"BOOL":false}`...)
	case TypeNULL:
		return append(dst, `{"NULL":true}`...)
	case TypeL:
		dst = append(dst, `{"L":[`...)
		for i, e := range v.L {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.AppendJSON(dst)
		}
		dst = append(dst, ']')
	case TypeM:
		dst = append(dst, `{"M":`...)
		dst = Item(v.M).AppendJSON(dst)
	case TypeSS:
		dst = append(dst, `{"SS":[`...)
		for i, s := range v.SS {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, s)
		}
		dst = append(dst, ']')
	case TypeNS:
		dst = append(dst, `{"NS":[`...)
		for i, s := range v.NS {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = append(dst, s...)
			dst = append(dst, '"')
		}
		dst = append(dst, ']')
	case TypeBS:
		dst = append(dst, `{"BS":[`...)
		for i, b := range v.BS {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, b)
			dst = append(dst, '"')
		}
		dst = append(dst, ']')
	default:
		return append(dst, `{}`...)
	}
	return append(dst, '}')
}

// AppendJSON appends the item as a DynamoDB JSON attribute map
// ({"name":{"S":"x"},...}) to dst, attributes in name order.
func (it Item) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if len(it) == 1 {
		for k, v := range it {
			dst = jsontext.AppendString(dst, k)
			dst = append(dst, ':')
			dst = v.AppendJSON(dst)
		}
		return append(dst, '}')
	}
	for i, k := range sortedKeys(it) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, k)
		dst = append(dst, ':')
		dst = it[k].AppendJSON(dst)
	}
	return append(dst, '}')
}

// MarshalJSON encodes the item as AppendJSON does.
func (it Item) MarshalJSON() ([]byte, error) {
	return it.AppendJSON(nil), nil
}

// UnmarshalJSON decodes one DynamoDB JSON AttributeValue and validates it as
// DynamoDB does; the error text is the message of AWS's ValidationException
// (for a value in ExpressionAttributeValues AWS words it as
// "ExpressionAttributeValues contains invalid value: <message> for key :v").
func (v *Value) UnmarshalJSON(b []byte) error {
	d := decoder{data: b}
	d.skipSpace()
	val, err := d.value(0)
	if err != nil {
		return err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.syntaxError()
	}
	*v = val
	return nil
}

// UnmarshalJSON decodes an attribute map ({"name":{"S":"x"},...}), each
// value validated as Value.UnmarshalJSON does.
func (it *Item) UnmarshalJSON(b []byte) error {
	d := decoder{data: b}
	d.skipSpace()
	if d.peek() == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		*it = nil
		return nil
	}
	m, err := d.object(0)
	if err != nil {
		return err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.syntaxError()
	}
	*it = m
	return nil
}

// decoder is a small JSON reader specialised to AttributeValues.
type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) syntaxError() error {
	if d.pos >= len(d.data) {
		return &SerializationError{Message: "Unexpected end of JSON input in an AttributeValue"}
	}
	return &SerializationError{Message: fmt.Sprintf("Unexpected character (%q) at offset %d of an AttributeValue", d.data[d.pos], d.pos)}
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) expect(c byte) error {
	d.skipSpace()
	if d.peek() != c {
		return d.syntaxError()
	}
	d.pos++
	return nil
}

func (d *decoder) literal(word string) error {
	if !strings.HasPrefix(string(d.data[d.pos:min(len(d.data), d.pos+len(word))]), word) {
		return d.syntaxError()
	}
	d.pos += len(word)
	return nil
}

// str reads a JSON string.
func (d *decoder) str() (string, error) {
	d.skipSpace()
	if d.peek() != '"' {
		return "", d.syntaxError()
	}
	start := d.pos
	d.pos++
	escaped := false
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '\\':
			escaped = true
			d.pos += 2
			continue
		case c == '"':
			d.pos++
			raw := d.data[start+1 : d.pos-1]
			if !escaped && utf8.Valid(raw) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(d.data[start:d.pos], &s); err != nil {
				return "", d.syntaxError()
			}
			return s, nil
		case c < 0x20:
			return "", d.syntaxError()
		}
		d.pos++
	}
	return "", d.syntaxError()
}

// boolean reads true or false.
func (d *decoder) boolean() (bool, error) {
	d.skipSpace()
	switch d.peek() {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return false, d.syntaxError()
}

// null consumes a JSON null if one is next.
func (d *decoder) null() bool {
	d.skipSpace()
	if d.peek() == 'n' && d.literal("null") == nil {
		return true
	}
	return false
}

// list calls elem for each element of a JSON array.
func (d *decoder) list(elem func() error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	d.skipSpace()
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.syntaxError()
		}
	}
}

// object reads a JSON object of attribute values.
func (d *decoder) object(depth int) (map[string]Value, error) {
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	m := make(map[string]Value)
	d.skipSpace()
	if d.peek() == '}' {
		d.pos++
		return m, nil
	}
	for {
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		d.skipSpace()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, d.syntaxError()
		}
	}
}

// skip skips any JSON value.
func (d *decoder) skip() error {
	d.skipSpace()
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		d.pos++
		d.skipSpace()
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		for {
			if _, err := d.str(); err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
			d.skipSpace()
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return nil
			default:
				return d.syntaxError()
			}
		}
	case c == '[':
		return d.list(d.skip)
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		for d.pos < len(d.data) && strings.IndexByte("+-.eE0123456789", d.data[d.pos]) >= 0 {
			d.pos++
		}
		return nil
	}
	return d.syntaxError()
}

// value reads one AttributeValue object at nesting depth depth.
func (d *decoder) value(depth int) (Value, error) {
	if depth >= maxDepth {
		return Value{}, errorf("%s", msgNesting)
	}
	if err := d.expect('{'); err != nil {
		return Value{}, err
	}
	var v Value
	types := 0
	d.skipSpace()
	if d.peek() == '}' {
		d.pos++
		return Value{}, errorf("%s", msgEmptyValue)
	}
	for {
		key, err := d.str()
		if err != nil {
			return Value{}, err
		}
		if err := d.expect(':'); err != nil {
			return Value{}, err
		}
		t := typeByName(key)
		switch {
		case t == 0:
			if err := d.skip(); err != nil {
				return Value{}, err
			}
		case d.null():
			// An explicit null is an absent member.
		default:
			if err := d.member(&v, t, depth); err != nil {
				return Value{}, err
			}
			v.Type = t
			types++
		}
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case '}':
			d.pos++
		default:
			return Value{}, d.syntaxError()
		}
		break
	}
	switch types {
	case 0:
		return Value{}, errorf("%s", msgEmptyValue)
	case 1:
		return v, nil
	}
	return Value{}, errorf("%s", msgTwoTypes)
}

// member reads the member of type t into v.
func (d *decoder) member(v *Value, t Type, depth int) error {
	var err error
	switch t {
	case TypeS:
		v.S, err = d.str()
	case TypeN:
		var s string
		if s, err = d.str(); err == nil {
			v.N, err = ParseNumber(s)
		}
	case TypeB:
		var s string
		if s, err = d.str(); err == nil {
			v.B, err = decodeBase64(s)
		}
	case TypeBOOL:
		v.BOOL, err = d.boolean()
	case TypeNULL:
		var b bool
		if b, err = d.boolean(); err == nil && !b {
			err = errorf("%s", msgNullFalse)
		}
	case TypeL:
		v.L = []Value{}
		err = d.list(func() error {
			e, err := d.value(depth + 1)
			v.L = append(v.L, e)
			return err
		})
	case TypeM:
		v.M, err = d.object(depth + 1)
	case TypeSS:
		v.SS = []string{}
		if err = d.list(func() error {
			if d.null() {
				return errorf("%sAn string set may not have a null string as a member", msgInvalidPrefix)
			}
			s, err := d.str()
			v.SS = append(v.SS, s)
			return err
		}); err == nil {
			err = checkStringSet(v.SS)
		}
	case TypeNS:
		v.NS = []string{}
		if err = d.list(func() error {
			if d.null() {
				return errorf("%sAn number set may not have a null string as a member", msgInvalidPrefix)
			}
			s, err := d.str()
			if err == nil {
				s, err = ParseNumber(s)
			}
			v.NS = append(v.NS, s)
			return err
		}); err == nil {
			err = checkNumberSet(v.NS)
		}
	case TypeBS:
		v.BS = [][]byte{}
		var raw []string
		if err = d.list(func() error {
			if d.null() {
				return errorf("%sBinary sets may not contain null", msgInvalidPrefix)
			}
			s, err := d.str()
			if err != nil {
				return err
			}
			b, err := decodeBase64(s)
			raw = append(raw, s)
			v.BS = append(v.BS, b)
			return err
		}); err == nil {
			err = checkBinarySet(v.BS, raw)
		}
	}
	return err
}

func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errorf("Invalid Base64 value: %s", s)
	}
	return b, nil
}

func checkStringSet(ss []string) error {
	if len(ss) == 0 {
		return errorf("%sAn string set  may not be empty", msgInvalidPrefix)
	}
	if hasDuplicate(len(ss), func(i, j int) bool { return ss[i] == ss[j] }, func(i int) string { return ss[i] }) {
		return errorf("%sInput collection [%s] contains duplicates.", msgInvalidPrefix, strings.Join(ss, ", "))
	}
	return nil
}

func checkNumberSet(ns []string) error {
	if len(ns) == 0 {
		return errorf("%sAn number set  may not be empty", msgInvalidPrefix)
	}
	if hasDuplicate(len(ns), func(i, j int) bool { return ns[i] == ns[j] }, func(i int) string { return ns[i] }) {
		return errorf("Input collection contains duplicates")
	}
	return nil
}

func checkBinarySet(bs [][]byte, raw []string) error {
	if len(bs) == 0 {
		return errorf("%sBinary sets should not be empty", msgInvalidPrefix)
	}
	if hasDuplicate(len(bs), func(i, j int) bool { return string(bs[i]) == string(bs[j]) }, func(i int) string { return string(bs[i]) }) {
		return errorf("%sInput collection [%s]of type BS contains duplicates.", msgInvalidPrefix, strings.Join(raw, ", "))
	}
	return nil
}

// hasDuplicate reports whether two of n members are equal: pairwise for
// small sets, through a map of keys for large ones.
func hasDuplicate(n int, eq func(i, j int) bool, key func(i int) string) bool {
	if n <= 16 {
		for i := range n {
			for j := i + 1; j < n; j++ {
				if eq(i, j) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		k := key(i)
		if _, ok := seen[k]; ok {
			return true
		}
		seen[k] = struct{}{}
	}
	return false
}
