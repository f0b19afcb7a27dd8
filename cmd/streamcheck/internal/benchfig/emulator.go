package benchfig

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/generators"
)

const (
	benchStream = "bench"
	benchShards = 4
	recordBytes = 200
	putBatch    = 500
	objectBytes = 64 << 10
	memRecords  = 200_000
	kafkaValue  = 100
	// kafkaMaxRecords bounds what the produce item leaves in the in-process
	// broker's memory (about 100 B a record plus overhead).
	kafkaMaxRecords = 3_000_000
	s3InFlight      = 8
	putInFlight     = 4
	startupTries    = 50
)

// startStack starts the embedded stack whatever the environment says.
func startStack(ctx context.Context, opts ...emulator.Option) (*emulator.Stack, error) {
	return emulator.Start(ctx, append([]emulator.Option{emulator.WithBackend(emulator.Embedded)}, opts...)...)
}

// unlimitedKinesis starts a Kinesis emulator with its limits off and a
// 4-shard stream, and returns it with a client built from cfg.
func unlimitedKinesis(ctx context.Context, cfg aws.Config) (*kinesisfake.Server, *kinesis.Client, error) {
	srv, err := kinesisfake.New(kinesisfake.WithLimits(kinesisfake.Limits{}))
	if err != nil {
		return nil, nil, fmt.Errorf("create Kinesis emulator: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, nil, fmt.Errorf("start Kinesis emulator: %w", err)
	}
	kc := generators.NewKinesisClient(cfg, srv.URL())
	if err := generators.CreateKinesisStream(ctx, kc, nil, benchStream, benchShards); err != nil {
		_ = srv.Close()
		return nil, nil, fmt.Errorf("create stream %s: %w", benchStream, err)
	}
	return srv, kc, nil
}

func putEntries(n int) []types.PutRecordsRequestEntry {
	payload := bytes.Repeat([]byte{'p'}, recordBytes)
	out := make([]types.PutRecordsRequestEntry, n)
	for i := range out {
		out[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: payload}
	}
	return out
}

// parallel runs fn from n goroutines until d has passed or fn fails, and
// returns the sum of what fn counted and the elapsed time.
func parallel(ctx context.Context, n int, d time.Duration, fn func(ctx context.Context, worker int) (int64, error)) (int64, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		total    atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				c, err := fn(ctx, w)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				total.Add(c)
			}
		}()
	}
	wg.Wait()
	return total.Load(), time.Since(start), firstErr
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func runEmulator(ctx context.Context, cfg Config) ([]Figure, error) {
	var figs []Figure
	add := func(item string, v float64, unit string, t *target) {
		figs = append(figs, figure(GroupEmulator, item, v, unit, t))
	}

	progress(cfg, "embedded stack start + close")
	startup, err := mean(cfg.Duration/4, func() error {
		st, err := startStack(ctx)
		if err != nil {
			return err
		}
		return st.Close()
	})
	if err != nil {
		return figs, fmt.Errorf("start embedded stack: %w", err)
	}
	add("embedded stack start + close", ms(startup), "ms", below(50))

	st, err := startStack(ctx, emulator.WithKafkaTopic(benchStream, 4))
	if err != nil {
		return figs, fmt.Errorf("start embedded stack: %w", err)
	}
	defer st.Close()
	awsCfg := st.AWSConfig

	progress(cfg, "Kinesis emulator startup")
	kstart, err := mean(cfg.Duration/4, func() error {
		srv, err := kinesisfake.New()
		if err != nil {
			return err
		}
		defer srv.Close()
		if err := srv.Start(); err != nil {
			return err
		}
		_, err = generators.NewKinesisClient(awsCfg, srv.URL()).ListStreams(ctx, &kinesis.ListStreamsInput{})
		return err
	})
	if err != nil {
		return figs, fmt.Errorf("bench: Kinesis startup: %w", err)
	}
	add("Kinesis startup (New + Start + first request)", ms(kstart), "ms", below(10))

	progress(cfg, "Kinesis memory per stored record")
	mem, err := kinesisMemory(ctx, awsCfg)
	if err != nil {
		return figs, err
	}
	add("Kinesis memory per stored 200 B record", mem, "bytes", atMost(2*recordBytes))

	progress(cfg, "Kinesis PutRecords through the SDK for %v", cfg.Duration)
	put, get, err := kinesisRates(ctx, cfg, awsCfg)
	if err != nil {
		return figs, err
	}
	add("Kinesis PutRecords, SDK, 4 shards, 200 B", put, "records/s", atLeast(200_000))
	add("Kinesis GetRecords, SDK, 4 shards, 200 B", get, "records/s", atLeast(500_000))

	progress(cfg, "S3 PUT and GET of 64 KiB objects for %v each", cfg.Duration)
	sput, sget, err := s3Rates(ctx, cfg, st.S3Client())
	if err != nil {
		return figs, err
	}
	add("S3 PUT 64 KiB objects, SDK, in memory", sput, "objects/s", atLeast(5000))
	add("S3 GET 64 KiB objects, SDK, in memory", sget, "objects/s", atLeast(5000))

	progress(cfg, "Kafka produce and consume through kgo for %v", cfg.Duration)
	prod, cons, err := kafkaRates(ctx, cfg, st.KafkaBrokers)
	if err != nil {
		return figs, err
	}
	add("Kafka produce, kgo, 100 B values", prod, "records/s", nil)
	add("Kafka consume, kgo, 100 B values", cons, "records/s", nil)

	progress(cfg, "generator -> Kinesis for %v", cfg.Duration)
	gen, err := generatorRate(ctx, cfg, awsCfg)
	if err != nil {
		return figs, err
	}
	add("generator -> Kinesis, ventilator JSON", gen, "records/s", atLeast(100_000))

	cpu, err := serverCPU(ctx, cfg, awsCfg)
	figs = append(figs, cpu...)
	return figs, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// mean runs fn at least 3 and at most startupTries times, or until budget is
// spent, and returns its mean duration.
func mean(budget time.Duration, fn func() error) (time.Duration, error) {
	var total time.Duration
	n := 0
	for n < 3 || (n < startupTries && total < budget) {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		total += time.Since(t0)
		n++
	}
	return total / time.Duration(n), nil
}

func kinesisRates(ctx context.Context, cfg Config, awsCfg aws.Config) (put, get float64, err error) {
	srv, kc, err := unlimitedKinesis(ctx, awsCfg)
	if err != nil {
		return 0, 0, err
	}
	defer srv.Close()
	batch := putEntries(putBatch)
	n, d, err := parallel(ctx, putInFlight, cfg.Duration, func(ctx context.Context, _ int) (int64, error) {
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(benchStream), Records: batch})
		if err != nil {
			return 0, fmt.Errorf("bench: Kinesis PutRecords: %w", err)
		}
		if f := aws.ToInt32(out.FailedRecordCount); f != 0 {
			return 0, fmt.Errorf("bench: Kinesis PutRecords: %d of %d records failed", f, len(batch))
		}
		return int64(len(batch)), nil
	})
	if err != nil {
		return 0, 0, err
	}
	put = perSecond(n, d)

	progress(cfg, "Kinesis GetRecords through the SDK for %v", cfg.Duration)
	iters := make([]*string, benchShards)
	start := func(ctx context.Context, s int) (*string, error) {
		out, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(benchStream),
			ShardId: aws.String(fmt.Sprintf("shardId-%012d", s)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return nil, fmt.Errorf("bench: Kinesis GetShardIterator shard %d: %w", s, err)
		}
		return out.ShardIterator, nil
	}
	n, d, err = parallel(ctx, benchShards, cfg.Duration, func(ctx context.Context, s int) (int64, error) {
		if iters[s] == nil {
			it, err := start(ctx, s)
			if err != nil {
				return 0, err
			}
			iters[s] = it
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iters[s], Limit: aws.Int32(10000)})
		if err != nil {
			return 0, fmt.Errorf("bench: Kinesis GetRecords shard %d: %w", s, err)
		}
		iters[s] = out.NextShardIterator
		if len(out.Records) == 0 {
			iters[s] = nil // read again from the start
		}
		return int64(len(out.Records)), nil
	})
	if err != nil {
		return 0, 0, err
	}
	return put, perSecond(n, d), nil
}

