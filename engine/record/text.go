package record

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseText converts the text of a CSV field or a Grok capture to a Value of
// c's type. An empty text is null. A binary column takes the text's bytes
// as they are. The reason returned on failure names the
// expected type and quotes the text.
func parseText(s string, c Column) (Value, string) {
	if s == "" {
		return Value{}, ""
	}
	switch c.Type {
	case String:
		return Value{Type: String, S: s}, ""
	case Binary:
		return Value{Type: Binary, S: s}, ""
	case Int, Bigint:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || (c.Type == Int && (n < math.MinInt32 || n > math.MaxInt32)) {
			if err == nil || strings.Contains(err.Error(), "range") {
				return Value{}, fmt.Sprintf("number %q out of range for %s", s, c.Type)
			}
			return Value{}, fmt.Sprintf("want %s, got %q", c.Type, s)
		}
		return Value{Type: c.Type, I: n}, ""
	case Double, Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return Value{}, fmt.Sprintf("want %s, got %q", c.Type, s)
		}
		return FloatValue(c.Type, f), ""
	case Boolean:
		switch {
		case strings.EqualFold(s, "true"):
			return Bool(true), ""
		case strings.EqualFold(s, "false"):
			return Bool(false), ""
		}
		return Value{}, fmt.Sprintf("want boolean (true or false), got %q", s)
	case Timestamp:
		t, ok := parseTimestamp(s)
		if !ok {
			return Value{}, fmt.Sprintf("want a timestamp (RFC 3339 or yyyy-MM-dd HH:mm:ss), got %q", s)
		}
		return Value{Type: Timestamp, I: t.UnixMicro()}, ""
	case Date:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return Value{}, fmt.Sprintf("want a date (yyyy-MM-dd), got %q", s)
		}
		return Value{Type: Date, I: t.Unix() / 86400}, ""
	}
	if _, _, ok := c.Type.Decimal(); ok {
		v, err := ParseDecimal(s, c.Type)
		if err != nil {
			return Value{}, err.Error()
		}
		return v, ""
	}
	if c.Type.Nested() {
		return Value{}, fmt.Sprintf("a %s column takes json or avro records, not text fields", c.Type)
	}
	return Value{}, fmt.Sprintf("unsupported column type %s", c.Type)
}
