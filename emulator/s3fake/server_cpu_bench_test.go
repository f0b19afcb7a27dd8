package s3fake

// Server CPU per operation: the server runs in a child process (this test
// binary again), so the CPU it spends is measured apart from the SDK
// client's. The figure is what the emulator costs a CI runner that shares
// its cores with the user's tests.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/internal/childbench"
)

const serveEnv = "S3FAKE_SERVE_FOR_BENCHMARK"

func TestMain(m *testing.M) {
	childbench.ServeIfChild(serveEnv, func() (string, func() error, error) {
		srv, err := New()
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

// BenchmarkServerCPU measures the server CPU of PutObject and GetObject of
// 64 KiB objects sent by the Go SDK, one request at a time, reported as
// server-cpu-µs/op: streamcheck's emulator in memory, and beside it s3rver
// (which stores on disk: its directory is on tmpfs where /dev/shm exists)
// where `make peers` installed it.
func BenchmarkServerCPU(b *testing.B) {
	servers := []struct {
		name   string
		start  func(b *testing.B) *childbench.Child
		client func(o *s3.Options)
	}{
		{"streamcheck", func(b *testing.B) *childbench.Child { return childbench.Start(b, serveEnv) }, func(*s3.Options) {}},
		{"s3rver", func(b *testing.B) *childbench.Child {
			bin := childbench.Peer(b, "s3rver")
			dir := b.TempDir()
			if shm, err := os.MkdirTemp("/dev/shm", "s3rver"); err == nil {
				dir = shm
				b.Cleanup(func() { os.RemoveAll(shm) })
			}
			return childbench.StartPeer(b, bin, "--directory", dir, "--port", "{port}", "--address", "127.0.0.1", "--silent")
		}, func(o *s3.Options) {
			o.UsePathStyle = true
			o.Credentials = credentials.NewStaticCredentialsProvider("S3RVER", "S3RVER", "") // s3rver's fixed key
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired        // s3rver sends no checksum
		}},
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	for _, server := range servers {
		for _, op := range []string{"PutObject64KiB", "GetObject64KiB"} {
			b.Run(server.name+"/"+op, func(b *testing.B) {
				srv := server.start(b)
				c := newClient(srv.URL, server.client)
				ctx := context.Background()
				mustCreateBucket(b, c, "bench")
				for i := range 64 {
					mustPut(b, c, "bench", fmt.Sprintf("bench/%04d", i), body)
				}
				b.SetBytes(benchObjectSize)
				b.ResetTimer()
				cpu0 := srv.CPU(b)
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
				srv.ReportPerOp(b, cpu0)
			})
		}
	}
}
