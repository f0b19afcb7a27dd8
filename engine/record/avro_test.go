package record_test

import (
	"bytes"
	"math/big"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/streamcheck/streamcheck/engine/record"
)

const ventSchema = `{"type":"record","name":"Vent","namespace":"streamcheck.test","fields":[
 {"name":"id","type":"int"},
 {"name":"serial","type":"string"},
 {"name":"big","type":"long"},
 {"name":"x","type":"double"},
 {"name":"f","type":"float"},
 {"name":"ok","type":"boolean"},
 {"name":"maker","type":{"type":"enum","name":"Maker","symbols":["Vyaire","Philips"]}},
 {"name":"mac","type":{"type":"fixed","name":"Mac","size":3}},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"day","type":{"type":"int","logicalType":"date"}},
 {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
 {"name":"opt","type":["null","string"]},
 {"name":"u","type":["null","int","string"]},
 {"name":"loc","type":{"type":"record","name":"Loc","fields":[{"name":"lat","type":"double"},{"name":"tags","type":{"type":"array","items":"string"}}]}},
 {"name":"attrs","type":{"type":"map","values":"long"}},
 {"name":"skipped","type":{"type":"array","items":"Loc"}},
 {"name":"num","type":["int","long"]}
]}`

var (
	unionType = mustType("struct<member0:int,member1:string>")
	locType   = mustType("struct<lat:double,tags:string>")
)

var ventAvroCols = []record.Column{
	{Name: "id", Type: record.Int, Required: true}, {Name: "serial", Type: record.String}, {Name: "big", Type: record.Bigint},
	{Name: "x", Type: record.Double}, {Name: "f", Type: record.Float}, {Name: "ok", Type: record.Boolean},
	{Name: "maker", Type: record.String}, {Name: "mac", Type: record.Binary}, {Name: "ts", Type: record.Timestamp},
	{Name: "day", Type: record.Date}, {Name: "price", Type: record.Double}, {Name: "opt", Type: record.String},
	{Name: "u", Type: unionType}, {Name: "loc", Type: locType}, {Name: "attrs", Type: record.String},
	{Name: "num", Type: record.String},
}

func mustType(s string) record.Type {
	t, err := record.ParseType(s)
	if err != nil {
		panic(err)
	}
	return t
}

func str(s string) record.Value { return record.Value{Type: record.String, S: s} }

func ventDatum(opt, u any) map[string]any {
	return map[string]any{
		"id": 29, "serial": "dd5e", "big": int64(-9007199254740993), "x": 1.5, "f": float32(0.25), "ok": true,
		"maker": "Philips", "mac": [3]byte{1, 2, 255}, "ts": time.UnixMilli(1795352709123).UTC(),
		"day": time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), "price": big.NewRat(-1234, 100),
		"opt": opt, "u": u,
		"loc":     map[string]any{"lat": 47.5, "tags": []string{"a", "b\"c"}},
		"attrs":   map[string]int64{"k": 3},
		"skipped": []map[string]any{{"lat": 1.0, "tags": []string{"z"}}},
		"num":     int64(-3),
	}
}

