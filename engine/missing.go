package engine

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// missingResource names what err says does not exist when that is a whole
// stream, bucket or table (an error no retry can change), or returns "".
// A missing shard is not one: resharding makes shards come and go.
func missingResource(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return ""
	}
	msg := api.ErrorMessage()
	switch api.ErrorCode() {
	case "NoSuchBucket":
		return "the bucket"
	case "ResourceNotFoundException":
		switch {
		case strings.Contains(msg, "Shard") || strings.Contains(msg, "shard"):
			return ""
		case strings.HasPrefix(msg, "Stream "):
			return "the stream"
		case strings.Contains(msg, "Requested resource not found"), strings.Contains(msg, "non-existent table"):
			return "the DynamoDB table"
		}
	}
	return ""
}
