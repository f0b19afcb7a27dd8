package engine

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/engine/source"
)

func ventilatorJob() *Job {
	j := DefaultJob()
	j.Name = "bench"
	j.Source.StreamName = "ventilatorstream"
	for _, c := range [][2]string{{"ventilatorid", "int"}, {"eventtime", "string"}, {"serialnumber", "string"}, {"pressurecontrol", "int"}, {"o2stats", "int"}, {"minutevolume", "int"}, {"manufacturer", "string"}} {
		j.Source.Columns = append(j.Source.Columns, Column{Name: c[0], Type: c[1]})
		m := Mapping{Source: c[0], Target: c[0], Type: c[1]}
		if c[0] == "eventtime" {
			m.Type, m.Format = "timestamp", "yyyy-MM-dd HH:mm:ss"
		}
		j.Transforms.ApplyMapping = append(j.Transforms.ApplyMapping, m)
	}
	j.ForEachBatch.CheckpointLocation = "cp"
	j.Sink.Path = "out"
	j.Sink.DeadLetterPath = "dlq"
	return j
}

// BenchmarkDecodeTransformParquet measures the CPU path of a batch:
// ventilator JSON decoded into typed rows, ApplyMapping (with the
// string-to-timestamp cast), and Parquet encoding with snappy.
func BenchmarkDecodeTransformParquet(b *testing.B) {
	const n = 100000
	recs := ventilatorRecords(n)
	e, err := New(ventilatorJob())
	if err != nil {
		b.Fatal(err)
	}
	cols := e.fixed
	tr, err := e.job.transform(cols)
	if err != nil {
		b.Fatal(err)
	}
	out := tr.Output()
	pq, err := sink.NewParquet(out, "snappy")
	if err != nil {
		b.Fatal(err)
	}
	all := make([]int, len(out))
	for i := range all {
		all[i] = i
	}
	batch := &source.Batch{Records: recs}
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		w := &batchWork{}
		if err := e.decode(w, batch, checkpoint.SourceInfo{Kind: "kinesis"}, cols, tr, len(out)); err != nil || len(w.dead) > 0 {
			b.Fatal(err, len(w.dead))
		}
		idx := make([]int, 0, n)
		for i, k := range w.keep {
			if k {
				idx = append(idx, i)
			}
		}
		buf.Reset()
		if err := pq.EncodeProjected(&buf, w.rows, all, idx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(buf.Len())/n, "parquet-bytes/record")
}

// ventilatorRecords returns n ventilator records as a Kinesis shard gives
// them: 50 ventilators, 3 manufacturers.
func ventilatorRecords(n int) []source.Record {
	recs := make([]source.Record, n)
	at := time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)
	shard := &source.Origin{ShardID: "shardId-000000000000", Partition: -1}
	for i := range recs {
		recs[i] = source.NewRecord(fmt.Appendf(nil, `{"ventilatorid":%d,"eventtime":"2026-11-22 13:%02d:%02d","serialnumber":"%08x-6b3b-4c5d-9d1b-2f1c4c2a9e11","pressurecontrol":%d,"o2stats":%d,"minutevolume":%d,"manufacturer":"%s"}`,
			i%50, i/60%60, i%60, i, 10+i%30, 90+i%10, 5+i%5, []string{"GE", "Vyaire", "Medtronic"}[i%3]), shard, at)
		recs[i].SequenceNumber = fmt.Sprint(i)
	}
	return recs
}

// BenchmarkGroupRows measures the plan's grouping of a 100,000-row batch
// by output path: unpartitioned, by ingest time (one path), by
// ventilatorid (50 paths) and by manufacturer and ventilatorid (150).
func BenchmarkGroupRows(b *testing.B) {
	const n = 100000
	batch := &source.Batch{Records: ventilatorRecords(n)}
	for _, tc := range []struct {
		name         string
		partitioning string
		keys         []string
	}{
		{"none", PartitionNone, nil},
		{"ingest-time", PartitionByIngestTime, nil},
		{"by-ventilatorid", PartitionByColumns, []string{"ventilatorid"}},
		{"by-manufacturer-ventilatorid", PartitionByColumns, []string{"manufacturer", "ventilatorid"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			j := ventilatorJob()
			j.Sink.Partitioning, j.Sink.PartitionKeys = tc.partitioning, tc.keys
			e, err := New(j)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := e.job.transform(e.fixed)
			if err != nil {
				b.Fatal(err)
			}
			w := &batchWork{ingest: time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)}
			if err := e.decode(w, batch, checkpoint.SourceInfo{Kind: "kinesis"}, e.fixed, tr, len(tr.Output())); err != nil || len(w.dead) > 0 {
				b.Fatal(err, len(w.dead))
			}
			_, partIdx := e.splitPartitionColumns(tr.Output())
			var paths int
			for b.Loop() {
				w.nkept = 0
				paths = len(e.groupRows(w, partIdx))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
			b.ReportMetric(float64(paths), "paths")
		})
	}
}
