package benchfig

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/internal/cputime"
	"github.com/streamcheck/streamcheck/internal/heappeak"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// engineBatch caps a batch at 100,000 records, spread evenly over the
// shards, so the peak heap shows what a batch costs, not the stream.
const engineBatch = 100_000

// engineShards is the shard count of the engine group's stream: 4, or the
// most cores it runs at if more. Kinesis is read a shard at a time, so a
// stream of fewer shards than cores would measure the stream, not the
// engine's use of them. Both core budgets of a run read the same stream.
func engineShards(cores int) int {
	return max(benchShards, slices.Max(coreLevels(cores)))
}

// ventilatorSource is the generated stream both the engine and DuckDB read.
func ventilatorSource() (*generators.Source, error) {
	return generators.NewSource(generators.SourceConfig{Dataset: generators.Ventilator(), Seed: 1, Producers: 4,
		Keys: generators.KeyStrategy{Kind: generators.KeyUniform}})
}

// ventilatorJob is the ventilator job (seven columns, eventtime cast to a
// timestamp) reading the bench stream at kinesisURL and writing Parquet,
// checkpoint and dead letters under s3://bucket/ at s3URL.
func ventilatorJob(kinesisURL, s3URL, region, bucket string, perShard int) (*engine.Job, error) {
	j := enginetest.VentilatorJob()
	j.Name = "bench"
	j.Source.StreamName = benchStream
	j.Source.Endpoint, j.Source.Region = kinesisURL, region
	j.Options.StartingPosition = "trim_horizon"
	j.Options.MaxFetchRecordsPerShard = perShard
	j.Options.MaxRecordPerRead = 10000
	j.Options.MaxFetchTimeInMs = 60000 // batches fill up to MaxFetchRecordsPerShard
	j.ForEachBatch.WindowSize = engine.Duration(5 * time.Millisecond)
	j.ForEachBatch.CheckpointLocation = "s3://" + bucket + "/checkpoint"
	j.Sink.Path = "s3://" + bucket + "/output"
	j.Sink.DeadLetterPath = "s3://" + bucket + "/deadletter"
	j.Sink.Endpoint, j.Sink.Region, j.Sink.ForcePathStyle = s3URL, region, true
	j.Sink.Compression = "snappy"
	return j, j.Validate()
}

