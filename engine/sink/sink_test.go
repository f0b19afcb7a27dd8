package sink_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

func TestNames(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{sink.ObjectName(42, 0, "snappy.parquet"), "part-00000042-00000.snappy.parquet"},
		{sink.ObjectName(7, 12, "jsonl"), "part-00000007-00012.jsonl"},
		{sink.IngestPath(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))), "ingest_year=2026/ingest_month=01/ingest_day=02/ingest_hour=02"},
		{sink.ColumnPath([]string{"region", "kind"}, []string{"eu/west", ""}), "region=eu%2Fwest/kind=__HIVE_DEFAULT_PARTITION__"},
		{sink.RandomName([16]byte{}, "parquet"), "part-00000000-0000-4000-8000-000000000000.parquet"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestParquetRoundTrip(t *testing.T) {
	cols := []record.Column{
		{Name: "s", Type: record.String}, {Name: "i", Type: record.Int}, {Name: "b", Type: record.Bigint},
		{Name: "d", Type: record.Double}, {Name: "f", Type: record.Float}, {Name: "ok", Type: record.Boolean},
		{Name: "ts", Type: record.Timestamp}, {Name: "day", Type: record.Date},
	}
	rows := []record.Value{
		{Type: record.String, S: "a"}, {Type: record.Int, I: -3}, {Type: record.Bigint, I: 1 << 40}, record.FloatValue(record.Double, 2.5),
		record.FloatValue(record.Float, 1.5), record.Bool(true), {Type: record.Timestamp, I: 1795352709000000}, {Type: record.Date, I: 20779},
		{}, {}, {}, {}, {}, {}, {}, {}, // a row of nulls
	}
	for _, codec := range sink.Codecs {
		t.Run(codec, func(t *testing.T) {
			p, err := sink.NewParquet(cols, codec)
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
			var names []string
			for _, fl := range f.Schema().Fields() {
				names = append(names, fl.Name())
			}
			if got := strings.Join(names, ","); got != "s,i,b,d,f,ok,ts,day" {
				t.Errorf("columns %s, want the job's order s,i,b,d,f,ok,ts,day", got)
			}
			got := make([]parquet.Row, 2)
			r := parquet.NewReader(f)
			defer r.Close()
			if n, _ := r.ReadRows(got); n != 2 {
				t.Fatalf("read %d rows, want 2", n)
			}
			if v := got[0][1].Int32(); v != -3 {
				t.Errorf("i = %d, want -3", v)
			}
			// INT96: nanoseconds of the day, then the Julian day.
			ts := got[0][6].Int96()
			nanos := int64(ts[1])<<32 | int64(ts[0])
			if micros := (int64(ts[2])-2440588)*86400e6 + nanos/1000; micros != 1795352709000000 {
				t.Errorf("ts = %d, want 1795352709000000", micros)
			}
			for c, v := range got[1] {
				if !v.IsNull() {
					t.Errorf("row 2 column %d = %v, want null", c, v)
				}
			}
		})
	}
	if _, err := sink.NewParquet(cols, "lz4"); err == nil {
		t.Errorf("NewParquet with codec lz4 succeeded, want an error")
	}
}

func TestDeadLetters(t *testing.T) {
	d := sink.DeadLetter{BatchID: 3, Source: "kinesis", Stream: "s", ShardID: "shardId-000000000001", Partition: -1, SequenceNumber: "49", Offset: -1, Error: "boom"}
	d.SetPayload([]byte("abc"))
	var buf bytes.Buffer
	if err := sink.EncodeDeadLetters(&buf, []sink.DeadLetter{d, d}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"batch_id": 3.0, "payload_base64": "YWJj", "payload_sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "partition": -1.0, "offset": -1.0, "shard_id": "shardId-000000000001"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	for _, k := range []string{"source", "stream", "sequence_number", "partition_key", "arrival_time", "error"} {
		if _, ok := m[k]; !ok {
			t.Errorf("dead letter lacks %s", k)
		}
	}
}
