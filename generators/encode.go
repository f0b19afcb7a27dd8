package generators

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Format is a record encoding.
type Format string

// The encodings a Source writes.
const (
	// FormatJSON writes one JSON object per record, columns in table order;
	// dates as "2006-01-02", timestamps as "2006-01-02 15:04:05.000" (as the
	// Hive JSON SerDe reads them), decimals as numbers and binary as base64.
	FormatJSON Format = "json"
	// FormatCSV writes one line per record, without a header or line ending,
	// quoted as RFC 4180 says; nested values are written as JSON text.
	FormatCSV Format = "csv"
	// FormatAvro writes one Avro binary datum per record (no container file
	// header), in the schema AvroSchema derives from the table.
	FormatAvro Format = "avro"
)

// ParseFormat reads a Format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatJSON, FormatCSV, FormatAvro:
		return f, nil
	}
	return "", fmt.Errorf("format %q: want json, csv or avro", s)
}

// The reasons a record is malformed, as written to the ledger's malformed
// column.
const (
	MalformedInvalidJSON = "invalid_json" // the encoding is cut short (for any format)
	MalformedWrongType   = "wrong_type"   // a column holds a value of another type
	MalformedMissing     = "missing_field"
	MalformedOversize    = "oversize" // padded past SourceConfig.OversizeBytes
	MalformedInvalidUTF8 = "invalid_utf8"
)

// malformedKinds lists every kind of malformed record, in the order a
// record's kind is drawn from.
var malformedKinds = []string{MalformedInvalidJSON, MalformedWrongType, MalformedMissing, MalformedOversize, MalformedInvalidUTF8}

// mutation says how to spoil one record; the zero value spoils nothing.
type mutation struct {
	kind string
	col  int // column concerned, -1 for none
	pad  int // oversize: total payload size to exceed
}

type encoder interface {
	encode(dst []byte, row []any, m mutation) ([]byte, error)
}

func newEncoder(f Format, t *Table) (encoder, error) {
	switch f {
	case FormatJSON, "":
		return &jsonEncoder{t: t}, nil
	case FormatCSV:
		return &csvEncoder{t: t}, nil
	case FormatAvro:
		return newAvroEncoder(t)
	}
	return nil, fmt.Errorf("format %q: want json, csv or avro", f)
}

const invalidUTF8 = "\xff\xfe"

func padding(n int) string { return strings.Repeat("x", max(n, 0)) }

// finish applies the mutations that act on the encoded bytes.
func finish(dst []byte, start int, m mutation, pad func(dst []byte, n int) []byte) []byte {
	switch m.kind {
	case MalformedOversize:
		if size := len(dst) - start; size <= m.pad {
			dst = pad(dst, m.pad-size+1)
		}
	case MalformedInvalidJSON:
		size := len(dst) - start
		dst = dst[:start+size/2]
	}
	return dst
}

type jsonEncoder struct{ t *Table }

func (e *jsonEncoder) encode(dst []byte, row []any, m mutation) ([]byte, error) {
	start := len(dst)
	dst = append(dst, '{')
	n := 0
	for i, c := range e.t.Columns {
		if m.kind == MalformedMissing && m.col == i {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = jsontext.AppendString(dst, c.Name)
		dst = append(dst, ':')
		switch {
		case m.kind == MalformedWrongType && m.col == i:
			dst = appendWrongJSON(dst, c.Type)
		case m.kind == MalformedInvalidUTF8 && m.col == i:
			s, _ := row[i].(string)
			dst = jsontext.AppendString(dst, s)
			dst = append(dst[:len(dst)-1], invalidUTF8+`"`...)
		default:
			dst = appendJSON(dst, c.Type, row[i])
		}
	}
	if m.kind == MalformedInvalidUTF8 && m.col < 0 {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"__note":"`+invalidUTF8+`"`...)
	}
	dst = append(dst, '}')
	return finish(dst, start, m, func(dst []byte, k int) []byte {
		dst = append(dst[:len(dst)-1], `,"__padding":"`...)
		dst = append(dst, padding(k)...)
		return append(dst, `"}`...)
	}), nil
}

func appendWrongJSON(dst []byte, t *Type) []byte {
	if t.isString() {
		return append(dst, "12345"...)
	}
	return jsontext.AppendString(dst, "not-a-"+kindNames[t.Kind])
}

const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02 15:04:05.000"
)

