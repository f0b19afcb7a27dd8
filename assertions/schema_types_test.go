package assertions

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

func TestNormalizeStructType(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "binary", want: "binary"},
		{in: "BLOB", want: "binary"},
		{in: "struct", want: "struct"},
		{in: "STRUCT<Member0:INTEGER, member1:varchar(10)>", want: "struct<member0:int,member1:string>"},
		{in: "struct<a:decimal(10, 2),b:struct<c:binary,d:array<int>>>", want: "struct<a:decimal(10,2),b:struct<c:binary,d:array<int>>>"},
		{in: "MAP<string, ARRAY<decimal(9, 2)>>", want: "map<string,array<decimal(9,2)>>"},
		{in: "array<int,int>", wantErr: "want array with 1 type(s)"},
		{in: "struct<a>", wantErr: "want name:type"},
		{in: "struct<a:nope>", wantErr: `struct field "a": unknown type "nope"`},
	}
	for _, tt := range tests {
		got, err := normalizeGlueType(tt.in)
		if tt.wantErr != "" {
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.wantErr)) {
				t.Errorf("normalizeGlueType(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("normalizeGlueType(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestBinaryAndStructThroughDuckDB writes binary and struct columns with the
// engine's Parquet sink and reads them back with DuckDB: the types must be
// BLOB and STRUCT, the values those written, and the schema check must see
// the struct field by field (and reject a struct whose fields differ).
func TestBinaryAndStructThroughDuckDB(t *testing.T) {
	union, err := record.ParseType("struct<member0:int,member1:string>")
	if err != nil {
		t.Fatal(err)
	}
	inner, _ := record.ParseType("struct<mac:binary,n:bigint>")
	outer, _ := record.ParseType("struct<inner:struct<mac:binary,n:bigint>,tag:string>")
	cols := []record.Column{{Name: "id", Type: record.Int}, {Name: "raw", Type: record.Binary}, {Name: "u", Type: union}, {Name: "nest", Type: outer}}
	str := func(s string) record.Value { return record.Value{Type: record.String, S: s} }
	rows := []record.Value{
		{Type: record.Int, I: 1}, record.BinaryValue([]byte{0, 1, 0xfe, 0xff}), record.StructValue(union, []record.Value{{Type: record.Int, I: 5}, {}}),
		record.StructValue(outer, []record.Value{record.StructValue(inner, []record.Value{record.BinaryValue([]byte{0xab}), {Type: record.Bigint, I: 1 << 40}}), str("t")}),

		{Type: record.Int, I: 2}, record.BinaryValue(nil), record.StructValue(union, []record.Value{{}, str("s")}),
		record.StructValue(outer, []record.Value{{}, {}}),

		{Type: record.Int, I: 3}, {}, {}, {},
	}
	p, err := sink.NewParquet(cols, "snappy")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Encode(&buf, rows, []int{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "part.snappy.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var types string
	if err := db.QueryRowContext(t.Context(), fmt.Sprintf(`SELECT typeof(raw) || ' | ' || typeof(u) || ' | ' || typeof(nest) FROM read_parquet(%s) LIMIT 1`, sqlString(path))).Scan(&types); err != nil {
		t.Fatal(err)
	}
	if want := `BLOB | STRUCT(member0 INTEGER, member1 VARCHAR) | STRUCT("inner" STRUCT(mac BLOB, n BIGINT), tag VARCHAR)`; types != want {
		t.Errorf("DuckDB types = %s, want %s", types, want)
	}
	q := fmt.Sprintf(`SELECT id, coalesce(hex(raw), 'NULL'), coalesce(u.member0::VARCHAR, 'NULL'), coalesce(u.member1, 'NULL'), u IS NULL,
		coalesce(hex(nest.inner.mac), 'NULL'), coalesce(nest.inner.n::VARCHAR, 'NULL'), coalesce(nest.tag, 'NULL'), nest IS NULL, nest.inner IS NULL
		FROM read_parquet(%s) ORDER BY id`, sqlString(path))
	res, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var got []string
	for res.Next() {
		var id int
		var raw, m0, m1, mac, n, tag string
		var uNull, nestNull, innerNull bool
		if err := res.Scan(&id, &raw, &m0, &m1, &uNull, &mac, &n, &tag, &nestNull, &innerNull); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %s %s %v %s %s %s %v %v", id, raw, m0, m1, uNull, mac, n, tag, nestNull, innerNull))
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 0001FEFF 5 NULL false AB 1099511627776 t false false",
		"2  NULL s false NULL NULL NULL false true",
		"3 NULL NULL NULL true NULL NULL NULL true true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows =\n%q\nwant\n%q", got, want)
	}

	// The schema check's view of the file.
	sr, err := db.QueryContext(t.Context(), fmt.Sprintf(`SELECT file_name, name, coalesce(num_children, 0), coalesce(converted_type, ''),
		coalesce(duckdb_type, ''), coalesce(repetition_type, '') FROM parquet_schema(%s)`, sqlString(path)))
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	var elems []schemaElem
	for sr.Next() {
		var e schemaElem
		if err := sr.Scan(&e.file, &e.name, &e.children, &e.conv, &e.duck, &e.rep); err != nil {
			t.Fatal(err)
		}
		elems = append(elems, e)
	}
	files, _ := fileColumns(elems)
	gotCols := map[string]string{}
	for _, c := range files[path] {
		gotCols[c.name] = c.glue
	}
	for _, tt := range []struct {
		column, expected string
		match            bool
	}{
		{"raw", "binary", true},
		{"raw", "string", false},
		{"u", "struct<member0:int,member1:string>", true},
		{"u", "STRUCT<MEMBER0:integer,member1:varchar>", true},
		{"u", "struct", true},
		{"u", "struct<member0:int,member1:int>", false},
		{"u", "struct<member1:string,member0:int>", false},
		{"u", "struct<member0:int>", false},
		{"nest", "struct<inner:struct<mac:binary,n:bigint>,tag:string>", true},
		{"nest", "struct<inner:struct<mac:string,n:bigint>,tag:string>", false},
	} {
		want, err := normalizeGlueType(tt.expected)
		if err != nil {
			t.Fatal(err)
		}
		if got := sameGlueType(want, gotCols[tt.column]); got != tt.match {
			t.Errorf("column %s of type %s against expected %s: match = %v, want %v", tt.column, gotCols[tt.column], tt.expected, got, tt.match)
		}
	}
}

func TestParseSchema(t *testing.T) {
	got, err := ParseSchema("serialnumber:string!, price:decimal(10,2),u:struct<member0:int,member1:string>")
	if err != nil {
		t.Fatal(err)
	}
	want := []Column{
		{Name: "serialnumber", Type: "string", Nullable: false},
		{Name: "price", Type: "decimal(10,2)", Nullable: true},
		{Name: "u", Type: "struct<member0:int,member1:string>", Nullable: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseSchema = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"x", "a:int,:string", "a:"} {
		if _, err := ParseSchema(bad); err == nil || !strings.Contains(err.Error(), "want name:type") {
			t.Errorf("ParseSchema(%q) = %v, want an error naming the item", bad, err)
		}
	}
}

// TestDuckDBReadsEveryType writes one column of each type the engine writes
// (timestamps as INT96, Spark's default, and as TIMESTAMP_MICROS) and reads
// them with DuckDB: the types the README's table promises, decimals to the
// last digit, arrays as LIST and maps as MAP.
func TestDuckDBReadsEveryType(t *testing.T) {
	typ := func(s string) record.Type {
		ty, err := record.ParseType(s)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	dec := func(s string, ty record.Type) record.Value {
		v, err := record.ParseDecimal(s, ty)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	d9, d18, d38 := typ("decimal(9,2)"), typ("decimal(18,4)"), typ("decimal(38,10)")
	arr, mp := typ("array<string>"), typ("map<string,decimal(9,2)>")
	cols := []record.Column{
		{Name: "d9", Type: d9}, {Name: "d18", Type: d18}, {Name: "d38", Type: d38},
		{Name: "ts", Type: record.Timestamp}, {Name: "tags", Type: arr}, {Name: "prices", Type: mp},
	}
	row := []record.Value{
		dec("-1234567.89", d9), dec("12345678901234.5678", d18), dec("-1234567890123456789012345678.0123456789", d38),
		{Type: record.Timestamp, I: 1795352709123456},
		record.ArrayValue(arr, []record.Value{{Type: record.String, S: "a"}, {}, {Type: record.String, S: "c"}}),
		record.MapValue(mp, []record.Value{{Type: record.String, S: "eur"}, dec("0.10", d9), {Type: record.String, S: "usd"}, {}}),
	}
	for _, tt := range []struct {
		tsType, wantTS, wantTSType string
	}{
		{sink.TimestampInt96, "2026-11-22 13:05:09.123456", "TIMESTAMP"},
		{sink.TimestampMicros, "2026-11-22 13:05:09.123456+00", "TIMESTAMP WITH TIME ZONE"},
	} {
		t.Run(tt.tsType, func(t *testing.T) {
			p, err := sink.NewParquetConfig(cols, sink.ParquetConfig{OutputTimestampType: tt.tsType})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := p.Encode(&buf, row, []int{0}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "part.snappy.parquet")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ExecContext(t.Context(), "SET TimeZone='UTC'"); err != nil {
				t.Fatal(err)
			}
			var got string
			q := fmt.Sprintf(`SELECT concat_ws(' | ', typeof(d9), typeof(d18), typeof(d38), typeof(ts), typeof(tags), typeof(prices),
				d9::VARCHAR, d18::VARCHAR, d38::VARCHAR, ts::VARCHAR, tags::VARCHAR, prices::VARCHAR) FROM read_parquet(%s)`, sqlString(path))
			if err := db.QueryRowContext(t.Context(), q).Scan(&got); err != nil {
				t.Fatal(err)
			}
			want := "DECIMAL(9,2) | DECIMAL(18,4) | DECIMAL(38,10) | " + tt.wantTSType + " | VARCHAR[] | MAP(VARCHAR, DECIMAL(9,2)) | " +
				"-1234567.89 | 12345678901234.5678 | -1234567890123456789012345678.0123456789 | " + tt.wantTS + " | [a, NULL, c] | {eur=0.10, usd=NULL}"
			if got != want {
				t.Errorf("DuckDB reads\n%s\nwant\n%s", got, want)
			}
			// The schema check sees the element, key and value types.
			sr, err := db.QueryContext(t.Context(), fmt.Sprintf(`SELECT file_name, name, coalesce(num_children, 0), coalesce(converted_type, ''),
				coalesce(duckdb_type, ''), coalesce(repetition_type, '') FROM parquet_schema(%s)`, sqlString(path)))
			if err != nil {
				t.Fatal(err)
			}
			defer sr.Close()
			var elems []schemaElem
			for sr.Next() {
				var e schemaElem
				if err := sr.Scan(&e.file, &e.name, &e.children, &e.conv, &e.duck, &e.rep); err != nil {
					t.Fatal(err)
				}
				elems = append(elems, e)
			}
			files, _ := fileColumns(elems)
			gotCols := map[string]string{}
			for _, c := range files[path] {
				gotCols[c.name] = c.glue
			}
			for _, m := range []struct {
				column, expected string
				match            bool
			}{
				{"d38", "decimal(38,10)", true}, {"d38", "decimal(38,9)", false}, {"ts", "timestamp", true},
				{"tags", "array<string>", true}, {"tags", "array", true}, {"tags", "array<int>", false},
				{"prices", "map<string,decimal(9,2)>", true}, {"prices", "map", true}, {"prices", "map<string,double>", false},
			} {
				want, err := normalizeGlueType(m.expected)
				if err != nil {
					t.Fatal(err)
				}
				if sameGlueType(want, gotCols[m.column]) != m.match {
					t.Errorf("column %s (%s) matches %s: %v, want %v", m.column, gotCols[m.column], m.expected, !m.match, m.match)
				}
			}
		})
	}
}
