package record_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

var cols = []record.Column{
	{Name: "id", Type: record.Int, Required: true},
	{Name: "big", Type: record.Bigint},
	{Name: "name", Type: record.String},
	{Name: "x", Type: record.Double},
	{Name: "ok", Type: record.Boolean},
	{Name: "ts", Type: record.Timestamp},
	{Name: "d", Type: record.Date},
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]record.Value
		wantErr string // substring; "" for success
	}{
		{name: "all types", in: `{"id":7,"big":-9007199254740993,"name":"a\"b\u00e9","x":1.5e2,"ok":true,"ts":"2026-11-22 13:05:09","d":"2026-11-22"}`,
			want: map[string]record.Value{"id": {Type: record.Int, I: 7}, "big": {Type: record.Bigint, I: -9007199254740993},
				"name": {Type: record.String, S: `a"bé`}, "x": record.FloatValue(record.Double, 150), "ok": record.Bool(true),
				"ts": {Type: record.Timestamp, I: 1795352709000000}, "d": {Type: record.Date, I: 20779}}},
		{name: "missing optional is null, unknown skipped", in: ` {"zz":{"a":[1,{"b":null}]},"id":1} `, want: map[string]record.Value{"id": {Type: record.Int, I: 1}, "name": {}}},
		{name: "nested value into string column", in: `{"id":1,"name":{"a":1}}`, want: map[string]record.Value{"name": {Type: record.String, S: `{"a":1}`}}},
		{name: "last duplicate wins", in: `{"id":1,"id":2}`, want: map[string]record.Value{"id": {Type: record.Int, I: 2}}},
		{name: "wrong type", in: `{"id":"7"}`, wantErr: `field "id" at byte 6: want int, got string`},
		{name: "fraction for int", in: `{"id":7.5}`, wantErr: "want int, got fractional number 7.5"},
		{name: "int out of range", in: `{"id":3000000000}`, wantErr: "out of range for int"},
		{name: "missing required", in: `{"name":"x"}`, wantErr: `field "id"`},
		{name: "null required", in: `{"id":null}`, wantErr: "null for a required field"},
		{name: "bad timestamp", in: `{"id":1,"ts":"yesterday"}`, wantErr: "want a timestamp"},
		{name: "truncated", in: `{"id":1,"name":"ab`, wantErr: "unterminated string"},
		{name: "not an object", in: `[1,2]`, wantErr: "want a JSON object"},
		{name: "trailing data", in: `{"id":1} {}`, wantErr: "trailing data"},
		{name: "invalid utf-8", in: "{\"id\":1,\"name\":\"\xff\"}", wantErr: "invalid UTF-8"},
		{name: "leading zero", in: `{"id":01}`, wantErr: "leading zero"},
		{name: "bare word", in: `{"id":1,"ok":tru}`, wantErr: "want true"},
		{name: "empty", in: ``, wantErr: "want a JSON object"},
	}
	dec := record.NewDecoder(cols)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := make([]record.Value, len(cols))
			err := dec.Decode([]byte(tt.in), row)
			if tt.wantErr != "" {
				var de *record.DecodeError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &de) {
					t.Fatalf("Decode(%s) error = %v, want a DecodeError containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%s): %v", tt.in, err)
			}
			for i, c := range cols {
				want, ok := tt.want[c.Name]
				if ok && row[i] != want {
					t.Errorf("%s = %+v, want %+v", c.Name, row[i], want)
				}
			}
		})
	}
}

func TestInfer(t *testing.T) {
	got := record.Infer([][]byte{
		[]byte(`{"a":1,"b":"x","c":1}`),
		[]byte(`{"a":2.5,"b":3,"d":true,"e":null}`),
		[]byte(`not json`),
	})
	want := "a:double b:string c:bigint d:boolean e:string"
	var parts []string
	for _, c := range got {
		parts = append(parts, c.Name+":"+c.Type.String())
	}
	if s := strings.Join(parts, " "); s != want {
		t.Errorf("Infer = %s, want %s", s, want)
	}
}

func TestParseType(t *testing.T) {
	dec, err := record.DecimalOf(10, 2)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]record.Type{"INT": record.Int, "long": record.Bigint, "decimal(10,2)": dec, "timestamp": record.Timestamp} {
		if got, err := record.ParseType(in); err != nil || got != want {
			t.Errorf("ParseType(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"map<binary,int>", "map<array<int>,int>", "decimal(39,2)", "decimal(5,6)", "array<int", "map<string>"} {
		if _, err := record.ParseType(bad); err == nil {
			t.Errorf("ParseType(%q) succeeded, want an error", bad)
		}
	}
}

var ventilatorCols = []record.Column{
	{Name: "ventilatorid", Type: record.Int}, {Name: "eventtime", Type: record.String}, {Name: "serialnumber", Type: record.String},
	{Name: "pressurecontrol", Type: record.Int}, {Name: "o2stats", Type: record.Int}, {Name: "minutevolume", Type: record.Int},
	{Name: "manufacturer", Type: record.String},
}

func BenchmarkDecodeVentilator(b *testing.B) {
	p := []byte(`{"ventilatorid":29,"eventtime":"2026-11-22 13:05:09","serialnumber":"dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11","pressurecontrol":27,"o2stats":92,"minutevolume":6,"manufacturer":"Vyaire"}`)
	dec := record.NewDecoder(ventilatorCols)
	row := make([]record.Value, len(ventilatorCols))
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if err := dec.Decode(p, row); err != nil {
			b.Fatal(err)
		}
	}
}

