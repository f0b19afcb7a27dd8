package generators

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
)

func TestParseDDL(t *testing.T) {
	for _, tc := range []struct {
		name, ddl, want string
	}{
		{"blog table", "`ventilatorid` int, `eventtime` string, `serialnumber` string", "`ventilatorid` int, `eventtime` string, `serialnumber` string"},
		{"bare names and case", "id BIGINT, Name STRING", "`id` bigint, `Name` string"},
		{"parameters", "p decimal(10,2), q DECIMAL, v varchar(20), c char(3)", "`p` decimal(10,2), `q` decimal(10,0), `v` varchar(20), `c` char(3)"},
		{"nested", "a array<struct<x:int,`y`:map<string,array<double>>>>", "`a` array<struct<x:int,y:map<string,array<double>>>>"},
		{"comments", "id int COMMENT 'the id', ts timestamp comment \"when\"", "`id` int, `ts` timestamp"},
		{"every primitive", "a tinyint, b smallint, c integer, d bigint, e float, f double, g boolean, h date, i timestamp, j binary", "`a` tinyint, `b` smallint, `c` int, `d` bigint, `e` float, `f` double, `g` boolean, `h` date, `i` timestamp, `j` binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := ParseDDL(tc.ddl)
			if err != nil {
				t.Fatalf("ParseDDL(%q): %v", tc.ddl, err)
			}
			if got := tab.String(); got != tc.want {
				t.Errorf("ParseDDL(%q) = %s, want %s", tc.ddl, got, tc.want)
			}
			again, err := ParseDDL(tab.String())
			if err != nil || again.String() != tab.String() {
				t.Errorf("round trip of %s = %v, %v", tab, again, err)
			}
		})
	}
}

func TestParseDDLErrors(t *testing.T) {
	for _, tc := range []struct {
		name, ddl string
		pos       int
		msg       string
	}{
		{"empty", "", 1, "at least one column"},
		{"no type", "`a` int, `b`", 13, `expected a type after column "b"`},
		{"unknown type", "a int, b strin", 10, `unknown type "strin"`},
		{"unclosed array", "a array<int", 12, `'>' to close array<T>`},
		{"varchar without length", "a varchar", 10, `'(' and a length after varchar`},
		{"scale above precision", "a decimal(4,5)", 13, "scale 5 is larger than its precision 4"},
		{"map key", "m map<array<int>,int>", 7, "map key type array<int>"},
		{"duplicate", "a int, A string", 8, `duplicate column "A"`},
		{"missing comma", "a int b string", 7, `expected ',' or the end after column "a"`},
		{"unterminated name", "`a int", 1, "unterminated backquoted column name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDDL(tc.ddl)
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrTableDefinition) {
				t.Fatalf("ParseDDL(%q) error = %v, want a *SyntaxError", tc.ddl, err)
			}
			if se.Pos+1 != tc.pos || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("ParseDDL(%q) error = %v, want position %d and %q", tc.ddl, err, tc.pos, tc.msg)
			}
		})
	}
}

func TestParseColumnsJSON(t *testing.T) {
	cdk := `{"glue_kinesis_table": {"database_name": "ventilatordb", "table_name": "ventilators_table",
	  "columns": [{"name": "ventilatorid", "type": "int"}, {"name": "eventtime", "type": "string"},
	  {"name": "serialnumber", "type": "string"}, {"name": "pressurecontrol", "type": "int"},
	  {"name": "o2stats", "type": "int"}, {"name": "minutevolume", "type": "int"}, {"name": "manufacturer", "type": "string"}]}}`
	tab, err := ParseColumnsJSON([]byte(cdk))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tab.String(), Ventilator().Table.String(); got != want {
		t.Errorf("CDK context columns = %s, want the ventilator table %s", got, want)
	}
	glue := `{"Table":{"StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint"},{"Name":"tags","Type":"array<string>"}]}}}`
	if tab, err := ParseColumnsJSON([]byte(glue)); err != nil || tab.String() != "`id` bigint, `tags` array<string>" {
		t.Errorf("Glue GetTable columns = %v, %v", tab, err)
	}
	for _, bad := range []string{`{"columns": []}`, `[{"name":"a","type":"int"},{"name":"b","type":"integr"}]`, `{"x":`, `[{"name":"a"}]`} {
		if _, err := ParseColumnsJSON([]byte(bad)); !errors.Is(err, ErrTableDefinition) {
			t.Errorf("ParseColumnsJSON(%s) error = %v, want ErrTableDefinition", bad, err)
		}
	}
}