func kinesisMemory(ctx context.Context, awsCfg aws.Config) (float64, error) {
	// Measured before any other item stores records, so that nothing is
	// freed while it runs.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	srv, kc, err := unlimitedKinesis(ctx, awsCfg)
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	batch := putEntries(putBatch)
	for range memRecords / putBatch {
		if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(benchStream), Records: batch}); err != nil {
			return 0, fmt.Errorf("bench: Kinesis PutRecords: %w", err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(srv)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / memRecords, nil
}

func s3Rates(ctx context.Context, cfg Config, sc *s3.Client) (put, get float64, err error) {
	const bucket, keys = "bench", 256
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return 0, 0, fmt.Errorf("bench: S3 CreateBucket %s: %w", bucket, err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), objectBytes/16)
	var next atomic.Int64
	key := func() string { return fmt.Sprintf("bench/%04d", next.Add(1)%keys) }
	n, d, err := parallel(ctx, s3InFlight, cfg.Duration, func(ctx context.Context, _ int) (int64, error) {
		k := key()
		if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			return 0, fmt.Errorf("bench: S3 PutObject %s: %w", k, err)
		}
		return 1, nil
	})
	if err != nil {
		return 0, 0, err
	}
	put = perSecond(n, d)
	for i := range keys { // every key exists before the reads
		k := fmt.Sprintf("bench/%04d", i)
		if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			return 0, 0, fmt.Errorf("bench: S3 PutObject %s: %w", k, err)
		}
	}
	n, d, err = parallel(ctx, s3InFlight, cfg.Duration, func(ctx context.Context, _ int) (int64, error) {
		k := key()
		out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return 0, fmt.Errorf("bench: S3 GetObject %s: %w", k, err)
		}
		m, err := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil || m != objectBytes {
			return 0, fmt.Errorf("bench: S3 GetObject %s: read %d of %d bytes: %w", k, m, objectBytes, err)
		}
		return 1, nil
	})
	if err != nil {
		return 0, 0, err
	}
	return put, perSecond(n, d), nil
}

