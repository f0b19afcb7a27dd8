package dynamodbfake

import (
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// appendValue writes v as DynamoDB JSON: {"S":"x"}, {"N":"1"}, ...
func appendValue(b []byte, v expr.Value) []byte {
	switch v.Type {
	case expr.TypeS:
		b = append(b, `{"S":`...)
		b = jsontext.AppendString(b, v.S)
	case expr.TypeN:
		b = append(b, `{"N":"`...)
		b = append(b, v.N...)
		b = append(b, '"')
	case expr.TypeB:
		b = append(b, `{"B":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.B)
		b = append(b, '"')
	case expr.TypeBOOL:
		b = append(b, `{"BOOL":`...)
		b = strconv.AppendBool(b, v.BOOL)
	case expr.TypeNULL:
		b = append(b, `{"NULL":true`...)
	case expr.TypeL:
		b = append(b, `{"L":[`...)
		for i, e := range v.L {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		b = append(b, ']')
	case expr.TypeM:
		b = append(b, `{"M":`...)
		b = appendItem(b, v.M)
	case expr.TypeSS:
		b = append(b, `{"SS":[`...)
		for i, s := range v.SS {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, s)
		}
		b = append(b, ']')
	case expr.TypeNS:
		b = append(b, `{"NS":[`...)
		for i, s := range v.NS {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, s...)
			b = append(b, '"')
		}
		b = append(b, ']')
	case expr.TypeBS:
		b = append(b, `{"BS":[`...)
		for i, s := range v.BS {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, s)
			b = append(b, '"')
		}
		b = append(b, ']')
	default:
		b = append(b, `{"NULL":true`...)
	}
	return append(b, '}')
}

// appendItem writes an item (or a map value) as a JSON object of attribute
// values, attributes in name order so answers are reproducible.
func appendItem(b []byte, it map[string]expr.Value) []byte {
	b = append(b, '{')
	var small [16]string
	names := small[:0]
	for n := range it {
		names = append(names, n)
	}
	if len(names) > 1 {
		sort.Strings(names)
	}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, n)
		b = append(b, ':')
		b = appendValue(b, it[n])
	}
	return append(b, '}')
}

// jsonItem is an item inside an answer built with encoding/json.
type jsonItem expr.Item

// MarshalJSON writes the item as DynamoDB JSON.
func (it jsonItem) MarshalJSON() ([]byte, error) {
	return appendItem(nil, it), nil
}
