package record_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

// checkRow compares the named columns of row with want.
func checkRow(t *testing.T, cols []record.Column, row []record.Value, want map[string]record.Value) {
	t.Helper()
	for i, c := range cols {
		if w, ok := want[c.Name]; ok && !sameValue(row[i], w) {
			t.Errorf("%s = %s %s, want %s %s", c.Name, row[i].Type, row[i].AppendJSON(nil), w.Type, w.AppendJSON(nil))
		}
	}
}

// checkErr fails unless err is a *DecodeError whose message contains want.
func checkErr(t *testing.T, in string, err error, want string) {
	t.Helper()
	var de *record.DecodeError
	if err == nil || !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Decode(%q) error = %v, want a DecodeError containing %q", in, err, want)
	}
}

func TestCSV(t *testing.T) {
	csvCols := []record.Column{
		{Name: "id", Type: record.Int, Required: true},
		{Name: "name", Type: record.String},
		{Name: "x", Type: record.Double},
		{Name: "ok", Type: record.Boolean},
		{Name: "ts", Type: record.Timestamp},
		{Name: "d", Type: record.Date},
	}
	tests := []struct {
		name    string
		format  record.Format
		in      string
		want    map[string]record.Value
		wantErr string
	}{
		{name: "all types", in: "7,bob,1.5,TRUE,2026-11-22 13:05:09,2026-11-22\n",
			want: map[string]record.Value{"id": {Type: record.Int, I: 7}, "name": {Type: record.String, S: "bob"}, "x": record.FloatValue(record.Double, 1.5),
				"ok": record.Bool(true), "ts": {Type: record.Timestamp, I: 1795352709000000}, "d": {Type: record.Date, I: 20779}}},
		{name: "quoted fields with delimiter, quote and newline", in: "1,\"a,\"\"b\"\"\nc\",,false,,\r\n",
			want: map[string]record.Value{"name": {Type: record.String, S: "a,\"b\"\nc"}, "x": {}, "ok": record.Bool(false), "ts": {}}},
		{name: "quoted empty string is empty, unquoted is null", in: `1,"",,,,`, want: map[string]record.Value{"name": {Type: record.String}}},
		{name: "tab delimiter", format: record.Format{Delimiter: '\t'}, in: "3\tx y\t2\tfalse\t\t", want: map[string]record.Value{"id": {Type: record.Int, I: 3}, "name": {Type: record.String, S: "x y"}, "x": record.FloatValue(record.Double, 2)}},
		{name: "multibyte delimiter", format: record.Format{Delimiter: '§'}, in: "3§x§2§false§§", want: map[string]record.Value{"name": {Type: record.String, S: "x"}}},
		{name: "header maps by name", format: record.Format{WithHeader: true}, in: "D,Name,unused,id\n2026-01-02,ann,zz,9",
			want: map[string]record.Value{"id": {Type: record.Int, I: 9}, "name": {Type: record.String, S: "ann"}, "d": {Type: record.Date, I: 20455}, "x": {}}},
		{name: "skipFirst maps by position", format: record.Format{SkipFirst: true}, in: "id,name,x,ok,ts,d\n5,e,,,,", want: map[string]record.Value{"id": {Type: record.Int, I: 5}, "name": {Type: record.String, S: "e"}}},

		{name: "wrong type names column and position", in: "1,a,abc,true,,", wantErr: `field "x" at byte 4: CSV field 3: want double, got "abc"`},
		{name: "int out of range", in: "3000000000,a,1,true,,", wantErr: `field "id" at byte 0: CSV field 1: number "3000000000" out of range for int`},
		{name: "bad boolean", in: "1,a,1,yes,,", wantErr: `field "ok" at byte 6: CSV field 4: want boolean`},
		{name: "bad timestamp", in: "1,a,1,true,noon,", wantErr: `field "ts" at byte 11: CSV field 5: want a timestamp`},
		{name: "too few fields", in: "1,a,1", wantErr: "invalid CSV at byte 0: record has 3 fields, want 6"},
		{name: "too many fields", in: "1,a,1,true,,,9", wantErr: "record has 7 fields, want 6"},
		{name: "required empty", in: ",a,1,true,,", wantErr: `field "id" at byte 11: empty value for a required column of type int`},
		{name: "unterminated quote", in: "1,\"abc,1,true,,", wantErr: "invalid CSV at byte 2: unterminated quoted field"},
		{name: "text after closing quote", in: "1,\"a\"b,1,true,,", wantErr: "invalid CSV at byte 5: want a delimiter or line break after the closing quote of CSV field 2"},
		{name: "bare quote", in: "1,a\"b,1,true,,", wantErr: "invalid CSV at byte 3: bare quote in unquoted CSV field 2"},
		{name: "two records", in: "1,a,1,true,,\n2,b,1,true,,\n", wantErr: "invalid CSV at byte 13: payload holds more than one record"},
		{name: "empty payload", in: "", wantErr: "empty payload"},
		{name: "invalid utf-8", in: "1,\xff,1,true,,", wantErr: "invalid CSV at byte 2: invalid UTF-8"},
		{name: "header without record", format: record.Format{WithHeader: true}, in: "id,name\n", wantErr: "only its first line"},
		{name: "header missing required column", format: record.Format{WithHeader: true}, in: "name\nx", wantErr: `field "id" at byte 0: missing required column of type int in the header`},
		{name: "record wider than header", format: record.Format{WithHeader: true}, in: "id,name\n1,x,y", wantErr: "record has 3 fields, header has 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.format
			f.Classification = "CSV"
			dec, err := record.NewFormatDecoder(f, csvCols)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]record.Value, len(csvCols))
			err = dec.Decode([]byte(tt.in), row)
			if tt.wantErr != "" {
				checkErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			checkRow(t, csvCols, row, tt.want)
		})
	}
}

