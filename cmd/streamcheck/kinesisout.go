package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// kinesisOutputClient builds the Kinesis client that reads a kinesis://
// output, as dynamoDBClient builds DynamoDB's: the endpoint is
// AWS_ENDPOINT_URL_KINESIS, else AWS_ENDPOINT_URL (unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else AWS; with an endpoint
// and no configured credentials, dummy ones, as emulators accept any.
func kinesisOutputClient(ctx context.Context, e *env) (*kinesis.Client, error) {
	var endpoint string
	if !strings.EqualFold(e.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		endpoint = e.getenv("AWS_ENDPOINT_URL_KINESIS")
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
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	awsCfg.HTTPClient = sdkhttp.Wrap(awsCfg.HTTPClient) // loopback-safe (see sdkhttp)
	return kinesis.NewFromConfig(awsCfg, func(o *kinesis.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
		}
	}), nil
}
