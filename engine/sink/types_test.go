package sink_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

func TestParquetBinaryAndStruct(t *testing.T) {
	u, err := record.ParseType("struct<member0:int,member1:string,member2:binary>")
	if err != nil {
		t.Fatal(err)
	}
	cols := []record.Column{{Name: "raw", Type: record.Binary}, {Name: "u", Type: u}, {Name: "n", Type: record.Bigint}}
	rows := []record.Value{
		record.BinaryValue([]byte{0, 0xff}), record.StructValue(u, []record.Value{{}, {}, record.BinaryValue([]byte{7})}), {Type: record.Bigint, I: 1},
		{}, {}, {Type: record.Bigint, I: 2},
	}
	p, err := sink.NewParquet(cols, "none")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Encode(&buf, rows, []int{0, 1}); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var leaves []string
	for _, path := range f.Schema().Columns() {
		leaf, _ := f.Schema().Lookup(path...)
		lt := "none"
		if l := leaf.Node.Type().LogicalType(); l != nil {
			lt = l.String()
		}
		leaves = append(leaves, strings.Join(path, ".")+":"+leaf.Node.Type().Kind().String()+":"+lt)
	}
	want := "raw:BYTE_ARRAY:none u.member0:INT32:INT(32,true) u.member1:BYTE_ARRAY:STRING u.member2:BYTE_ARRAY:none n:INT64:INT(64,true)"
	if got := strings.Join(leaves, " "); got != want {
		t.Errorf("leaves\n%s\nwant\n%s", got, want)
	}
	got := make([]parquet.Row, 2)
	r := parquet.NewReader(f)
	defer r.Close()
	if n, _ := r.ReadRows(got); n != 2 {
		t.Fatalf("read %d rows, want 2", n)
	}
	// Row 1: raw set (def 1), member0 and member1 null inside a set struct
	// (def 1), member2 set (def 2). Row 2: raw null, u null (def 0).
	for _, tt := range []struct {
		row, col, def int
		val           string
	}{
		{0, 0, 1, "\x00\xff"}, {0, 1, 1, ""}, {0, 2, 1, ""}, {0, 3, 2, "\x07"},
		{1, 0, 0, ""}, {1, 1, 0, ""}, {1, 3, 0, ""},
	} {
		v := got[tt.row][tt.col]
		if v.DefinitionLevel() != tt.def || (tt.val != "" && string(v.ByteArray()) != tt.val) {
			t.Errorf("row %d leaf %d = def %d %q, want def %d %q", tt.row, tt.col, v.DefinitionLevel(), v.ByteArray(), tt.def, tt.val)
		}
	}

	// A struct value of another type in the column is refused, naming it.
	other, _ := record.ParseType("struct<x:int>")
	bad := []record.Value{{}, record.StructValue(other, []record.Value{{Type: record.Int, I: 1}}), {}}
	err = p.Encode(&bytes.Buffer{}, bad, []int{0})
	if err == nil || !strings.Contains(err.Error(), `column "u": value of type struct<x:int> where struct<member0:int,member1:string,member2:binary> belongs`) {
		t.Errorf("Encode(mismatched struct) error = %v, want one naming the column and both types", err)
	}
}
