package kinesisfake_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestSubscribeToShard(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	reg, err := e.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	_, err = e.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	wantCode(t, "RegisterStreamConsumer twice", err, "ResourceInUseException")
	for i := 0; i < 2; i++ {
		if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data(i)}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := e.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	var got []string
	var cont string
	deadline := time.After(10 * time.Second)
	wrote := false
	for len(got) < 3 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("event stream ended after %v: %v", got, stream.Err())
			}
			se, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("got event %T, want SubscribeToShardEvent", ev)
			}
			for _, r := range se.Value.Records {
				got = append(got, string(r.Data))
			}
			cont = aws.ToString(se.Value.ContinuationSequenceNumber)
			if len(got) == 2 && !wrote {
				wrote = true
				// Pushed as soon as it is written.
				if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data(2)}); err != nil {
					t.Fatal(err)
				}
			}
		case <-deadline:
			t.Fatalf("timed out with %v", got)
		}
	}
	if want := []string{"record-0000", "record-0001", "record-0002"}; !slices.Equal(got, want) {
		t.Fatalf("subscribed records: got %v, want %v", got, want)
	}
	if cont == "" {
		t.Errorf("no ContinuationSequenceNumber")
	}
	_, err = e.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
	wantCode(t, "SubscribeToShard again within 5 s", err, "ResourceInUseException")

	list, err := e.kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: arn})
	if err != nil || len(list.Consumers) != 1 {
		t.Fatalf("ListStreamConsumers: %+v %v", list, err)
	}
	desc, err := e.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	if err != nil || desc.ConsumerDescription.ConsumerStatus != types.ConsumerStatusActive {
		t.Fatalf("DescribeStreamConsumer: %+v %v", desc, err)
	}
	_, err = e.kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	wantCode(t, "DeleteStream with a consumer", err, "ResourceInUseException")
	if _, err := e.kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")}); err != nil {
		t.Fatalf("DeregisterStreamConsumer: %v", err)
	}
	_, err = e.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	wantCode(t, "DescribeStreamConsumer after deregistering", err, "ResourceNotFoundException")
}
