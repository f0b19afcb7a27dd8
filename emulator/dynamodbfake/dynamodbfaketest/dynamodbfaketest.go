// Package dynamodbfaketest starts a dynamodbfake.Server for a test and gives
// it an aws-sdk-go-v2 DynamoDB client.
package dynamodbfaketest

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// NewServer starts a dynamodbfake.Server with opts on a loopback port and
// returns it with an aws.Config (region us-east-1, static credentials) for
// its clients. The server is closed when the test ends; a failure to start
// fails the test.
func NewServer(t testing.TB, opts ...dynamodbfake.Option) (*dynamodbfake.Server, aws.Config) {
	t.Helper()
	srv, err := dynamodbfake.New(opts...)
	if err != nil {
		t.Fatalf("dynamodbfake.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("dynamodbfake Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, Config()
}

// Config returns the aws.Config the helpers use: region us-east-1, static
// credentials (the server accepts any) and HTTPClient().
func Config() aws.Config {
	return aws.Config{
		HTTPClient:  HTTPClient(),
		Region:      dynamodbfake.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDSTREAMCHECK", "streamcheck-secret", ""),
	}
}

// NewClient returns a DynamoDB client for the endpoint url (a server's
// URL()). Extra options are applied after the endpoint is set, e.g. to turn
// retries off with func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} }.
func NewClient(url string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	fns := append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(url)
	}}, optFns...)
	return dynamodb.NewFromConfig(Config(), fns...)
}

// HTTPClient returns the HTTP client NewClient gives the SDK: the SDK's
// default client made safe for loopback endpoints (see package sdkhttp).
func HTTPClient() *http.Client { return sdkhttp.Client() }
