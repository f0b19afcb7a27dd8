package kinesisfake_test

// Server CPU per operation: the server runs in a child process (this test
// binary again), so the CPU it spends is measured apart from the SDK
// client's. The figure is what the emulator costs a CI runner that shares
// its cores with the user's tests.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

const serveEnv = "KINESISFAKE_SERVE_FOR_BENCHMARK"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) != "" {
		serveForBenchmark()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveForBenchmark serves an in-memory server without limits until stdin
// closes, printing its URL first.
func serveForBenchmark() {
	srv, err := kinesisfake.New(kinesisfake.WithLimits(kinesisfake.Limits{}))
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if path := os.Getenv(serveEnv + "_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	fmt.Println(srv.URL())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
}

// childServer is a server in a child process.
type childServer struct {
	url string
	pid int
}

// startChildServer starts the server process; it ends with the benchmark.
func startChildServer(b *testing.B) *childServer {
	b.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("server CPU is read from /proc, which this system does not have")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start server process: %v", err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("read server URL: %v", err)
	}
	return &childServer{url: strings.TrimSpace(line), pid: cmd.Process.Pid}
}

// cpu is the CPU time the server process has used, at clock-tick precision.
func (c *childServer) cpu(b *testing.B) time.Duration {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/stat")
	if err != nil {
		b.Fatalf("read server CPU: %v", err)
	}
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// BenchmarkServerCPU measures the server CPU of PutRecords of 100 200-byte
// records and of GetRecords of 100 such records, sent by the Go SDK one
// request at a time to a one-shard stream, reported as server-cpu-µs/op.
func BenchmarkServerCPU(b *testing.B) {
	for _, op := range []string{"PutRecords100", "GetRecords100"} {
		b.Run(op, func(b *testing.B) {
			srv := startChildServer(b)
			cfg := kinesisfaketest.Config()
			kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.url) })
			ctx := b.Context()
			if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cpu"), ShardCount: aws.Int32(1)}); err != nil {
				b.Fatal(err)
			}
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
			cpu0 := srv.cpu(b)
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
			b.ReportMetric(float64((srv.cpu(b)-cpu0).Microseconds())/float64(b.N), "server-cpu-µs/op")
		})
	}
}
