package record

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/hamba/avro/v2"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Limits that keep a hostile payload from costing more than a bad record.
const (
	avroMaxDepth    = 128      // nesting of records, arrays, maps and unions
	avroMaxItems    = 1 << 20  // nested values (array and map entries included) per datum
	avroMaxInflated = 16 << 20 // bytes of a decompressed container block
	avroMaxScale    = 1000     // decimal scale
	avroMaxSchemas  = 64       // container schemas remembered per decoder
)

// parseAvroSchema parses a writer schema whose top-level type is a record.
func parseAvroSchema(text string) (*avro.RecordSchema, error) {
	s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("parse avro schema: %w", err)
	}
	rec, ok := deref(s).(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("avro schema: top-level type is %s, want record (its fields are the columns)", s.Type())
	}
	return rec, nil
}

// AvroColumns returns one column per field of an Avro record schema, with
// the types Glue gives them: boolean, int, bigint (long), float, double,
// string (string, enum, uuid), decimal(p,s) (decimal; string beyond
// precision 38), date, timestamp
// (timestamp-millis/micros and their local variants), binary (bytes and
// fixed), struct for records (their fields, named as in the schema) and for
// unions of several non-null types (Glue's member0, member1, ... one per
// non-null branch in order), array<T> for arrays, map<string,T> for maps,
// and string holding JSON for a record that contains itself. A union of null and one type is that type; of
// int and long, bigint; of float and double, double. A field is required
// unless its type is a union with null.
func AvroColumns(schema string) ([]Column, error) {
	rec, err := parseAvroSchema(schema)
	if err != nil {
		return nil, err
	}
	cols := make([]Column, 0, len(rec.Fields()))
	conv := avroTypes{path: map[string]bool{rec.FullName(): true}}
	for _, f := range rec.Fields() {
		s := deref(f.Type())
		required := true
		if u, ok := s.(*avro.UnionSchema); ok {
			required = len(unionMembers(u)) == len(u.Types())
		}
		cols = append(cols, Column{Name: f.Name(), Type: conv.of(s, 0), Required: required})
	}
	return cols, nil
}

// avroTypeBudget bounds the schema nodes AvroColumns converts, so that
// named types reused many times over cannot make a huge struct type.
const avroTypeBudget = 4096

// avroTypes converts Avro schemas to column types.
type avroTypes struct {
	path  map[string]bool // records being converted, to stop at recursion
	nodes int
}

func (a *avroTypes) of(s avro.Schema, depth int) Type {
	s = deref(s)
	if a.nodes++; a.nodes > avroTypeBudget {
		return String
	}
	switch logicalType(s) {
	case avro.Date:
		return Date
	case avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros:
		return Timestamp
	case avro.Decimal:
		if dec, ok := s.(avro.LogicalTypeSchema).Logical().(*avro.DecimalLogicalSchema); ok && dec != nil {
			if t, err := DecimalOf(dec.Precision(), dec.Scale()); err == nil {
				return t
			}
		}
		return String
	}
	switch s.Type() {
	case avro.Boolean:
		return Boolean
	case avro.Int:
		return Int
	case avro.Long:
		return Bigint
	case avro.Float:
		return Float
	case avro.Double:
		return Double
	case avro.Bytes, avro.Fixed:
		return Binary
	case avro.Union:
		members := unionMembers(s.(*avro.UnionSchema))
		switch {
		case len(members) == 1:
			return a.of(members[0], depth)
		case len(members) == 0:
			return String
		case !structUnion(members):
			if k := deref(members[0]).Type(); k == avro.Int || k == avro.Long {
				return Bigint
			}
			return Double
		}
		if depth >= MaxStructDepth {
			return String
		}
		fields := make([]Column, len(members))
		for i, m := range members {
			fields[i] = Column{Name: "member" + strconv.Itoa(i), Type: a.of(m, depth+1)}
		}
		if t, err := StructOf(fields); err == nil {
			return t
		}
	case avro.Array, avro.Map:
		if depth >= MaxStructDepth {
			return String
		}
		var t Type
		var err error
		if s.Type() == avro.Array {
			t, err = ArrayOf(a.of(s.(*avro.ArraySchema).Items(), depth+1))
		} else {
			t, err = MapOf(String, a.of(s.(*avro.MapSchema).Values(), depth+1))
		}
		if err == nil {
			return t
		}
	case avro.Record:
		rec := s.(*avro.RecordSchema)
		if depth >= MaxStructDepth || a.path[rec.FullName()] || len(rec.Fields()) == 0 {
			return String
		}
		a.path[rec.FullName()] = true
		defer delete(a.path, rec.FullName())
		fields := make([]Column, len(rec.Fields()))
		for i, f := range rec.Fields() {
			fields[i] = Column{Name: f.Name(), Type: a.of(f.Type(), depth+1)}
		}
		if t, err := StructOf(fields); err == nil {
			return t
		}
	}
	return String
}

