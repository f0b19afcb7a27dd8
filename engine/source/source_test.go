package source_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/engine/source"
)

func TestCompareSequence(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"49600000000000000000000000000000000000000000000000000001", "49600000000000000000000000000000000000000000000000000002", -1},
		{"9", "10", -1}, // as integers, not as strings
		{"10", "9", 1},
		{"123", "123", 0},
	} {
		if got := source.CompareSequence(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareSequence(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"throttled", &types.ProvisionedThroughputExceededException{}, true},
		{"limit", &types.LimitExceededException{}, true},
		{"server", &smithy.GenericAPIError{Code: "InternalFailure"}, true},
		{"expired iterator", &types.ExpiredIteratorException{}, false},
		{"not found", &types.ResourceNotFoundException{}, false},
		{"transport", &smithy.OperationError{ServiceID: "Kinesis", OperationName: "GetRecords", Err: errors.New("connection reset")}, true},
	} {
		if got := source.Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