// TestInferNested: objects become structs and arrays arrays, as Spark's
// JSON inference makes them, merged across records; conflicts are strings.
func TestInferNested(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		payloads []string
		want     string
	}{
		{"struct merged across records", []string{`{"loc":{"lat":1.5}}`, `{"loc":{"lon":2,"lat":null}}`}, "loc:struct<lat:double,lon:bigint>"},
		{"array of widened elements", []string{`{"xs":[1,2]}`, `{"xs":[2.5]}`, `{"xs":[]}`}, "xs:array<double>"},
		{"empty arrays only", []string{`{"xs":[]}`}, "xs:array<string>"},
		{"array of structs", []string{`{"ps":[{"x":1},{"y":"a"}]}`}, "ps:array<struct<x:bigint,y:string>>"},
		{"object and number conflict", []string{`{"v":{"a":1}}`, `{"v":3}`}, "v:string"},
		{"array and object conflict", []string{`{"v":[1]}`, `{"v":{"a":1}}`}, "v:string"},
		{"keys that cannot name fields", []string{`{"v":{"a b":1}}`}, "v:string"},
		{"integer beyond 64 bits", []string{`{"n":123456789012345678901}`, `{"n":5}`}, "n:decimal(21,0)"},
		{"empty object", []string{`{"o":{}}`}, "o:string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ps [][]byte
			for _, p := range tt.payloads {
				ps = append(ps, []byte(p))
			}
			var parts []string
			for _, c := range record.Infer(ps) {
				parts = append(parts, c.Name+":"+c.Type.String())
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("Infer = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDecodeNested decodes what Infer inferred: structs, arrays, maps and
// exact decimals, with errors that name the element.
func TestDecodeNested(t *testing.T) {
	t.Parallel()
	typ := func(s string) record.Type {
		t.Helper()
		ty, err := record.ParseType(s)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	cols := []record.Column{
		{Name: "xs", Type: typ("array<bigint>")}, {Name: "m", Type: typ("map<string,decimal(5,2)>")},
		{Name: "amt", Type: typ("decimal(10,2)")}, {Name: "big", Type: typ("decimal(38,4)")},
	}
	d := record.NewDecoder(cols)
	row := make([]record.Value, len(cols))
	if err := d.Decode([]byte(`{"xs":[1,null,3],"m":{"a":"1.005","b":2},"amt":12345678.905,"big":"-12345678901234567890123456789012.34565"}`), row); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range row {
		got = append(got, v.Text())
	}
	want := `[1,null,3] {"a":1.01,"b":2.00} 12345678.91 -12345678901234567890123456789012.3457`
	if s := strings.Join(got, " "); s != want {
		t.Errorf("decoded %s, want %s", s, want)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"amt":123456789.5}`, `field "amt" at byte 7: invalid decimal: "123456789.5" does not fit decimal(10,2)`},
		{`{"xs":[1,"x"]}`, `xs[1]`},
		{`{"m":{"a":true}}`, `m[\"a\"]`},
		{`{"amt":"ten"}`, `want a number`},
	} {
		err := d.Decode([]byte(tt.in), row)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%s) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

// TestDecimalExact: decimals round-trip through text exactly, round half
// up to the scale, and refuse what does not fit.
func TestDecimalExact(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ, in, want string
		fit           bool
	}{
		{"decimal(10,2)", "0.1", "0.10", true},
		{"decimal(10,2)", "-0.005", "-0.01", true},
		{"decimal(10,2)", "99999999.994", "99999999.99", true},
		{"decimal(10,2)", "99999999.995", "", false},
		{"decimal(10,2)", "1e3", "1000.00", true},
		{"decimal(10,2)", "1.5E-1", "0.15", true},
		{"decimal(38,0)", "99999999999999999999999999999999999999", "99999999999999999999999999999999999999", true},
		{"decimal(38,0)", "-99999999999999999999999999999999999999", "-99999999999999999999999999999999999999", true},
		{"decimal(38,10)", "0.00000000005", "0.0000000001", true},
		{"decimal(5,5)", "0.123456", "0.12346", true},
		{"decimal(5,5)", "1", "", false},
		{"decimal(18,0)", "-0", "0", true},
		{"decimal(10,2)", "1e99999", "", false},
	} {
		v, err := record.ParseDecimal(tt.in, mustType(tt.typ))
		if (err == nil) != tt.fit {
			t.Errorf("ParseDecimal(%q, %s) error %v, want fit %v", tt.in, tt.typ, err, tt.fit)
			continue
		}
		if tt.fit && v.Text() != tt.want {
			t.Errorf("ParseDecimal(%q, %s) = %s, want %s", tt.in, tt.typ, v.Text(), tt.want)
		}
	}
}