func deref(s avro.Schema) avro.Schema {
	for {
		r, ok := s.(*avro.RefSchema)
		if !ok {
			return s
		}
		s = r.Schema()
	}
}

func logicalType(s avro.Schema) avro.LogicalType {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return l.Logical().Type()
	}
	return ""
}

// structUnion reports whether a union becomes Glue's member0, member1, ...
// struct: it has several non-null branches, other than the pairs int and
// long (read as bigint) or float and double (read as double).
func structUnion(members []avro.Schema) bool {
	if len(members) != 2 {
		return len(members) > 1
	}
	a, b := deref(members[0]).Type(), deref(members[1]).Type()
	widens := (a == avro.Int && b == avro.Long) || (a == avro.Long && b == avro.Int) ||
		(a == avro.Float && b == avro.Double) || (a == avro.Double && b == avro.Float)
	return !widens
}

func unionMembers(u *avro.UnionSchema) []avro.Schema {
	var out []avro.Schema
	for _, t := range u.Types() {
		if t.Type() != avro.Null {
			out = append(out, t)
		}
	}
	return out
}

// avroPlan maps the fields of one writer schema to columns.
type avroPlan struct {
	rec      *avro.RecordSchema
	fieldCol []int // column of each field, -1 when no column wants it
}

func (d *avroDecoder) plan(rec *avro.RecordSchema) *avroPlan {
	p := &avroPlan{rec: rec}
	for _, f := range rec.Fields() {
		ci := -1
		for j, c := range d.cols {
			if c.Name == f.Name() {
				ci = j
				break
			}
		}
		p.fieldCol = append(p.fieldCol, ci)
	}
	return p
}

// avroDecoder reads a binary datum per payload, against the job's writer
// schema or the schema in the payload's object container header.
type avroDecoder struct {
	cols    []Column
	fixed   *avroPlan
	schemas map[string]*avroPlan
	scratch []byte
	inflate []byte
	zstd    *zstd.Decoder
	items   int
	alias   bool // the datum is part of the payload
}

func newAvroDecoder(f Format, cols []Column) (*avroDecoder, error) {
	d := &avroDecoder{cols: cols, schemas: map[string]*avroPlan{}}
	if f.AvroSchema != "" {
		rec, err := parseAvroSchema(f.AvroSchema)
		if err != nil {
			return nil, err
		}
		d.fixed = d.plan(rec)
	}
	return d, nil
}

