package record_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

// sameValue compares Values, struct Values field by field and arrays and
// maps element by element.
func sameValue(a, b record.Value) bool {
	if a.Type != b.Type {
		return false
	}
	if !a.Type.Nested() {
		return a == b
	}
	fa, fb := a.Fields(), b.Fields()
	if !a.Type.Struct() {
		fa, fb = a.Elems(), b.Elems()
	}
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if !sameValue(fa[i], fb[i]) {
			return false
		}
	}
	return true
}

func TestParseTypeStruct(t *testing.T) {
	deep := strings.Repeat("struct<a:", record.MaxStructDepth+1) + "int" + strings.Repeat(">", record.MaxStructDepth+1)
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "BIGINT", want: "bigint"},
		{in: "long", want: "bigint"},
		{in: "decimal(10,2)", want: "decimal(10,2)"},
		{in: "decimal", want: "decimal(10,0)"},
		{in: "array<struct<a:int,b:map<string,decimal(38,6)>>>", want: "array<struct<a:int,b:map<string,decimal(38,6)>>>"},
		{in: " MAP < string , array<bigint> > ", want: "map<string,array<bigint>>"},
		{in: "binary", want: "binary"},
		{in: "struct<member0:int,member1:string>", want: "struct<member0:int,member1:string>"},
		{in: " STRUCT< a : decimal(10, 2) , b:struct<c:binary,d:timestamp> > ", want: "struct<a:decimal(10,2),b:struct<c:binary,d:timestamp>>"},
		{in: strings.Repeat("struct<a:", record.MaxStructDepth) + "int" + strings.Repeat(">", record.MaxStructDepth), want: strings.Repeat("struct<a:", record.MaxStructDepth) + "int" + strings.Repeat(">", record.MaxStructDepth)},
		{in: "blob", wantErr: `unknown type "blob"`},
		{in: "struct<>", wantErr: "want name:type"},
		{in: "struct<a:int", wantErr: "unclosed struct<"},
		{in: "struct<a:int,A:string>", wantErr: `field "A" appears twice`},
		{in: "struct<a:int> x", wantErr: "after the type"},
		{in: "struct<a:array<int>>", want: "struct<a:array<int>>"},
		{in: "array<int,int>", wantErr: "want '>' closing array"},
		{in: "list<int>", wantErr: "list<...> is not a type"},
		{in: "struct<a:nope>", wantErr: `struct field "a": unknown type "nope"`},
		{in: "map<struct<a:int>,int>", wantErr: "map key type"},
		{in: deep, wantErr: "nested more than 16 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := record.ParseType(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseType(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseType(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseType(%q) = %s, want %s", tt.in, got, tt.want)
			}
			again, _ := record.ParseType(got.String())
			if again != got {
				t.Errorf("ParseType(%q) = type %d, but its own text gives %d", got, got, again)
			}
		})
	}
}

