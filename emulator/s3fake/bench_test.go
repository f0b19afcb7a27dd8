package s3fake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/internal/cputime"
)

// benchBackends are the storage set-ups the benchmarks compare.
func benchBackends(b *testing.B) []struct {
	name string
	opts func() []Option
} {
	return []struct {
		name string
		opts func() []Option
	}{
		{"memory", func() []Option { return nil }},
		{"datadir", func() []Option { return []Option{WithDataDir(b.TempDir())} }},
		{"datadir-nofsync", func() []Option { return []Option{WithDataDir(b.TempDir()), WithoutFsync()} }},
	}
}

const benchObjectSize = 64 << 10

// processCPU is the process's CPU time so far (0 where it is not measured).
func processCPU() time.Duration {
	d, _ := cputime.Process()
	return d
}

// reportRates reports objects per second of wall time, and the CPU time the
// whole process (SDK client and server) spent per object: on a shared
// machine the wall-clock rate depends on the neighbours, the CPU cost much
// less. An idle machine with P cores reaches about P / (cpu-µs/object) per
// microsecond.
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/object")
	}
}

// BenchmarkPutObject64KiB measures PutObject of 64 KiB objects through the
// SDK, 8 requests in flight, over 1024 keys.
func BenchmarkPutObject64KiB(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	for _, be := range benchBackends(b) {
		b.Run(be.name, func(b *testing.B) {
			srv := startServer(b, be.opts()...)
			c := newClient(srv.URL())
			mustCreateBucket(b, c, "bench")
			var n atomic.Int64
			b.SetBytes(benchObjectSize)
			b.SetParallelism(4)
			b.ResetTimer()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := fmt.Sprintf("bench/%04d", n.Add(1)%1024)
					if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(k),
						Body: bytes.NewReader(body)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRates(b, processCPU()-cpu0)
		})
	}
}

// BenchmarkPutObject4MiB measures PutObject of a 4 MiB object (the size of
// a 100,000-record batch's Parquet file in streamcheck bench) through the
// SDK configured as the engine's (no request checksum: the server computes
// CRC64NVME), one request at a time, in memory: the latency a batch's
// writer waits for. The server hashes the body as it arrives (see
// readHashing).
func BenchmarkPutObject4MiB(b *testing.B) {
	body := make([]byte, 4<<20)
	rand.New(rand.NewSource(1)).Read(body)
	c := newClient(startServer(b).URL(), func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	mustCreateBucket(b, c, "bench")
	b.SetBytes(int64(len(body)))
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("bench/large"),
			Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}

// BenchmarkGetObject64KiB measures GetObject of 64 KiB objects through the
// SDK (response checksum validated), 8 requests in flight, over 256 keys.
func BenchmarkGetObject64KiB(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	for _, be := range benchBackends(b)[:2] {
		b.Run(be.name, func(b *testing.B) {
			srv := startServer(b, be.opts()...)
			c := newClient(srv.URL())
			mustCreateBucket(b, c, "bench")
			for i := range 256 {
				mustPut(b, c, "bench", fmt.Sprintf("bench/%04d", i), body)
			}
			var n atomic.Int64
			b.SetBytes(benchObjectSize)
			b.SetParallelism(4)
			b.ResetTimer()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := fmt.Sprintf("bench/%04d", n.Add(1)%256)
					out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(k)})
					if err != nil {
						b.Error(err)
						return
					}
					m, err := io.Copy(io.Discard, out.Body)
					out.Body.Close()
					if err != nil || m != benchObjectSize {
						b.Errorf("GetObject %s: read %d bytes, %v", k, m, err)
						return
					}
				}
			})
			reportRates(b, processCPU()-cpu0)
		})
	}
}

// BenchmarkServerPutGet64KiB measures the server alone: plain net/http
// requests without SigV4 or SDK middleware, 8 in flight, so the figure is the
// emulator's ceiling rather than the SDK client's.
func BenchmarkServerPutGet64KiB(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	for _, op := range []string{"PUT", "GET"} {
		b.Run(op, func(b *testing.B) {
			srv := startServer(b)
			c := newClient(srv.URL())
			mustCreateBucket(b, c, "bench")
			for i := range 256 {
				mustPut(b, c, "bench", fmt.Sprintf("bench/%04d", i), body)
			}
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var n atomic.Int64
			b.SetBytes(benchObjectSize)
			b.SetParallelism(4)
			b.ResetTimer()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					url := fmt.Sprintf("%s/bench/bench/%04d", srv.URL(), n.Add(1)%256)
					var req *http.Request
					if op == "PUT" {
						req, _ = http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
					} else {
						req, _ = http.NewRequest(http.MethodGet, url, nil)
					}
					resp, err := hc.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("%s %s: status %d", op, url, resp.StatusCode)
						return
					}
				}
			})
			reportRates(b, processCPU()-cpu0)
		})
	}
}
