package kinesisfake_test

// Server CPU per operation: the server runs in a child process (this test
// binary again), so the CPU it spends is measured apart from the SDK
// client's. The figure is what the emulator costs a CI runner that shares
// its cores with the user's tests.

import (
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
	"github.com/streamcheck/streamcheck/internal/childbench"
)

const serveEnv = "KINESISFAKE_SERVE_FOR_BENCHMARK"

func TestMain(m *testing.M) {
	childbench.ServeIfChild(serveEnv, func() (string, func() error, error) {
		srv, err := kinesisfake.New(kinesisfake.WithLimits(kinesisfake.Limits{}))
		if err == nil {
			err = srv.Start()
		}
		if err != nil {
			return "", nil, err
		}
		return srv.URL(), srv.Close, nil
	})
	os.Exit(m.Run())
}

// BenchmarkServerCPU measures the server CPU of PutRecords of 100 200-byte
// records and of GetRecords of 100 such records, sent by the Go SDK one
// request at a time to a one-shard stream, reported as server-cpu-µs/op:
// streamcheck's emulator, and beside it kinesalite (in memory) where `make
// peers` installed it.
func BenchmarkServerCPU(b *testing.B) {
	servers := []struct {
		name  string
		start func(b *testing.B) *childbench.Child
	}{
		{"streamcheck", func(b *testing.B) *childbench.Child { return childbench.Start(b, serveEnv) }},
		{"kinesalite", func(b *testing.B) *childbench.Child {
			return childbench.StartPeer(b, childbench.Peer(b, "kinesalite"), "--port", "{port}", "--createStreamMs", "0", "--shardLimit", "1000")
		}},
	}
	for _, server := range servers {
		for _, op := range []string{"PutRecords100", "GetRecords100"} {
			b.Run(server.name+"/"+op, func(b *testing.B) { benchServerCPU(b, server.start(b), op) })
		}
	}
}

func benchServerCPU(b *testing.B, srv *childbench.Child, op string) {
	cfg := kinesisfaketest.Config()
	kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := b.Context()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cpu"), ShardCount: aws.Int32(1)}); err != nil {
		b.Fatal(err)
	}
	waitActive(b, kc, "cpu")
	batch := benchBatch(100)
	put := func() {
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("cpu"), Records: batch})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			b.Fatalf("PutRecords: %v", err)
		}
	}
	var it *string
	if op == "GetRecords100" {
		for range 200 {
			put()
		}
	}
	restart := func() {
		out, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("cpu"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			b.Fatal(err)
		}
		it = out.ShardIterator
	}
	b.ResetTimer()
	cpu0 := srv.CPU(b)
	for i := 0; i < b.N; i++ {
		if op == "PutRecords100" {
			put()
			continue
		}
		if it == nil {
			restart()
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(100)})
		if err != nil {
			b.Fatal(err)
		}
		it = out.NextShardIterator
		if len(out.Records) < 100 {
			it = nil // the end of what was written: start again
		}
	}
	b.StopTimer()
	srv.ReportPerOp(b, cpu0)
}

// waitActive waits for a stream the server may keep CREATING for a moment
// (kinesalite does, even with --createStreamMs 0).
func waitActive(b *testing.B, kc *kinesis.Client, name string) {
	b.Helper()
	for range 200 {
		out, err := kc.DescribeStreamSummary(b.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			b.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("stream %s is not ACTIVE after 2 s", name)
}
