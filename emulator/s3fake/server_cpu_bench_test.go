package s3fake

// Server CPU per operation: the server runs in a child process (this test
// binary again), so the CPU it spends is measured apart from the SDK
// client's. The figure is what the emulator costs a CI runner that shares
// its cores with the user's tests.

import (
	"bufio"
	"bytes"
	"context"
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
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const serveEnv = "S3FAKE_SERVE_FOR_BENCHMARK"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) != "" {
		serveForBenchmark()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveForBenchmark serves an in-memory server until stdin closes, printing
// its URL first.
func serveForBenchmark() {
	srv, err := New()
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
	// Fields after the command name (which may hold spaces) start at ") ".
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// BenchmarkServerCPU measures the server CPU of PutObject and GetObject of
// 64 KiB objects sent by the Go SDK, one request at a time, reported as
// server-cpu-µs/op.
func BenchmarkServerCPU(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	for _, op := range []string{"PutObject64KiB", "GetObject64KiB"} {
		b.Run(op, func(b *testing.B) {
			srv := startChildServer(b)
			c := newClient(srv.url)
			ctx := context.Background()
			mustCreateBucket(b, c, "bench")
			for i := range 64 {
				mustPut(b, c, "bench", fmt.Sprintf("bench/%04d", i), body)
			}
			b.SetBytes(benchObjectSize)
			b.ResetTimer()
			cpu0 := srv.cpu(b)
			for i := 0; i < b.N; i++ {
				k := aws.String(fmt.Sprintf("bench/%04d", i%64))
				if op == "PutObject64KiB" {
					if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: k, Body: bytes.NewReader(body)}); err != nil {
						b.Fatal(err)
					}
					continue
				}
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: k})
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, out.Body)
				out.Body.Close()
			}
			b.StopTimer()
			b.ReportMetric(float64((srv.cpu(b)-cpu0).Microseconds())/float64(b.N), "server-cpu-µs/op")
		})
	}
}