func appendJSON(dst []byte, t *Type, v any) []byte {
	switch t.Kind {
	case KindTinyint, KindSmallint, KindInt, KindBigint:
		return strconv.AppendInt(dst, v.(int64), 10)
	case KindFloat:
		return strconv.AppendFloat(dst, v.(float64), 'g', -1, 32)
	case KindDouble:
		return strconv.AppendFloat(dst, v.(float64), 'g', -1, 64)
	case KindDecimal:
		return append(dst, v.(decimal).String()...)
	case KindString, KindVarchar, KindChar:
		return jsontext.AppendString(dst, v.(string))
	case KindBoolean:
		return strconv.AppendBool(dst, v.(bool))
	case KindDate:
		return jsontext.AppendString(dst, v.(time.Time).Format(dateLayout))
	case KindTimestamp:
		return jsontext.AppendString(dst, v.(time.Time).Format(timestampLayout))
	case KindBinary:
		return jsontext.AppendString(dst, base64.StdEncoding.EncodeToString(v.([]byte)))
	case KindArray:
		dst = append(dst, '[')
		for i, e := range v.([]any) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, t.Elem, e)
		}
		return append(dst, ']')
	case KindMap:
		dst = append(dst, '{')
		for i, e := range v.([]mapEntry) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, textOf(t.Key, e.k))
			dst = append(dst, ':')
			dst = appendJSON(dst, t.Value, e.v)
		}
		return append(dst, '}')
	case KindStruct:
		dst = append(dst, '{')
		for i, f := range t.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, f.Name)
			dst = append(dst, ':')
			dst = appendJSON(dst, f.Type, v.([]any)[i])
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

// textOf renders a value as unquoted text: CSV fields and JSON map keys.
func textOf(t *Type, v any) string {
	switch t.Kind {
	case KindString, KindVarchar, KindChar:
		return v.(string)
	case KindDate:
		return v.(time.Time).Format(dateLayout)
	case KindTimestamp:
		return v.(time.Time).Format(timestampLayout)
	case KindBinary:
		return base64.StdEncoding.EncodeToString(v.([]byte))
	}
	return string(appendJSON(nil, t, v))
}

type csvEncoder struct{ t *Table }