func avroErr(field string, off int, format string, args ...any) *DecodeError {
	return &DecodeError{Format: "Avro", Field: field, Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// Decode reads one datum from payload into row.
func (d *avroDecoder) Decode(payload []byte, row []Value) error {
	for i := range row {
		row[i] = Value{}
	}
	d.items = 0
	plan, datum, base := d.fixed, payload, 0
	if plan == nil {
		var err error
		if plan, datum, base, err = d.container(payload); err != nil {
			return err
		}
	}
	// Strings point into an uncompressed payload, as the JSON decoder's do;
	// a decompressed datum lives in a buffer the next record reuses.
	d.alias = base >= 0
	base = max(base, 0)
	r := &avroReader{b: datum}
	for i, f := range plan.rec.Fields() {
		start := r.i
		ci := plan.fieldCol[i]
		if ci < 0 {
			if _, err := d.appendJSON(d.scratch[:0], r, f.Type(), 0); err != nil {
				return avroErr("", base+start, "field %q: %v", f.Name(), err)
			}
			continue
		}
		v, err := d.value(r, f.Type(), d.cols[ci])
		if err != nil {
			var ne *nestedError
			if errors.As(err, &ne) {
				return avroErr(d.cols[ci].Name+"."+ne.field, base+start, "%v", ne.err)
			}
			return avroErr(d.cols[ci].Name, base+start, "%v", err)
		}
		row[ci] = v
	}
	if r.i != len(datum) {
		return avroErr("", base+r.i, "%d bytes after the datum, want one datum per record", len(datum)-r.i)
	}
	for i, c := range d.cols {
		if c.Required && row[i].Null() {
			return avroErr(c.Name, base+len(datum), "missing or null value for a required column of type %s", c.Type)
		}
	}
	return nil
}

func (d *avroDecoder) value(r *avroReader, s avro.Schema, c Column) (Value, error) {
	s = deref(s)
	switch s.Type() {
	case avro.Null:
		return Value{}, nil
	case avro.Boolean:
		b, err := r.boolean()
		if err != nil {
			return Value{}, err
		}
		switch c.Type {
		case Boolean:
			return Bool(b), nil
		case String:
			return Value{Type: String, S: strconv.FormatBool(b)}, nil
		}
		return Value{}, avroWant(c, "boolean")
	case avro.Int, avro.Long:
		n, err := r.long()
		if err != nil {
			return Value{}, err
		}
		if s.Type() == avro.Int && (n < math.MinInt32 || n > math.MaxInt32) {
			return Value{}, fmt.Errorf("int %d out of 32-bit range", n)
		}
		return avroInt(n, logicalType(s), s.Type(), c)
	case avro.Float, avro.Double:
		var f float64
		var err error
		if s.Type() == avro.Float {
			f, err = r.float32()
		} else {
			f, err = r.float64()
		}
		if err != nil {
			return Value{}, err
		}
		switch c.Type {
		case Double, Float:
			return FloatValue(c.Type, f), nil
		case String:
			return Value{Type: String, S: strconv.FormatFloat(f, 'g', -1, 64)}, nil
		}
		return Value{}, avroWant(c, string(s.Type()))
	case avro.String:
		b, err := r.bytes()
		if err != nil {
			return Value{}, err
		}
		if !utf8.Valid(b) {
			return Value{}, errors.New("string is not valid UTF-8")
		}
		_, _, isDec := c.Type.Decimal()
		if c.Type == String || c.Type == Timestamp || c.Type == Date || c.Type == Binary || isDec {
			var str string
			if d.alias && len(b) > 0 {
				str = unsafe.String(&b[0], len(b))
			} else {
				str = string(b)
			}
			v, reason := parseText(str, c)
			if reason != "" {
				return Value{}, errors.New(reason)
			}
			if v.Null() && (c.Type == String || c.Type == Binary) {
				v = Value{Type: c.Type}
			}
			return v, nil
		}
		return Value{}, avroWant(c, "string")
	case avro.Bytes, avro.Fixed:
		b, err := avroBytes(r, s)
		if err != nil {
			return Value{}, err
		}
		if dec, ok := s.(avro.LogicalTypeSchema).Logical().(*avro.DecimalLogicalSchema); ok && dec != nil {
			rat, err := decimalRat(b, dec.Scale())
			if err != nil {
				return Value{}, err
			}
			if _, _, ok := c.Type.Decimal(); ok {
				return ParseDecimal(rat.FloatString(dec.Scale()), c.Type)
			}
			switch c.Type {
			case Double, Float:
				f, _ := rat.Float64()
				return FloatValue(c.Type, f), nil
			case String:
				return Value{Type: String, S: rat.FloatString(dec.Scale())}, nil
			case Binary:
				return Value{Type: Binary, S: string(b)}, nil
			}
			return Value{}, avroWant(c, "decimal")
		}
		switch c.Type {
		case Binary:
			if d.alias && len(b) > 0 {
				return Value{Type: Binary, S: unsafe.String(&b[0], len(b))}, nil
			}
			return Value{Type: Binary, S: string(b)}, nil
		case String:
			return Value{Type: String, S: base64.StdEncoding.EncodeToString(b)}, nil
		}
		return Value{}, avroWant(c, string(s.Type()))
	case avro.Enum:
		sym, err := avroEnum(r, s.(*avro.EnumSchema))
		if err != nil {
			return Value{}, err
		}
		if c.Type == String {
			return Value{Type: String, S: sym}, nil
		}
		return Value{}, avroWant(c, "enum")
	case avro.Union:
		u := s.(*avro.UnionSchema)
		members := unionMembers(u)
		if c.Type == String && structUnion(members) {
			break
		}
		branch, err := avroBranch(r, u)
		if err != nil {
			return Value{}, err
		}
		if st := structOf(c.Type); st != nil && structUnion(members) && branch.Type() != avro.Null {
			return d.unionStruct(r, members, branch, c, st)
		}
		return d.value(r, branch, c)
	case avro.Record:
		if st := structOf(c.Type); st != nil {
			return d.recordStruct(r, s.(*avro.RecordSchema), c, st)
		}
	case avro.Array, avro.Map:
		if (s.Type() == avro.Array && c.Type.Array()) || (s.Type() == avro.Map && c.Type.Map()) {
			return d.collection(r, s, c)
		}
	}
	if c.Type != String {
		return Value{}, avroWant(c, string(s.Type()))
	}
	out, err := d.appendJSON(d.scratch[:0], r, s, 0)
	d.scratch = out
	if err != nil {
		return Value{}, err
	}
	return Value{Type: String, S: string(out)}, nil
}

// collection reads an Avro array into an array Value or an Avro map into
// a map Value (keys parsed as the key type; a repeated key keeps its last
// value), item by item as the column's element type.
func (d *avroDecoder) collection(r *avroReader, s avro.Schema, c Column) (Value, error) {
	isMap := s.Type() == avro.Map
	var item avro.Schema
	if isMap {
		item = s.(*avro.MapSchema).Values()
	} else {
		item = s.(*avro.ArraySchema).Items()
	}
	elem := Column{Name: c.Name, Type: c.Type.Elem()}
	var out []Value
	var index map[string]int
	for {
		n, err := r.blockCount()
		if err != nil {
			return Value{}, err
		}
		if n == 0 {
			break
		}
		d.items += int(n)
		if d.items > avroMaxItems || (n > int64(len(r.b)-r.i) && n > 4096) {
			return Value{}, fmt.Errorf("block of %d items is larger than the payload allows", n)
		}
		for range n {
			at := -1
			if isMap {
				k, err := r.bytes()
				if err != nil {
					return Value{}, err
				}
				if !utf8.Valid(k) {
					return Value{}, errors.New("map key is not valid UTF-8")
				}
				key := string(k)
				kv, reason := Value{Type: String, S: key}, ""
				if c.Type.Key() != String {
					if kv, reason = parseText(key, Column{Name: c.Name, Type: c.Type.Key()}); reason == "" && kv.Null() {
						reason = "empty map key"
					}
				}
				if reason != "" {
					return Value{}, fmt.Errorf("map key %q: %s", key, reason)
				}
				if index == nil {
					index = map[string]int{}
				}
				if i, dup := index[key]; dup {
					at = i + 1
				} else {
					index[key] = len(out)
					out = append(out, kv)
				}
			}
			v, err := d.value(r, item, elem)
			if err != nil {
				return Value{}, err
			}
			if at >= 0 {
				out[at] = v
			} else {
				out = append(out, v)
			}
		}
	}
	if isMap {
		return MapValue(c.Type, out), nil
	}
	return ArrayValue(c.Type, out), nil
}

// unionStruct reads the written branch of a union of several types into
// Glue's struct: the field member<k>, k the branch's place among the
// non-null branches, is set and every other field is null.
func (d *avroDecoder) unionStruct(r *avroReader, members []avro.Schema, branch avro.Schema, c Column, st *structType) (Value, error) {
	k := 0
	for k < len(members) && members[k] != branch {
		k++
	}
	name := "member" + strconv.Itoa(k)
	fi := st.fieldIndex(name)
	if fi < 0 {
		return Value{}, fmt.Errorf("union branch %d (%s) has no field %s in column type %s", k, deref(branch).Type(), name, c.Type)
	}
	fields := make([]Value, len(st.fields))
	v, err := d.value(r, branch, st.fields[fi])
	if err != nil {
		return Value{}, nested(name, err)
	}
	fields[fi] = v
	return StructValue(c.Type, fields), nil
}

// recordStruct reads a record into a struct column: each record field fills
// the struct field of the same name (exactly, else ignoring case); record
// fields the struct lacks are read and dropped, struct fields the record
// lacks are null.
func (d *avroDecoder) recordStruct(r *avroReader, rec *avro.RecordSchema, c Column, st *structType) (Value, error) {
	if d.items++; d.items > avroMaxItems {
		return Value{}, fmt.Errorf("more than %d values in one datum", avroMaxItems)
	}
	fields := make([]Value, len(st.fields))
	for _, f := range rec.Fields() {
		fi := st.fieldIndex(f.Name())
		if fi < 0 {
			if _, err := d.appendJSON(d.scratch[:0], r, f.Type(), 1); err != nil {
				return Value{}, nested(f.Name(), err)
			}
			continue
		}
		v, err := d.value(r, f.Type(), st.fields[fi])
		if err != nil {
			return Value{}, nested(st.fields[fi].Name, err)
		}
		fields[fi] = v
	}
	return StructValue(c.Type, fields), nil
}

// nestedError is an error in a field of a struct column; field is the path
// below the column (a.b).
type nestedError struct {
	field string
	err   error
}

func (e *nestedError) Error() string { return e.field + ": " + e.err.Error() }
func (e *nestedError) Unwrap() error { return e.err }

func nested(field string, err error) error {
	var ne *nestedError
	if errors.As(err, &ne) {
		return &nestedError{field: field + "." + ne.field, err: ne.err}
	}
	return &nestedError{field: field, err: err}
}

func avroWant(c Column, got string) error {
	return fmt.Errorf("want %s, got avro %s", c.Type, got)
}

// avroInt converts an int or long, honouring its logical type.
func avroInt(n int64, logical avro.LogicalType, t avro.Type, c Column) (Value, error) {
	var micros int64
	isTime := true
	switch logical {
	case avro.Date:
		switch c.Type {
		case Date:
			return Value{Type: Date, I: n}, nil
		case Timestamp:
			return Value{Type: Timestamp, I: n * 86400_000_000}, nil
		case String:
			return Value{Type: String, S: Value{Type: Date, I: n}.Text()}, nil
		}
		return Value{}, avroWant(c, "date")
	case avro.TimestampMillis, avro.LocalTimestampMillis:
		if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
			return Value{}, fmt.Errorf("timestamp-millis %d out of range", n)
		}
		micros = n * 1000
	case avro.TimestampMicros, avro.LocalTimestampMicros:
		micros = n
	default:
		isTime = false
	}
	if isTime {
		switch c.Type {
		case Timestamp:
			return Value{Type: Timestamp, I: micros}, nil
		case Date:
			return Value{Type: Date, I: floorDiv(micros, 86400_000_000)}, nil
		case Bigint:
			return Value{Type: Bigint, I: n}, nil
		case String:
			return Value{Type: String, S: Value{Type: Timestamp, I: micros}.Text()}, nil
		}
		return Value{}, avroWant(c, string(logical))
	}
	switch c.Type {
	case Int:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return Value{}, fmt.Errorf("number %d out of range for int", n)
		}
		return Value{Type: Int, I: n}, nil
	case Bigint:
		return Value{Type: Bigint, I: n}, nil
	case Double, Float:
		return FloatValue(c.Type, float64(n)), nil
	case String:
		return Value{Type: String, S: strconv.FormatInt(n, 10)}, nil
	}
	return Value{}, avroWant(c, string(t))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func avroBytes(r *avroReader, s avro.Schema) ([]byte, error) {
	if f, ok := s.(*avro.FixedSchema); ok {
		return r.fixed(f.Size())
	}
	return r.bytes()
}

func avroEnum(r *avroReader, e *avro.EnumSchema) (string, error) {
	i, err := r.long()
	if err != nil {
		return "", err
	}
	if i < 0 || i >= int64(len(e.Symbols())) {
		return "", fmt.Errorf("enum index %d out of range for %s (%d symbols)", i, e.Name(), len(e.Symbols()))
	}
	return e.Symbols()[i], nil
}

func avroBranch(r *avroReader, u *avro.UnionSchema) (avro.Schema, error) {
	i, err := r.long()
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(u.Types())) {
		return nil, fmt.Errorf("union branch %d out of range (%d branches)", i, len(u.Types()))
	}
	return u.Types()[i], nil
}

