package record

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Type is a column type, named as in the Glue Data Catalog. The scalar types
// are the constants below; struct types (Glue's struct<name:type,...>) are
// made by StructOf or ParseType and compare equal when their fields do. The
// number of a struct type depends on the order in which a process made its
// types: persist a Type by its String, never by its number.
type Type uint16

// The scalar column types. Decimal is stored as Double (a documented loss of
// precision); Int is 32 bits and Bigint 64, as in Hive; Binary holds raw
// bytes.
const (
	Invalid Type = iota
	String
	Int
	Bigint
	Double
	Float
	Boolean
	Timestamp
	Date
	Binary
)

var typeNames = [...]string{"invalid", "string", "int", "bigint", "double", "float", "boolean", "timestamp", "date", "binary"}

// String returns the catalog name of t, such as "bigint" or
// "struct<member0:int,member1:string>".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	if st := compositeOf(t); st != nil {
		return st.name
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// ParseType maps a catalog type name to a Type. Names are case-insensitive;
// "long" and "integer" are aliases of bigint and int, "decimal" and
// "decimal(p,s)" map to double, and struct<name:type,...> (Hive DDL syntax,
// nested up to MaxStructDepth levels) makes a struct type as StructOf does.
func ParseType(s string) (Type, error) {
	p := typeParser{s: s}
	t, err := p.parse(0)
	if err == nil {
		p.ws()
		if p.i != len(p.s) {
			err = fmt.Errorf("unexpected %q after the type", p.s[p.i:])
		}
	}
	if err != nil {
		return Invalid, fmt.Errorf("column type %q: %w", s, err)
	}
	return t, nil
}

func parseScalarType(s string) (Type, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(n, "decimal") || strings.HasPrefix(n, "numeric") {
		return parseDecimalType(n)
	}
	switch n {
	case "string", "varchar", "char":
		return String, nil
	case "int", "integer", "smallint", "tinyint":
		return Int, nil
	case "bigint", "long":
		return Bigint, nil
	case "double":
		return Double, nil
	case "float", "real":
		return Float, nil
	case "boolean", "bool":
		return Boolean, nil
	case "timestamp":
		return Timestamp, nil
	case "date":
		return Date, nil
	case "binary":
		return Binary, nil
	case "array", "map":
		return Invalid, fmt.Errorf("%s needs its element types: %s<...>", n, n)
	}
	return Invalid, fmt.Errorf("unknown type %q (want %s)", strings.TrimSpace(s), TypeNames)
}

// TypeNames lists the column types ParseType accepts, for error messages.
const TypeNames = "string, int, bigint, double, float, boolean, timestamp, date, binary, decimal(p,s), struct<name:type,...>, array<T> or map<K,V>"

// Column is one column of a schema.
type Column struct {
	Name string
	Type Type
	// Required makes a record without the field (or with null) invalid.
	Required bool
}

// Value is one typed cell. The zero Value is null. Int, Bigint, Boolean (0 or
// 1), Timestamp (microseconds since the Unix epoch, UTC) and Date (days since
// the epoch) use I; Double and Float keep the IEEE 754 bits of a float64 in
// I (make them with FloatValue and read them with Float); String uses S, and
// so does Binary (S holds the raw bytes, which need not be UTF-8). A struct
// Value holds one Value per field of its type; make it with StructValue and
// read it with Fields (arrays and maps: ArrayValue, MapValue, Elems).
//
// Values are comparable: scalars by their contents (floating point ones by
// their bits, so a NaN equals itself and 0 and -0 differ); struct, array and
// map Values only by type and length, so compare their elements instead.
// The S of a struct, array or map Value is not text but the place of its
// elements (an empty string that keeps them alive): copy such a Value whole,
// never rebuild it from its fields. A Value is 32 bytes, which the compiler
// keeps in registers when it passes or returns one.
type Value struct {
	Type Type
	I    int64
	S    string
}

// nestedValue returns a Value of struct, array or map type t of n elements
// (0 for a struct), which start at first (nil for none): S keeps their
// address as an empty string.
func nestedValue(t Type, n int64, first *Value) Value {
	v := Value{Type: t, I: n}
	if first != nil {
		v.S = unsafe.String((*byte)(unsafe.Pointer(first)), 0)
	}
	return v
}

