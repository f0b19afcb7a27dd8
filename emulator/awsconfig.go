package emulator

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// staticConfig is an aws.Config with LocalStack-style test credentials,
// per-service endpoints and the SDK's HTTP client made safe for loopback
// endpoints (package sdkhttp).
func staticConfig(region, kinesisURL, s3URL, dynamodbURL string) aws.Config {
	cfg := aws.Config{
		Region:      region,
		HTTPClient:  sdkhttp.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(TestAccessKeyID, TestSecretAccessKey, ""),
		ConfigSources: []any{serviceEndpoints{
			"Kinesis":  kinesisURL,
			"S3":       s3URL,
			"DynamoDB": dynamodbURL,
		}},
	}
	if oneEndpoint(kinesisURL, s3URL, dynamodbURL) {
		cfg.BaseEndpoint = aws.String(kinesisURL)
	}
	return cfg
}

// oneEndpoint reports whether every service has the same, non-empty URL,
// as behind the edge port.
func oneEndpoint(urls ...string) bool {
	for _, u := range urls {
		if u == "" || u != urls[0] {
			return false
		}
	}
	return len(urls) > 0
}

// serviceEndpoints gives each SDK service client its base endpoint, keyed by
// the service's SDK ID, as AWS_ENDPOINT_URL_<SERVICE> does for clients built
// by config.LoadDefaultConfig.
type serviceEndpoints map[string]string

// GetServiceBaseEndpoint is the hook the SDK's service clients look up in
// aws.Config.ConfigSources.
func (e serviceEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u, ok := e[sdkID]
	return u, ok && u != "", nil
}