func decimalRat(b []byte, scale int) (*big.Rat, error) {
	if scale < 0 || scale > avroMaxScale {
		return nil, fmt.Errorf("decimal scale %d out of range", scale)
	}
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	return new(big.Rat).SetFrac(n, den), nil
}

// appendJSON renders one value of schema s as JSON: records and maps as
// objects, arrays as arrays, unions of several types as Glue's struct
// {"member0": ..., "member1": ...} (null members left out of the numbering),
// bytes and fixed as base64 strings, decimals as numbers, dates and
// timestamps as strings, non-finite floats as null.
func (d *avroDecoder) appendJSON(out []byte, r *avroReader, s avro.Schema, depth int) ([]byte, error) {
	if depth > avroMaxDepth {
		return out, errors.New("nesting too deep")
	}
	// Nulls and empty records take no bytes: bound the values per datum so
	// a schema cannot make a short payload expensive.
	if d.items++; d.items > avroMaxItems {
		return out, fmt.Errorf("more than %d values in one datum", avroMaxItems)
	}
	s = deref(s)
	switch s.Type() {
	case avro.Null:
		return append(out, "null"...), nil
	case avro.Boolean:
		b, err := r.boolean()
		return strconv.AppendBool(out, b), err
	case avro.Int, avro.Long:
		n, err := r.long()
		if err != nil {
			return out, err
		}
		switch logicalType(s) {
		case avro.Date, avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros:
			v, err := avroInt(n, logicalType(s), s.Type(), Column{Type: String})
			if err != nil {
				return out, err
			}
			return jsontext.AppendString(out, v.S), nil
		}
		return strconv.AppendInt(out, n, 10), nil
	case avro.Float, avro.Double:
		var f float64
		var err error
		if s.Type() == avro.Float {
			f, err = r.float32()
		} else {
			f, err = r.float64()
		}
		if err != nil {
			return out, err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(out, "null"...), nil
		}
		return strconv.AppendFloat(out, f, 'g', -1, 64), nil
	case avro.String:
		b, err := r.bytes()
		if err != nil {
			return out, err
		}
		if !utf8.Valid(b) {
			return out, errors.New("string is not valid UTF-8")
		}
		return jsontext.AppendString(out, string(b)), nil
	case avro.Bytes, avro.Fixed:
		b, err := avroBytes(r, s)
		if err != nil {
			return out, err
		}
		if dec, ok := s.(avro.LogicalTypeSchema).Logical().(*avro.DecimalLogicalSchema); ok && dec != nil {
			rat, err := decimalRat(b, dec.Scale())
			if err != nil {
				return out, err
			}
			return append(out, rat.FloatString(dec.Scale())...), nil
		}
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, b)
		return append(out, '"'), nil
	case avro.Enum:
		sym, err := avroEnum(r, s.(*avro.EnumSchema))
		return jsontext.AppendString(out, sym), err
	case avro.Union:
		u := s.(*avro.UnionSchema)
		branch, err := avroBranch(r, u)
		if err != nil {
			return out, err
		}
		members := unionMembers(u)
		if !structUnion(members) || branch.Type() == avro.Null {
			return d.appendJSON(out, r, branch, depth+1)
		}
		out = append(out, '{')
		for i, m := range members {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `"member`...)
			out = strconv.AppendInt(out, int64(i), 10)
			out = append(out, `":`...)
			if m == branch {
				if out, err = d.appendJSON(out, r, branch, depth+1); err != nil {
					return out, err
				}
			} else {
				out = append(out, "null"...)
			}
		}
		return append(out, '}'), nil
	case avro.Record:
		out = append(out, '{')
		for i, f := range s.(*avro.RecordSchema).Fields() {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsontext.AppendString(out, f.Name())
			out = append(out, ':')
			var err error
			if out, err = d.appendJSON(out, r, f.Type(), depth+1); err != nil {
				return out, fmt.Errorf("field %q: %w", f.Name(), err)
			}
		}
		return append(out, '}'), nil
	case avro.Array, avro.Map:
		isMap := s.Type() == avro.Map
		open, closer := byte('['), byte(']')
		var item avro.Schema
		if isMap {
			open, closer, item = '{', '}', s.(*avro.MapSchema).Values()
		} else {
			item = s.(*avro.ArraySchema).Items()
		}
		out = append(out, open)
		first := true
		for {
			n, err := r.blockCount()
			if err != nil {
				return out, err
			}
			if n == 0 {
				break
			}
			d.items += int(n)
			if d.items > avroMaxItems || (n > int64(len(r.b)-r.i) && n > 4096) {
				return out, fmt.Errorf("block of %d items is larger than the payload allows", n)
			}
			for range n {
				if !first {
					out = append(out, ',')
				}
				first = false
				if isMap {
					k, err := r.bytes()
					if err != nil {
						return out, err
					}
					if !utf8.Valid(k) {
						return out, errors.New("map key is not valid UTF-8")
					}
					out = jsontext.AppendString(out, string(k))
					out = append(out, ':')
				}
				if out, err = d.appendJSON(out, r, item, depth+1); err != nil {
					return out, err
				}
			}
		}
		return append(out, closer), nil
	}
	return out, fmt.Errorf("unsupported avro type %s", s.Type())
}

