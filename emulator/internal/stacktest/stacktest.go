// Package stacktest holds the checks that the emulator stack's tests and the
// containers backend's tests share.
package stacktest

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"
)

// RoundTrip writes and reads back one Kinesis record, one S3 object and one
// Kafka record through real clients; brokers nil skips Kafka. The name is
// used for the stream, the bucket and the topic.
func RoundTrip(t *testing.T, kc *kinesis.Client, sc *s3.Client, brokers []string, name string) {
	t.Helper()
	ctx := t.Context()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: put.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("GetShardIterator: %v", err)
	}
	recs, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	if len(recs.Records) != 1 || string(recs.Records[0].Data) != "hello" {
		t.Errorf("GetRecords = %d records, want one \"hello\"", len(recs.Records))
	}

	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("a/b.txt"), Body: strings.NewReader("object")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	get, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(body) != "object" {
		t.Errorf("GetObject body = %q, want %q", body, "object")
	}

	if brokers == nil {
		return
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation(), kgo.ConsumeTopics(name), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: name, Value: []byte("kafka")}).FirstErr(); err != nil {
		t.Fatalf("Kafka produce: %v", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(pctx)
		if pctx.Err() != nil {
			t.Fatalf("Kafka consume: %v", pctx.Err())
		}
		if fs.NumRecords() > 0 {
			if v := string(fs.Records()[0].Value); v != "kafka" {
				t.Errorf("Kafka record = %q, want %q", v, "kafka")
			}
			return
		}
	}
}
