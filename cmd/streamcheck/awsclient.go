package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// readerAWSConfig is the AWS configuration verify and query read outputs
// with, and the endpoint it resolved for service: the given endpoint, else
// AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else AWS's own ("").
// With an endpoint and no configured credentials it carries dummy ones, as
// emulators accept any. The HTTP client is loopback-safe (see sdkhttp).
func readerAWSConfig(ctx context.Context, e *env, service, endpoint string) (aws.Config, string, error) {
	if endpoint == "" && !strings.EqualFold(e.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		endpoint = e.getenv("AWS_ENDPOINT_URL_" + service)
		if endpoint == "" {
			endpoint = e.getenv("AWS_ENDPOINT_URL")
		}
	}
	region := e.getenv("AWS_REGION")
	if region == "" {
		region = e.getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if key := e.getenv("AWS_ACCESS_KEY_ID"); key != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, e.getenv("AWS_SECRET_ACCESS_KEY"), e.getenv("AWS_SESSION_TOKEN"))))
	} else if endpoint != "" && e.getenv("AWS_PROFILE") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, "", fmt.Errorf("load AWS config: %w", err)
	}
	awsCfg.HTTPClient = sdkhttp.Wrap(awsCfg.HTTPClient)
	return awsCfg, endpoint, nil
}