const everyTypeDDL = "id bigint, name string, price decimal(10,2), tags array<string>, attrs map<string,int>, " +
	"loc struct<lat:double,lon:double>, ts timestamp, d date, b binary, ok boolean, c char(3), v varchar(5), f float, t tinyint"

func TestTableDatasetEncodings(t *testing.T) {
	tab, err := ParseDDL(everyTypeDDL)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewTableDataset(tab, "")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Key != "name" || ds.Device != "id" || ds.EventTime != "ts" {
		t.Errorf("key, device, event time = %s, %s, %s; want name, id, ts", ds.Key, ds.Device, ds.EventTime)
	}
	t.Run("json", func(t *testing.T) {
		for _, r := range records(t, SourceConfig{Dataset: ds, Seed: 1}, 200) {
			var m map[string]any
			if err := json.Unmarshal(r.Payload, &m); err != nil {
				t.Fatalf("record %d: %v: %s", r.Seq, err, r.Payload)
			}
			if len(m) != len(tab.Columns) || m["name"] != r.Key {
				t.Fatalf("record %d: %d columns, name %v; want %d and key %s", r.Seq, len(m), m["name"], len(tab.Columns), r.Key)
			}
			if c := m["c"].(string); len(c) != 3 {
				t.Errorf("record %d: char(3) value %q", r.Seq, c)
			}
			if v := m["v"].(string); len(v) > 5 {
				t.Errorf("record %d: varchar(5) value %q", r.Seq, v)
			}
		}
	})
	t.Run("csv", func(t *testing.T) {
		for _, r := range records(t, SourceConfig{Dataset: ds, Seed: 1, Format: FormatCSV}, 200) {
			fields, err := csv.NewReader(bytes.NewReader(r.Payload)).Read()
			if err != nil || len(fields) != len(tab.Columns) {
				t.Fatalf("record %d: %d fields, %v: %s", r.Seq, len(fields), err, r.Payload)
			}
		}
	})
	t.Run("avro", func(t *testing.T) {
		js, err := AvroSchema(ds.Table)
		if err != nil {
			t.Fatal(err)
		}
		schema := avro.MustParse(js)
		for _, r := range records(t, SourceConfig{Dataset: ds, Seed: 1, Format: FormatAvro}, 200) {
			var m map[string]any
			if err := avro.Unmarshal(schema, r.Payload, &m); err != nil {
				t.Fatalf("record %d: %v", r.Seq, err)
			}
			if m["name"] != r.Key {
				t.Fatalf("record %d: name %v, want %s", r.Seq, m["name"], r.Key)
			}
		}
	})
}

func TestNewTableDatasetKey(t *testing.T) {
	tab, _ := ParseDDL("n int, f double")
	ds, err := NewTableDataset(tab, "")
	if err != nil || ds.Key != GeneratedKey || ds.Table.Index(GeneratedKey) != 2 {
		t.Fatalf("no string column: key %v, %v; want a generated %s", ds, err, GeneratedKey)
	}
	ds, err = NewTableDataset(tab, "n")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range records(t, SourceConfig{Dataset: ds}, 3) {
		if r.Key != strings.TrimSpace(string(rune('0'+i))) {
			t.Errorf("integer key of record %d = %q, want the sequence number", i, r.Key)
		}
	}
	for _, key := range []string{"nope", "f"} {
		if _, err := NewTableDataset(tab, key); !errors.Is(err, ErrKeyColumn) {
			t.Errorf("NewTableDataset(key %q) error = %v, want ErrKeyColumn", key, err)
		}
	}
}

func TestLedgerJSONMatchesEncodingJSON(t *testing.T) {
	r := LedgerRow{Seq: 1, Producer: 2, Key: "k\"\\\n", PartitionKey: "p", PayloadSHA256: "ab", Size: 3, Malformed: "oversize",
		DuplicateOf: -1, EventTimeMs: 5, Outcome: "ack", Attempts: 2, Error: "<err> & \u2028", Target: "kinesis://s",
		ShardID: "shardId-000000000001", SequenceNumber: "4960", Partition: -1, Offset: -1, SentAtMs: 7, AckedAtMs: 8}
	want, _ := json.Marshal(r)
	var back LedgerRow
	got := appendLedgerJSON(nil, &r)
	if err := json.Unmarshal(got, &back); err != nil || back != r {
		t.Fatalf("appendLedgerJSON = %s, reads back as %+v, %v; encoding/json gives %s", got, back, err, want)
	}
}