// container reads an Avro object container file holding exactly one datum
// and returns the plan for its schema, the (decompressed) datum and the
// datum's offset in the payload (-1 when it was compressed).
func (d *avroDecoder) container(b []byte) (*avroPlan, []byte, int, error) {
	if len(b) < 4 || string(b[:4]) != "Obj\x01" {
		return nil, nil, 0, avroErr("", 0, "want an Avro object container file (magic Obj\\x01) as no avro schema is configured")
	}
	r := &avroReader{b: b, i: 4}
	schema, codec, sync, err := containerHeader(r)
	if err != nil {
		return nil, nil, 0, err
	}
	var datum []byte
	at, total := 0, int64(0)
	for r.i < len(b) {
		count, err := r.long()
		if err != nil {
			return nil, nil, 0, avroErr("", r.i, "container block: %v", err)
		}
		if count < 0 {
			return nil, nil, 0, avroErr("", r.i, "container block count %d is negative", count)
		}
		blk, err := r.bytes()
		if err != nil {
			return nil, nil, 0, avroErr("", r.i, "container block: %v", err)
		}
		start := r.i - len(blk)
		s, err := r.fixed(16)
		if err != nil || !bytes.Equal(s, sync) {
			return nil, nil, 0, avroErr("", r.i, "container block: sync marker does not match the header's")
		}
		total += count
		if total > 1 {
			return nil, nil, 0, avroErr("", start, "container holds more than one datum, want one per stream record")
		}
		if count == 1 {
			datum, at = blk, start
		}
	}
	if total != 1 {
		return nil, nil, 0, avroErr("", len(b), "container holds no datum, want one")
	}
	plan, ok := d.schemas[string(schema)]
	if !ok {
		rec, err := parseAvroSchema(string(schema))
		if err != nil {
			return nil, nil, 0, avroErr("", 4, "container schema: %v", err)
		}
		if len(d.schemas) >= avroMaxSchemas {
			clear(d.schemas)
		}
		plan = d.plan(rec)
		d.schemas[string(schema)] = plan
	}
	switch string(codec) {
	case "", "null":
		return plan, datum, at, nil
	case "deflate":
		fr := flate.NewReader(bytes.NewReader(datum))
		buf := bytes.NewBuffer(d.inflate[:0])
		n, err := io.Copy(buf, io.LimitReader(fr, avroMaxInflated+1))
		d.inflate = buf.Bytes()
		if err != nil {
			return nil, nil, 0, avroErr("", at, "inflate deflate block: %v", err)
		}
		if n > avroMaxInflated {
			return nil, nil, 0, avroErr("", at, "deflate block inflates beyond %d bytes", avroMaxInflated)
		}
		return plan, d.inflate, -1, nil
	case "snappy":
		if len(datum) < 4 {
			return nil, nil, 0, avroErr("", at, "snappy block shorter than its checksum")
		}
		body := datum[:len(datum)-4]
		n, err := snappy.DecodedLen(body)
		if err != nil || n > avroMaxInflated {
			return nil, nil, 0, avroErr("", at, "snappy block: bad or oversized length")
		}
		out, err := snappy.Decode(d.inflate[:0:cap(d.inflate)], body)
		if err != nil {
			return nil, nil, 0, avroErr("", at, "decode snappy block: %v", err)
		}
		d.inflate = out
		if crc32.ChecksumIEEE(out) != binary.BigEndian.Uint32(datum[len(datum)-4:]) {
			return nil, nil, 0, avroErr("", at, "snappy block checksum mismatch")
		}
		return plan, out, -1, nil
	case "zstandard":
		if d.zstd == nil {
			zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(avroMaxInflated))
			if err != nil {
				return nil, nil, 0, avroErr("", at, "start zstandard decoder: %v", err)
			}
			d.zstd = zd
		}
		out, err := d.zstd.DecodeAll(datum, d.inflate[:0])
		if err != nil {
			return nil, nil, 0, avroErr("", at, "decode zstandard block: %v", err)
		}
		d.inflate = out
		return plan, out, -1, nil
	}
	return nil, nil, 0, avroErr("", 4, "unsupported container codec %q (want null, deflate, snappy or zstandard)", codec)
}

