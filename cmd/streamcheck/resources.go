package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/twmb/franz-go/pkg/kgo"
	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// Resource kinds a job or an init file names.
const (
	resStream = "stream"
	resTopic  = "topic"
	resBucket = "bucket"
	resTable  = "table"
)

// resource is a stream, topic, bucket or table that must exist, with where
// it was named (a job key, or an init file's entry) for messages.
type resource struct {
	Kind   string
	Name   string
	Key    string // the job key or init file entry that names it
	Shards int    // streams and topics made by create; 0 means 1
	// HashKey and HashKeyType are a table's key (type S, N or B).
	HashKey, HashKeyType string
}

// jobResources lists what job needs before it can run: its Kinesis stream,
// its Kafka topic (when named), and the buckets of its s3:// paths, each
// once, with the first key that names it.
func jobResources(job *engine.Job) []resource {
	var out []resource
	seen := map[string]bool{}
	add := func(r resource) {
		if id := r.Kind + "/" + r.Name; r.Name != "" && !seen[id] {
			seen[id] = true
			out = append(out, r)
		}
	}
	switch job.Source.Kind {
	case engine.KindKafka:
		for t := range strings.SplitSeq(job.Options.TopicName, ",") {
			add(resource{Kind: resTopic, Name: strings.TrimSpace(t), Key: "connectionOptions.topicName"})
		}
	default:
		name := job.Source.StreamName
		if name == "" && job.Source.StreamARN != "" {
			_, name, _ = strings.Cut(job.Source.StreamARN, ":stream/")
		}
		add(resource{Kind: resStream, Name: name, Key: "source.streamName"})
	}
	for _, p := range []struct{ key, path string }{
		{"forEachBatch.checkpointLocation", job.ForEachBatch.CheckpointLocation},
		{"sink.path", job.Sink.Path},
		{"sink.deadLetterPath", job.Sink.DeadLetterPath},
		{"sink.windowsPath", job.Sink.WindowsPath},
	} {
		if rest, ok := strings.CutPrefix(p.path, "s3://"); ok {
			bucket, _, _ := strings.Cut(rest, "/")
			add(resource{Kind: resBucket, Name: bucket, Key: p.key})
		}
	}
	return out
}

// stackClients are the clients ensureResources uses; nil ones are not
// needed by the resources at hand.
type stackClients struct {
	kinesis  *kinesis.Client
	s3       *s3.Client
	dynamodb *dynamodb.Client
	kafka    *kgo.Client
	endpoint string // for messages; "" means AWS
}

// ensureResources checks that every resource exists, creating the missing
// ones when create is set. Without create, a missing one is an error that
// names it, the key that names it and the fix. fix is the advice for a
// missing resource ("run with --create").
func ensureResources(ctx context.Context, cl stackClients, rs []resource, create bool, fix string) error {
	for _, r := range rs {
		if err := ensureResource(ctx, cl, r, create, fix); err != nil {
			return err
		}
	}
	return nil
}

func ensureResource(ctx context.Context, cl stackClients, r resource, create bool, fix string) error {
	pctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var exists bool
	var err error
	switch r.Kind {
	case resStream:
		_, err = cl.kinesis.DescribeStreamSummary(pctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(r.Name)})
		exists = err == nil
		if errorCode(err) == "ResourceNotFoundException" {
			err = nil
		}
		if err == nil && !exists && create {
			err = generators.CreateKinesisStream(pctx, cl.kinesis, clock.Real(), r.Name, int32(max(r.Shards, 1)))
			exists = err == nil
		}
	case resBucket:
		_, err = cl.s3.HeadBucket(pctx, &s3.HeadBucketInput{Bucket: aws.String(r.Name)})
		exists = err == nil
		var nf *s3types.NotFound
		if errors.As(err, &nf) || errorCode(err) == "NotFound" || errorCode(err) == "NoSuchBucket" {
			err = nil
		}
		if err == nil && !exists && create {
			_, err = cl.s3.CreateBucket(pctx, &s3.CreateBucketInput{Bucket: aws.String(r.Name)})
			if code := errorCode(err); code == "BucketAlreadyOwnedByYou" {
				err = nil
			}
			exists = err == nil
		}
	case resTopic:
		if create {
			err = generators.CreateKafkaTopic(pctx, cl.kafka, r.Name, int32(max(r.Shards, 1)))
		} else {
			err = cl.kafka.Ping(pctx)
		}
		exists = err == nil
	case resTable:
		_, err = cl.dynamodb.DescribeTable(pctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.Name)})
		exists = err == nil
		if errorCode(err) == "ResourceNotFoundException" {
			err = nil
		}
		if err == nil && !exists && create {
			typ := ddbtypes.ScalarAttributeType(strings.ToUpper(r.HashKeyType))
			_, err = cl.dynamodb.CreateTable(pctx, &dynamodb.CreateTableInput{
				TableName:            aws.String(r.Name),
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(r.HashKey), AttributeType: typ}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(r.HashKey), KeyType: ddbtypes.KeyTypeHash}},
				BillingMode:          ddbtypes.BillingModePayPerRequest,
			})
			if errorCode(err) == "ResourceInUseException" {
				err = nil
			}
			exists = err == nil
		}
	default:
		return fmt.Errorf("%s: unknown kind of resource %q", r.Key, r.Kind)
	}
	where := cl.endpoint
	if where == "" {
		where = "AWS"
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil && unreachable(err):
		return &debugError{fmt.Sprintf("%s %s (%s): the endpoint %s did not answer (%s): %s",
			r.Kind, r.Name, r.Key, where, plainWords(err), endpointHint(cl.endpoint)), err}
	case err != nil && create:
		return &debugError{fmt.Sprintf("create %s %s (%s) at %s: %s", r.Kind, r.Name, r.Key, where, plainWords(err)), err}
	case err != nil:
		// Any other answer (access denied to the check alone, an
		// endpoint that does not serve it) does not say the resource is
		// missing: the job finds out for itself.
		return nil
	case !exists:
		return fmt.Errorf("%s %s (%s) does not exist at %s: create it, or %s", r.Kind, r.Name, r.Key, where, fix)
	}
	return nil
}

