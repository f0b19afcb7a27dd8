// Command go-consumer is a small Kafka-to-S3 pipeline of the kind teams
// write themselves, here to be tested by streamcheck as a black box: it
// reads a topic in a consumer group with franz-go, writes each poll's
// records to S3 as one JSON-lines object with the AWS SDK, and commits the
// offsets only after the object is written. A kill between the write and
// the commit makes it read those records again and write them a second
// time: it delivers at least once, and `streamcheck scenario run
// --pipeline pipeline.yaml tripwire-after-sink` shows the duplicates.
//
// It takes everything from the environment streamcheck gives a pipeline:
// KAFKA_BOOTSTRAP_SERVERS, STREAMCHECK_TOPIC, STREAMCHECK_BUCKET,
// STREAMCHECK_OUTPUT_PREFIX, AWS_ENDPOINT_URL_S3 and the AWS credentials
// and region. It stops on SIGTERM or SIGINT.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatalf("go-consumer: %v", err)
	}
	log.Print("go-consumer: stopped")
}

func run(ctx context.Context) error {
	need := func(k string) (string, error) {
		v := os.Getenv(k)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set", k)
		}
		return v, nil
	}
	brokers, err := need("KAFKA_BOOTSTRAP_SERVERS")
	if err != nil {
		return err
	}
	topic, err := need("STREAMCHECK_TOPIC")
	if err != nil {
		return err
	}
	bucket, err := need("STREAMCHECK_BUCKET")
	if err != nil {
		return err
	}
	prefix := os.Getenv("STREAMCHECK_OUTPUT_PREFIX")

	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(brokers, ",")...),
		kgo.ConsumerGroup("go-consumer"),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.FetchMaxWait(200*time.Millisecond),
		// A restarted consumer waits for its killed predecessor's session
		// to expire before it is given the partitions.
		kgo.SessionTimeout(6*time.Second),
		kgo.HeartbeatInterval(time.Second),
	)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()

	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	log.Printf("go-consumer: reading %s from %s, writing s3://%s/%s", topic, brokers, bucket, prefix)

	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			log.Printf("go-consumer: fetch: %v", errs[0].Err)
			continue
		}
		recs := fetches.Records()
		if len(recs) == 0 {
			continue
		}
		var body bytes.Buffer
		for _, r := range recs {
			body.Write(bytes.TrimSpace(r.Value))
			body.WriteByte('\n')
		}
		// Not a deterministic name: a second write after a restart adds an
		// object instead of replacing one, hence duplicates.
		key := fmt.Sprintf("%s/part-%d.jsonl", strings.TrimSuffix(prefix, "/"), time.Now().UnixNano())
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body.Bytes())}); err != nil {
			return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
		}
		if err := cl.CommitRecords(ctx, recs...); err != nil {
			return fmt.Errorf("commit offsets: %w", err)
		}
		log.Printf("go-consumer: wrote %d records to s3://%s/%s and committed", len(recs), bucket, key)
	}
}