func TestStructOf(t *testing.T) {
	a, err := record.StructOf([]record.Column{{Name: "x", Type: record.Int}, {Name: "y", Type: record.Binary, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := record.ParseType("struct<x:int,y:binary>")
	if a != b || !a.Struct() || record.Int.Struct() {
		t.Errorf("StructOf = %v, ParseType = %v; want the same struct type", a, b)
	}
	if f := a.Fields(); len(f) != 2 || f[1].Required || f[1].Type != record.Binary {
		t.Errorf("Fields() = %+v, want x:int and nullable y:binary", f)
	}
	for _, bad := range [][]record.Column{nil, {{Name: "", Type: record.Int}}, {{Name: "a:b", Type: record.Int}}, {{Name: "a", Type: record.Invalid}}} {
		if _, err := record.StructOf(bad); !errors.Is(err, record.ErrStructType) {
			t.Errorf("StructOf(%+v) error = %v, want ErrStructType", bad, err)
		}
	}
}

func TestStructValue(t *testing.T) {
	st := mustType("struct<n:bigint,b:binary,in:struct<s:string>>")
	in := record.StructValue(mustType("struct<s:string>"), []record.Value{str("x")})
	v := record.StructValue(st, []record.Value{{Type: record.Bigint, I: 7}, record.BinaryValue([]byte{0, 255}), in})
	if got, want := v.Text(), `{"n":7,"b":"AP8=","in":{"s":"x"}}`; got != want {
		t.Errorf("Text() = %s, want %s", got, want)
	}
	m, ok := v.Any().(map[string]any)
	if !ok || m["n"] != int64(7) || string(m["b"].([]byte)) != "\x00\xff" || m["in"].(map[string]any)["s"] != "x" {
		t.Errorf("Any() = %#v, want the fields as a map", v.Any())
	}
	back, err := record.FromAny(m, st)
	if err != nil || !sameValue(back, v) {
		t.Errorf("FromAny(Any()) = %s, %v; want %s", back.AppendJSON(nil), err, v.AppendJSON(nil))
	}
	if (record.Value{}).Fields() != nil || str("a").Fields() != nil {
		t.Errorf("Fields() of a non-struct is not nil")
	}
	defer func() {
		if recover() == nil {
			t.Errorf("StructValue with too few fields did not panic")
		}
	}()
	record.StructValue(st, []record.Value{{}})
}

func TestJSONBinaryAndStruct(t *testing.T) {
	st := mustType("struct<member0:int,member1:string,inner:struct<b:binary>>")
	cols := []record.Column{{Name: "raw", Type: record.Binary}, {Name: "u", Type: st}}
	tests := []struct {
		name    string
		in      string
		want    map[string]record.Value
		wantErr string
	}{
		{name: "base64 and object", in: `{"raw":"AQL/","u":{"member1":"s","other":[1],"inner":{"b":""}}}`,
			want: map[string]record.Value{"raw": record.BinaryValue([]byte{1, 2, 255}),
				"u": record.StructValue(st, []record.Value{{}, str("s"), record.StructValue(mustType("struct<b:binary>"), []record.Value{record.BinaryValue(nil)})})}},
		{name: "nulls", in: `{"raw":null,"u":null}`, want: map[string]record.Value{"raw": {}, "u": {}}},
		{name: "empty object", in: `{"u":{}}`, want: map[string]record.Value{"u": record.StructValue(st, make([]record.Value, 3))}},
		{name: "malformed base64", in: `{"raw":"not base64!"}`, wantErr: `field "raw" at byte 7: want binary as a base64 string (standard alphabet, padded), got "not base64!"`},
		{name: "binary as a number", in: `{"raw":12}`, wantErr: `field "raw" at byte 7: want binary, got number`},
		{name: "struct as a string", in: `{"u":"x"}`, wantErr: `field "u" at byte 5: want struct<member0:int,member1:string,inner:struct<b:binary>>, got string`},
		{name: "malformed struct field", in: `{"u":{"member0":"x"}}`, wantErr: `field "u.member0" at byte 16: want int, got string`},
		{name: "malformed nested binary", in: `{"u":{"inner":{"b":"%%"}}}`, wantErr: `field "u.inner.b" at byte 19: want binary as a base64 string`},
		{name: "unterminated struct", in: `{"u":{"member0":1`, wantErr: `field "u"`},
	}
	dec := record.NewDecoder(cols)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := make([]record.Value, len(cols))
			err := dec.Decode([]byte(tt.in), row)
			if tt.wantErr != "" {
				checkErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Decode(%s): %v", tt.in, err)
			}
			checkRow(t, cols, row, tt.want)
		})
	}
}

func TestTextBinary(t *testing.T) {
	cols := []record.Column{{Name: "id", Type: record.Int}, {Name: "raw", Type: record.Binary}}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "csv"}, cols)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]record.Value, 2)
	if err := dec.Decode([]byte("1,\"a,b\"\n"), row); err != nil {
		t.Fatal(err)
	}
	checkRow(t, cols, row, map[string]record.Value{"raw": record.BinaryValue([]byte("a,b"))})
	st := []record.Column{{Name: "u", Type: mustType("struct<a:int>")}}
	for _, f := range []record.Format{{Classification: "csv"}, {Classification: "grok", GrokPattern: "%{INT:u}"}} {
		if _, err := record.NewFormatDecoder(f, st); !errors.Is(err, record.ErrFormat) || !strings.Contains(err.Error(), `column "u"`) {
			t.Errorf("NewFormatDecoder(%s, struct column) error = %v, want ErrFormat naming the column", f.Classification, err)
		}
	}
}