func kafkaRates(ctx context.Context, cfg Config, brokers []string) (prod, cons float64, err error) {
	pr, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(benchStream))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: Kafka producer: %w", err)
	}
	defer pr.Close()
	val := make([]byte, kafkaValue)
	var (
		sent    int64
		failed  atomic.Pointer[error]
		deadTop = time.Now().Add(cfg.Duration)
	)
	t0 := time.Now()
	for time.Now().Before(deadTop) && sent < kafkaMaxRecords && failed.Load() == nil {
		for range 1000 {
			pr.Produce(ctx, &kgo.Record{Value: val}, func(_ *kgo.Record, err error) {
				if err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			})
		}
		sent += 1000
	}
	if err := pr.Flush(ctx); err != nil {
		return 0, 0, fmt.Errorf("bench: Kafka flush: %w", err)
	}
	if p := failed.Load(); p != nil {
		return 0, 0, fmt.Errorf("bench: Kafka produce: %w", *p)
	}
	prod = perSecond(sent, time.Since(t0))

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(benchStream), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: Kafka consumer: %w", err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 4*cfg.Duration+10*time.Second)
	defer cancel()
	var read int64
	t0 = time.Now()
	for read < sent {
		fs := cl.PollFetches(pctx)
		if errs := fs.Errors(); len(errs) > 0 {
			return 0, 0, fmt.Errorf("bench: Kafka consume after %d of %d records: %w", read, sent, errs[0].Err)
		}
		read += int64(fs.NumRecords())
	}
	return prod, perSecond(read, time.Since(t0)), nil
}

func generatorRate(ctx context.Context, cfg Config, awsCfg aws.Config) (float64, error) {
	srv, kc, err := unlimitedKinesis(ctx, awsCfg)
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	src, err := generators.NewSource(generators.SourceConfig{Dataset: generators.Ventilator(), Seed: 1, Producers: 4,
		Keys: generators.KeyStrategy{Kind: generators.KeyUniform}})
	if err != nil {
		return 0, fmt.Errorf("generator source: %w", err)
	}
	t0 := time.Now()
	sum, err := generators.Run(ctx, generators.RunConfig{Source: src, Sink: &generators.KinesisSink{Client: kc, Stream: benchStream}, Duration: cfg.Duration})
	if err != nil {
		return 0, fmt.Errorf("generate to Kinesis: %w", err)
	}
	return perSecond(sum.Acked, time.Since(t0)), nil
}
