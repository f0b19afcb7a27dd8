package catalog

import (
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios"
)

// The scenarios' encodings decode with the engine's decoders as the jobs
// configure them: well-formed records to the generator's values, malformed
// ones to an error with the text the scenario expects in the dead letter.
func TestEncodingsDecode(t *testing.T) {
	cols := []record.Column{{Name: "ventilatorid", Type: record.Int}, {Name: "eventtime", Type: record.String}, {Name: "serialnumber", Type: record.String},
		{Name: "pressurecontrol", Type: record.Int}, {Name: "o2stats", Type: record.Int}, {Name: "minutevolume", Type: record.Int}, {Name: "manufacturer", Type: record.String}}
	schema, err := generators.AvroSchema(generators.Ventilator().Table)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		format record.Format
		gen    generators.Format
		kinds  []string
		encode func(uint64, generators.Record) ([]byte, string)
		errors map[string]string
	}{
		{name: "csv", format: record.Format{Classification: "csv", Delimiter: '|', WithHeader: true}, encode: scenarios.CSVEncoding, errors: csvErrors,
			kinds: []string{generators.MalformedInvalidJSON, generators.MalformedWrongType, generators.MalformedInvalidUTF8}},
		{name: "grok", format: record.Format{Classification: "grok", GrokPattern: scenarios.GrokPattern, GrokCustomPatterns: scenarios.GrokCustomPatterns}, encode: scenarios.GrokEncoding, errors: grokErrors,
			kinds: []string{generators.MalformedInvalidJSON, generators.MalformedWrongType, generators.MalformedInvalidUTF8}},
		{name: "avro", format: record.Format{Classification: "avro", AvroSchema: schema}, gen: generators.FormatAvro, errors: avroErrors,
			kinds: []string{generators.MalformedInvalidJSON, generators.MalformedInvalidUTF8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := record.NewFormatDecoder(tt.format, cols)
			if err != nil {
				t.Fatal(err)
			}
			src, err := generators.NewSource(generators.SourceConfig{Dataset: generators.Ventilator(), Seed: 5, Format: tt.gen, Malformed: 0.3, MalformedOnly: tt.kinds})
			if err != nil {
				t.Fatal(err)
			}
			w := src.NewWorker()
			seen := map[string]int{}
			for seq := range int64(400) {
				rec, err := w.Record(seq)
				if err != nil {
					t.Fatal(err)
				}
				payload, kind := rec.Payload, rec.Malformed
				if tt.encode != nil {
					payload, kind = tt.encode(5, rec)
				}
				if (kind == "") != (rec.Malformed == "") {
					t.Fatalf("seq %d: generator malformed %q, encoded malformed %q; want both or neither", seq, rec.Malformed, kind)
				}
				row := make([]record.Value, len(cols))
				err = dec.Decode(payload, row)
				switch {
				case kind == "" && err != nil:
					t.Fatalf("seq %d: well-formed %q: %v", seq, payload, err)
				case kind == "":
					if got, want := row[2].S, rec.Key; got != want {
						t.Errorf("seq %d: serialnumber %q, want %q", seq, got, want)
					}
				case err == nil:
					t.Fatalf("seq %d: malformed (%s) %q decoded, want an error", seq, kind, payload)
				case !strings.Contains(err.Error(), tt.errors[kind]):
					t.Errorf("seq %d: %s rejected with %q, want it to contain %q", seq, kind, err, tt.errors[kind])
				}
				seen[kind]++
			}
			for k := range tt.errors {
				if seen[k] == 0 {
					t.Errorf("no %s record in 400 (kinds seen %v)", k, seen)
				}
			}
		})
	}
}
