package record_test

import (
	"testing"

	"github.com/hamba/avro/v2/ocf"

	"github.com/streamcheck/streamcheck/engine/record"
)

const ventilatorAvroSchema = `{"type":"record","name":"Ventilator","fields":[
 {"name":"ventilatorid","type":"int"},{"name":"eventtime","type":"string"},{"name":"serialnumber","type":"string"},
 {"name":"pressurecontrol","type":"int"},{"name":"o2stats","type":"int"},{"name":"minutevolume","type":"int"},
 {"name":"manufacturer","type":"string"}]}`

var ventilatorDatum = map[string]any{"ventilatorid": 29, "eventtime": "2026-11-22 13:05:09", "serialnumber": "dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11",
	"pressurecontrol": 27, "o2stats": 92, "minutevolume": 6, "manufacturer": "Vyaire"}

func benchDecode(b *testing.B, f record.Format, p []byte) {
	dec, err := record.NewFormatDecoder(f, ventilatorCols)
	if err != nil {
		b.Fatal(err)
	}
	row := make([]record.Value, len(ventilatorCols))
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if err := dec.Decode(p, row); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkFormatVentilator(b *testing.B) {
	b.Run("json", func(b *testing.B) {
		benchDecode(b, record.Format{}, []byte(`{"ventilatorid":29,"eventtime":"2026-11-22 13:05:09","serialnumber":"dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11","pressurecontrol":27,"o2stats":92,"minutevolume":6,"manufacturer":"Vyaire"}`))
	})
	b.Run("csv", func(b *testing.B) {
		benchDecode(b, record.Format{Classification: "csv"}, []byte("29,2026-11-22 13:05:09,dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11,27,92,6,Vyaire\n"))
	})
	b.Run("csv-header", func(b *testing.B) {
		benchDecode(b, record.Format{Classification: "csv", WithHeader: true},
			[]byte("ventilatorid,eventtime,serialnumber,pressurecontrol,o2stats,minutevolume,manufacturer\n29,2026-11-22 13:05:09,dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11,27,92,6,Vyaire\n"))
	})
	b.Run("avro-job-schema", func(b *testing.B) {
		benchDecode(b, record.Format{Classification: "avro", AvroSchema: ventilatorAvroSchema}, marshalAvro(b, ventilatorAvroSchema, ventilatorDatum))
	})
	b.Run("avro-container", func(b *testing.B) {
		benchDecode(b, record.Format{Classification: "avro"}, ocfPayload(b, ventilatorAvroSchema, ocf.Null, ventilatorDatum))
	})
	b.Run("grok", func(b *testing.B) {
		benchDecode(b, record.Format{Classification: "grok",
			GrokPattern: `%{INT:ventilatorid} %{TIMESTAMP_ISO8601:eventtime} %{UUID:serialnumber} pc=%{INT:pressurecontrol:int} o2=%{INT:o2stats:int} mv=%{INT:minutevolume:int} %{WORD:manufacturer}`},
			[]byte("29 2026-11-22 13:05:09 dd5e4a0b-6b3b-4c5d-9d1b-2f1c4c2a9e11 pc=27 o2=92 mv=6 Vyaire"))
	})
}