// containerHeader reads an object container header's metadata and sync
// marker from r, which is just past the magic.
func containerHeader(r *avroReader) (schema, codec, sync []byte, err error) {
	for {
		n, err := r.blockCount()
		if err != nil {
			return nil, nil, nil, avroErr("", r.i, "container header: %v", err)
		}
		if n == 0 {
			break
		}
		for range n {
			k, err := r.bytes()
			if err != nil {
				return nil, nil, nil, avroErr("", r.i, "container header: %v", err)
			}
			v, err := r.bytes()
			if err != nil {
				return nil, nil, nil, avroErr("", r.i, "container header: %v", err)
			}
			switch string(k) {
			case "avro.schema":
				schema = v
			case "avro.codec":
				codec = v
			}
		}
	}
	if sync, err = r.fixed(16); err != nil {
		return nil, nil, nil, avroErr("", r.i, "container header: sync marker: %v", err)
	}
	if schema == nil {
		return nil, nil, nil, avroErr("", r.i, "container header has no avro.schema")
	}
	return schema, codec, sync, nil
}

// InferAvro derives columns from the writer schemas in the headers of a
// batch of Avro object container payloads, for a job that gives neither
// columns nor a writer schema: the columns of the first schema, as
// AvroColumns makes them (unions and records become structs), then the
// fields that later schemas add. A field whose type differs between schemas
// gets the type Widen gives (string for two different structs). Every column
// is nullable. Payloads that are not containers, or whose schema is not a
// record, are skipped (the decoder sends them to the dead letter); each
// distinct schema is converted once. It returns nil when no payload has a
// usable schema.
func InferAvro(payloads [][]byte) []Column {
	var cols []Column
	at := map[string]int{}
	seen := map[string]bool{}
	for _, p := range payloads {
		if len(p) < 4 || string(p[:4]) != "Obj\x01" {
			continue
		}
		schema, _, _, err := containerHeader(&avroReader{b: p, i: 4})
		if err != nil || seen[string(schema)] || len(seen) >= avroMaxSchemas {
			continue
		}
		seen[string(schema)] = true
		more, err := AvroColumns(string(schema))
		if err != nil {
			continue
		}
		for _, c := range more {
			if i, ok := at[c.Name]; ok {
				cols[i].Type = Widen(cols[i].Type, c.Type)
				continue
			}
			at[c.Name] = len(cols)
			cols = append(cols, Column{Name: c.Name, Type: c.Type})
		}
	}
	return cols
}

