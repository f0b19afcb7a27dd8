package kinesisfake_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  kinesisfake.Option
		want string
	}{
		{"nil clock", kinesisfake.WithClock(nil), "WithClock: the clock is nil"},
		{"nil faults", kinesisfake.WithFaults(nil), "WithFaults: the injector is nil"},
		{"empty data dir", kinesisfake.WithDataDir(""), "WithDataDir: the directory is empty"},
		{"bad addr", kinesisfake.WithAddr("nope"), `WithAddr("nope"): want host:port`},
		{"empty region", kinesisfake.WithRegion(""), "WithRegion: the region is empty"},
		{"short account", kinesisfake.WithAccountID("123"), `WithAccountID("123"): want 12 digits`},
		{"negative limit", kinesisfake.WithLimits(kinesisfake.Limits{GetRecordsBytes: -1}), "WithLimits: GetRecordsBytes is -1"},
		{"negative delay", kinesisfake.WithStreamStatusDelay(-time.Second), "WithStreamStatusDelay(-1s)"},
		{"zero iterator TTL", kinesisfake.WithIteratorTTL(0), "WithIteratorTTL(0s): want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kinesisfake.New(tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := kinesisfake.New(kinesisfake.WithAccountID("123456789012"), kinesisfake.WithAddr("127.0.0.1:0")); err != nil {
		t.Errorf("New with valid options: %v", err)
	}
}

func TestWithAddrAndAccountID(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv, cfg := kinesisfaketest.NewServer(t, kinesisfake.WithAddr(addr), kinesisfake.WithAccountID("123456789012"))
	if got := srv.Addr(); got != addr {
		t.Errorf("Addr() = %s, want %s", got, addr)
	}
	kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
	ctx := t.Context()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v", err)
	}
	if got, want := aws.ToString(d.StreamDescriptionSummary.StreamARN), "arn:aws:kinesis:us-east-1:123456789012:stream/s"; got != want {
		t.Errorf("StreamARN = %s, want %s", got, want)
	}
}
