package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine"
)

func validJob() *engine.Job {
	j := engine.DefaultJob()
	j.Source.StreamName = "s"
	j.Source.Columns = []engine.Column{{Name: "id", Type: "bigint"}, {Name: "region", Type: "string"}}
	j.ForEachBatch.CheckpointLocation = "/tmp/cp"
	j.Sink.Path = "s3://b/out"
	j.Sink.DeadLetterPath = "s3://b/dlq"
	return j
}

func TestDefaults(t *testing.T) {
	j := engine.DefaultJob()
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"startingPosition", j.Options.StartingPosition, "latest"},
		{"maxFetchTimeInMs", j.Options.MaxFetchTimeInMs, 1000},
		{"maxFetchRecordsPerShard", j.Options.MaxFetchRecordsPerShard, 100000},
		{"maxRecordPerRead", j.Options.MaxRecordPerRead, 10000},
		{"idleTimeBetweenReadsInMs", j.Options.IdleTimeBetweenReadsInMs, 1000},
		{"describeShardInterval", time.Duration(j.Options.DescribeShardInterval), time.Second},
		{"numRetries", j.Options.NumRetries, 3},
		{"retryIntervalMs", j.Options.RetryIntervalMs, 1000},
		{"maxRetryIntervalMs", j.Options.MaxRetryIntervalMs, 10000},
		{"avoidEmptyBatches", j.Options.AvoidEmptyBatches, false},
		{"windowSize", time.Duration(j.ForEachBatch.WindowSize), 100 * time.Second},
		{"batchMaxRetries", j.ForEachBatch.BatchMaxRetries, 3},
		{"compression", j.Sink.Compression, "snappy"},
		{"partitioning", j.Sink.Partitioning, "ingest_time"},
		{"delivery", j.Delivery, "exactly-once"},
	} {
		if tt.got != tt.want {
			t.Errorf("default %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*engine.Job)
		field  string
		value  string // as it appears in the message
		want   string // the expectation, in the message
	}{
		{"delivery", func(j *engine.Job) { j.Delivery = "twice" }, "delivery", `"twice"`, `"exactly-once" or "at-least-once"`},
		{"no stream", func(j *engine.Job) { j.Source.StreamName = "" }, "source.streamName", `""`, "a stream name"},
		{"kind", func(j *engine.Job) { j.Source.Kind = "pubsub" }, "source.kind", `"pubsub"`, `"kinesis" or "kafka"`},
		{"kafka without topic", func(j *engine.Job) { j.Source.Kind = "kafka" }, "connectionOptions.topicName", `""`, "exactly one of topicName, assign and subscribePattern"},
		{"kafka topic and pattern", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.SubscribePattern = "kafka", "t", "t.*"
		}, "connectionOptions.topicName", `"t"`, "exactly one of topicName"},
		{"kafka assign", func(j *engine.Job) { j.Source.Kind, j.Options.Assign = "kafka", `{"t":"0"}` }, "connectionOptions.assign", `"{\"t\":\"0\"}"`, `JSON such as {"topic":[0,1]}`},
		{"kafka pattern", func(j *engine.Job) { j.Source.Kind, j.Options.SubscribePattern = "kafka", "pay(" }, "connectionOptions.subscribePattern", `"pay("`, "a regular expression"},
		{"kafka starting offsets", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.StartingOffsets = "kafka", "t", "oldest"
		}, "connectionOptions.startingOffsets", `"oldest"`, "earliest, latest or JSON"},
		{"kafka starting offsets JSON", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.StartingOffsets = "kafka", "t", `{"t":{"zero":1}}`
		}, "connectionOptions.startingOffsets", `zero`, "earliest, latest or JSON"},
		{"kafka starting timestamp", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.StartingTimestamp = "kafka", "t", "noon"
		}, "connectionOptions.startingTimestamp", `"noon"`, "an RFC 3339 timestamp"},
		{"kafka max offsets", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.MaxOffsetsPerTrigger = "kafka", "t", -5
		}, "connectionOptions.maxOffsetsPerTrigger", "-5", "0 (no cap) or more"},
		{"kafka brokers", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.BootstrapServers = "kafka", "t", "localhost"
		}, "connectionOptions.bootstrap.servers[0]", `"localhost"`, "host:port"},
		{"kafka protocol", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.SecurityProtocol = "kafka", "t", "TLS"
		}, "connectionOptions.security.protocol", `"TLS"`, "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"},
		{"kafka sasl mechanism", func(j *engine.Job) {
			j.Source.Kind, j.Options.TopicName, j.Options.SecurityProtocol, j.Options.SASLUsername, j.Options.SASLMechanism = "kafka", "t", "SASL_SSL", "u", "GSSAPI"
		}, "connectionOptions.sasl.mechanism", `"GSSAPI"`, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"},
		{"column type", func(j *engine.Job) { j.Source.Columns[1].Type = "varchar2" }, "source.columns[1].type", `"varchar2"`, "string, int, bigint"},
		{"struct column type", func(j *engine.Job) { j.Source.Columns[1].Type = "struct<a:int,a:string>" }, "source.columns[1].type", `"struct<a:int,a:string>"`,
			`string, int, bigint, double, float, boolean, timestamp, date, binary, decimal(p,s), struct<name:type,...>, array<T> or map<K,V> (column type "struct<a:int,a:string>": invalid struct type: field "a" appears twice)`},
		{"struct column with csv", func(j *engine.Job) {
			j.Source.Classification, j.Source.Columns[1].Type = "csv", "struct<member0:int,member1:string>"
		}, "source.columns[1].type", `"struct<member0:int,member1:string>"`, "a type other than struct, array or map with classification csv"},
		{"duplicate column", func(j *engine.Job) { j.Source.Columns[1].Name = "id" }, "source.columns[1].name", `"id"`, "a name not used by another column"},
		{"starting position", func(j *engine.Job) { j.Options.StartingPosition = "yesterday" }, "connectionOptions.startingPosition", `"yesterday"`, "latest, trim_horizon, earliest or an RFC 3339 timestamp"},
		{"maxRecordPerRead", func(j *engine.Job) { j.Options.MaxRecordPerRead = 20000 }, "connectionOptions.maxRecordPerRead", "20000", "1 to 10000"},
		{"maxFetchTimeInMs", func(j *engine.Job) { j.Options.MaxFetchTimeInMs = 0 }, "connectionOptions.maxFetchTimeInMs", "0", "a positive number"},
		{"retry intervals", func(j *engine.Job) { j.Options.MaxRetryIntervalMs = 10 }, "connectionOptions.maxRetryIntervalMs", "10", "at least retryIntervalMs"},
		{"window", func(j *engine.Job) { j.ForEachBatch.WindowSize = 0 }, "forEachBatch.windowSize", `"0s"`, "a positive duration"},
		{"checkpoint", func(j *engine.Job) { j.ForEachBatch.CheckpointLocation = "" }, "forEachBatch.checkpointLocation", `""`, "an S3 prefix"},
		{"batchMaxRetries", func(j *engine.Job) { j.ForEachBatch.BatchMaxRetries = 101 }, "forEachBatch.batchMaxRetries", "101", "0 to 100"},
		{"readAheadBytes", func(j *engine.Job) { j.ForEachBatch.ReadAheadBytes = -2 }, "forEachBatch.readAheadBytes", "-2", "-1 (no read-ahead), 0 (during uploads, the default) or a number of bytes"},
		{"compression", func(j *engine.Job) { j.Sink.Compression = "lz4" }, "sink.compression", `"lz4"`, "snappy, gzip, zstd, none"},
		{"format", func(j *engine.Job) { j.Sink.Format = "csv" }, "sink.format", `"csv"`, `"parquet"`},
		{"partitioning", func(j *engine.Job) { j.Sink.Partitioning = "daily" }, "sink.partitioning", `"daily"`, "ingest_time, columns or none"},
		{"partition keys", func(j *engine.Job) { j.Sink.Partitioning = "columns"; j.Sink.PartitionKeys = []string{"nope"} }, "sink.partitionKeys[0]", `"nope"`, "an output column"},
		{"sink scheme", func(j *engine.Job) { j.Sink.Path = "gs://b/out" }, "sink.path", `"gs://b/out"`, "an s3:// URL or a local path"},
		{"no dead letter", func(j *engine.Job) { j.Sink.DeadLetterPath = "" }, "sink.deadLetterPath", `""`, "an S3 prefix or a local directory"},
		{"multipart threshold", func(j *engine.Job) { j.Sink.Multipart.Threshold = 1 << 20 }, "sink.multipart.threshold", "1048576", "0 (the default, 64 MiB) or at least 5242880"},
		{"multipart part below S3's smallest", func(j *engine.Job) { j.Sink.Multipart.Size = 4 << 20 }, "sink.multipart.size", "4194304", "0 (the default, 16 MiB) or 5242880 (5 MiB) to 5368709120 (5 GiB)"},
		{"multipart part above S3's largest", func(j *engine.Job) { j.Sink.Multipart.Size = 6 << 30 }, "sink.multipart.size", "6442450944", "0 (the default, 16 MiB) or 5242880 (5 MiB) to 5368709120 (5 GiB)"},
		{"multipart active blocks", func(j *engine.Job) { j.Sink.Multipart.ActiveBlocks = -1 }, "sink.multipart.activeBlocks", "-1", "0 (the default, 4) to 64"},
		{"mapping type", func(j *engine.Job) {
			j.Transforms.ApplyMapping = []engine.Mapping{{Source: "id", Target: "id", Type: "uuid"}}
		}, "transforms.applyMapping[0].type", `"uuid"`, "a column type"},
	}
	if err := validJob().Validate(); err != nil {
		t.Fatalf("valid job: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.change(j)
			err := j.Validate()
			var fe *engine.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError", err)
			}
			msg := err.Error()
			for _, part := range []string{tt.field + ":", tt.value, "want " + tt.want} {
				if !strings.Contains(msg, part) {
					t.Errorf("Validate = %q, want it to contain %q", msg, part)
				}
			}
		})
	}
}

