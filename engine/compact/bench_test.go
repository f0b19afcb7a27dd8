package compact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/compact"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// writeBatches writes files committed batches of one file of rows rows
// each into one ingest-hour partition of out, as the engine lays them out,
// and returns their total size.
func writeBatches(b *testing.B, out, cp blob.Store, files, rows int, at time.Time) int64 {
	b.Helper()
	ctx := b.Context()
	cols := []record.Column{{Name: "id", Type: record.Bigint}, {Name: "device", Type: record.String}, {Name: "reading", Type: record.Double}}
	enc, err := sink.NewParquet(cols, "snappy")
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	vals := make([]record.Value, 0, rows*len(cols))
	idx := make([]int, rows)
	for f := 0; f < files; f++ {
		vals = vals[:0]
		for r := 0; r < rows; r++ {
			id := int64(f*rows + r)
			vals = append(vals, record.Value{Type: record.Bigint, I: id},
				record.Value{Type: record.String, S: fmt.Sprintf("device-%04d", id%997)},
				record.FloatValue(record.Double, float64(id%1000)/7))
			idx[r] = r
		}
		var buf bytes.Buffer
		if err := enc.Encode(&buf, vals, idx); err != nil {
			b.Fatal(err)
		}
		key := path.Join(sink.IngestPath(at), sink.ObjectName(int64(f), 0, enc.Ext()))
		if _, err := out.Put(ctx, key, buf.Bytes(), blob.Cond{}); err != nil {
			b.Fatal(err)
		}
		total += int64(buf.Len())
		plan, _ := json.Marshal(checkpoint.Offsets{Version: 1, BatchID: int64(f), PlannedAt: at, IngestTime: at, Delivery: "exactly-once", Objects: []string{out.URL(key)}})
		commit, _ := json.Marshal(checkpoint.Commit{Version: 1, BatchID: int64(f), CommittedAt: at})
		if _, err := cp.Put(ctx, fmt.Sprintf("offsets/%d", f), plan, blob.Cond{}); err != nil {
			b.Fatal(err)
		}
		if _, err := cp.Put(ctx, fmt.Sprintf("commits/%d", f), commit, blob.Cond{}); err != nil {
			b.Fatal(err)
		}
	}
	return total
}

// BenchmarkCompact compacts the files of one ingest hour in local
// directories into one: 200 files of 2000 rows (about 18 KB each) and 40
// files of 50000 rows (about 450 KB each). files/s, MB/s and rows/s are
// of the inputs.
func BenchmarkCompact(b *testing.B) {
	for _, bc := range []struct{ files, rows int }{{200, 2000}, {40, 50000}} {
		b.Run(fmt.Sprintf("files=%d/rows=%d", bc.files, bc.rows), func(b *testing.B) { benchCompact(b, bc.files, bc.rows) })
	}
}

func benchCompact(b *testing.B, files, rows int) {
	at := time.Date(2026, 11, 22, 13, 5, 0, 0, time.UTC)
	var bytesIn int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		out, err := blob.Open(dir+"/out", nil)
		if err != nil {
			b.Fatal(err)
		}
		cp, err := blob.Open(dir+"/cp", nil)
		if err != nil {
			b.Fatal(err)
		}
		bytesIn = writeBatches(b, out, cp, files, rows, at)
		c, err := compact.New(out, cp, compact.DefaultConfig(), compact.WithClock(clock.NewFake(at.Add(3*time.Hour))))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		b.StartTimer()
		sum, err := c.Run(b.Context())
		b.StopTimer()
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if in, o, _, _, n := sum.Totals(); in != files || o != 1 || n != int64(files*rows) {
			b.Fatalf("compacted %d files into %d with %d rows, want %d into 1 with %d", in, o, n, files, files*rows)
		}
	}
	sec := elapsed.Seconds()
	b.ReportMetric(float64(files*b.N)/sec, "files/s")
	b.ReportMetric(float64(bytesIn*int64(b.N))/1e6/sec, "MB/s")
	b.ReportMetric(float64(files*rows*b.N)/sec, "rows/s")
}
