// Command kinesis-kcl is a Kinesis-to-S3 pipeline built on
// vmware-go-kcl-v2, a Go port of the Kinesis Client Library, here to be
// tested by streamcheck as a black box. Like every KCL application it keeps
// a lease and a checkpoint per shard in a DynamoDB table (the application's
// name, created by the library on first start): a worker takes the shards'
// leases, reads each shard from its checkpoint (from the start of the
// stream the first time), writes each batch of records to S3 as one
// JSON-lines object, and only then checkpoints the batch's last sequence
// number. A kill between the write and the checkpoint makes the restarted
// worker read those records again and write them a second time: it
// delivers at least once.
//
// It takes everything from the environment streamcheck gives a pipeline:
// STREAMCHECK_STREAM, STREAMCHECK_BUCKET, STREAMCHECK_OUTPUT_PREFIX,
// AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_DYNAMODB and
// AWS_ENDPOINT_URL_S3 (each falling back to AWS_ENDPOINT_URL), and the AWS
// credentials and region. KCL_TABLE names the lease table (default
// kinesis-kcl) and KCL_WORKER_ID the worker (default kinesis-kcl-1; a
// restarted worker with the same ID takes its leases back at once instead
// of waiting for them to expire). It stops on SIGTERM or SIGINT.
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	kclconfig "github.com/vmware/vmware-go-kcl-v2/clientlibrary/config"
	kcl "github.com/vmware/vmware-go-kcl-v2/clientlibrary/interfaces"
	"github.com/vmware/vmware-go-kcl-v2/clientlibrary/worker"
	"github.com/vmware/vmware-go-kcl-v2/logger"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("kinesis-kcl: %v", err)
	}
	log.Print("kinesis-kcl: stopped")
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	need := func(k string) (string, error) {
		v := os.Getenv(k)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set", k)
		}
		return v, nil
	}
	stream, err := need("STREAMCHECK_STREAM")
	if err != nil {
		return err
	}
	bucket, err := need("STREAMCHECK_BUCKET")
	if err != nil {
		return err
	}
	region := or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
	prefix := strings.Trim(os.Getenv("STREAMCHECK_OUTPUT_PREFIX"), "/")
	table := or(os.Getenv("KCL_TABLE"), "kinesis-kcl")
	workerID := or(os.Getenv("KCL_WORKER_ID"), "kinesis-kcl-1")
	endpoint := os.Getenv("AWS_ENDPOINT_URL")

	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	kc := kclconfig.NewKinesisClientLibConfig(table, stream, region, workerID).
		WithTableName(table).
		WithInitialPositionInStream(kclconfig.TRIM_HORIZON).
		WithKinesisEndpoint(or(os.Getenv("AWS_ENDPOINT_URL_KINESIS"), endpoint)).
		WithDynamoDBEndpoint(or(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"), endpoint)).
		// The library's defaults suit a long-lived worker: a shard sync
		// (and at most one new lease) a minute. A test wants the leases
		// taken within a second or two.
		WithShardSyncIntervalMillis(400).
		WithIdleTimeBetweenReadsInMillis(200).
		WithMaxRecords(500).
		WithLogger(stdLogger{})
	w := worker.NewWorker(factory{s3: s3c, bucket: bucket, prefix: prefix}, kc)
	log.Printf("kinesis-kcl: worker %s reading %s with leases in DynamoDB table %s, writing s3://%s/%s", workerID, stream, table, bucket, prefix)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start the worker: %w", err)
	}
	<-ctx.Done()
	w.Shutdown()
	return nil
}

// factory makes one processor per shard lease.
type factory struct {
	s3     *s3.Client
	bucket string
	prefix string
}

func (f factory) CreateProcessor() kcl.IRecordProcessor {
	return &processor{s3: f.s3, bucket: f.bucket, prefix: f.prefix}
}

// processor writes each batch of a shard's records to S3, then checkpoints
// the batch.
type processor struct {
	s3     *s3.Client
	bucket string
	prefix string
	shard  string
}

func (p *processor) Initialize(in *kcl.InitializationInput) {
	p.shard = in.ShardId
	log.Printf("kinesis-kcl: %s: reading after checkpoint %q", p.shard, aws.ToString(in.ExtendedSequenceNumber.SequenceNumber))
}

func (p *processor) ProcessRecords(in *kcl.ProcessRecordsInput) {
	if len(in.Records) == 0 {
		return
	}
	var body bytes.Buffer
	for _, r := range in.Records {
		body.Write(bytes.TrimSpace(r.Data))
		body.WriteByte('\n')
	}
	first, last := aws.ToString(in.Records[0].SequenceNumber), aws.ToString(in.Records[len(in.Records)-1].SequenceNumber)
	// Named by the shard, the batch's first record and the time of the
	// write: a batch read again after a restart is written again as an
	// object of its own, as most consumers do, hence duplicates.
	key := fmt.Sprintf("%s/%s/%s-%d.jsonl", p.prefix, p.shard, first, time.Now().UnixNano())
	if err := p.put(key, body.Bytes()); err != nil {
		// Not checkpointed: the records are read again after a restart.
		log.Printf("kinesis-kcl: %s: %v", p.shard, err)
		return
	}
	if err := in.Checkpointer.Checkpoint(aws.String(last)); err != nil {
		log.Printf("kinesis-kcl: %s: checkpoint %s: %v", p.shard, last, err)
		return
	}
	log.Printf("kinesis-kcl: %s: wrote %d records to s3://%s/%s, checkpointed %s", p.shard, len(in.Records), p.bucket, key, last)
}

// put writes an object, retrying for a while: the SDK's own retries give
// up after three attempts of a 503.
func (p *processor) put(key string, body []byte) error {
	var err error
	for attempt := range 8 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		_, err = p.s3.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(p.bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		})
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("put s3://%s/%s: %w", p.bucket, key, err)
}

func (p *processor) Shutdown(in *kcl.ShutdownInput) {
	if in.ShutdownReason == kcl.TERMINATE {
		// The shard is closed and read to its end: a nil checkpoint
		// records SHARD_END, so its children can be read.
		if err := in.Checkpointer.Checkpoint(nil); err != nil {
			log.Printf("kinesis-kcl: %s: checkpoint the shard's end: %v", p.shard, err)
		}
	}
}

func or(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// stdLogger is the library's logger on the standard log package, errors
// and warnings only.
type stdLogger struct{}

func (stdLogger) Debugf(string, ...any)                    {}
func (stdLogger) Infof(string, ...any)                     {}
func (stdLogger) Warnf(format string, args ...any)         { log.Printf("kcl: warn: "+format, args...) }
func (stdLogger) Errorf(format string, args ...any)        { log.Printf("kcl: error: "+format, args...) }
func (stdLogger) Fatalf(format string, args ...any)        { log.Fatalf("kcl: "+format, args...) }
func (stdLogger) Panicf(format string, args ...any)        { log.Panicf("kcl: "+format, args...) }
func (l stdLogger) WithFields(logger.Fields) logger.Logger { return l }
