// Package kinesisfaketest starts a kinesisfake.Server for a test and gives
// it an aws-sdk-go-v2 Kinesis client.
package kinesisfaketest

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// NewServer starts a kinesisfake.Server with opts on a loopback port and
// returns it with an aws.Config (region us-east-1, static credentials) for
// its clients. The server is closed when the test ends; a failure to start
// fails the test.
func NewServer(t testing.TB, opts ...kinesisfake.Option) (*kinesisfake.Server, aws.Config) {
	t.Helper()
	srv, err := kinesisfake.New(opts...)
	if err != nil {
		t.Fatalf("kinesisfake.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("kinesisfake Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, Config()
}

// Config returns the aws.Config the helpers use: region us-east-1, static
// credentials (the server accepts any) and HTTPClient().
func Config() aws.Config {
	return aws.Config{
		HTTPClient:  HTTPClient(),
		Region:      kinesisfake.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDSTREAMCHECK", "streamcheck-secret", ""),
	}
}

// NewClient returns a Kinesis client for srv. Extra options are applied
// after the endpoint is set, e.g. to turn retries off with
// func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} }.
func NewClient(srv *kinesisfake.Server, optFns ...func(*kinesis.Options)) *kinesis.Client {
	fns := append([]func(*kinesis.Options){func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(srv.URL())
	}}, optFns...)
	return kinesis.NewFromConfig(Config(), fns...)
}

// HTTPClient returns the HTTP client NewClient gives the SDK: the SDK's
// default client made safe for loopback endpoints (see package sdkhttp).
func HTTPClient() *http.Client { return sdkhttp.Client() }