// first returns the address of the first element of a struct, array or map
// Value (see nestedValue), nil when it has none.
func (v Value) first() *Value {
	return (*Value)(unsafe.Pointer(unsafe.StringData(v.S)))
}

// FloatValue returns a Value of type t (Double or Float) holding f.
func FloatValue(t Type, f float64) Value {
	return Value{Type: t, I: int64(math.Float64bits(f))}
}

// Float returns the number of a Double or Float Value (0 for null).
func (v Value) Float() float64 { return math.Float64frombits(uint64(v.I)) }

// BinaryValue returns a Binary Value holding a copy of b.
func BinaryValue(b []byte) Value { return Value{Type: Binary, S: string(b)} }

// StructValue returns a Value of struct type t whose fields are fields, one
// per field of t in order (null fields are zero Values). The Value keeps
// fields: the caller must not change it afterwards. StructValue panics if t
// is not a struct type or fields has the wrong length, as these are
// programming errors.
func StructValue(t Type, fields []Value) Value {
	st := structOf(t)
	if st == nil {
		panic("record: StructValue of non-struct type " + t.String())
	}
	if len(fields) != len(st.fields) {
		panic(fmt.Sprintf("record: StructValue of %s with %d fields, want %d", st.name, len(fields), len(st.fields)))
	}
	return nestedValue(t, 0, &fields[0])
}

// Fields returns the field values of a struct Value, in the order of its
// type's fields, or nil for any other Value. The slice is shared with v: do
// not modify it.
func (v Value) Fields() []Value {
	if v.first() == nil {
		return nil
	}
	st := structOf(v.Type)
	if st == nil {
		return nil
	}
	return unsafe.Slice(v.first(), len(st.fields))
}

// Bytes returns a copy of a Binary (or String) Value's bytes; nil for null.
func (v Value) Bytes() []byte {
	if v.Null() {
		return nil
	}
	return []byte(v.S)
}

// Null reports whether v is null.
func (v Value) Null() bool { return v.Type == Invalid }

// Any returns v as a Go value for expressions: nil, string, int64, float64,
// bool, time.Time for timestamps and dates, []byte for binary,
// map[string]any (field name to Any of the field) for a struct, []any for an
// array, map[string]any (key text to value) for a map, and float64 for a
// decimal (expressions compute in floating point; see FromAny for the way
// back).
func (v Value) Any() any {
	switch v.Type {
	case String:
		return v.S
	case Int, Bigint:
		return v.I
	case Double, Float:
		return v.Float()
	case Boolean:
		return v.I != 0
	case Timestamp:
		return time.UnixMicro(v.I).UTC()
	case Date:
		return time.Unix(v.I*86400, 0).UTC()
	case Binary:
		return []byte(v.S)
	}
	if st := structOf(v.Type); st != nil && v.first() != nil {
		m := make(map[string]any, len(st.fields))
		for i, f := range v.Fields() {
			m[st.fields[i].Name] = f.Any()
		}
		return m
	}
	switch {
	case v.Type.Array():
		out := make([]any, v.Len())
		for i, e := range v.Elems() {
			out[i] = e.Any()
		}
		return out
	case v.Type.Map():
		kv := v.Elems()
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].Text()] = kv[i+1].Any()
		}
		return m
	}
	if _, _, ok := v.Type.Decimal(); ok {
		// Expressions compute in float64; a decimal column's own values
		// never pass through here on their way to the sink.
		f, _ := strconv.ParseFloat(v.decimalText(), 64)
		return f
	}
	return nil
}

// Text formats v for a Hive-style partition path; null is
// __HIVE_DEFAULT_PARTITION__ as in Hive and Spark. Binary is its standard
// base64, a decimal its exact digits with scale digits after the point
// ("12.50"), and a struct, array or map its JSON text (see AppendJSON).
func (v Value) Text() string {
	switch v.Type {
	case String:
		return v.S
	case Int, Bigint:
		return strconv.FormatInt(v.I, 10)
	case Double, Float:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case Boolean:
		return strconv.FormatBool(v.I != 0)
	case Timestamp:
		return time.UnixMicro(v.I).UTC().Format("2006-01-02 15:04:05.999999")
	case Date:
		return time.Unix(v.I*86400, 0).UTC().Format(time.DateOnly)
	case Binary:
		return base64.StdEncoding.EncodeToString([]byte(v.S))
	}
	if v.Type.Nested() {
		return string(v.appendJSON(nil))
	}
	if _, _, ok := v.Type.Decimal(); ok {
		return v.decimalText()
	}
	return "__HIVE_DEFAULT_PARTITION__"
}