func (e *csvEncoder) encode(dst []byte, row []any, m mutation) ([]byte, error) {
	start := len(dst)
	n := 0
	for i, c := range e.t.Columns {
		if m.kind == MalformedMissing && m.col == i {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		var s string
		switch {
		case m.kind == MalformedWrongType && m.col == i:
			s = strings.Trim(string(appendWrongJSON(nil, c.Type)), `"`)
		case m.kind == MalformedInvalidUTF8 && m.col == i:
			s, _ = row[i].(string)
			s += invalidUTF8
		default:
			s = textOf(c.Type, row[i])
		}
		dst = appendCSVField(dst, s)
	}
	if m.kind == MalformedInvalidUTF8 && m.col < 0 {
		dst = append(dst, ","+invalidUTF8...)
	}
	return finish(dst, start, m, func(dst []byte, k int) []byte {
		dst = append(dst, ',')
		return append(dst, padding(k)...)
	}), nil
}

func appendCSVField(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && (s == "" || s[0] != ' ' && s[len(s)-1] != ' ') {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
	return append(dst, '"')
}

// AvroSchema returns the Avro record schema (as JSON) of rows of t:
// tinyint, smallint and int as int; bigint as long; decimal(p,s) as bytes
// with the decimal logical type; date as int/date; timestamp as
// long/timestamp-millis; binary as bytes; map keys as strings; structs as
// nested records. Column names must be valid Avro names.
func AvroSchema(t *Table) (string, error) {
	s, err := avroRecord("row", t.Columns, -1, "")
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	return string(b), err
}

func validAvroName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// avroRecord builds a record schema; the column at index skip is left out
// and the one at index retype, when not "", gets that primitive type.
func avroRecord(name string, cols []Column, skip int, retype string) (map[string]any, error) {
	fields := make([]any, 0, len(cols))
	for i, c := range cols {
		if i == skip && retype == "" {
			continue
		}
		if !validAvroName(c.Name) {
			return nil, fmt.Errorf("avro schema: column %q is not a valid Avro name (letters, digits and _, not starting with a digit)", c.Name)
		}
		var ft any
		if i == skip {
			ft = retype
		} else {
			var err error
			if ft, err = avroType(name+"_"+c.Name, c.Type); err != nil {
				return nil, err
			}
		}
		fields = append(fields, map[string]any{"name": c.Name, "type": ft})
	}
	return map[string]any{"type": "record", "name": name, "namespace": "streamcheck", "fields": fields}, nil
}

func avroType(path string, t *Type) (any, error) {
	switch t.Kind {
	case KindTinyint, KindSmallint, KindInt:
		return "int", nil
	case KindBigint:
		return "long", nil
	case KindFloat:
		return "float", nil
	case KindDouble:
		return "double", nil
	case KindDecimal:
		return map[string]any{"type": "bytes", "logicalType": "decimal", "precision": t.Precision, "scale": t.Scale}, nil
	case KindString, KindVarchar, KindChar:
		return "string", nil
	case KindBoolean:
		return "boolean", nil
	case KindDate:
		return map[string]any{"type": "int", "logicalType": "date"}, nil
	case KindTimestamp:
		return map[string]any{"type": "long", "logicalType": "timestamp-millis"}, nil
	case KindBinary:
		return "bytes", nil
	case KindArray:
		e, err := avroType(path+"_item", t.Elem)
		return map[string]any{"type": "array", "items": e}, err
	case KindMap:
		v, err := avroType(path+"_value", t.Value)
		return map[string]any{"type": "map", "values": v}, err
	case KindStruct:
		return avroRecord(path, t.Fields, -1, "")
	}
	return nil, fmt.Errorf("avro schema: no Avro type for %s", t)
}

type avroEncoder struct {
	t      *Table
	schema avro.Schema
	// spoilt holds the schemas of malformed records by "kind/col".
	spoilt sync.Map
}

func newAvroEncoder(t *Table) (*avroEncoder, error) {
	js, err := AvroSchema(t)
	if err != nil {
		return nil, err
	}
	s, err := avro.Parse(js)
	if err != nil {
		return nil, fmt.Errorf("avro schema: parse %s: %w", js, err)
	}
	return &avroEncoder{t: t, schema: s}, nil
}

func (e *avroEncoder) schemaFor(m mutation) (avro.Schema, error) {
	if m.col < 0 || (m.kind != MalformedMissing && m.kind != MalformedWrongType) {
		return e.schema, nil
	}
	key := m.kind + "/" + strconv.Itoa(m.col)
	if s, ok := e.spoilt.Load(key); ok {
		return s.(avro.Schema), nil
	}
	retype := ""
	if m.kind == MalformedWrongType {
		retype = "string"
		if e.t.Columns[m.col].Type.isString() {
			retype = "long"
		}
	}
	rec, err := avroRecord("row", e.t.Columns, m.col, retype)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	s, err := avro.Parse(string(js))
	if err != nil {
		return nil, fmt.Errorf("avro schema: parse %s: %w", js, err)
	}
	e.spoilt.Store(key, s)
	return s, nil
}

func (e *avroEncoder) encode(dst []byte, row []any, m mutation) ([]byte, error) {
	start := len(dst)
	schema, err := e.schemaFor(m)
	if err != nil {
		return nil, err
	}
	rec := make(map[string]any, len(row))
	for i, c := range e.t.Columns {
		switch {
		case m.kind == MalformedMissing && m.col == i:
		case m.kind == MalformedWrongType && m.col == i:
			if c.Type.isString() {
				rec[c.Name] = int64(12345)
			} else {
				rec[c.Name] = "not-a-" + kindNames[c.Type.Kind]
			}
		case m.kind == MalformedInvalidUTF8 && m.col == i:
			s, _ := row[i].(string)
			rec[c.Name] = s + invalidUTF8
		default:
			rec[c.Name] = avroValue(c.Type, row[i])
		}
	}
	b, err := avro.Marshal(schema, rec)
	if err != nil {
		return nil, fmt.Errorf("avro: encode row: %w", err)
	}
	dst = append(dst, b...)
	if m.kind == MalformedInvalidUTF8 && m.col < 0 {
		dst = append(dst, invalidUTF8...)
	}
	return finish(dst, start, m, func(dst []byte, k int) []byte {
		return append(dst, padding(k)...)
	}), nil
}

func avroValue(t *Type, v any) any {
	switch t.Kind {
	case KindTinyint, KindSmallint, KindInt:
		return int32(v.(int64))
	case KindFloat:
		return float32(v.(float64))
	case KindDecimal:
		d := v.(decimal)
		return new(big.Rat).SetFrac(big.NewInt(d.unscaled), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil))
	case KindArray:
		a := v.([]any)
		out := make([]any, len(a))
		for i, e := range a {
			out[i] = avroValue(t.Elem, e)
		}
		return out
	case KindMap:
		out := map[string]any{}
		for _, e := range v.([]mapEntry) {
			out[textOf(t.Key, e.k)] = avroValue(t.Value, e.v)
		}
		return out
	case KindStruct:
		s := v.([]any)
		out := make(map[string]any, len(s))
		for i, f := range t.Fields {
			out[f.Name] = avroValue(f.Type, s[i])
		}
		return out
	}
	return v
}
