package kinesisfake_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestStateKeepingOperations drives the operations that keep state without
// further effect, each with a call that must succeed and one it must refuse.
func TestStateKeepingOperations(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	name := aws.String("s")
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")

	if _, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatalf("AddTagsToStream: %v", err)
	}
	_, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"aws:x": "1"}})
	wantCode(t, "AddTagsToStream with aws: prefix", err, "InvalidArgumentException")
	if _, err := e.kc.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: name, TagKeys: []string{"a"}}); err != nil {
		t.Fatalf("RemoveTagsFromStream: %v", err)
	}
	if _, err := e.kc.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"c": "3"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := e.kc.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"c"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	lt, err := e.kc.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "b" {
		t.Fatalf("ListTagsForResource: got %+v %v, want only b", lt, err)
	}
	lts, err := e.kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: name})
	if err != nil || len(lts.Tags) != 1 {
		t.Fatalf("ListTagsForStream: got %+v %v", lts, err)
	}

	if _, err := e.kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatalf("StartStreamEncryption: %v", err)
	}
	pr, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: []byte("x")})
	if err != nil || pr.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecord on an encrypted stream: got %v %v, want KMS", pr.EncryptionType, err)
	}
	if _, err := e.kc.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatalf("StopStreamEncryption: %v", err)
	}

	em, err := e.kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil || len(em.DesiredShardLevelMetrics) != 1 {
		t.Fatalf("EnableEnhancedMonitoring: %+v %v", em, err)
	}
	dm, err := e.kc.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil || len(dm.DesiredShardLevelMetrics) != 0 {
		t.Fatalf("DisableEnhancedMonitoring: %+v %v", dm, err)
	}
	_, err = e.kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{"Nope"}})
	wantCode(t, "EnableEnhancedMonitoring with an unknown metric", err, "ValidationException")

	lim, err := e.kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(lim.ShardLimit) != 500 || aws.ToInt32(lim.OpenShardCount) != 1 {
		t.Fatalf("DescribeLimits: %+v %v", lim, err)
	}

	acct, err := e.kc.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	if err != nil || acct.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("DescribeAccountSettings: %+v %v", acct, err)
	}
	up, err := e.kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
	if err != nil || up.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
		t.Fatalf("UpdateAccountSettings: %+v %v", up, err)
	}

	if _, err := e.kc.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(`{"Version":"2012-10-17"}`)}); err != nil {
		t.Fatalf("PutResourcePolicy: %v", err)
	}
	_, err = e.kc.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(`{`)})
	wantCode(t, "PutResourcePolicy with bad JSON", err, "InvalidArgumentException")
	gp, err := e.kc.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	if err != nil || aws.ToString(gp.Policy) != `{"Version":"2012-10-17"}` {
		t.Fatalf("GetResourcePolicy: %+v %v", gp, err)
	}
	if _, err := e.kc.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn}); err != nil {
		t.Fatalf("DeleteResourcePolicy: %v", err)
	}

	if _, err := e.kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(2048)}); err != nil {
		t.Fatalf("UpdateMaxRecordSize: %v", err)
	}
	_, err = e.kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(20000)})
	wantCode(t, "UpdateMaxRecordSize beyond 10240", err, "ValidationException")

	_, err = e.kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: arn, WarmThroughputMiBps: aws.Int32(10)})
	wantCode(t, "UpdateStreamWarmThroughput on PROVISIONED", err, "InvalidArgumentException")
	if _, err := e.kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatalf("UpdateStreamMode: %v", err)
	}
	wt, err := e.kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: arn, WarmThroughputMiBps: aws.Int32(10)})
	if err != nil || aws.ToInt32(wt.WarmThroughput.TargetMiBps) != 10 {
		t.Fatalf("UpdateStreamWarmThroughput: %+v %v", wt, err)
	}
	sum, err := e.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
	if err != nil || sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(sum.StreamDescriptionSummary.MaxRecordSizeInKiB) != 2048 {
		t.Fatalf("DescribeStreamSummary after updates: %+v %v", sum, err)
	}
}

func TestChannels(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	s3 := &types.S3DestinationConfiguration{StorageConfiguration: &types.S3StorageConfiguration{
		BucketARN: aws.String("arn:aws:s3:::out"), ExpectedBucketOwner: aws.String("000000000000"), CompressionType: types.S3CompressionTypeGzip,
	}, DataFreshnessInSeconds: aws.Int32(60)}
	rc := &types.RecordConfiguration{RecordFormatType: types.RecordFormatTypeJson}
	cc, err := e.kc.CreateChannel(ctx, &kinesis.CreateChannelInput{
		ChannelName: aws.String("to-s3"), ServiceExecutionRoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
		StreamConfigurationList:    []types.ChannelStreamConfiguration{{StreamARN: arn, RecordConfiguration: rc}},
		S3DestinationConfiguration: s3,
	})
	if err != nil {
		t.Fatalf("CreateChannel: %v", err)
	}
	chARN := cc.ChannelDescription.ChannelARN
	if got, want := aws.ToString(chARN), "arn:aws:kinesis:us-east-1:000000000000:channel/to-s3"; got != want {
		t.Errorf("ChannelARN: got %s, want %s", got, want)
	}
	_, err = e.kc.CreateChannel(ctx, &kinesis.CreateChannelInput{
		ChannelName: aws.String("bad"), ServiceExecutionRoleARN: aws.String("r"),
		StreamConfigurationList:    []types.ChannelStreamConfiguration{{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/missing"), RecordConfiguration: rc}},
		S3DestinationConfiguration: s3,
	})
	wantCode(t, "CreateChannel on a missing stream", err, "ResourceNotFoundException")
	up, err := e.kc.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: chARN, S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(120)}})
	if err != nil || aws.ToInt32(up.ChannelDescription.S3DestinationConfiguration.DataFreshnessInSeconds) != 120 {
		t.Fatalf("UpdateChannel: %+v %v", up, err)
	}
	d, err := e.kc.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: chARN})
	if err != nil || d.ChannelDescription.ChannelStatus != types.ChannelStatusActive || len(d.ChannelDescription.StreamConfigurationList) != 1 {
		t.Fatalf("DescribeChannel: %+v %v", d, err)
	}
	l, err := e.kc.ListChannels(ctx, &kinesis.ListChannelsInput{StreamFilter: []types.StreamFilter{{StreamARN: arn}}})
	if err != nil || len(l.ChannelSummaries) != 1 || l.ChannelSummaries[0].ChannelDestinationType != types.ChannelDestinationTypeS3 {
		t.Fatalf("ListChannels: %+v %v", l, err)
	}
	if _, err := e.kc.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: chARN}); err != nil {
		t.Fatalf("DeleteChannel: %v", err)
	}
	_, err = e.kc.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: chARN})
	wantCode(t, "DescribeChannel after delete", err, "ResourceNotFoundException")

	if _, err := e.kc.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: arn, RecordDistributionStrategy: types.RecordDistributionStrategyAuto}); err != nil {
		t.Fatalf("UpdateStreamRecordDistributionStrategy: %v", err)
	}
	_, err = e.kc.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: arn, RecordDistributionStrategy: "RANDOM"})
	wantCode(t, "UpdateStreamRecordDistributionStrategy RANDOM", err, "ValidationException")
}
