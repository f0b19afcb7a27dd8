package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/enginetest/kinesistest"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
	"github.com/streamcheck/streamcheck/internal/childbench"
	"github.com/streamcheck/streamcheck/internal/cputime"
	"github.com/streamcheck/streamcheck/internal/heappeak"
)

// benchServeEnv makes the test binary a benchmark's server process: a fake
// Kinesis holding benchRecordsEnv ventilator records on benchShardsEnv
// shards, and a fake S3 (see serveBench); with benchKafkaEnv set, a kfake
// cluster holding them on as many partitions instead.
const (
	benchServeEnv   = "ENGINE_BENCH_SERVE"
	benchShardsEnv  = "ENGINE_BENCH_SHARDS"
	benchRecordsEnv = "ENGINE_BENCH_RECORDS"
	benchKafkaEnv   = "ENGINE_BENCH_KAFKA"
)

func TestMain(m *testing.M) {
	childbench.ServeIfChild(benchServeEnv, serveBench)
	os.Exit(m.Run())
}

// serveBench starts the fakes of a benchmark's server process and returns
// their URLs, Kinesis's then S3's, on one line.
func serveBench() (string, func() error, error) {
	shards, err1 := strconv.Atoi(os.Getenv(benchShardsEnv))
	total, err2 := strconv.Atoi(os.Getenv(benchRecordsEnv))
	if err := errors.Join(err1, err2); err != nil {
		return "", nil, fmt.Errorf("%s, %s: %w", benchShardsEnv, benchRecordsEnv, err)
	}
	if os.Getenv(benchKafkaEnv) != "" {
		return serveKafka(shards, total)
	}
	kin := kinesistest.Start(nil)
	kin.CreateStream(stream, shards)
	for i := 0; i < total; i++ {
		kin.Put(stream, i%shards, fmt.Sprintf("pk-%d", i), ventilator(i, false))
	}
	s3 := s3test.Start()
	return kin.URL() + " " + s3.URL(), func() error { kin.Close(); s3.Close(); return nil }, nil
}

// serveKafka starts a kfake cluster whose topic has the stream's name and
// the given partitions, holding total ventilator records, and returns its
// brokers' addresses.
func serveKafka(partitions, total int) (string, func() error, error) {
	c, err := kfake.NewCluster(kfake.SeedTopics(int32(partitions), stream))
	if err != nil {
		return "", nil, fmt.Errorf("kfake: %w", err)
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		c.Close()
		return "", nil, fmt.Errorf("producer: %w", err)
	}
	defer prod.Close()
	recs := make([]*kgo.Record, 0, 10000)
	for i := range total {
		recs = append(recs, &kgo.Record{Topic: stream, Partition: int32(i % partitions), Key: fmt.Appendf(nil, "pk-%d", i), Value: ventilator(i, false)})
		if len(recs) == cap(recs) || i == total-1 {
			if err := prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				c.Close()
				return "", nil, fmt.Errorf("produce: %w", err)
			}
			recs = recs[:0]
		}
	}
	return strings.Join(c.ListenAddrs(), ","), func() error { c.Close(); return nil }, nil
}

// benchServers are the fake Kinesis and S3 of a benchmark, in a server
// process of their own: the benchmark's heap and CPU are then the
// engine's alone (the SDK clients it reads and writes with included).
type benchServers struct {
	child      *childbench.Child
	kinesisURL string
	s3URL      string
	cfg        aws.Config
}

// startBenchServers starts the server process with total ventilator
// records put round-robin on shards.
func startBenchServers(b *testing.B, shards, total int) *benchServers {
	b.Helper()
	b.Setenv(benchShardsEnv, strconv.Itoa(shards))
	b.Setenv(benchRecordsEnv, strconv.Itoa(total))
	c := childbench.Start(b, benchServeEnv)
	urls := strings.Fields(c.URL)
	if len(urls) != 2 {
		b.Fatalf("server process printed %q, want the Kinesis and S3 URLs", c.URL)
	}
	return &benchServers{child: c, kinesisURL: urls[0], s3URL: urls[1], cfg: aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(urls[0]),
	}}
}

// job is the ventilator job reading the server's stream.
func (s *benchServers) job() *engine.Job {
	h := &harness{}
	return h.job()
}

