package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// kinesisOutputClient builds the Kinesis client that reads a kinesis://
// output, configured by readerAWSConfig.
func kinesisOutputClient(ctx context.Context, e *env) (*kinesis.Client, error) {
	awsCfg, endpoint, err := readerAWSConfig(ctx, e, "KINESIS", "")
	if err != nil {
		return nil, err
	}
	return kinesis.NewFromConfig(awsCfg, func(o *kinesis.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
		}
	}), nil
}