// FromAny converts a Go value returned by an expression to a Value of type t:
// a []byte or string for binary, a map[string]any for a struct (missing
// fields are null), a []any for an array, a map[string]any for a map (keys
// parsed as the key type), and a string, integer or float64 for a decimal
// (a float64 by its shortest decimal text, so 0.1 is exactly 0.1; a value
// that does not fit the precision is an error).
func FromAny(x any, t Type) (Value, error) {
	if x == nil {
		return Value{}, nil
	}
	switch t {
	case String:
		switch v := x.(type) {
		case string:
			return Value{Type: String, S: v}, nil
		case fmt.Stringer:
			return Value{Type: String, S: v.String()}, nil
		}
		return Value{Type: String, S: fmt.Sprint(x)}, nil
	case Int, Bigint:
		switch v := x.(type) {
		case int:
			return Value{Type: t, I: int64(v)}, nil
		case int64:
			return Value{Type: t, I: v}, nil
		case int32:
			return Value{Type: t, I: int64(v)}, nil
		case float64:
			return Value{Type: t, I: int64(v)}, nil
		}
	case Double, Float:
		switch v := x.(type) {
		case float64:
			return FloatValue(t, v), nil
		case float32:
			return FloatValue(t, float64(v)), nil
		case int:
			return FloatValue(t, float64(v)), nil
		case int64:
			return FloatValue(t, float64(v)), nil
		}
	case Boolean:
		if v, ok := x.(bool); ok {
			return Bool(v), nil
		}
	case Timestamp:
		if v, ok := x.(time.Time); ok {
			return Value{Type: Timestamp, I: v.UnixMicro()}, nil
		}
	case Date:
		if v, ok := x.(time.Time); ok {
			return Value{Type: Date, I: v.UTC().Truncate(24*time.Hour).Unix() / 86400}, nil
		}
	case Binary:
		switch v := x.(type) {
		case []byte:
			return BinaryValue(v), nil
		case string:
			return Value{Type: Binary, S: v}, nil
		}
	default:
		if _, _, ok := t.Decimal(); ok {
			switch v := x.(type) {
			case string:
				return ParseDecimal(v, t)
			case int64:
				return ParseDecimal(strconv.FormatInt(v, 10), t)
			case int:
				return ParseDecimal(strconv.Itoa(v), t)
			case float64:
				return ParseDecimal(strconv.FormatFloat(v, 'g', -1, 64), t)
			}
			break
		}
		if t.Array() {
			xs, ok := x.([]any)
			if !ok {
				break
			}
			elems := make([]Value, len(xs))
			for i, e := range xs {
				ev, err := FromAny(e, t.Elem())
				if err != nil {
					return Value{}, fmt.Errorf("element %d: %w", i, err)
				}
				elems[i] = ev
			}
			return ArrayValue(t, elems), nil
		}
		if t.Map() {
			m, ok := x.(map[string]any)
			if !ok {
				break
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			kv := make([]Value, 0, 2*len(m))
			for _, k := range keys {
				kval, reason := parseText(k, Column{Name: "key", Type: t.Key()})
				if reason != "" || kval.Null() {
					return Value{}, fmt.Errorf("map key %q: %s", k, cmp.Or(reason, "null key"))
				}
				vv, err := FromAny(m[k], t.Elem())
				if err != nil {
					return Value{}, fmt.Errorf("map value %q: %w", k, err)
				}
				kv = append(kv, kval, vv)
			}
			return MapValue(t, kv), nil
		}
		if st := structOf(t); st != nil {
			m, ok := x.(map[string]any)
			if !ok {
				break
			}
			fields := make([]Value, len(st.fields))
			for i, f := range st.fields {
				fv, err := FromAny(m[f.Name], f.Type)
				if err != nil {
					return Value{}, fmt.Errorf("field %s: %w", f.Name, err)
				}
				fields[i] = fv
			}
			return StructValue(t, fields), nil
		}
	}
	return Value{}, fmt.Errorf("cannot use %T as %s", x, t)
}

// Bool returns a Boolean Value.
func Bool(b bool) Value {
	if b {
		return Value{Type: Boolean, I: 1}
	}
	return Value{Type: Boolean}
}
