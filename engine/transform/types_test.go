package transform_test

import (
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/transform"
)

func TestBinaryAndStructCasts(t *testing.T) {
	u, err := record.ParseType("struct<member0:int,member1:string>")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := record.ParseType("struct<member0:int>")
	cols := []record.Column{{Name: "raw", Type: record.Binary}, {Name: "s", Type: record.String}, {Name: "u", Type: u}}
	tr, err := transform.New(cols, transform.Spec{
		Mappings: []transform.Mapping{
			{Source: "raw", Target: "raw_text", Type: record.String},
			{Source: "s", Target: "s_bytes", Type: record.Binary},
			{Source: "u", Target: "u", Type: u},
			{Source: "u", Target: "u_json", Type: record.String},
			{Source: "u", Target: "u_other", Type: other},
		},
		Derived: []transform.Derived{{Name: "m1", Type: record.String, Expr: "u.member1"}, {Name: "n", Type: record.Bigint, Expr: "len(s_bytes)"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	uv := record.StructValue(u, []record.Value{{}, {Type: record.String, S: "b"}})
	in := []record.Value{record.BinaryValue([]byte("héllo")), {Type: record.String, S: "abc"}, uv}
	out := make([]record.Value, len(tr.Output()))
	if _, err := tr.Apply(in, out); err != nil {
		t.Fatal(err)
	}
	want := []string{`"héllo"`, `"YWJj"`, `{"member0":null,"member1":"b"}`, `"{\"member0\":null,\"member1\":\"b\"}"`, `null`, `"b"`, `3`}
	for i, w := range want {
		if got := string(out[i].AppendJSON(nil)); got != w {
			t.Errorf("%s = %s, want %s", tr.Output()[i].Name, got, w)
		}
	}
	if out[1].Type != record.Binary || out[2].Type != u {
		t.Errorf("types %s, %s; want binary and %s", out[1].Type, out[2].Type, u)
	}

	// Bytes that are not text cannot become a string column.
	in[0] = record.BinaryValue([]byte{0xff, 0xfe})
	_, err = tr.Apply(in, out)
	if err == nil || !strings.Contains(err.Error(), `mapping to "raw_text": binary value (2 bytes) is not valid UTF-8`) {
		t.Errorf("Apply(invalid UTF-8 binary to string) error = %v, want one naming the column and the reason", err)
	}
}
