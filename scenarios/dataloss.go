package scenarios

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/engine"
)

// DeleteKafkaRecords returns a Scenario.AfterCrash that waits for wait
// while the load goes on and then removes every record of the run's topic
// partition up to its high watermark with Kafka's DeleteRecords, as
// retention would: the records the crashed engine had not committed, and
// those sent while it was down, are gone when it restarts. It needs a Kafka
// source.
func DeleteKafkaRecords(partition int32, wait time.Duration) func(ctx context.Context, env Env, seed uint64) error {
	return func(ctx context.Context, env Env, _ uint64) error {
		if env.Kind != engine.KindKafka {
			return fmt.Errorf("delete records: the source is %s, want kafka", env.Kind)
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("delete records of %s partition %d: %w", env.Stream, partition, err)
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(env.Stack.KafkaBrokers...))
		if err != nil {
			return fmt.Errorf("delete records of %s partition %d: new client: %w", env.Stream, partition, err)
		}
		defer cl.Close()
		req := kmsg.NewPtrDeleteRecordsRequest()
		req.TimeoutMillis = 10000
		t := kmsg.NewDeleteRecordsRequestTopic()
		t.Topic = env.Stream
		p := kmsg.NewDeleteRecordsRequestTopicPartition()
		p.Partition = partition
		p.Offset = -1 // the high watermark
		t.Partitions = append(t.Partitions, p)
		req.Topics = append(req.Topics, t)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return fmt.Errorf("delete records of %s partition %d: %w", env.Stream, partition, err)
		}
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					return fmt.Errorf("delete records of %s partition %d: %w", env.Stream, rp.Partition, err)
				}
				fmt.Fprintf(env.Progress, "  deleted the records of %s partition %d below offset %d\n", env.Stream, rp.Partition, rp.LowWatermark)
			}
		}
		return nil
	}
}

// DeleteCheckpoint is a Scenario.AfterCrash that deletes every object of
// the job's checkpoint (Env.Prefix + "/checkpoint/"), as a person does to
// "start over": the restarted engine reads the stream again from its
// starting position and writes what it had written before once more, which
// AWS Glue documents as reprocessing.
func DeleteCheckpoint(ctx context.Context, env Env, _ uint64) error {
	c := env.Stack.S3Client()
	prefix := strings.TrimPrefix(env.Prefix, "s3://"+env.Bucket+"/") + "/checkpoint/"
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(env.Bucket), Prefix: aws.String(prefix)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("delete checkpoint: list s3://%s/%s: %w", env.Bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(env.Bucket), Key: obj.Key}); err != nil {
				return fmt.Errorf("delete checkpoint: delete s3://%s/%s: %w", env.Bucket, aws.ToString(obj.Key), err)
			}
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("delete checkpoint: no objects under s3://%s/%s", env.Bucket, prefix)
	}
	fmt.Fprintf(env.Progress, "  deleted the checkpoint: %d objects under s3://%s/%s\n", n, env.Bucket, prefix)
	return nil
}