// BenchmarkRun measures end to end: records read from the fake Kinesis
// through the SDK (4 shards), decoded, mapped and written as Parquet to a
// local directory or the fake S3, with the checkpoint alongside. The fakes
// run in a process of their own, so the figures are the engine's alone: the
// peak heap growth per million records in a batch (with the same stream,
// it follows the batch size, not the stream size), live and in use (garbage
// awaiting collection included: it follows GOGC), and the CPU per million
// records (cpu-s/1M-records; the fakes' is emulator-cpu-s/1M-records).
// The s3/*/batch=100k variants are s3/batch=100k with the SDK's
// deserializer, with GetRecords in JSON instead of CBOR, with each batch
// read ahead from the previous one's plan (forEachBatch.readAheadBytes)
// instead of during its uploads, and with no read-ahead (each batch read
// after the previous one's commit); -bench 'BenchmarkRun/^s3$/^batch=100k$'
// runs s3/batch=100k alone.
func BenchmarkRun(b *testing.B) {
	const shards, total = 4, 400000
	for _, tc := range []struct {
		name      string
		perShard  int
		s3        bool
		opts      []engine.Option
		readAhead int64
	}{
		{"local/batch=100k", 25000, false, nil, 0},
		{"local/batch=400k", 100000, false, nil, 0},
		{"s3/batch=400k", 100000, true, nil, 0},
		{"s3/batch=100k", 25000, true, nil, 0},
		{"s3/sdk-decoder/batch=100k", 25000, true, []engine.Option{engine.WithSDKGetRecordsDecoder()}, 0},
		{"s3/json/batch=100k", 25000, true, []engine.Option{engine.WithGetRecordsJSON()}, 0},
		{"s3/read-ahead/batch=100k", 25000, true, nil, 1 << 30},
		{"s3/no-read-ahead/batch=100k", 25000, true, nil, -1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := startBenchServers(b, shards, total)
			var peak, inUse uint64
			cpu0, cpuOK := cputime.Process()
			srvCPU0 := srv.child.CPU(b)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				dir := b.TempDir()
				j := srv.job()
				j.Options.MaxFetchRecordsPerShard = tc.perShard
				j.Options.MaxRecordPerRead = 10000
				j.Options.MaxFetchTimeInMs = 60000 // batches fill up to maxFetchRecordsPerShard
				j.ForEachBatch.ReadAheadBytes = tc.readAhead
				j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
				j.Sink.Path = filepath.Join(dir, "out")
				j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
				if tc.s3 {
					j.Sink.Endpoint = srv.s3URL
					j.ForEachBatch.CheckpointLocation = fmt.Sprintf("s3://b%d/cp", i)
					j.Sink.Path = fmt.Sprintf("s3://b%d/out", i)
					j.Sink.DeadLetterPath = fmt.Sprintf("s3://b%d/dlq", i)
				}
				opts := append([]engine.Option{engine.WithAWSConfig(srv.cfg), engine.WithUntilIdle(), engine.WithLogger(benchLog)}, tc.opts...)
				e, err := engine.New(j, opts...)
				if err != nil {
					b.Fatal(err)
				}
				stop := heappeak.Watch()
				err = e.Run(b.Context())
				p := stop()
				peak, inUse = max(peak, p.Live), max(inUse, p.InUse)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(peak)/(1<<20)/(float64(tc.perShard*shards)/1e6), "peak-MiB/1M-batch-records")
			b.ReportMetric(float64(inUse)/(1<<20)/(float64(tc.perShard*shards)/1e6), "in-use-MiB/1M-batch-records")
			reportCPU(b, cpu0, cpuOK, total)
			reportServerCPU(b, srv.child, srvCPU0, total)
		})
	}
}

// BenchmarkRunPartitioned is BenchmarkRun (local, batches of 100k) with
// the output partitioned by ventilatorid: 50 objects a batch, which the
// engine encodes and writes several at a time. Run it with -cpu 1,2,16 to
// see the peak heap stay bounded by the batch at any core count.
func BenchmarkRunPartitioned(b *testing.B) {
	const shards, total, perShard = 4, 400000, 25000
	srv := startBenchServers(b, shards, total)
	var peak uint64
	cpu0, cpuOK := cputime.Process()
	srvCPU0 := srv.child.CPU(b)
	b.ResetTimer()
	for b.Loop() {
		dir := b.TempDir()
		j := srv.job()
		j.Options.MaxFetchRecordsPerShard = perShard
		j.Options.MaxRecordPerRead = 10000
		j.Options.MaxFetchTimeInMs = 60000
		j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
		j.Sink.Path = filepath.Join(dir, "out")
		j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
		j.Sink.Partitioning = engine.PartitionByColumns
		j.Sink.PartitionKeys = []string{"ventilatorid"}
		e, err := engine.New(j, engine.WithAWSConfig(srv.cfg), engine.WithUntilIdle(), engine.WithLogger(benchLog))
		if err != nil {
			b.Fatal(err)
		}
		stop := heappeak.Watch()
		err = e.Run(b.Context())
		peak = max(peak, stop().Live)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20)/(float64(perShard*shards)/1e6), "peak-MiB/1M-batch-records")
	reportCPU(b, cpu0, cpuOK, total)
	reportServerCPU(b, srv.child, srvCPU0, total)
}

// reportCPU reports the process's CPU time since cpu0 per million records
// (total a run): steadier than records/s on a shared machine. With the
// fakes in a server process (startBenchServers) it is the engine's alone.
func reportCPU(b *testing.B, cpu0 time.Duration, ok bool, total int) {
	if cpu1, ok1 := cputime.Process(); ok && ok1 {
		b.ReportMetric((cpu1-cpu0).Seconds()/(float64(total)*float64(b.N)/1e6), "cpu-s/1M-records")
	}
}

