package emulator

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// startExternal describes endpoints that already run: AWS_ENDPOINT_URL_KINESIS,
// AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB, or AWS_ENDPOINT_URL for
// any of them (neither: AWS itself), the SDK's default credential chain and region,
// and STREAMCHECK_KAFKA_BROKERS.
func startExternal(ctx context.Context, o options) (*Stack, error) {
	var lopts []func(*config.LoadOptions) error
	if o.region != "" {
		lopts = append(lopts, config.WithRegion(o.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lopts...)
	if err != nil {
		return nil, fmt.Errorf("emulator: load AWS configuration for the external backend: %w", err)
	}
	// Harmless over real networks, needed against local endpoints.
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	s := &Stack{Backend: External, Region: cfg.Region, AWSConfig: cfg}
	global := o.getenv("AWS_ENDPOINT_URL")
	s.KinesisURL = firstNonEmpty(o.getenv("AWS_ENDPOINT_URL_KINESIS"), global)
	s.S3URL = firstNonEmpty(o.getenv("AWS_ENDPOINT_URL_S3"), global)
	s.DynamoDBURL = firstNonEmpty(o.getenv("AWS_ENDPOINT_URL_DYNAMODB"), global)
	if oneEndpoint(s.KinesisURL, s.S3URL, s.DynamoDBURL) {
		s.EdgeURL = s.KinesisURL
	}
	for _, b := range strings.Split(o.getenv(EnvKafkaBrokers), ",") {
		if b = strings.TrimSpace(b); b != "" {
			s.KafkaBrokers = append(s.KafkaBrokers, b)
		}
	}
	return s, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
