package transform_test

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/transform"
)

func TestLayout(t *testing.T) {
	for _, tt := range []struct{ java, want string }{
		{"yyyy-MM-dd HH:mm:ss", "2006-01-02 15:04:05"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2006-01-02T15:04:05.000Z07:00"},
		{"dd/MM/yy hh:mm a", "02/01/06 03:04 PM"},
		{"2006-01-02", "2006-01-02"},
	} {
		if got := transform.Layout(tt.java); got != tt.want {
			t.Errorf("Layout(%q) = %q, want %q", tt.java, got, tt.want)
		}
	}
}

var in = []record.Column{{Name: "id", Type: record.Bigint}, {Name: "ts", Type: record.String}, {Name: "amount", Type: record.Double}}

func row(id int64, ts string, amount float64) []record.Value {
	return []record.Value{{Type: record.Bigint, I: id}, {Type: record.String, S: ts}, record.FloatValue(record.Double, amount)}
}

func TestApply(t *testing.T) {
	tr, err := transform.New(in, transform.Spec{
		Mappings: []transform.Mapping{
			{Source: "id", Target: "id", Type: record.Int},
			{Source: "ts", Target: "event_time", Type: record.Timestamp, Format: "yyyy-MM-dd HH:mm:ss"},
			{Source: "amount", Target: "amount_text", Type: record.String},
			{Source: "amount", Target: "amount", Type: record.Double},
		},
		Derived: []transform.Derived{{Name: "cents", Type: record.Bigint, Expr: "int(amount * 100)"}},
		Filter:  "amount >= 0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tr.Output()); got != 5 {
		t.Fatalf("output has %d columns, want 5", got)
	}
	tests := []struct {
		name string
		in   []record.Value
		keep bool
		want []record.Value
	}{
		{"cast and derive", row(7, "2026-11-22 13:05:09", 1.25), true, []record.Value{
			{Type: record.Int, I: 7},
			{Type: record.Timestamp, I: time.Date(2026, 11, 22, 13, 5, 9, 0, time.UTC).UnixMicro()},
			{Type: record.String, S: "1.25"},
			record.FloatValue(record.Double, 1.25),
			{Type: record.Bigint, I: 125},
		}},
		{"bad timestamp is null, as in Glue", row(8, "22/11/2026", 2), true, []record.Value{
			{Type: record.Int, I: 8}, {}, {Type: record.String, S: "2"}, record.FloatValue(record.Double, 2), {Type: record.Bigint, I: 200},
		}},
		{"int overflow is null", row(1<<40, "2026-11-22 13:05:09", 0), true, nil},
		{"filtered out", row(9, "2026-11-22 13:05:09", -1), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]record.Value, 5)
			keep, err := tr.Apply(tt.in, out)
			if err != nil {
				t.Fatal(err)
			}
			if keep != tt.keep {
				t.Fatalf("keep = %v, want %v", keep, tt.keep)
			}
			if tt.name == "int overflow is null" && !out[0].Null() {
				t.Errorf("id = %+v, want null", out[0])
			}
			for i, w := range tt.want {
				if out[i] != w {
					t.Errorf("%s = %+v, want %+v", tr.Output()[i].Name, out[i], w)
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec transform.Spec
		want string
	}{
		{"unknown source", transform.Spec{Mappings: []transform.Mapping{{Source: "nope", Target: "x", Type: record.String}}}, `no source column "nope"`},
		{"duplicate target", transform.Spec{Mappings: []transform.Mapping{{Source: "id", Target: "x", Type: record.Int}, {Source: "ts", Target: "x", Type: record.String}}}, `target "x" appears twice`},
		{"bad derived", transform.Spec{Derived: []transform.Derived{{Name: "d", Type: record.Int, Expr: "id +"}}}, `derived column "d": compile "id +"`},
		{"non-boolean filter", transform.Spec{Filter: "id + 1"}, `filter: compile "id + 1"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := transform.New(in, tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSQLTimeFastPathAgreesWithTimeParse(t *testing.T) {
	tr, err := transform.New([]record.Column{{Name: "s", Type: record.String}}, transform.Spec{Mappings: []transform.Mapping{{Source: "s", Target: "t", Type: record.Timestamp, Format: "yyyy-MM-dd HH:mm:ss"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"2026-11-22 13:05:09", "2024-02-29 00:00:00", "2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-11-22T13:05:09", "2026-11-22 1:05:09", "2026-11-22 13:05:0x"} {
		out := make([]record.Value, 1)
		if _, err := tr.Apply([]record.Value{{Type: record.String, S: s}}, out); err != nil {
			t.Fatal(err)
		}
		want, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			if !out[0].Null() {
				t.Errorf("%q: got %+v, want null (time.Parse: %v)", s, out[0], err)
			}
			continue
		}
		if out[0].I != want.UnixMicro() {
			t.Errorf("%q: got %d, want %d", s, out[0].I, want.UnixMicro())
		}
	}
}