func runEngine(ctx context.Context, cfg Config) ([]Figure, error) {
	n := cfg.EngineRecords
	dir, err := os.MkdirTemp("", "streamcheck-bench-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	// The emulators run in a process of their own, so the peak heap and
	// the CPU measured here are the engine's alone: not the records and
	// objects the emulators store, nor the work of serving them.
	emu, err := startEmulatorProcess()
	if err != nil {
		return nil, err
	}
	defer emu.close()
	st := emu.stack
	kc := generators.NewKinesisClient(st.AWSConfig, st.KinesisURL)
	shards := engineShards(cfg.Cores)
	if err := generators.CreateKinesisStream(ctx, kc, nil, benchStream, int32(shards)); err != nil {
		return nil, fmt.Errorf("create stream %s: %w", benchStream, err)
	}

	progress(cfg, "generating %d ventilator records into a Kinesis stream of %d shards and as JSON lines (not timed)", n, shards)
	src, err := ventilatorSource()
	if err != nil {
		return nil, fmt.Errorf("generator source: %w", err)
	}
	sum, err := generators.Run(ctx, generators.RunConfig{Source: src, Sink: &generators.KinesisSink{Client: kc, Stream: benchStream}, Count: n})
	if err != nil {
		return nil, fmt.Errorf("generate to Kinesis: %w", err)
	}
	if sum.Acked != n {
		return nil, fmt.Errorf("generate to Kinesis: %d of %d records acknowledged", sum.Acked, n)
	}
	jsonl := filepath.Join(dir, "records.jsonl")
	if err := writeJSONLines(src, n, jsonl); err != nil {
		return nil, err
	}

	perShard := int(min(int64(engineBatch/shards), (n+int64(shards)-1)/int64(shards)))
	var figs []Figure
	var first, last coreRun
	for i, c := range coreLevels(cfg.Cores) {
		r, err := runAtCores(ctx, cfg, emu, jsonl, dir, perShard, n, c)
		if err != nil {
			return figs, err
		}
		figs = append(figs, r.figures(perShard*shards)...)
		if i == 0 {
			first = r
		}
		last = r
	}
	if last.cores > first.cores {
		at := fmt.Sprintf("%d cores against 1", last.cores)
		figs = append(figs,
			figure(GroupEngine, "engine scaling, "+at, last.engineRate()/first.engineRate(), "x", nil),
			figure(GroupEngine, "engine scaling per core, "+at, last.engineRate()/first.engineRate()/float64(last.cores), "x linear", atLeast(0.7)),
			figure(GroupEngine, "DuckDB scaling, "+at, last.duckRate()/first.duckRate(), "x", nil),
		)
	}
	return figs, nil
}

// coreLevels returns the core budgets the engine group runs at: 1, then
// cores (every CPU when 0) if that is more.
func coreLevels(cores int) []int {
	if cores == 0 {
		cores = runtime.NumCPU()
	}
	if cores <= 1 {
		return []int{1}
	}
	return []int{1, cores}
}

// coreRun is what the engine group measured at one core budget.
type coreRun struct {
	cores    int
	coldRate float64 // the engine's first run
	rounds   []round
	gogc     int // GOGC, -1 for off
	n        int64
}

// round is one engine run and one DuckDB run after the first of each.
type round struct {
	engineRate, duckRate            float64
	engineCPU, duckCPU, emulatorCPU time.Duration // emulatorCPU: the emulators', serving the engine
	peak                            heappeak.Peaks
}

// runAtCores runs the engine and DuckDB once each, then cfg.Rounds more
// times alternating, with GOMAXPROCS and DuckDB's threads set to cores,
// restoring GOMAXPROCS after.
func runAtCores(ctx context.Context, cfg Config, emu *emulatorProcess, jsonl, dir string, perShard int, n int64, cores int) (coreRun, error) {
	st, kinesisURL := emu.stack, emu.stack.KinesisURL
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cores))
	r := coreRun{cores: cores, n: n, gogc: gcPercent()}
	// Both sides run once before the runs compared: a long-running
	// engine's steady state, not the kernel handing a fresh heap its first
	// pages (which costs a cold engine run about half its rate). The cold
	// run is reported too. The rounds alternate the two sides, so that a
	// change in the machine's load falls on both.
	var err error
	progress(cfg, "engine at %d cores: Kinesis -> Parquet in S3, %d records, first run", cores, n)
	if r.coldRate, _, _, err = timeEngine(ctx, st, kinesisURL, fmt.Sprintf("bench-cold-%d", cores), perShard, n); err != nil {
		return r, err
	}
	progress(cfg, "DuckDB with %d threads: JSON lines -> Parquet, %d records, first run", cores, n)
	if _, _, err = duckDBConvert(ctx, jsonl, filepath.Join(dir, "records-cold.parquet"), n, cores); err != nil {
		return r, err
	}
	for i := range cfg.Rounds {
		var x round
		progress(cfg, "engine at %d cores: Kinesis -> Parquet in S3, %d records, round %d of %d", cores, n, i+1, cfg.Rounds)
		emuCPU0 := emu.cpu()
		if x.engineRate, x.engineCPU, x.peak, err = timeEngine(ctx, st, kinesisURL, fmt.Sprintf("bench-%d-%d", cores, i), perShard, n); err != nil {
			return r, err
		}
		x.emulatorCPU = emu.cpu() - emuCPU0
		progress(cfg, "DuckDB with %d threads: JSON lines -> Parquet, %d records, round %d of %d", cores, n, i+1, cfg.Rounds)
		if x.duckRate, x.duckCPU, err = duckDBConvert(ctx, jsonl, filepath.Join(dir, "records.parquet"), n, cores); err != nil {
			return r, err
		}
		r.rounds = append(r.rounds, x)
	}
	return r, nil
}

