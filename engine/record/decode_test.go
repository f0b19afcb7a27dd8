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
				"name": {Type: record.String, S: `a"bé`}, "x": {Type: record.Double, F: 150}, "ok": record.Bool(true),
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
