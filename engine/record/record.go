package record

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Type is a column type, named as in the Glue Data Catalog.
type Type uint8

// The column types. Decimal is stored as Double (a documented loss of
// precision); Int is 32 bits and Bigint 64, as in Hive.
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
)

var typeNames = [...]string{"invalid", "string", "int", "bigint", "double", "float", "boolean", "timestamp", "date"}

// String returns the catalog name of t.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// ParseType maps a catalog type name (case-insensitive; "long" and "integer"
// are aliases of bigint and int, "decimal" and "decimal(p,s)" map to double)
// to a Type.
func ParseType(s string) (Type, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(n, "decimal") {
		return Double, nil
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
	}
	return Invalid, fmt.Errorf("unknown column type %q (want string, int, bigint, double, float, boolean, timestamp, date or decimal)", s)
}

// Column is one column of a schema.
type Column struct {
	Name string
	Type Type
	// Required makes a record without the field (or with null) invalid.
	Required bool
}

// Value is one typed cell. The zero Value is null. Int, Bigint, Boolean (0 or
// 1), Timestamp (microseconds since the Unix epoch, UTC) and Date (days since
// the epoch) use I; Double and Float use F; String uses S.
type Value struct {
	Type Type
	I    int64
	F    float64
	S    string
}

// Null reports whether v is null.
func (v Value) Null() bool { return v.Type == Invalid }

// Any returns v as a Go value for expressions: nil, string, int64, float64,
// bool, or time.Time for timestamps and dates.
func (v Value) Any() any {
	switch v.Type {
	case String:
		return v.S
	case Int, Bigint:
		return v.I
	case Double, Float:
		return v.F
	case Boolean:
		return v.I != 0
	case Timestamp:
		return time.UnixMicro(v.I).UTC()
	case Date:
		return time.Unix(v.I*86400, 0).UTC()
	}
	return nil
}

// Text formats v for a Hive-style partition path; null is
// __HIVE_DEFAULT_PARTITION__ as in Hive and Spark.
func (v Value) Text() string {
	switch v.Type {
	case String:
		return v.S
	case Int, Bigint:
		return strconv.FormatInt(v.I, 10)
	case Double, Float:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case Boolean:
		return strconv.FormatBool(v.I != 0)
	case Timestamp:
		return time.UnixMicro(v.I).UTC().Format("2006-01-02 15:04:05.999999")
	case Date:
		return time.Unix(v.I*86400, 0).UTC().Format(time.DateOnly)
	}
	return "__HIVE_DEFAULT_PARTITION__"
}

// FromAny converts a Go value returned by an expression to a Value of type t.
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
			return Value{Type: t, F: v}, nil
		case float32:
			return Value{Type: t, F: float64(v)}, nil
		case int:
			return Value{Type: t, F: float64(v)}, nil
		case int64:
			return Value{Type: t, F: float64(v)}, nil
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
