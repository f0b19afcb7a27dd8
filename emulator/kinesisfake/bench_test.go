package kinesisfake_test

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

const benchShards = 4

func benchEnv(b *testing.B, opts ...kinesisfake.Option) *kinesis.Client {
	b.Helper()
	srv, _ := kinesisfaketest.NewServer(b, append([]kinesisfake.Option{kinesisfake.WithLimits(kinesisfake.Limits{})}, opts...)...)
	kc := kinesisfaketest.NewClient(srv)
	if _, err := kc.CreateStream(b.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(benchShards)}); err != nil {
		b.Fatal(err)
	}
	return kc
}

func benchBatch(n int) []types.PutRecordsRequestEntry {
	payload := bytes.Repeat([]byte{'p'}, 200)
	out := make([]types.PutRecordsRequestEntry, n)
	for i := range out {
		out[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: payload}
	}
	return out
}

// BenchmarkPutRecords sends batches of 500 200-byte records to 4 shards from
// 4 goroutines through the Go SDK over loopback.
func BenchmarkPutRecords(b *testing.B) { benchPut(b) }

// BenchmarkPutRecordsDurable is BenchmarkPutRecords with a data directory:
// every answer waits for its records to be fsynced (group commit).
func BenchmarkPutRecordsDurable(b *testing.B) { benchPut(b, kinesisfake.WithDataDir(b.TempDir())) }

func benchPut(b *testing.B, opts ...kinesisfake.Option) {
	kc := benchEnv(b, opts...)
	batch := benchBatch(500)
	var sent atomic.Int64
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out, err := kc.PutRecords(b.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: batch})
			if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
				b.Errorf("PutRecords: %v", err)
				return
			}
			sent.Add(int64(len(batch)))
		}
	})
	b.ReportMetric(float64(sent.Load())/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGetRecords reads 4 shards of 200-byte records, 10,000 a call,
// one goroutine per shard, through the Go SDK over loopback.
func BenchmarkGetRecords(b *testing.B) {
	kc := benchEnv(b)
	ctx := b.Context()
	batch := benchBatch(500)
	for i := 0; i < 200; i++ { // 100,000 records
		if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: batch}); err != nil {
			b.Fatal(err)
		}
	}
	var read atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + benchShards - 1) / benchShards
	for s := 0; s < benchShards; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			shard := fmt.Sprintf("shardId-%012d", s)
			start := func() *string {
				out, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("bench"), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
				if err != nil {
					b.Error(err)
					return nil
				}
				return out.ShardIterator
			}
			it := start()
			for i := 0; i < per && it != nil; i++ {
				out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
				if err != nil {
					b.Error(err)
					return
				}
				read.Add(int64(len(out.Records)))
				it = out.NextShardIterator
				if len(out.Records) == 0 {
					it = start()
				}
			}
		}(s)
	}
	wg.Wait()
	b.ReportMetric(float64(read.Load())/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkStartup measures New and Start until the first request is served.
func BenchmarkStartup(b *testing.B) {
	cfg := kinesisfaketest.Config()
	for b.Loop() {
		srv, err := kinesisfake.New()
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
		if _, err := kc.ListStreams(b.Context(), &kinesis.ListStreamsInput{}); err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}

// BenchmarkMemoryPerRecord stores 200,000 200-byte records and reports the
// heap growth per record.
func BenchmarkMemoryPerRecord(b *testing.B) {
	const n = 200_000
	for b.Loop() {
		kc := benchEnv(b)
		batch := benchBatch(500)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < n/500; i++ {
			if _, err := kc.PutRecords(b.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: batch}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "bytes/record")
		b.ReportMetric(200, "payload-bytes/record")
	}
}