// avroReader reads Avro's binary encoding.
type avroReader struct {
	b []byte
	i int
}

var errShort = errors.New("datum ends early")

func (r *avroReader) long() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 70; shift += 7 {
		if r.i >= len(r.b) {
			return 0, errShort
		}
		c := r.b[r.i]
		r.i++
		if shift == 63 && c > 1 {
			return 0, errors.New("varint overflows 64 bits")
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, errors.New("varint overflows 64 bits")
}

// blockCount reads an array or map block count; a negative count is
// followed by the block's size in bytes, which is read and ignored.
func (r *avroReader) blockCount() (int64, error) {
	n, err := r.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, errors.New("block count out of range")
		}
		n = -n
		if _, err := r.long(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (r *avroReader) boolean() (bool, error) {
	if r.i >= len(r.b) {
		return false, errShort
	}
	c := r.b[r.i]
	if c > 1 {
		return false, fmt.Errorf("boolean byte %d, want 0 or 1", c)
	}
	r.i++
	return c == 1, nil
}

func (r *avroReader) fixed(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.i {
		return nil, errShort
	}
	b := r.b[r.i : r.i+n]
	r.i += n
	return b, nil
}

func (r *avroReader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("negative length %d", n)
	}
	if n > int64(len(r.b)-r.i) {
		return nil, fmt.Errorf("length %d runs past the end: %w", n, errShort)
	}
	return r.fixed(int(n))
}

func (r *avroReader) float32() (float64, error) {
	b, err := r.fixed(4)
	if err != nil {
		return 0, err
	}
	return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), nil
}

func (r *avroReader) float64() (float64, error) {
	b, err := r.fixed(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}