// TestCSVHeaderChanges checks that a decoder follows a header that changes
// from one record to the next instead of reusing the first mapping.
func TestCSVHeaderChanges(t *testing.T) {
	cols := []record.Column{{Name: "a", Type: record.Int}, {Name: "b", Type: record.String}}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "csv", WithHeader: true}, cols)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]record.Value, 2)
	for _, tc := range []struct{ in, wantB string }{{"a,b\n1,x", "x"}, {"b,a\ny,2", "y"}, {"b,a\nz,3", "z"}} {
		if err := dec.Decode([]byte(tc.in), row); err != nil {
			t.Fatalf("Decode(%q): %v", tc.in, err)
		}
		if row[1].S != tc.wantB {
			t.Errorf("Decode(%q): b = %q, want %q", tc.in, row[1].S, tc.wantB)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{"1,a,1.5,true,2026-11-22 13:05:09,2026-11-22", "\"a\"\"b\",\"\n\"", "a\"b", "\"", "id,x\n1,2\n", "\r\n", ",,,,,", "1,\"x\"y"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	cols := []record.Column{
		{Name: "id", Type: record.Int, Required: true}, {Name: "name", Type: record.String}, {Name: "x", Type: record.Double},
		{Name: "ok", Type: record.Boolean}, {Name: "ts", Type: record.Timestamp}, {Name: "d", Type: record.Date},
	}
	plain, _ := record.NewFormatDecoder(record.Format{Classification: "csv"}, cols)
	header, _ := record.NewFormatDecoder(record.Format{Classification: "csv", WithHeader: true}, cols)
	row := make([]record.Value, len(cols))
	f.Fuzz(func(t *testing.T, b []byte, withHeader bool) {
		dec := plain
		if withHeader {
			dec = header
		}
		if err := dec.Decode(b, row); err == nil && row[0].Null() {
			t.Errorf("Decode(%q) accepted a record without the required id", b)
		}
	})
}