func TestValidateCompilesExpressions(t *testing.T) {
	j := validJob()
	j.Transforms.Derived = []engine.Derived{{Name: "double_id", Type: "bigint", Expr: "id * "}}
	err := j.Validate()
	if err == nil || !strings.Contains(err.Error(), `derived column "double_id": compile "id * "`) {
		t.Errorf("Validate = %v, want the expression and column named", err)
	}
}

func TestParseJob(t *testing.T) {
	base := "source: {streamName: s}\nforEachBatch: {checkpointLocation: /tmp/cp, windowSize: 2 minutes}\nsink: {path: /tmp/out, deadLetterPath: /tmp/dlq}\n"
	j, err := engine.ParseJob([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(j.ForEachBatch.WindowSize); got != 2*time.Minute {
		t.Errorf("windowSize = %v, want 2m (Glue's \"2 minutes\")", got)
	}
	if j.Options.MaxRecordPerRead != engine.DefaultMaxRecordPerRead {
		t.Errorf("maxRecordPerRead = %d, want the default", j.Options.MaxRecordPerRead)
	}
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown key", base + "connectionOptions:\n  maxRecordsPerRead: 5\n", "line 5: unknown key maxRecordsPerRead"},
		{"bad duration", "forEachBatch:\n  windowSize: soon\n", `forEachBatch.windowSize: line 2: want a duration like "100 seconds" or "100s", got "soon"`},
		{"bad value", strings.Replace(base, "deadLetterPath: /tmp/dlq", "deadLetterPath: /tmp/dlq, compression: brotli", 1), "sink.compression"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.ParseJob([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseJob: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseCrashPoint(t *testing.T) {
	for _, s := range []string{"after-plan", "in-sink:3", "after-sink", "after-commit"} {
		cp, err := engine.ParseCrashPoint(s, 2)
		if err != nil || cp.String() != s || cp.Batch != 2 {
			t.Errorf("ParseCrashPoint(%q) = %v (%+v), %v", s, cp, cp, err)
		}
	}
	for _, s := range []string{"in-sink", "in-sink:x", "after-plan:1", "before-plan"} {
		if _, err := engine.ParseCrashPoint(s, -1); err == nil {
			t.Errorf("ParseCrashPoint(%q) succeeded, want an error", s)
		}
	}
}

func ExampleParseJob() {
	job, err := engine.ParseJob([]byte(`
name: ventilator
source:
  streamName: ventilatorstream
  columns:
    - {name: ventilatorid, type: int}
    - {name: eventtime, type: string}
connectionOptions:
  startingPosition: trim_horizon
forEachBatch:
  windowSize: 100 seconds
  checkpointLocation: s3://ventilator-output/cp/
transforms:
  applyMapping:
    - {source: ventilatorid, target: ventilatorid, type: int}
    - {source: eventtime, target: eventtime, type: timestamp, format: "yyyy-MM-dd HH:mm:ss"}
sink:
  path: s3://ventilator-output/ventilator_metrics
  deadLetterPath: s3://ventilator-output/deadletter
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(job.Name, job.Delivery, time.Duration(job.ForEachBatch.WindowSize), job.Sink.Compression, job.Sink.Partitioning)
	// Output: ventilator exactly-once 1m40s snappy ingest_time
}
