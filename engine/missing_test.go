package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestMissingResource(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bucket", &smithy.GenericAPIError{Code: "NoSuchBucket", Message: "The specified bucket does not exist"}, "the bucket"},
		{"stream", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream s under account 000000000000 not found."}, "the stream"},
		{"table", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Requested resource not found"}, "the DynamoDB table"},
		{"shard (resharding)", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Shard shardId-000000000001 in stream s under account 000000000000 does not exist"}, ""},
		{"throttled", &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "Rate exceeded"}, ""},
		{"not an API error", errors.New("connection refused"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missingResource(fmt.Errorf("wrapped: %w", tt.err)); got != tt.want {
				t.Errorf("missingResource(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
