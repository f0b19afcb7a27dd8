package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

// faultOperations are the operation names each emulator offers its fault
// rules: the AWS API names it serves, Kafka's request names.
var faultOperations = map[string][]string{
	fault.ServiceKinesis: {"AddTagsToStream", "CreateChannel", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteChannel",
		"DeleteResourcePolicy", "DeleteStream", "DeregisterStreamConsumer", "DescribeAccountSettings", "DescribeChannel",
		"DescribeLimits", "DescribeStream", "DescribeStreamConsumer", "DescribeStreamSummary", "DisableEnhancedMonitoring",
		"EnableEnhancedMonitoring", "GetRecords", "GetResourcePolicy", "GetShardIterator", "IncreaseStreamRetentionPeriod",
		"ListChannels", "ListShards", "ListStreamConsumers", "ListStreams", "ListTagsForResource", "ListTagsForStream",
		"MergeShards", "PutRecord", "PutRecords", "PutResourcePolicy", "RegisterStreamConsumer", "RemoveTagsFromStream",
		"SplitShard", "StartStreamEncryption", "StopStreamEncryption", "SubscribeToShard", "TagResource", "UntagResource",
		"UpdateAccountSettings", "UpdateChannel", "UpdateMaxRecordSize", "UpdateShardCount", "UpdateStreamMode",
		"UpdateStreamRecordDistributionStrategy", "UpdateStreamWarmThroughput"},
	fault.ServiceS3: {"AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateBucket", "CreateMultipartUpload",
		"DeleteBucket", "DeleteObject", "DeleteObjects", "GetBucketLocation", "GetObject", "HeadBucket", "HeadObject",
		"ListBuckets", "ListMultipartUploads", "ListObjects", "ListObjectsV2", "ListParts", "PutObject", "UploadPart"},
	fault.ServiceDynamoDB: {"BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable", "DescribeEndpoints",
		"DescribeLimits", "DescribeTable", "DescribeTimeToLive", "GetItem", "ListTables", "ListTagsOfResource", "PutItem",
		"Query", "Scan", "TagResource", "TransactGetItems", "TransactWriteItems", "UntagResource", "UpdateItem",
		"UpdateTable", "UpdateTimeToLive"},
}

// faultCodes are the AWS error codes a rule may answer with, per service:
// those AWS answers these operations with.
var faultCodes = map[string][]string{
	fault.ServiceKinesis: {"AccessDeniedException", "ExpiredIteratorException", "ExpiredNextTokenException", "InternalFailure",
		"InvalidArgumentException", "KMSThrottlingException", "LimitExceededException", "ProvisionedThroughputExceededException",
		"ResourceInUseException", "ResourceNotFoundException", "ServiceUnavailable", "ThrottlingException", "ValidationException"},
	fault.ServiceS3: {"AccessDenied", "BadDigest", "EntityTooSmall", "InternalError", "InvalidRange", "NoSuchBucket", "NoSuchKey",
		"NoSuchUpload", "PreconditionFailed", "RequestTimeout", "ServiceUnavailable", "SlowDown"},
	fault.ServiceDynamoDB: {"AccessDeniedException", "ConditionalCheckFailedException", "InternalServerError",
		"ItemCollectionSizeLimitExceededException", "LimitExceededException", "ProvisionedThroughputExceededException",
		"RequestLimitExceeded", "ResourceInUseException", "ResourceNotFoundException", "ServiceUnavailable",
		"ThrottlingException", "TransactionCanceledException", "TransactionConflictException", "ValidationException"},
}

// kafkaOperations are Kafka's request names (Produce, Fetch, ...).
func kafkaOperations() []string {
	var names []string
	for k := int16(0); k < 100; k++ {
		if n := kmsg.NameForKey(k); n != "" && !strings.HasPrefix(n, "Unknown") {
			names = append(names, n)
		}
	}
	return names
}

// checkFaultNames checks a rule's service, operation and code against what
// the emulators serve, suggesting the nearest name for a misspelt one.
func checkFaultNames(r fault.Rule) error {
	services := []string{fault.ServiceKinesis, fault.ServiceS3, fault.ServiceDynamoDB, fault.ServiceKafka}
	if r.Service != "" && !slices.Contains(services, r.Service) {
		return fmt.Errorf("--service %q: want %s%s", r.Service, strings.Join(services, ", "), didYouMean(r.Service, services))
	}
	if r.Operation != "" {
		var ops []string
		switch r.Service {
		case fault.ServiceKafka:
			ops = kafkaOperations()
		case "":
			ops = append(ops, kafkaOperations()...)
			for _, s := range faultOperations {
				ops = append(ops, s...)
			}
		default:
			ops = faultOperations[r.Service]
		}
		if !slices.Contains(ops, r.Operation) {
			return fmt.Errorf("--operation %q: no such operation%s%s", r.Operation, forService(r.Service), didYouMean(r.Operation, ops))
		}
	}
	if r.Code == "" {
		return nil
	}
	if r.Service == fault.ServiceKafka {
		if _, ok := kafkafake.ErrorForName(r.Code); !ok {
			return fmt.Errorf("--code %q: not a Kafka error name such as NOT_LEADER_FOR_PARTITION or REQUEST_TIMED_OUT", r.Code)
		}
		return nil
	}
	var codes []string
	if r.Service != "" {
		codes = faultCodes[r.Service]
	} else {
		for _, s := range faultCodes {
			codes = append(codes, s...)
		}
		if _, ok := kafkafake.ErrorForName(r.Code); ok {
			return nil
		}
	}
	if !slices.Contains(codes, r.Code) {
		slices.Sort(codes)
		codes = slices.Compact(codes)
		return fmt.Errorf("--code %q: not an error code%s%s; want one of %s", r.Code, forService(r.Service), didYouMean(r.Code, codes), strings.Join(codes, ", "))
	}
	return nil
}

func forService(s string) string {
	if s == "" {
		return ""
	}
	return " of " + s
}