// initFile is the file emulate --init reads: what to create once the
// emulators are up, as LocalStack's init hooks do with awslocal.
//
//	streams: [{name: ventilatorstream, shards: 4}]
//	topics:  [{name: payments, partitions: 3}]
//	buckets: [ventilator-output]
//	tables:  [{name: normal_ranges, hashKey: ventilatorid, hashKeyType: N}]
type initFile struct {
	Streams []struct {
		Name   string `yaml:"name"`
		Shards int    `yaml:"shards"`
	} `yaml:"streams"`
	Topics []struct {
		Name       string `yaml:"name"`
		Partitions int    `yaml:"partitions"`
	} `yaml:"topics"`
	Buckets []string `yaml:"buckets"`
	Tables  []struct {
		Name        string `yaml:"name"`
		HashKey     string `yaml:"hashKey"`
		HashKeyType string `yaml:"hashKeyType"`
	} `yaml:"tables"`
	// Jobs are job files (relative to the init file's directory or
	// absolute) whose streams, topics and buckets are created too.
	Jobs []string `yaml:"jobs"`
}

// loadInitFile reads an init file into the resources it names. An
// unknown key, a wrong type or a missing name is an error naming the file
// and line.
func loadInitFile(path string) ([]resource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f initFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %v (want streams, topics, buckets, tables and jobs; see 'streamcheck help emulate')", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var rs []resource
	for i, s := range f.Streams {
		if s.Name == "" || s.Shards < 0 {
			return nil, fmt.Errorf("%s: streams[%d]: want a name and a number of shards (1 if left out)", path, i)
		}
		rs = append(rs, resource{Kind: resStream, Name: s.Name, Shards: s.Shards, Key: fmt.Sprintf("%s streams[%d]", path, i)})
	}
	for i, t := range f.Topics {
		if t.Name == "" || t.Partitions < 0 {
			return nil, fmt.Errorf("%s: topics[%d]: want a name and a number of partitions (1 if left out)", path, i)
		}
		rs = append(rs, resource{Kind: resTopic, Name: t.Name, Shards: t.Partitions, Key: fmt.Sprintf("%s topics[%d]", path, i)})
	}
	for i, b := range f.Buckets {
		if b == "" {
			return nil, fmt.Errorf("%s: buckets[%d]: want a bucket name", path, i)
		}
		rs = append(rs, resource{Kind: resBucket, Name: b, Key: fmt.Sprintf("%s buckets[%d]", path, i)})
	}
	for i, t := range f.Tables {
		typ := strings.ToUpper(t.HashKeyType)
		if typ == "" {
			typ = "S"
		}
		if t.Name == "" || t.HashKey == "" || (typ != "S" && typ != "N" && typ != "B") {
			return nil, fmt.Errorf("%s: tables[%d]: want a name, a hashKey and a hashKeyType of S (default), N or B", path, i)
		}
		rs = append(rs, resource{Kind: resTable, Name: t.Name, HashKey: t.HashKey, HashKeyType: typ, Key: fmt.Sprintf("%s tables[%d]", path, i)})
	}
	for i, j := range f.Jobs {
		jp := j
		if !strings.HasPrefix(jp, "/") {
			jp = filepath.Join(filepath.Dir(path), jp)
		}
		job, err := engine.LoadJob(jp)
		if err != nil {
			return nil, fmt.Errorf("%s: jobs[%d]: %w", path, i, err)
		}
		rs = append(rs, jobResources(job)...)
	}
	return rs, nil
}