// reportServerCPU reports the server process's CPU time since cpu0 per
// million records (total a run): what the fakes spent serving the engine.
func reportServerCPU(b *testing.B, srv *childbench.Child, cpu0 time.Duration, total int) {
	b.ReportMetric((srv.CPU(b)-cpu0).Seconds()/(float64(total)*float64(b.N)/1e6), "emulator-cpu-s/1M-records")
}

// benchLog logs batch timings when STREAMCHECK_BENCH_LOG is set.
var benchLog = func() *slog.Logger {
	if os.Getenv("STREAMCHECK_BENCH_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}()

// BenchmarkRunKafka is BenchmarkRun over a kfake cluster in a server
// process of its own: 400,000 ventilator records on 4 partitions are read
// with Fetch requests, decoded, mapped and written as Parquet to a local
// directory, in batches capped by maxOffsetsPerTrigger.
func BenchmarkRunKafka(b *testing.B) {
	const partitions, total = 4, 400000
	b.Setenv(benchKafkaEnv, "1")
	b.Setenv(benchShardsEnv, strconv.Itoa(partitions))
	b.Setenv(benchRecordsEnv, strconv.Itoa(total))
	for _, perBatch := range []int64{100000, 400000} {
		b.Run(fmt.Sprintf("local/batch=%dk", perBatch/1000), func(b *testing.B) {
			srv := childbench.Start(b, benchServeEnv)
			var peak, inUse uint64
			cpu0, cpuOK := cputime.Process()
			srvCPU0 := srv.CPU(b)
			b.ResetTimer()
			for b.Loop() {
				h := &harness{t: b, dir: b.TempDir()}
				j := h.job()
				kafkaJob(j, srv.URL)
				j.Options.MaxOffsetsPerTrigger = perBatch
				e, err := engine.New(j, engine.WithUntilIdle(), engine.WithLogger(benchLog))
				if err != nil {
					b.Fatal(err)
				}
				stop := heappeak.Watch()
				err = e.Run(b.Context())
				p := stop()
				peak, inUse = max(peak, p.Live), max(inUse, p.InUse)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(peak)/(1<<20)/(float64(perBatch)/1e6), "peak-MiB/1M-batch-records")
			b.ReportMetric(float64(inUse)/(1<<20)/(float64(perBatch)/1e6), "in-use-MiB/1M-batch-records")
			reportCPU(b, cpu0, cpuOK, total)
			reportServerCPU(b, srv, srvCPU0, total)
		})
	}
}

// BenchmarkRunAggregate is BenchmarkRun (local, batches of 100k) for a job
// with the ventilator-alerts aggregate: each batch is joined with a 50-row
// reference table, graded, and averaged over windows of 10 minutes sliding
// every 5 on event time (one reading per device every 500 ms, so windows
// close as the stream goes), with the state written to the checkpoint.
// "plain" is the same job without the aggregate, for comparison.
func BenchmarkRunAggregate(b *testing.B) {
	const shards, total, perShard = 4, 400000, 25000
	t0 := time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)
	for _, agg := range []bool{false, true} {
		name := "plain"
		if agg {
			name = "aggregate"
		}
		b.Run(name+"/batch=100k", func(b *testing.B) {
			h := newHarness(b, shards)
			for i := 0; i < total; i++ {
				at := t0.Add(time.Duration(i) * 10 * time.Millisecond).Format("2006-01-02 15:04:05")
				h.kin.Put(stream, i%shards, fmt.Sprintf("pk-%d", i), fmt.Appendf(nil,
					`{"ventilatorid":%d,"eventtime":"%s","serialnumber":"SN-%06d","pressurecontrol":%d,"o2stats":%d,"minutevolume":%d,"manufacturer":"GE"}`,
					i%50+1, at, i, 3+i%38, 90+i%11, 2+i%9))
			}
			ranges := filepath.Join(b.TempDir(), "ranges.csv")
			csv := "ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max\n"
			for d := 1; d <= 50; d++ {
				csv += fmt.Sprintf("%d,5,30,92,100,4,8\n", d)
			}
			if err := os.WriteFile(ranges, []byte(csv), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				dir := b.TempDir()
				j := h.job()
				j.Options.MaxFetchRecordsPerShard = perShard
				j.Options.MaxRecordPerRead = 10000
				j.Options.MaxFetchTimeInMs = 60000
				j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
				j.Sink.Path = filepath.Join(dir, "out")
				j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
				if agg {
					c := aggregate.DefaultConfig()
					c.Reference.Path = ranges
					j.Aggregate = &c
					j.Sink.WindowsPath = filepath.Join(dir, "windows")
				}
				e, err := engine.New(j, engine.WithAWSConfig(h.cfg), engine.WithUntilIdle(), engine.WithLogger(benchLog))
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Run(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