// median returns the median of f over r's rounds.
func (r coreRun) median(f func(round) float64) float64 {
	v := make([]float64, len(r.rounds))
	for i, x := range r.rounds {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// engineRate is the median of the rounds' engine rates.
func (r coreRun) engineRate() float64 { return r.median(func(x round) float64 { return x.engineRate }) }

// duckRate is the median of the rounds' DuckDB rates.
func (r coreRun) duckRate() float64 { return r.median(func(x round) float64 { return x.duckRate }) }

// figures renders r; batch is the records in a batch. With several rounds,
// rates, ratio and CPU are the rounds' medians (the ratio the median of
// each round's), and the peaks are the highest: a bound holds only if it
// holds in every round.
func (r coreRun) figures(batch int) []Figure {
	at := fmt.Sprintf("%d cores", r.cores)
	if r.cores == 1 {
		at = "1 core"
	}
	runs, runsOf, highest := "second run", "second runs", ""
	if k := len(r.rounds); k > 1 {
		runs = fmt.Sprintf("median of %d rounds", k)
		runsOf, highest = runs, fmt.Sprintf(", highest of %d rounds", k)
	}
	perM := func(d time.Duration) float64 { return d.Seconds() / (float64(r.n) / 1e6) }
	b := float64(batch)
	figs := []Figure{
		figure(GroupEngine, "engine end to end, Kinesis -> Parquet in S3, first run, "+at, r.coldRate, "records/s", nil),
		figure(GroupEngine, "engine end to end, Kinesis -> Parquet in S3, "+runs+", "+at, r.engineRate(), "records/s", nil),
		figure(GroupEngine, "DuckDB JSON lines -> Parquet, same records, "+runs+", "+at, r.duckRate(), "records/s", nil),
		figure(GroupEngine, "engine / DuckDB, "+runsOf+", "+at, r.median(func(x round) float64 { return x.engineRate / x.duckRate }), "ratio", atLeast(1)),
	}
	measured := true
	var peak heappeak.Peaks
	for _, x := range r.rounds {
		measured = measured && x.engineCPU > 0 && x.duckCPU > 0
		peak.Live, peak.InUse = max(peak.Live, x.peak.Live), max(peak.InUse, x.peak.InUse)
	}
	if measured {
		figs = append(figs,
			figure(GroupEngine, "engine CPU alone (emulators in their own process), "+runs+", "+at, r.median(func(x round) float64 { return perM(x.engineCPU) }), "CPU-s/1M records", nil),
			figure(GroupEngine, "DuckDB CPU, "+runs+", "+at, r.median(func(x round) float64 { return perM(x.duckCPU) }), "CPU-s/1M records", nil),
			// At clock-tick precision: 0 for a run shorter than a tick.
			figure(GroupEngine, "emulators' CPU serving the engine, "+runs+", "+at, r.median(func(x round) float64 { return perM(x.emulatorCPU) }), "CPU-s/1M records", nil))
	}
	return append(figs,
		figure(GroupEngine, fmt.Sprintf("engine peak heap alone, batches of %s%s, %s", Format(b), highest, at), float64(peak.Live)/(1<<30)/(b/1e6), "GiB/1M batch records", atMost(0.6)),
		figure(GroupEngine, fmt.Sprintf("engine heap in use at its peak (garbage awaiting collection included), GOGC=%s%s, %s", gogcString(r.gogc), highest, at), float64(peak.InUse)/(1<<30)/(b/1e6), "GiB/1M batch records", nil))
}

// timeEngine runs the bench job over the whole stream at kinesisURL into
// s3://bucket/ and returns records/s and the peak heap growth. opts come
// after the bench's own (e.g. engine.WithSDKGetRecordsDecoder() to compare
// deserializers).
func timeEngine(ctx context.Context, st *emulator.Stack, kinesisURL, bucket string, perShard int, n int64, opts ...engine.Option) (rate float64, cpu time.Duration, peak heappeak.Peaks, err error) {
	if _, err := st.S3Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return 0, 0, heappeak.Peaks{}, fmt.Errorf("S3 CreateBucket %s: %w", bucket, err)
	}
	j, err := ventilatorJob(kinesisURL, st.S3URL, st.Region, bucket, perShard)
	if err != nil {
		return 0, 0, heappeak.Peaks{}, fmt.Errorf("bench job: %w", err)
	}
	opts = append([]engine.Option{engine.WithAWSConfig(st.AWSConfig), engine.WithUntilIdle(), engine.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	e, err := engine.New(j, opts...)
	if err != nil {
		return 0, 0, heappeak.Peaks{}, fmt.Errorf("create engine: %w", err)
	}
	runtime.GC() // start each run from the same heap
	stop := heappeak.Watch()
	cpu0 := processCPU()
	t0 := time.Now()
	if err := e.Run(ctx); err != nil {
		stop()
		return 0, 0, heappeak.Peaks{}, fmt.Errorf("run engine: %w", err)
	}
	rate = perSecond(n, time.Since(t0))
	cpu = processCPU() - cpu0
	peak = stop()
	if err := checkEngineOutput(ctx, st.S3Client(), bucket); err != nil {
		return 0, 0, heappeak.Peaks{}, err
	}
	return rate, cpu, peak, nil
}

// emulatorProcess is the engine group's emulators, in a process of their
// own: the child that ServeIfChild runs for the service "engine".
type emulatorProcess struct {
	// stack describes the child's endpoints (KinesisURL, S3URL, Region)
	// and the AWS configuration to reach them; it runs nothing here.
	stack *emulator.Stack
	child *serverChild
}

// startEmulatorProcess starts this executable again as the emulator
// process and returns once it has printed its endpoints.
func startEmulatorProcess() (*emulatorProcess, error) {
	c, err := startChild("engine")
	if err != nil {
		return nil, fmt.Errorf("emulator process: %w", err)
	}
	f := strings.Fields(c.url)
	if len(f) != 3 {
		_ = c.close()
		return nil, fmt.Errorf("emulator process: read its endpoints: got %q, want \"kinesis-url s3-url region\"", c.url)
	}
	return &emulatorProcess{child: c, stack: &emulator.Stack{Backend: emulator.Embedded, Region: f[2], KinesisURL: f[0], S3URL: f[1], AWSConfig: aws.Config{
		Region:      f[2],
		HTTPClient:  sdkhttp.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(emulator.TestAccessKeyID, emulator.TestSecretAccessKey, ""),
	}}}, nil
}

// close stops the emulator process.
func (p *emulatorProcess) close() { _ = p.child.close() }

// cpu returns the CPU time the emulator process has used; 0 where it cannot
// tell.
func (p *emulatorProcess) cpu() time.Duration {
	d, err := p.child.cpu()
	if err != nil {
		return 0
	}
	return d
}

// checkEngineOutput makes sure the timed run wrote Parquet and sent nothing
// to the dead letter, so the rate is that of the records' happy path.
func checkEngineOutput(ctx context.Context, sc *s3.Client, bucket string) error {
	count := func(prefix string) (int, error) {
		out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			return 0, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		return len(out.Contents), nil
	}
	objs, err := count("output/")
	if err != nil {
		return err
	}
	if objs == 0 {
		return fmt.Errorf("engine run: no objects under s3://%s/output/", bucket)
	}
	dl, err := count("deadletter/")
	if err != nil {
		return err
	}
	if dl != 0 {
		return fmt.Errorf("engine run: %d dead-letter objects under s3://%s/deadletter/, want none", dl, bucket)
	}
	return nil
}

// writeJSONLines writes records 0..n-1 of src, one payload a line.
func writeJSONLines(src *generators.Source, n int64, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	wk := src.NewWorker()
	for i := range n {
		r, err := wk.Record(i)
		if err != nil {
			return fmt.Errorf("generate record %d: %w", i, err)
		}
		// A bufio.Writer keeps its first error and Flush returns it.
		_, _ = w.Write(r.Payload)
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// duckDBConvert times DuckDB, held to threads threads, converting the JSON
// lines file to Parquet and returns records per second and the process's
// CPU time while it ran.
func duckDBConvert(ctx context.Context, jsonl, parquet string, n int64, threads int) (float64, time.Duration, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, 0, fmt.Errorf("open DuckDB: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("open DuckDB: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return 0, 0, fmt.Errorf("DuckDB SET threads = %d: %w", threads, err)
	}
	q := fmt.Sprintf("COPY (SELECT * FROM read_json(%s, format = 'newline_delimited')) TO %s (FORMAT parquet, COMPRESSION snappy)", quote(jsonl), quote(parquet))
	cpu0 := processCPU()
	t0 := time.Now()
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return 0, 0, fmt.Errorf("DuckDB convert %s: %w", jsonl, err)
	}
	d := time.Since(t0)
	cpu := processCPU() - cpu0
	var got int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+quote(parquet)+")").Scan(&got); err != nil {
		return 0, 0, fmt.Errorf("DuckDB count %s: %w", parquet, err)
	}
	if got != n {
		return 0, 0, fmt.Errorf("DuckDB convert %s: wrote %d of %d records", jsonl, got, n)
	}
	return perSecond(n, d), cpu, nil
}

// quote renders s as a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// processCPU returns the CPU time the process has used, every thread
// counted (DuckDB's included); 0 where it is not measured.
func processCPU() time.Duration {
	d, _ := cputime.Process()
	return d
}

// gcPercent returns the GOGC in effect, -1 for off. (Reading it means
// setting it: the same value is put back at once.)
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// gogcString renders a GOGC setting as the environment variable takes it.
func gogcString(p int) string {
	if p < 0 {
		return "off"
	}
	return strconv.Itoa(p)
}
