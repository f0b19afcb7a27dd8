package sink_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/engine/enginetest/parquetcheck"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// everyType is one column of each type the engine writes, with the leaf
// types the Arrow reader must see.
func everyType(t *testing.T) ([]record.Column, map[string]string) {
	t.Helper()
	types := []struct{ name, typ string }{
		{"s", "string"}, {"rep", "string"}, {"i", "int"}, {"b", "bigint"}, {"d", "double"}, {"f", "float"}, {"ok", "boolean"},
		{"ts", "timestamp"}, {"day", "date"}, {"raw", "binary"},
		{"d9", "decimal(9,2)"}, {"d18", "decimal(18,4)"}, {"d38", "decimal(38,10)"},
		{"st", "struct<a:int,b:string>"}, {"tags", "array<string>"}, {"pts", "array<struct<x:int>>"},
		{"attrs", "map<string,bigint>"}, {"nested", "map<int,array<decimal(10,2)>>"},
	}
	cols := make([]record.Column, len(types))
	for i, tt := range types {
		typ, err := record.ParseType(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		cols[i] = record.Column{Name: tt.name, Type: typ}
	}
	want := map[string]string{
		"s": "BYTE_ARRAY String", "rep": "BYTE_ARRAY String", "i": "INT32 Int(bitWidth=32, isSigned=true)", "b": "INT64 Int(bitWidth=64, isSigned=true)",
		"d": "DOUBLE", "f": "FLOAT", "ok": "BOOLEAN", "ts": "INT96", "day": "INT32 Date", "raw": "BYTE_ARRAY",
		"d9":   "INT32 Decimal(precision=9, scale=2)",
		"d18":  "INT64 Decimal(precision=18, scale=4)",
		"d38":  "FIXED_LEN_BYTE_ARRAY Decimal(precision=38, scale=10)",
		"st.a": "INT32 Int(bitWidth=32, isSigned=true)", "st.b": "BYTE_ARRAY String",
		"tags.list.element": "BYTE_ARRAY String", "pts.list.element.x": "INT32 Int(bitWidth=32, isSigned=true)",
		"attrs.key_value.key": "BYTE_ARRAY String", "attrs.key_value.value": "INT64 Int(bitWidth=64, isSigned=true)",
		"nested.key_value.key":                "INT32 Int(bitWidth=32, isSigned=true)",
		"nested.key_value.value.list.element": "INT64 Decimal(precision=10, scale=2)",
	}
	return cols, want
}

// everyTypeRows makes n rows of cols: every third row's values null, the
// rest varied enough that the dictionary of s outgrows a small limit.
func everyTypeRows(t *testing.T, cols []record.Column, n int) []record.Value {
	t.Helper()
	dec := func(text string, typ record.Type) record.Value {
		v, err := record.ParseDecimal(text, typ)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var rows []record.Value
	for r := range n {
		if r%3 == 2 {
			rows = append(rows, make([]record.Value, len(cols))...)
			continue
		}
		byName := map[string]record.Value{
			"s":   {Type: record.String, S: fmt.Sprintf("value-%06d-%s", r, strings.Repeat("x", r%50))},
			"rep": {Type: record.String, S: fmt.Sprintf("repeated-%05d-%s", r/4, strings.Repeat("y", 20))},
			"i":   {Type: record.Int, I: int64(r % 7)}, "b": {Type: record.Bigint, I: int64(r) << 33},
			"d": record.FloatValue(record.Double, float64(r)/3), "f": record.FloatValue(record.Float, 1.5),
			"ok": record.Bool(r%2 == 0), "ts": {Type: record.Timestamp, I: 1795352709123456 + int64(r)},
			"day": {Type: record.Date, I: 20779}, "raw": record.BinaryValue([]byte{0, byte(r)}),
		}
		for _, c := range cols {
			switch c.Name {
			case "d9":
				byName[c.Name] = dec(fmt.Sprintf("-%d.05", r), c.Type)
			case "d18":
				byName[c.Name] = dec("12345678901234.5678", c.Type)
			case "d38":
				byName[c.Name] = dec(fmt.Sprintf("-1234567890123456789012345678.%010d", r), c.Type)
			case "st":
				byName[c.Name] = record.StructValue(c.Type, []record.Value{{Type: record.Int, I: 1}, {}})
			case "tags":
				var elems []record.Value
				for k := range r % 3 { // 0, 1 or 2 elements; one null
					if k == 1 {
						elems = append(elems, record.Value{})
						continue
					}
					elems = append(elems, record.Value{Type: record.String, S: fmt.Sprint("t", k)})
				}
				byName[c.Name] = record.ArrayValue(c.Type, elems)
			case "pts":
				x := record.StructValue(c.Type.Elem(), []record.Value{{Type: record.Int, I: int64(r)}})
				byName[c.Name] = record.ArrayValue(c.Type, []record.Value{x, {}})
			case "attrs":
				byName[c.Name] = record.MapValue(c.Type, []record.Value{{Type: record.String, S: "k"}, {Type: record.Bigint, I: int64(r)}})
			case "nested":
				inner := record.ArrayValue(c.Type.Elem(), []record.Value{dec("0.10", c.Type.Elem().Elem())})
				byName[c.Name] = record.MapValue(c.Type, []record.Value{{Type: record.Int, I: 7}, inner, {Type: record.Int, I: 8}, {}})
			}
		}
		for _, c := range cols {
			rows = append(rows, byName[c.Name])
		}
	}
	return rows
}

// TestParquetReadByArrow writes every column type and reads the file with
// the Apache Arrow Go reader: version 1 data pages only, PLAIN, RLE and
// dictionary encodings only (also for the column whose dictionary falls
// back to PLAIN), statistics, created_by, the logical types, and values
// (decimals exact to the last digit).
func TestParquetReadByArrow(t *testing.T) {
	t.Parallel()
	cols, wantTypes := everyType(t)
	const n = 3000
	rows := everyTypeRows(t, cols, n)
	p, err := sink.NewParquetConfig(cols, sink.ParquetConfig{DictionaryPageSize: 4 << 10, BlockSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if err := p.Encode(&buf, rows, idx); err != nil {
		t.Fatal(err)
	}
	rep, err := parquetcheck.Check(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("problems a Spark reader would have:\n%s", strings.Join(rep.Problems, "\n"))
	}
	if got, want := strings.Join(rep.PageTypes, ","), "DATA_PAGE,DICTIONARY_PAGE"; got != want {
		t.Errorf("page types %s, want %s", got, want)
	}
	if !strings.HasPrefix(rep.CreatedBy, "streamcheck version ") || !strings.Contains(rep.CreatedBy, " (build ") {
		t.Errorf("created_by %q, want streamcheck version <v> (build <hash>)", rep.CreatedBy)
	}
	if rep.Rows != n || rep.RowGroups < 2 {
		t.Errorf("%d rows in %d row groups, want %d rows in several (blockSize 256 KiB)", rep.Rows, rep.RowGroups, n)
	}
	for path, want := range wantTypes {
		if got := rep.Columns[path]; got != want {
			t.Errorf("column %s: %q, want %q", path, got, want)
		}
	}
	if len(rep.Columns) != len(wantTypes) {
		t.Errorf("%d leaf columns %v, want %d", len(rep.Columns), rep.Columns, len(wantTypes))
	}
	for path, want := range map[string]string{"tags": "List", "pts": "List", "attrs": "Map", "nested": "Map", "nested.key_value.value": "List"} {
		if got := rep.Groups[path]; got != want {
			t.Errorf("group %s: logical type %q, want %q", path, got, want)
		}
	}
	dictionary := func(e []string) bool {
		return slices.Contains(e, "RLE_DICTIONARY") || slices.Contains(e, "PLAIN_DICTIONARY")
	}
	if e := rep.Encodings["rep"]; !slices.Contains(e, "PLAIN") || !dictionary(e) {
		t.Errorf("column rep encodings %v, want dictionary pages falling back to PLAIN past 4 KiB", e)
	}
	if e := rep.Encodings["s"]; !slices.Equal(e, []string{"PLAIN"}) {
		t.Errorf("column s encodings %v, want PLAIN only (unique values: a dictionary does not pay)", e)
	}
	if e := rep.Encodings["i"]; !dictionary(e) {
		t.Errorf("column i encodings %v, want a dictionary (7 distinct values)", e)
	}
	if e := rep.Encodings["ok"]; !slices.Equal(e, []string{"PLAIN"}) {
		t.Errorf("column ok encodings %v, want PLAIN only (no dictionary for booleans)", e)
	}

	vals, err := parquetcheck.Values(t.Context(), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string][]string{
		"d9":  {"-0.05", "-1.05", "(null)"},
		"d18": {"12345678901234.5678", "12345678901234.5678", "(null)"},
		"d38": {"-1234567890123456789012345678", // Arrow drops the zeros
			"-1234567890123456789012345678.0000000001", "(null)"},
		"ts": {"2026-11-22 13:05:09.123456", "2026-11-22 13:05:09.123457", "(null)"},
	} {
		got := vals[col]
		if len(got) < 3 {
			t.Errorf("column %s: %d values, want %d", col, len(got), n)
			continue
		}
		for i, w := range want {
			g := strings.TrimSuffix(strings.ReplaceAll(got[i], "T", " "), "Z")
			if g != w {
				t.Errorf("column %s row %d = %q, want %q", col, i, got[i], w)
			}
		}
	}
}

// TestParquetCheckRejectsV2 makes sure the checker can fail: writerVersion
// v2 writes version 2 data pages with delta encodings, which Spark's
// vectorized reader rejects before 3.4.
func TestParquetCheckRejectsV2(t *testing.T) {
	t.Parallel()
	cols := []record.Column{{Name: "s", Type: record.String}, {Name: "n", Type: record.Bigint}}
	p, err := sink.NewParquetConfig(cols, sink.ParquetConfig{WriterVersion: "v2", DisableDictionary: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rows := []record.Value{{Type: record.String, S: "a"}, {Type: record.Bigint, I: 1}, {Type: record.String, S: "b"}, {Type: record.Bigint, I: 2}}
	if err := p.Encode(&buf, rows, []int{0, 1}); err != nil {
		t.Fatal(err)
	}
	rep, err := parquetcheck.Check(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(rep.Problems, "\n")
	if !strings.Contains(joined, "DATA_PAGE_V2") {
		t.Errorf("problems %q, want DATA_PAGE_V2 reported", joined)
	}
}

func TestParquetConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  sink.ParquetConfig
		ok   bool
	}{
		{"defaults", sink.ParquetConfig{}, true},
		{"micros", sink.ParquetConfig{OutputTimestampType: "timestamp_micros", WriterVersion: "V2"}, true},
		{"bad timestamp", sink.ParquetConfig{OutputTimestampType: "INT64"}, false},
		{"bad version", sink.ParquetConfig{WriterVersion: "v3"}, false},
		{"negative size", sink.ParquetConfig{PageSize: -1}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestParquetTimestampTypes(t *testing.T) {
	t.Parallel()
	cols := []record.Column{{Name: "ts", Type: record.Timestamp}}
	for typ, want := range map[string]string{
		sink.TimestampMicros: "INT64 Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)",
		sink.TimestampMillis: "INT64 Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds, is_from_converted_type=false, force_set_converted_type=false)",
	} {
		p, err := sink.NewParquetConfig(cols, sink.ParquetConfig{OutputTimestampType: typ})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.Encode(&buf, []record.Value{{Type: record.Timestamp, I: 1795352709123456}}, []int{0}); err != nil {
			t.Fatal(err)
		}
		rep, err := parquetcheck.Check(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Columns["ts"]; got != want {
			t.Errorf("%s: ts is %q, want %q", typ, got, want)
		}
		vals, err := parquetcheck.Values(t.Context(), buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		wantVal := "2026-11-22T13:05:09.123456Z"
		if typ == sink.TimestampMillis {
			wantVal = "2026-11-22T13:05:09.123Z"
		}
		if got := vals["ts"]; len(got) != 1 || got[0] != wantVal {
			t.Errorf("%s: ts values %v, want [%s]", typ, got, wantVal)
		}
	}
}

// TestWriterOptionsForCopies: a file copied row by row through a writer
// made with WriterOptions and the file's own schema (which names no
// encodings), as compaction copies, is still what Spark reads: version 1
// pages, PLAIN and dictionary only. Without the options parquet-go's
// defaults would write version 2 pages.
func TestWriterOptionsForCopies(t *testing.T) {
	t.Parallel()
	cols, _ := everyType(t)
	rows := everyTypeRows(t, cols, 300)
	p, err := sink.NewParquet(cols, "snappy")
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	idx := make([]int, 300)
	for i := range idx {
		idx[i] = i
	}
	if err := p.Encode(&src, rows, idx); err != nil {
		t.Fatal(err)
	}
	copyWith := func(opts ...parquet.WriterOption) *parquetcheck.Report {
		t.Helper()
		f, err := parquet.OpenFile(bytes.NewReader(src.Bytes()), int64(src.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var dst bytes.Buffer
		w := parquet.NewWriter(&dst, append([]parquet.WriterOption{f.Schema()}, opts...)...)
		r := parquet.NewReader(f)
		if _, err := parquet.CopyRows(w, r); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rep, err := parquetcheck.Check(dst.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 300 {
			t.Errorf("copy has %d rows, want 300", rep.Rows)
		}
		return rep
	}
	opts, err := sink.WriterOptions(sink.ParquetConfig{Codec: "zstd"})
	if err != nil {
		t.Fatal(err)
	}
	if rep := copyWith(opts...); len(rep.Problems) > 0 {
		t.Errorf("copy with WriterOptions:\n%s", strings.Join(rep.Problems, "\n"))
	}
	if rep := copyWith(); len(rep.Problems) == 0 {
		t.Errorf("copy with parquet-go's defaults passed the check; want version 2 pages reported")
	}
}