func marshalAvro(t testing.TB, schema string, v any) []byte {
	t.Helper()
	b, err := avro.Marshal(avro.MustParse(schema), v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ocfPayload(t testing.TB, schema string, codec ocf.CodecName, vs ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := ocf.NewEncoder(schema, &buf, ocf.WithCodec(codec))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAvro(t *testing.T) {
	full := map[string]record.Value{
		"id": {Type: record.Int, I: 29}, "serial": {Type: record.String, S: "dd5e"}, "big": {Type: record.Bigint, I: -9007199254740993},
		"x": record.FloatValue(record.Double, 1.5), "f": record.FloatValue(record.Float, 0.25), "ok": record.Bool(true),
		"maker": {Type: record.String, S: "Philips"}, "mac": record.BinaryValue([]byte{1, 2, 255}),
		"ts": {Type: record.Timestamp, I: 1795352709123000}, "day": {Type: record.Date, I: 20779}, "price": record.FloatValue(record.Double, -12.34),
		"opt": {Type: record.String, S: "here"}, "u": record.StructValue(unionType, []record.Value{{Type: record.Int, I: 5}, {}}),
		"loc":   record.StructValue(locType, []record.Value{record.FloatValue(record.Double, 47.5), str(`["a","b\"c"]`)}),
		"attrs": {Type: record.String, S: `{"k":3}`},
		"num":   {Type: record.String, S: "-3"},
	}
	datum := marshalAvro(t, ventSchema, ventDatum("here", 5))
	truncated := datum[:len(datum)-20] // inside attrs
	badEnum := marshalAvro(t, `{"type":"record","name":"E","fields":[{"name":"id","type":"int"},{"name":"maker","type":"int"}]}`, map[string]any{"id": 1, "maker": 7})
	enumSchema := `{"type":"record","name":"E","fields":[{"name":"id","type":"int"},{"name":"maker","type":{"type":"enum","name":"M","symbols":["a","b"]}}]}`
	tests := []struct {
		name    string
		schema  string
		cols    []record.Column
		in      []byte
		want    map[string]record.Value
		wantErr string
	}{
		{name: "schema in the job", schema: ventSchema, in: datum, want: full},
		{name: "container, null codec", in: ocfPayload(t, ventSchema, ocf.Null, ventDatum("here", 5)), want: full},
		{name: "container, deflate", in: ocfPayload(t, ventSchema, ocf.Deflate, ventDatum("here", 5)), want: full},
		{name: "container, snappy", in: ocfPayload(t, ventSchema, ocf.Snappy, ventDatum("here", 5)), want: full},
		{name: "container, zstandard", in: ocfPayload(t, ventSchema, ocf.ZStandard, ventDatum("here", 5)), want: full},
		{name: "null union branches", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, "s")),
			want: map[string]record.Value{"opt": {}, "u": record.StructValue(unionType, []record.Value{{}, str("s")})}},
		{name: "null branch of a struct union", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, nil)),
			want: map[string]record.Value{"u": {}}},
		{name: "union and record into string columns as JSON text", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, "s")),
			cols: []record.Column{{Name: "mac", Type: record.String}, {Name: "u", Type: record.String}, {Name: "loc", Type: record.String}},
			want: map[string]record.Value{"mac": str("AQL/"), "u": str(`{"member0":null,"member1":"s"}`), "loc": str(`{"lat":47.5,"tags":["a","b\"c"]}`)}},
		{name: "record into a struct with other fields", schema: ventSchema, in: datum,
			cols: []record.Column{{Name: "loc", Type: mustType("struct<LAT:bigint,alt:int>")}}, wantErr: `field "loc.LAT" at byte`},
		{name: "record into a narrower struct", schema: ventSchema, in: datum,
			cols: []record.Column{{Name: "loc", Type: mustType("struct<alt:int,tags:string>")}, {Name: "num", Type: record.Bigint}},
			want: map[string]record.Value{"loc": record.StructValue(mustType("struct<alt:int,tags:string>"), []record.Value{{}, str(`["a","b\"c"]`)}),
				"num": {Type: record.Bigint, I: -3}}},
		{name: "union branch without a struct field", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, "s")),
			cols: []record.Column{{Name: "u", Type: mustType("struct<member0:int>")}}, wantErr: `field "u" at byte`},
		{name: "union branch of the wrong struct field type", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, "s")),
			cols: []record.Column{{Name: "u", Type: mustType("struct<member0:int,member1:int>")}}, wantErr: `field "u.member1" at byte`},
		{name: "truncated fixed goes to the dead letter", schema: `{"type":"record","name":"F","fields":[{"name":"mac","type":{"type":"fixed","name":"M","size":6}}]}`,
			in: []byte{1, 2, 3}, cols: []record.Column{{Name: "mac", Type: record.Binary}}, wantErr: `field "mac" at byte 0: datum ends early`},
		{name: "binary column from a string", schema: `{"type":"record","name":"S","fields":[{"name":"s","type":"string"}]}`,
			in: []byte{4, 'h', 'i'}, cols: []record.Column{{Name: "s", Type: record.Binary}}, want: map[string]record.Value{"s": record.BinaryValue([]byte("hi"))}},
		{name: "arrays and maps into array and map columns", schema: ventSchema, in: datum,
			cols: []record.Column{{Name: "loc", Type: mustType("struct<lat:double,tags:array<string>>")}, {Name: "attrs", Type: mustType("map<string,bigint>")}},
			want: map[string]record.Value{
				"loc": record.StructValue(mustType("struct<lat:double,tags:array<string>>"), []record.Value{record.FloatValue(record.Double, 47.5),
					record.ArrayValue(mustType("array<string>"), []record.Value{str("a"), str(`b"c`)})}),
				"attrs": record.MapValue(mustType("map<string,bigint>"), []record.Value{str("k"), {Type: record.Bigint, I: 3}})}},
		{name: "map values of the wrong type", schema: ventSchema, in: datum,
			cols: []record.Column{{Name: "attrs", Type: mustType("map<string,boolean>")}}, wantErr: `field "attrs" at byte`},
		{name: "union branch into a scalar column", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, 6)),
			cols: []record.Column{{Name: "u", Type: record.Bigint}}, want: map[string]record.Value{"u": {Type: record.Bigint, I: 6}}},

		{name: "truncated datum names the column", schema: ventSchema, in: truncated, wantErr: `field "attrs" at byte`},
		{name: "trailing bytes", schema: ventSchema, in: append(append([]byte{}, datum...), 0, 0), wantErr: "invalid Avro at byte " + itoa(len(datum)) + ": 2 bytes after the datum"},
		{name: "enum index out of range", schema: enumSchema, in: badEnum, cols: []record.Column{{Name: "maker", Type: record.String}},
			wantErr: `field "maker" at byte 1: enum index 7 out of range for M (2 symbols)`},
		{name: "union index out of range", schema: `{"type":"record","name":"U","fields":[{"name":"u","type":["null","int"]}]}`, in: []byte{0x08},
			cols: []record.Column{{Name: "u", Type: record.Int}}, wantErr: `field "u" at byte 0: union branch 4 out of range`},
		{name: "negative string length", schema: `{"type":"record","name":"S","fields":[{"name":"s","type":"string"}]}`, in: []byte{0x03},
			cols: []record.Column{{Name: "s", Type: record.String}}, wantErr: `field "s" at byte 0: negative length -2`},
		{name: "required column null", schema: ventSchema, in: marshalAvro(t, ventSchema, ventDatum(nil, nil)),
			cols: []record.Column{{Name: "opt", Type: record.String, Required: true}}, wantErr: `field "opt"`},
		{name: "column type the schema cannot fill", schema: ventSchema, in: datum,
			cols: []record.Column{{Name: "serial", Type: record.Int}}, wantErr: `field "serial" at byte 1: want int, got avro string`},
		{name: "not a container without a schema", in: datum, wantErr: "want an Avro object container file"},
		{name: "container with two data", in: ocfPayload(t, ventSchema, ocf.Null, ventDatum("a", 1), ventDatum("b", 2)), wantErr: "container holds more than one datum"},
		{name: "container with no datum", in: ocfPayload(t, ventSchema, ocf.Null), wantErr: "container holds no datum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := tt.cols
			if cols == nil {
				cols = ventAvroCols
			}
			dec, err := record.NewFormatDecoder(record.Format{Classification: "avro", AvroSchema: tt.schema}, cols)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]record.Value, len(cols))
			err = dec.Decode(tt.in, row)
			if tt.wantErr != "" {
				checkErr(t, tt.name, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkRow(t, cols, row, tt.want)
		})
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func TestAvroColumns(t *testing.T) {
	cols, err := record.AvroColumns(ventSchema)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		s := c.Name + ":" + c.Type.String()
		if c.Required {
			s += "!"
		}
		got = append(got, s)
	}
	want := "id:int! serial:string! big:bigint! x:double! f:float! ok:boolean! maker:string! mac:binary! ts:timestamp! day:date! price:decimal(9,2)! opt:string u:struct<member0:int,member1:string> loc:struct<lat:double,tags:array<string>>! attrs:map<string,bigint>! skipped:array<struct<lat:double,tags:array<string>>>! num:bigint!"
	if g := joinSpace(got); g != want {
		t.Errorf("AvroColumns =\n%s\nwant\n%s", g, want)
	}
	if _, err := record.AvroColumns(`{"type":"array","items":"string"}`); err == nil {
		t.Errorf("AvroColumns(array schema) succeeded, want an error")
	}
}

