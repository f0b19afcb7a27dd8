package s3fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// startServer starts a Server on 127.0.0.1 and closes it at the end of the
// test.
func startServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newClient returns an S3 client with the SDK's default settings (as
// awsconfig.LoadDefaultConfig makes them: request checksums and response
// checksum validation when supported) pointed at endpoint.
func newClient(endpoint string, optFns ...func(*s3.Options)) *s3.Client {
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(),
		awsconfig.WithRegion("us-east-1"),
		awsconfig.WithSharedConfigFiles([]string{}), awsconfig.WithSharedCredentialsFiles([]string{}),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")))
	if err != nil {
		panic(fmt.Sprintf("load SDK config: %v", err))
	}
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	}}, optFns...)...)
}

// setup starts a server and returns it with a client for it.
func setup(t testing.TB, opts ...Option) (*Server, *s3.Client) {
	t.Helper()
	srv := startServer(t, opts...)
	return srv, newClient(srv.URL())
}

// setupTLS serves a Server over HTTPS, where the SDK sends its checksums as
// aws-chunked trailers, and returns a client that trusts it.
func setupTLS(t testing.TB, opts ...Option) (*Server, *s3.Client) {
	t.Helper()
	srv, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.StartTLS()
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	return srv, newClient(ts.URL, func(o *s3.Options) { o.HTTPClient = ts.Client() })
}

// noRetry makes a client give up after the first attempt.
func noRetry(o *s3.Options) { o.RetryMaxAttempts = 1 }

// dialTo makes every connection of a client go to addr, whatever the host in
// the URL, for virtual-hosted-style names that do not resolve.
func dialTo(addr string) func(*s3.Options) {
	return func(o *s3.Options) {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
		o.HTTPClient = &http.Client{Transport: tr}
	}
}

func mustCreateBucket(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func mustPut(t testing.TB, c *s3.Client, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

func mustGet(t testing.TB, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject %s/%s: read body: %v", bucket, key, err)
	}
	return b
}

// errCode returns the AWS error code of err, or "" if it has none.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// errStatus returns the HTTP status of err's response, or 0.
func errStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantErr fails the test unless err carries code and status.
func wantErr(t testing.TB, what string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s (%d)", what, code, status)
	}
	if got := errCode(err); got != code {
		t.Errorf("%s: got code %q, want %q (err %v)", what, got, code, err)
	}
	if got := errStatus(err); got != status {
		t.Errorf("%s: got status %d, want %d", what, got, status)
	}
}

func stringsReader(s string) io.Reader { return bytes.NewReader([]byte(s)) }

// recordHost records the Host of every request a client sends.
func recordHost(seen *[]string) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("recordHost",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					*seen = append(*seen, req.URL.Host)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
