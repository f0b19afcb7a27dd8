package scenarios

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/internal/heappeak"
)

// BenchmarkEndToEnd measures the engine end to end on the embedded stack:
// ventilator records read through the SDK from the embedded Kinesis (16
// shards, with AWS's per-shard read limits of 5 calls and 2 MiB per second),
// decoded, mapped and written as one batch of snappy Parquet to the embedded
// S3 with the checkpoint, until the engine finds the stream drained. Beside
// it, DuckDB converts the same records from JSON lines to snappy Parquet on
// local disk, the practical ceiling. STREAMCHECK_BENCH_RECORDS overrides the
// default 100,000 records.
func BenchmarkEndToEnd(b *testing.B) {
	const shards = 16
	total := int64(100_000)
	if v := os.Getenv("STREAMCHECK_BENCH_RECORDS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("STREAMCHECK_BENCH_RECORDS=%q: want a positive number", v)
		}
		total = n
	}
	ctx := b.Context()
	stack, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	defer stack.Close()
	kin := generators.NewKinesisClient(stack.AWSConfig, stack.KinesisURL)
	if err := generators.CreateKinesisStream(ctx, kin, nil, "bench", shards); err != nil {
		b.Fatal(err)
	}
	if err := createBucket(ctx, stack.S3Client(), "bench"); err != nil {
		b.Fatal(err)
	}
	src, err := generators.NewSource(generators.SourceConfig{Dataset: generators.Ventilator(), Seed: 1, Producers: 4, Keys: generators.KeyStrategy{Kind: generators.KeyUniform}})
	if err != nil {
		b.Fatal(err)
	}
	sink := &generators.KinesisSink{Client: kin, Stream: "bench", BaseBackoff: 20 * time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 50}
	sum, err := generators.Run(ctx, generators.RunConfig{Source: src, Sink: sink, Count: total})
	if err != nil || sum.Acked != total {
		b.Fatalf("fill the stream: %d of %d acknowledged: %v", sum.Acked, total, err)
	}

	b.Run(fmt.Sprintf("engine/kinesis=%d-shards/s3/records=%d", shards, total), func(b *testing.B) {
		var peak uint64
		for i := 0; b.Loop(); i++ {
			job, err := VentilatorJob(Env{Stack: stack, Stream: "bench", Bucket: "bench", Prefix: fmt.Sprintf("s3://bench/run-%d", i), Window: 50 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			job.Options.MaxFetchRecordsPerShard = int(total) // one batch
			job.Options.MaxRecordPerRead = 10000
			job.Options.MaxFetchTimeInMs = 60000
			eng, err := newBenchEngine(job, stack)
			if err != nil {
				b.Fatal(err)
			}
			stop := heappeak.Watch()
			if err := eng.Run(b.Context()); err != nil {
				b.Fatal(err)
			}
			peak = max(peak, stop().Live)
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		b.ReportMetric(float64(peak)/(1<<20)/(float64(total)/1e6), "peak-MiB/1M-batch-records")
	})

	b.Run(fmt.Sprintf("duckdb/json-to-parquet/records=%d", total), func(b *testing.B) {
		dir := b.TempDir()
		in := filepath.Join(dir, "in.jsonl")
		f, err := os.Create(in)
		if err != nil {
			b.Fatal(err)
		}
		bw := bufio.NewWriter(f)
		w := src.NewWorker()
		for seq := range total {
			r, err := w.Record(seq)
			if err != nil {
				b.Fatal(err)
			}
			// A bufio.Writer keeps its first error and Flush returns it.
			_, _ = bw.Write(r.Payload)
			_ = bw.WriteByte('\n')
		}
		if err := bw.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		db, err := sql.Open("duckdb", "")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for i := 0; b.Loop(); i++ {
			q := fmt.Sprintf(`COPY (SELECT ventilatorid, strptime(eventtime, '%%Y-%%m-%%d %%H:%%M:%%S') AS eventtime, serialnumber,
				pressurecontrol, o2stats, minutevolume, manufacturer
				FROM read_json('%s', format='newline_delimited', columns={ventilatorid: 'INTEGER', eventtime: 'VARCHAR',
				serialnumber: 'VARCHAR', pressurecontrol: 'INTEGER', o2stats: 'INTEGER', minutevolume: 'INTEGER', manufacturer: 'VARCHAR'}))
				TO '%s' (FORMAT parquet, COMPRESSION snappy)`, in, filepath.Join(dir, fmt.Sprintf("out-%d.parquet", i)))
			if _, err := db.ExecContext(b.Context(), q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

func newBenchEngine(job *engine.Job, stack *emulator.Stack) (*engine.Engine, error) {
	return engine.New(job, engine.WithAWSConfig(stack.AWSConfig), engine.WithUntilIdle())
}