func joinSpace(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

func FuzzAvro(f *testing.F) {
	datum := marshalAvro(f, ventSchema, ventDatum("here", 5))
	f.Add(datum, false)
	f.Add(datum[:len(datum)/2], false)
	f.Add([]byte{0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, false)
	for _, c := range []ocf.CodecName{ocf.Null, ocf.Deflate, ocf.Snappy, ocf.ZStandard} {
		p := ocfPayload(f, ventSchema, c, ventDatum(nil, "s"))
		f.Add(p, true)
		f.Add(p[:len(p)-5], true)
	}
	fixed, err := record.NewFormatDecoder(record.Format{Classification: "avro", AvroSchema: ventSchema}, ventAvroCols)
	if err != nil {
		f.Fatal(err)
	}
	inPayload, _ := record.NewFormatDecoder(record.Format{Classification: "avro"}, ventAvroCols)
	row := make([]record.Value, len(ventAvroCols))
	f.Fuzz(func(t *testing.T, b []byte, container bool) {
		dec := fixed
		if container {
			dec = inPayload
		}
		_ = dec.Decode(b, row)
	})
}

// TestAvroAmplification checks that a short payload cannot make a decoder do
// unbounded work through values that take no bytes.
func TestAvroAmplification(t *testing.T) {
	schema := `{"type":"record","name":"A","fields":[{"name":"a","type":{"type":"array","items":{"type":"record","name":"E","fields":[
	 {"name":"n0","type":"null"},{"name":"n1","type":"null"},{"name":"n2","type":"null"},{"name":"n3","type":"null"}]}}}]}`
	// Blocks of 4096 empty-ish items, repeated: each block is 3 bytes.
	var p []byte
	for range 1000 {
		p = append(p, 0x80, 0x40) // zigzag 4096
	}
	p = append(p, 0)
	dec, err := record.NewFormatDecoder(record.Format{Classification: "avro", AvroSchema: schema}, []record.Column{{Name: "a", Type: record.String}})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]record.Value, 1)
	checkErr(t, "amplifying payload", dec.Decode(p, row), "more than 1048576 values in one datum")
}

// TestAvroRowsOutliveTheNextRecord checks that strings decoded from a
// compressed container do not point into a buffer the next record reuses.
func TestAvroRowsOutliveTheNextRecord(t *testing.T) {
	for _, codec := range []ocf.CodecName{ocf.Null, ocf.Deflate, ocf.Snappy, ocf.ZStandard} {
		dec, err := record.NewFormatDecoder(record.Format{Classification: "avro"}, ventAvroCols)
		if err != nil {
			t.Fatal(err)
		}
		a, b := ventDatum("first", 1), ventDatum("second", 2)
		b["serial"] = "zzzz"
		rowA, rowB := make([]record.Value, len(ventAvroCols)), make([]record.Value, len(ventAvroCols))
		if err := dec.Decode(ocfPayload(t, ventSchema, codec, a), rowA); err != nil {
			t.Fatal(err)
		}
		if err := dec.Decode(ocfPayload(t, ventSchema, codec, b), rowB); err != nil {
			t.Fatal(err)
		}
		if rowA[1].S != "dd5e" || rowA[11].S != "first" {
			t.Errorf("%s: first row serial=%q opt=%q after decoding the second, want dd5e and first", codec, rowA[1].S, rowA[11].S)
		}
	}
}
