package record_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

func TestFormatValidate(t *testing.T) {
	tests := []struct {
		name    string
		f       record.Format
		wantErr string // the named field; "" for a valid format
	}{
		{name: "zero is json", f: record.Format{}},
		{name: "csv defaults", f: record.Format{Classification: "CSV"}},
		{name: "csv with header and pipe", f: record.Format{Classification: "csv", Delimiter: '|', WithHeader: true}},
		{name: "avro in payload", f: record.Format{Classification: "avro"}},
		{name: "avro in job", f: record.Format{Classification: "avro", AvroSchema: ventSchema}},
		{name: "grok", f: record.Format{Classification: "grok", GrokPattern: "%{WORD:w}"}},

		{name: "unknown classification", f: record.Format{Classification: "xml"}, wantErr: "Classification: unknown classification"},
		{name: "delimiter on json", f: record.Format{Delimiter: ';'}, wantErr: "Delimiter: "},
		{name: "quote as delimiter", f: record.Format{Classification: "csv", Delimiter: '"'}, wantErr: "Delimiter: "},
		{name: "newline as delimiter", f: record.Format{Classification: "csv", Delimiter: '\n'}, wantErr: "Delimiter: "},
		{name: "header and skipFirst", f: record.Format{Classification: "csv", WithHeader: true, SkipFirst: true}, wantErr: "WithHeader: "},
		{name: "avro schema on csv", f: record.Format{Classification: "csv", AvroSchema: ventSchema}, wantErr: "AvroSchema: applies to avro only"},
		{name: "avro schema not json", f: record.Format{Classification: "avro", AvroSchema: "{"}, wantErr: "AvroSchema: parse avro schema"},
		{name: "avro schema not a record", f: record.Format{Classification: "avro", AvroSchema: `{"type":"array","items":"string"}`}, wantErr: "AvroSchema: avro schema: top-level type is array"},
		{name: "grok without pattern", f: record.Format{Classification: "grok"}, wantErr: "GrokPattern: required"},
		{name: "grok unknown pattern", f: record.Format{Classification: "grok", GrokPattern: "%{NOPE:x}"}, wantErr: `GrokPattern: compile grok pattern`},
		{name: "grok bad custom line", f: record.Format{Classification: "grok", GrokPattern: "%{A:x}", GrokCustomPatterns: "A \\d\nBROKEN"}, wantErr: `custom pattern line 2: want NAME PATTERN, got "BROKEN"`},
		{name: "grok unknown capture type", f: record.Format{Classification: "grok", GrokPattern: "%{WORD:w:uuid}"}, wantErr: `GrokPattern: capture "w": unknown type "uuid"`},
		{name: "grok pattern on json", f: record.Format{GrokPattern: "%{WORD:w}"}, wantErr: "GrokPattern: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if _, err := record.NewFormatDecoder(tt.f, cols); err != nil {
					t.Fatalf("NewFormatDecoder = %v, want a decoder", err)
				}
				return
			}
			if err == nil || !errors.Is(err, record.ErrFormat) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want ErrFormat containing %q", err, tt.wantErr)
			}
			if _, err := record.NewFormatDecoder(tt.f, cols); err == nil {
				t.Fatalf("NewFormatDecoder succeeded for an invalid format")
			}
		})
	}
}

func TestNewFormatDecoderJSON(t *testing.T) {
	dec, err := record.NewFormatDecoder(record.Format{Classification: "JSON"}, cols)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dec.(*record.Decoder); !ok {
		t.Fatalf("NewFormatDecoder(json) = %T, want *record.Decoder", dec)
	}
}

func TestWiden(t *testing.T) {
	tests := []struct{ a, b, want record.Type }{
		{record.Int, record.Int, record.Int},
		{record.Invalid, record.Int, record.Int},
		{record.Bigint, record.Invalid, record.Bigint},
		{record.Int, record.Bigint, record.Bigint},
		{record.Bigint, record.Double, record.Double},
		{record.Int, record.Float, record.Double},
		{record.Float, record.Double, record.Double},
		{record.Date, record.Timestamp, record.Timestamp},
		{record.Boolean, record.Int, record.String},
		{record.Timestamp, record.Double, record.String},
		{record.String, record.Bigint, record.String},
	}
	for _, tt := range tests {
		if got := record.Widen(tt.a, tt.b); got != tt.want {
			t.Errorf("Widen(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
		if got := record.Widen(tt.b, tt.a); got != tt.want {
			t.Errorf("Widen(%s, %s) = %s, want %s", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestInferWidens(t *testing.T) {
	got := record.Infer([][]byte{
		[]byte(`{"n":1,"mix":true,"only_null":null,"late":null}`),
		[]byte(`{"n":2.5,"mix":1,"late":7}`),
		[]byte(`{"n":3,"mix":"x","broken":`),
	})
	want := "late:bigint mix:string n:double only_null:string"
	var parts []string
	for _, c := range got {
		parts = append(parts, c.Name+":"+c.Type.String())
	}
	if s := strings.Join(parts, " "); s != want {
		t.Errorf("Infer = %s, want %s", s, want)
	}
}