func TestAvroNestedTypes(t *testing.T) {
	schema := `{"type":"record","name":"N","fields":[
	 {"name":"node","type":{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}},
	 {"name":"pick","type":["null",{"type":"record","name":"P","fields":[{"name":"raw","type":"bytes"}]},{"type":"fixed","name":"F","size":2},"long"]}]}`
	cols, err := record.AvroColumns(schema)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+":"+c.Type.String())
	}
	want := "node:struct<v:int,next:string> pick:struct<member0:struct<raw:binary>,member1:binary,member2:bigint>"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("AvroColumns =\n%s\nwant\n%s", g, want)
	}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "avro", AvroSchema: schema}, cols)
	if err != nil {
		t.Fatal(err)
	}
	datum := marshalAvro(t, schema, map[string]any{
		"node": map[string]any{"v": 1, "next": map[string]any{"Node": map[string]any{"v": 2, "next": nil}}},
		"pick": map[string]any{"P": map[string]any{"raw": []byte{9, 8}}},
	})
	row := make([]record.Value, len(cols))
	if err := dec.Decode(datum, row); err != nil {
		t.Fatal(err)
	}
	for i, w := range []string{`{"v":1,"next":"{\"v\":2,\"next\":null}"}`, `{"member0":{"raw":"CQg="},"member1":null,"member2":null}`} {
		if g := string(row[i].AppendJSON(nil)); g != w {
			t.Errorf("%s = %s, want %s", cols[i].Name, g, w)
		}
	}
	// A truncated bytes field inside the union's record names the path.
	checkErr(t, "truncated", dec.Decode(datum[:len(datum)-1], row), `field "pick.member0.raw" at byte`)
}

func TestInferAvro(t *testing.T) {
	a := `{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"u","type":["int","string"]}]}`
	b := `{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"u","type":["int","string"]},{"name":"raw","type":"bytes"}]}`
	payloads := [][]byte{
		[]byte(`{"not":"avro"}`),
		ocfPayload(t, a, "null", map[string]any{"id": 1, "u": map[string]any{"int": 2}}),
		ocfPayload(t, b, "null", map[string]any{"id": int64(1), "u": map[string]any{"string": "x"}, "raw": []byte{1}}),
		ocfPayload(t, a, "null", map[string]any{"id": 3, "u": map[string]any{"int": 4}}),
	}
	var got []string
	for _, c := range record.InferAvro(payloads) {
		s := c.Name + ":" + c.Type.String()
		if c.Required {
			s += "!"
		}
		got = append(got, s)
	}
	if g, want := strings.Join(got, " "), "id:bigint u:struct<member0:int,member1:string> raw:binary"; g != want {
		t.Errorf("InferAvro = %s, want %s", g, want)
	}
	if cols := record.InferAvro([][]byte{[]byte("{}")}); cols != nil {
		t.Errorf("InferAvro(no containers) = %v, want nil", cols)
	}
}

func FuzzJSONStruct(f *testing.F) {
	cols := []record.Column{{Name: "raw", Type: record.Binary}, {Name: "u", Type: mustType("struct<a:int,b:struct<c:binary,d:string>>")}}
	f.Add([]byte(`{"raw":"AQL/","u":{"a":1,"b":{"c":"AA==","d":"x"}}}`))
	f.Add([]byte(`{"u":{"b":{"c":"%"}}}`))
	f.Add([]byte(`{"u":{"a":1,"b":null,}`))
	dec := record.NewDecoder(cols)
	row := make([]record.Value, len(cols))
	f.Fuzz(func(t *testing.T, b []byte) {
		if dec.Decode(b, row) == nil {
			_ = row[1].AppendJSON(nil)
		}
	})
}

func ExampleParseType() {
	t, err := record.ParseType("STRUCT<member0: INT, member1: struct<mac: BINARY>>")
	if err != nil {
		panic(err)
	}
	fmt.Println(t, t.Struct())
	for _, f := range t.Fields() {
		fmt.Println(f.Name, f.Type)
	}
	v := record.StructValue(t, []record.Value{{}, record.StructValue(t.Fields()[1].Type, []record.Value{record.BinaryValue([]byte{0xca, 0xfe})})})
	fmt.Println(v.Text())
	_, err = record.ParseType("struct<a:int,a:string>")
	fmt.Println(err)
	// Output:
	// struct<member0:int,member1:struct<mac:binary>> true
	// member0 int
	// member1 struct<mac:binary>
	// {"member0":null,"member1":{"mac":"yv4="}}
	// column type "struct<a:int,a:string>": invalid struct type: field "a" appears twice
}
