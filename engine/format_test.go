package engine_test

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/engine"
)

const avroSchema = `{"type":"record","name":"user","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`

func TestClassifications(t *testing.T) {
	schema := avro.MustParse(avroSchema)
	datum := func(id int64, name string) []byte {
		b, err := avro.Marshal(schema, map[string]any{"id": id, "name": name})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// container is one datum in an object container file, which carries
	// its writer schema.
	container := func(id int64, name string) []byte {
		var buf bytes.Buffer
		enc, err := ocf.NewEncoder(avroSchema, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(map[string]any{"id": id, "name": name}); err != nil {
			t.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name     string
		source   func(*engine.Source)
		payloads [][]byte // the last one is malformed
	}{
		{"csv", func(s *engine.Source) { s.Classification, s.Delimiter = "csv", ";" },
			[][]byte{[]byte("1;alice"), []byte("2;bob"), []byte("3;\"carol\"\n"), []byte("four;dave")}},
		{"csv withHeader", func(s *engine.Source) { s.Classification, s.WithHeader = "csv", true },
			[][]byte{[]byte("name,id\nalice,1"), []byte("id,name\n2,bob"), []byte("id,name\n3,carol"), []byte("id,name\n4")}},
		{"grok", func(s *engine.Source) {
			s.Classification, s.GrokPattern, s.GrokCustomPatterns = "grok", "%{INT:id} %{NAME:name}", "NAME [a-z]+"
		}, [][]byte{[]byte("1 alice"), []byte("2 bob"), []byte("3 carol"), []byte("no match here!")}},
		{"avro with schema", func(s *engine.Source) { s.Classification, s.AvroSchema, s.Columns = "avro", avroSchema, nil },
			[][]byte{datum(1, "alice"), datum(2, "bob"), datum(3, "carol"), {0xff}}},
		// No columns and no avroSchema: the columns come from the schemas
		// the container payloads carry.
		{"avro schema in the payload", func(s *engine.Source) { s.Classification, s.Columns = "avro", nil },
			[][]byte{container(1, "alice"), container(2, "bob"), container(3, "carol"), {0xff}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newKafkaHarness(t, 1)
			var recs []*kgo.Record
			for _, p := range tc.payloads {
				recs = append(recs, &kgo.Record{Topic: stream, Value: p})
			}
			if err := h.prod.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			j := h.job()
			j.Transforms.ApplyMapping = nil
			j.Source.Columns = []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "string", Required: true}}
			tc.source(&j.Source)
			if err := h.run(j); err != nil {
				t.Fatalf("Run: %v", err)
			}
			names := column(t, filepath.Join(h.dir, "out"), "name")
			ids := column(t, filepath.Join(h.dir, "out"), "id")
			sort.Strings(names)
			sort.Strings(ids)
			if got := strings.Join(names, ","); got != "alice,bob,carol" {
				t.Errorf("names = %s, want alice,bob,carol", got)
			}
			if got := strings.Join(ids, ","); got != "1,2,3" {
				t.Errorf("ids = %s, want 1,2,3", got)
			}
			dead := deadLetters(t, filepath.Join(h.dir, "dlq"))
			if len(dead) != 1 || dead[0].Offset != 3 || dead[0].Error == "" {
				t.Errorf("dead letters = %+v, want the malformed record at offset 3", dead)
			}
		})
	}
}

func TestValidateFormats(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*engine.Source)
		want   string
	}{
		{"unknown", func(s *engine.Source) { s.Classification = "xml" }, `source.classification: "xml" is not valid; want json, csv, avro or grok`},
		{"delimiter on json", func(s *engine.Source) { s.Delimiter = ";" }, "source.delimiter"},
		{"long delimiter", func(s *engine.Source) { s.Classification, s.Delimiter = "csv", ";;" }, "source.delimiter"},
		{"both header options", func(s *engine.Source) { s.Classification, s.WithHeader, s.SkipFirst = "csv", true, true }, "source.skipFirst"},
		{"grok without pattern", func(s *engine.Source) { s.Classification = "grok" }, "source.grokPattern"},
		{"bad grok pattern", func(s *engine.Source) { s.Classification, s.GrokPattern = "grok", "%{NOSUCHPATTERN:x}" }, "source.grokPattern"},
		{"bad avro schema", func(s *engine.Source) { s.Classification, s.AvroSchema = "avro", `{"type":"nope"}` }, "source.avroSchema"},
		{"inferSchema with columns", func(s *engine.Source) { s.InferSchema = true }, "source.inferSchema"},
		{"csv without columns", func(s *engine.Source) { s.Classification, s.Columns = "csv", nil }, "source.columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := validJob()
			tc.change(&j.Source)
			err := j.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// And the good cases pass.
	for _, f := range []func(*engine.Source){
		func(s *engine.Source) { s.Classification, s.Delimiter, s.SkipFirst = "csv", "\t", true },
		func(s *engine.Source) { s.Classification, s.AvroSchema, s.Columns = "avro", avroSchema, nil },
		func(s *engine.Source) { s.InferSchema, s.Columns = true, nil },
		func(s *engine.Source) { s.Classification, s.Columns = "avro", nil }, // schemas from the payloads
	} {
		j := validJob()
		f(&j.Source)
		if err := j.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", j.Source, err)
		}
	}
}
