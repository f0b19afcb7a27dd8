package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// dynamoDBClient builds the DynamoDB client that reads a dynamodb:// output
// or reference, configured by readerAWSConfig.
func dynamoDBClient(ctx context.Context, e *env, endpoint string) (*dynamodb.Client, error) {
	awsCfg, endpoint, err := readerAWSConfig(ctx, e, "DYNAMODB", endpoint)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
		}
	}), nil
}
