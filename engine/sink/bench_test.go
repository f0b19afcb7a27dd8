package sink_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// BenchmarkParquetEncode encodes 50,000 ventilator rows (ints, a
// timestamp, a high-cardinality and a low-cardinality string) with the
// default settings, one file per iteration.
func BenchmarkParquetEncode(b *testing.B) {
	cols := []record.Column{
		{Name: "ventilatorid", Type: record.Int}, {Name: "eventtime", Type: record.Timestamp},
		{Name: "serialnumber", Type: record.String}, {Name: "pressurecontrol", Type: record.Int},
		{Name: "o2stats", Type: record.Int}, {Name: "minutevolume", Type: record.Int}, {Name: "manufacturer", Type: record.String},
	}
	const n = 50000
	rows := make([]record.Value, 0, n*len(cols))
	for i := range n {
		rows = append(rows,
			record.Value{Type: record.Int, I: int64(i % 50)}, record.Value{Type: record.Timestamp, I: 1795352709000000 + int64(i)*1000},
			record.Value{Type: record.String, S: fmt.Sprintf("SN-%06d", i)}, record.Value{Type: record.Int, I: int64(10 + i%30)},
			record.Value{Type: record.Int, I: int64(90 + i%10)}, record.Value{Type: record.Int, I: int64(5 + i%5)},
			record.Value{Type: record.String, S: []string{"GE", "Vyaire", "Medtronic"}[i%3]})
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for _, bc := range []struct {
		name string
		cfg  sink.ParquetConfig
	}{
		{"default", sink.ParquetConfig{}},
		{"micros", sink.ParquetConfig{OutputTimestampType: sink.TimestampMicros}},
		{"nodict", sink.ParquetConfig{DisableDictionary: true}},
		{"v2", sink.ParquetConfig{WriterVersion: "v2", DisableDictionary: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := sink.NewParquetConfig(cols, bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := p.Encode(&buf, rows, idx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(buf.Len()), "file-bytes")
		})
	}
}
