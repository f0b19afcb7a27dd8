// Package kinesisfaketest starts a kinesisfake.Server for a test and gives
// it an aws-sdk-go-v2 Kinesis client.
package kinesisfaketest

import (
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
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

// Config returns the aws.Config the helpers use: region us-east-1 and
// static credentials, which the server accepts as it accepts any.
func Config() aws.Config {
	return aws.Config{
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
		o.HTTPClient = &http.Client{Transport: ownedBodyTransport{awshttp.NewBuildableClient().GetTransport()}}
	}}, optFns...)
	return kinesis.NewFromConfig(Config(), fns...)
}

// ownedBodyTransport gives the transport a request body of its own, so
// that the SDK closing its body when the response headers arrive cannot
// race with the transport still finishing the request write. Over loopback
// the answer can arrive that early; the race then tears down the connection
// in the middle of a large response body ("use of closed network
// connection").
type ownedBodyTransport struct{ base http.RoundTripper }

func (t ownedBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = &ownedBody{rc: req.Body}
	}
	return t.base.RoundTrip(req)
}

type ownedBody struct{ rc io.ReadCloser }

func (b *ownedBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b *ownedBody) Close() error               { return b.rc.Close() }
