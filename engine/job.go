package engine

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/interval"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/engine/transform"
)

// Defaults, with Glue's names and values where Glue has the option.
const (
	DefaultStartingPosition         = "latest"
	DefaultMaxFetchTimeInMs         = 1000
	DefaultMaxFetchRecordsPerShard  = 100000
	DefaultMaxRecordPerRead         = 10000
	DefaultIdleTimeBetweenReadsInMs = 1000
	DefaultDescribeShardInterval    = time.Second
	DefaultNumRetries               = 3
	DefaultRetryIntervalMs          = 1000
	DefaultMaxRetryIntervalMs       = 10000
	DefaultWindowSize               = 100 * time.Second
	DefaultBatchMaxRetries          = 3
	DefaultCompression              = "snappy"
	DefaultFormat                   = "parquet"
	DefaultClassification           = "json"
	DefaultPartitioning             = PartitionByIngestTime
	DefaultDelivery                 = ExactlyOnce
	DefaultStartingOffsets          = "latest"
	DefaultPollTimeoutMs            = 512
)

// Source kinds.
const (
	KindKinesis = "kinesis"
	KindKafka   = "kafka"
)

// Delivery modes.
const (
	ExactlyOnce = "exactly-once"
	AtLeastOnce = "at-least-once"
)

// Partitioning modes.
const (
	PartitionByIngestTime = "ingest_time"
	PartitionByColumns    = "columns"
	PartitionNone         = "none"
)

// Job is a streaming ETL job: a source table on a stream, Glue connection
// options, forEachBatch options, transforms and a sink. Build one with
// DefaultJob (or LoadJob / ParseJob, which start from the defaults) and call
// Validate before use; New does.
type Job struct {
	// Name names the job in the checkpoint's metadata and in logs.
	Name string `yaml:"name"`
	// Delivery is "exactly-once" (default) or "at-least-once".
	Delivery     string            `yaml:"delivery"`
	Source       Source            `yaml:"source"`
	Options      ConnectionOptions `yaml:"connectionOptions"`
	ForEachBatch ForEachBatch      `yaml:"forEachBatch"`
	Transforms   Transforms        `yaml:"transforms"`
	// Aggregate, when set, joins each batch with a reference table, grades
	// each reading (RED, ORANGE, GREEN) and averages the readings per key
	// over sliding windows; the joined rows replace the plain rows in
	// sink.path and the closed windows go to sink.windowsPath. Keys left out
	// take aggregate.DefaultConfig's values. It needs declared columns: a
	// job with an inferred schema cannot join, as in Glue.
	Aggregate *aggregate.Config `yaml:"aggregate"`
	Sink      Sink              `yaml:"sink"`
}

// Source is the catalog table over the stream.
type Source struct {
	// Kind is the stream type: "kinesis" (default) or "kafka".
	Kind     string `yaml:"kind"`
	Database string `yaml:"database"`
	Table    string `yaml:"table"`
	// Classification is the record format: json (default), csv, avro or
	// grok, with Glue's format options below.
	Classification string `yaml:"classification"`
	// Delimiter separates CSV fields (one character, default ",").
	Delimiter string `yaml:"delimiter"`
	// WithHeader: each CSV payload is a header line then the record,
	// mapped to columns by name. SkipFirst: the first line is discarded.
	WithHeader bool `yaml:"withHeader"`
	SkipFirst  bool `yaml:"skipFirst"`
	// AvroSchema is the Avro writer schema (JSON) of every payload; empty
	// means each payload is an Avro container carrying its schema. With it
	// and no columns, the columns come from the schema.
	AvroSchema string `yaml:"avroSchema"`
	// GrokPattern (required for grok) and GrokCustomPatterns ("NAME
	// PATTERN" lines) parse log lines; named captures fill the columns.
	GrokPattern        string `yaml:"grokPattern"`
	GrokCustomPatterns string `yaml:"grokCustomPatterns"`
	// InferSchema infers the schema from each batch (json only); it is
	// implied when no columns are given.
	InferSchema bool `yaml:"inferSchema"`
	// StreamName or StreamARN names the Kinesis stream. A Kafka source
	// names its topics in connectionOptions (topicName, assign or
	// subscribePattern).
	StreamName string `yaml:"streamName"`
	StreamARN  string `yaml:"streamARN"`
	// Endpoint overrides the Kinesis endpoint (else AWS_ENDPOINT_URL or AWS).
	Endpoint string `yaml:"endpoint"`
	// EndpointURL is Glue's endpointUrl, the same setting under Glue's
	// name (Glue's default is https://kinesis.us-east-1.amazonaws.com; empty
	// here means AWS_ENDPOINT_URL, else AWS). Set at most one of Endpoint and
	// EndpointURL, or both to the same URL. An AWS Kinesis endpoint's host
	// (kinesis.REGION.amazonaws.com) gives the region when neither Region nor
	// StreamARN does.
	EndpointURL string `yaml:"endpointUrl"`
	// Region is the stream's region; empty: the region of StreamARN, else of
	// EndpointURL, else AWS_REGION.
	Region string `yaml:"region"`
	// Columns is the table's schema; none means infer it per batch.
	Columns []Column `yaml:"columns"`
}

// Column is one table column with a Glue type name.
type Column struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	Required bool   `yaml:"required"`
}

// ConnectionOptions are Glue's Kinesis connection options, same names.
type ConnectionOptions struct {
	// StartingPosition is latest (default), trim_horizon, earliest, or an
	// RFC 3339 UTC timestamp.
	StartingPosition         string   `yaml:"startingPosition"`
	MaxFetchTimeInMs         int      `yaml:"maxFetchTimeInMs"`
	MaxFetchRecordsPerShard  int      `yaml:"maxFetchRecordsPerShard"`
	MaxRecordPerRead         int      `yaml:"maxRecordPerRead"`
	AddIdleTimeBetweenReads  bool     `yaml:"addIdleTimeBetweenReads"`
	IdleTimeBetweenReadsInMs int      `yaml:"idleTimeBetweenReadsInMs"`
	DescribeShardInterval    Duration `yaml:"describeShardInterval"`
	NumRetries               int      `yaml:"numRetries"`
	RetryIntervalMs          int      `yaml:"retryIntervalMs"`
	MaxRetryIntervalMs       int      `yaml:"maxRetryIntervalMs"`
	AvoidEmptyBatches        bool     `yaml:"avoidEmptyBatches"`
	AddRecordTimestamp       bool     `yaml:"addRecordTimestamp"`
	EmitConsumerLagMetrics   bool     `yaml:"emitConsumerLagMetrics"`
	// FailOnDataLoss stops the job with an error naming the shard or
	// partition and the range when retention removed records before they
	// were read; false (default) continues from the earliest available
	// record, logs a warning and records the range in the plan's data_loss.
	FailOnDataLoss bool `yaml:"failOnDataLoss"`
	// AWSSTSRoleARN is Glue's awsSTSRoleARN: a role (in this or another
	// account) the job assumes through STS for every Kinesis call, reads and
	// writes, refreshing its credentials before they expire. Set with
	// AWSSTSSessionName. S3, DynamoDB and STS itself use the job's own
	// credentials.
	AWSSTSRoleARN string `yaml:"awsSTSRoleARN"`
	// AWSSTSSessionName is Glue's awsSTSSessionName, the role session's
	// name (2 to 64 of letters, digits and +=,.@_-). Set with AWSSTSRoleARN.
	AWSSTSSessionName string `yaml:"awsSTSSessionName"`
	// AWSSTSEndpoint is Glue's awsSTSEndpoint, the STS endpoint AssumeRole
	// goes to (a regional one, say); empty: AWS_ENDPOINT_URL_STS or
	// AWS_ENDPOINT_URL, else AWS's.
	AWSSTSEndpoint string `yaml:"awsSTSEndpoint"`
	// FanoutConsumerARN is Glue's fanoutConsumerARN: the ARN of a
	// registered stream consumer (RegisterStreamConsumer) to read through
	// with enhanced fan-out (SubscribeToShard) instead of polling
	// GetRecords, with the same guarantees. Empty: polling.
	FanoutConsumerARN string `yaml:"fanoutConsumerARN"`

	// Kafka options (source.kind: kafka), with Glue's names. Exactly one of
	// TopicName, Assign and SubscribePattern is set.
	TopicName string `yaml:"topicName"`
	// Assign is JSON naming partitions: {"topic":[0,1]}.
	Assign string `yaml:"assign"`
	// SubscribePattern is a regular expression matched against whole topic
	// names; topics created while the job runs are picked up.
	SubscribePattern string `yaml:"subscribePattern"`
	// StartingOffsets is earliest, latest (default) or JSON per partition,
	// {"topic":{"0":23,"1":-2}} with -2 earliest and -1 latest (a partition
	// not named starts at latest). Partitions added later start at earliest.
	StartingOffsets string `yaml:"startingOffsets"`
	// StartingTimestamp (RFC 3339) overrides startingOffsets: each partition
	// starts at its first record at or after it.
	StartingTimestamp string `yaml:"startingTimestamp"`
	// MaxOffsetsPerTrigger caps the offsets a batch reads (0: no cap), split
	// across partitions in proportion to their backlog.
	MaxOffsetsPerTrigger int64 `yaml:"maxOffsetsPerTrigger"`
	// IncludeHeaders adds a "headers" column: the record's headers as a JSON
	// array of {"key","value"} objects (Glue's is an array of structs).
	IncludeHeaders bool `yaml:"includeHeaders"`
	// PollTimeoutMs bounds one fetch (default 512).
	PollTimeoutMs int `yaml:"pollTimeoutMs"`
	// BootstrapServers is "host:port,host:port"; when empty, streamcheck run
	// takes STREAMCHECK_KAFKA_BROKERS.
	BootstrapServers string `yaml:"bootstrap.servers"`
	// SecurityProtocol is PLAINTEXT (default), SSL, SASL_PLAINTEXT or
	// SASL_SSL.
	SecurityProtocol string `yaml:"security.protocol"`
	// SASLMechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (Glue's
	// KAFKA_SASL_MECHANISM), with SASLUsername and SASLPassword (Glue's
	// KAFKA_SASL_PLAIN_* or KAFKA_SASL_SCRAM_* properties).
	SASLMechanism string `yaml:"sasl.mechanism"`
	SASLUsername  string `yaml:"sasl.username"`
	SASLPassword  string `yaml:"sasl.password"`
	// SSLCALocation is a PEM file of CA certificates to trust (Glue's
	// KAFKA_CUSTOM_CERT, a local file here); empty trusts the system's.
	SSLCALocation string `yaml:"ssl.ca.location"`
	// SSLSkipValidation skips server certificate checks (Glue's
	// KAFKA_SKIP_CUSTOM_CERT_VALIDATION).
	SSLSkipValidation bool `yaml:"ssl.skipValidation"`
}

// ForEachBatch are the options of glueContext.forEachBatch.
type ForEachBatch struct {
	// WindowSize is the batch interval: "100 seconds" (Glue's form) or a Go
	// duration such as "100s".
	WindowSize Duration `yaml:"windowSize"`
	// CheckpointLocation is an S3 prefix or a local directory.
	CheckpointLocation string `yaml:"checkpointLocation"`
	// BatchMaxRetries is how often a failed batch is retried (0..100), with
	// Glue's 1 s, 2 s, then 5 s backoff.
	BatchMaxRetries int `yaml:"batchMaxRetries"`
	// LeaseTimeout is how long the checkpoint lease lasts without renewal;
	// 0 means 2 × WindowSize + 1 minute.
	LeaseTimeout Duration `yaml:"leaseTimeout"`
	// ReadAheadBytes says when the engine reads the next batch before the
	// current one is committed: at most one batch ahead, itself bounded by
	// the source's caps (maxFetchRecordsPerShard, maxOffsetsPerTrigger).
	// The batch read ahead is only in memory until it is planned after the
	// current batch's commit; a crash or a failed batch discards it.
	//
	// By default (0), once the current batch's objects are encoded, so
	// that its rows are let go, the next batch is read while the objects
	// upload and the batch commits, if the current batch's window is
	// over (the next batch would start at once): the peak heap stays that
	// of one batch. A positive value also reads it from the current
	// batch's plan on, through the whole write, when the batch's payloads
	// hold at most this many bytes: parts of two batches are then held at
	// once. -1 reads each batch after the previous one's commit.
	ReadAheadBytes int64 `yaml:"readAheadBytes"`
}

// Transforms are applied to each decoded record in order: mappings, derived
// columns, filter.
type Transforms struct {
	ApplyMapping []Mapping `yaml:"applyMapping"`
	Derived      []Derived `yaml:"derived"`
	// Filter is a boolean expr-lang expression over the mapped and derived
	// columns; records for which it is false are dropped.
	Filter string `yaml:"filter"`
}

// Mapping is an ApplyMapping entry. Format applies to string → timestamp or
// date casts: a Java pattern ("yyyy-MM-dd HH:mm:ss") or a Go layout.
type Mapping struct {
	Source string `yaml:"source"`
	Target string `yaml:"target"`
	Type   string `yaml:"type"`
	Format string `yaml:"format"`
}

// Derived is a column computed by an expr-lang expression.
type Derived struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
	Expr string `yaml:"expr"`
}

// Sink is where output and dead letters go.
type Sink struct {
	// Kind is "" (default: Parquet objects under Path) or "kinesis" (JSON
	// records to a Kinesis stream, with Glue's write options in Kinesis).
	Kind string `yaml:"kind"`
	// Path is an S3 prefix or a local directory; empty with kind kinesis.
	Path string `yaml:"path"`
	// Kinesis holds the stream and Glue's write options of a Kinesis sink.
	Kinesis KinesisSink `yaml:",inline"`
	// Format is "parquet", the one supported.
	Format string `yaml:"format"`
	// Compression is snappy (default), gzip, zstd or none.
	Compression string `yaml:"compression"`
	// Partitioning is ingest_time (default), columns (PartitionKeys) or none.
	Partitioning  string   `yaml:"partitioning"`
	PartitionKeys []string `yaml:"partitionKeys"`
	// DeadLetterPath is an S3 prefix or local directory; required.
	DeadLetterPath string `yaml:"deadLetterPath"`
	// Endpoint overrides the S3 endpoint (else AWS_ENDPOINT_URL or AWS).
	Endpoint string `yaml:"endpoint"`
	Region   string `yaml:"region"`
	// ForcePathStyle addresses buckets as endpoint/bucket; it is implied when
	// an endpoint is set.
	ForcePathStyle bool `yaml:"forcePathStyle"`
	// WindowsPath is an S3 prefix or a local directory for the windows an
	// aggregating job closes, one Parquet object per batch that closes any;
	// with aggregate, it or WindowsTable (or both) is required, and only
	// then.
	WindowsPath string `yaml:"windowsPath"`
	// WindowsTable writes an aggregating job's windows to a DynamoDB table,
	// one item per device and window, in Spark's update output mode by
	// default (see sink.WindowTable); only with aggregate.
	WindowsTable *sink.WindowTableConfig `yaml:"windowsTable"`
	// Parquet holds the Parquet writer's settings, named as Spark and
	// parquet-mr name them; every one defaults to what Glue 4.0 writes.
	Parquet ParquetOptions `yaml:"parquet"`
	// Multipart says when objects written to S3 (output, windows, dead
	// letters) go as multipart uploads, and how.
	Multipart MultipartOptions `yaml:"multipart"`
}

// Defaults of MultipartOptions.
const (
	// DefaultMultipartThreshold is the object size from which the S3 sink
	// uploads in parts: 64 MiB.
	DefaultMultipartThreshold = 64 << 20
	// DefaultMultipartSize is the part size: 16 MiB.
	DefaultMultipartSize = 16 << 20
	// DefaultMultipartActiveBlocks is the parts of one object uploaded at
	// once: 4.
	DefaultMultipartActiveBlocks = 4
)

// MultipartOptions is the sink.multipart block, named after the Hadoop S3A
// settings a Glue job tunes (fs.s3a.multipart.*). An object of Threshold
// bytes or more is uploaded in parts of Size bytes, ActiveBlocks of them at
// once; it appears under its planned name only when the upload completes,
// so a crash mid-upload leaves no object (and the replay uploads it again),
// and a failed upload is aborted. Zero values mean the defaults; local
// output ignores the block.
type MultipartOptions struct {
	// Threshold is fs.s3a.multipart.threshold: the object size in bytes
	// from which uploads go in parts; default 67108864 (64 MiB), at least
	// 5242880 (5 MiB, S3's smallest part).
	Threshold int64 `yaml:"threshold"`
	// Size is fs.s3a.multipart.size: the part size in bytes; default
	// 16777216 (16 MiB), from 5 MiB to 5 GiB (S3's limits). It grows for
	// an object that would need more than S3's 10,000 parts.
	Size int64 `yaml:"size"`
	// ActiveBlocks is fs.s3a.fast.upload.active.blocks: how many parts of
	// one object are uploaded at once; default 4, at most 64.
	ActiveBlocks int `yaml:"activeBlocks"`
}

// multipart returns the sink's multipart settings, defaults filled in.
func (s Sink) multipart() blob.Multipart {
	m := s.Multipart
	return blob.Multipart{
		Threshold:   cmp.Or(m.Threshold, DefaultMultipartThreshold),
		PartSize:    cmp.Or(m.Size, DefaultMultipartSize),
		Concurrency: cmp.Or(m.ActiveBlocks, DefaultMultipartActiveBlocks),
	}
}

// useMultipart sets the sink's multipart settings on those of stores that
// are in S3 (the checkpoint's small files never go in parts).
func (s Sink) useMultipart(stores ...blob.Store) {
	for _, st := range stores {
		if s3, ok := st.(*blob.S3); ok {
			s3.Multipart = s.multipart()
		}
	}
}

// validateMultipart names each bad value of sink.multipart.
func (s Sink) validateMultipart(bad func(field string, v any, want string)) {
	m := s.Multipart
	if m.Threshold != 0 && m.Threshold < blob.MinPartSize {
		bad("sink.multipart.threshold", m.Threshold, "0 (the default, 64 MiB) or at least 5242880 (5 MiB, S3's smallest part)")
	}
	if m.Size != 0 && (m.Size < blob.MinPartSize || m.Size > blob.MaxPartSize) {
		bad("sink.multipart.size", m.Size, "0 (the default, 16 MiB) or 5242880 (5 MiB) to 5368709120 (5 GiB), S3's part sizes")
	}
	if m.ActiveBlocks < 0 || m.ActiveBlocks > 64 {
		bad("sink.multipart.activeBlocks", m.ActiveBlocks, "0 (the default, 4) to 64")
	}
}

// ParquetOptions is the sink.parquet block: the knobs of Spark's Parquet
// writer. Zero values mean the defaults in package sink (sink.Default*).
type ParquetOptions struct {
	// OutputTimestampType is spark.sql.parquet.outputTimestampType: INT96
	// (default, Spark's and so Glue's), TIMESTAMP_MICROS or
	// TIMESTAMP_MILLIS (INT64 with isAdjustedToUTC=true).
	OutputTimestampType string `yaml:"outputTimestampType"`
	// WriterVersion is parquet.writer.version: v1 (default: version 1 data
	// pages, PLAIN and dictionary encodings) or v2.
	WriterVersion string `yaml:"writerVersion"`
	// EnableDictionary is parquet.enable.dictionary; default true.
	EnableDictionary *bool `yaml:"enableDictionary"`
	// BlockSize is parquet.block.size, the row group size in bytes;
	// default 134217728 (128 MiB).
	BlockSize int64 `yaml:"blockSize"`
	// PageSize is parquet.page.size in bytes; default 1048576 (1 MiB).
	PageSize int `yaml:"pageSize"`
	// DictionaryPageSize is parquet.dictionary.page.size in bytes, past
	// which a column chunk falls back to PLAIN; default 1048576 (1 MiB).
	DictionaryPageSize int64 `yaml:"dictionaryPageSize"`
}

// parquetConfig returns the sink's writer settings.
func (s Sink) parquetConfig() sink.ParquetConfig {
	p := s.Parquet
	return sink.ParquetConfig{
		Codec:               s.Compression,
		OutputTimestampType: p.OutputTimestampType,
		WriterVersion:       p.WriterVersion,
		DisableDictionary:   p.EnableDictionary != nil && !*p.EnableDictionary,
		BlockSize:           p.BlockSize,
		PageSize:            p.PageSize,
		DictionaryPageSize:  p.DictionaryPageSize,
	}
}

// DefaultJob returns a Job with every default filled in.
func DefaultJob() *Job {
	return &Job{
		Delivery: DefaultDelivery,
		Source:   Source{Kind: KindKinesis, Classification: DefaultClassification},
		Options: ConnectionOptions{
			StartingPosition:         DefaultStartingPosition,
			MaxFetchTimeInMs:         DefaultMaxFetchTimeInMs,
			MaxFetchRecordsPerShard:  DefaultMaxFetchRecordsPerShard,
			MaxRecordPerRead:         DefaultMaxRecordPerRead,
			IdleTimeBetweenReadsInMs: DefaultIdleTimeBetweenReadsInMs,
			DescribeShardInterval:    Duration(DefaultDescribeShardInterval),
			NumRetries:               DefaultNumRetries,
			RetryIntervalMs:          DefaultRetryIntervalMs,
			MaxRetryIntervalMs:       DefaultMaxRetryIntervalMs,
			StartingOffsets:          DefaultStartingOffsets,
			PollTimeoutMs:            DefaultPollTimeoutMs,
		},
		ForEachBatch: ForEachBatch{WindowSize: Duration(DefaultWindowSize), BatchMaxRetries: DefaultBatchMaxRetries},
		Sink:         Sink{Format: DefaultFormat, Compression: DefaultCompression, Partitioning: DefaultPartitioning},
	}
}

// LoadJob reads and validates a job file.
func LoadJob(path string) (*Job, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("job: read %s: %w", path, err)
	}
	j, err := ParseJob(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A reference table ships beside its job file, so a relative path is
	// relative to the job file, not to where the job is started from.
	// Output, dead-letter and checkpoint paths stay relative to the
	// working directory, as in Spark.
	if a := j.Aggregate; a != nil && a.Reference.Path != "" && !strings.Contains(a.Reference.Path, "://") && !filepath.IsAbs(a.Reference.Path) {
		a.Reference.Path = filepath.Join(filepath.Dir(path), a.Reference.Path)
	}
	return j, nil
}

// ParseJob decodes a job from YAML on top of DefaultJob and validates it.
// Unknown keys are errors that name the key and its line.
func ParseJob(data []byte) (*Job, error) {
	j := DefaultJob()
	// An aggregate section starts from aggregate.DefaultConfig, so the keys
	// it leaves out take their defaults (the strict decoder below fills a
	// non-nil pointer in place).
	var probe struct {
		Aggregate yaml.Node `yaml:"aggregate"`
	}
	if yaml.Unmarshal(data, &probe) == nil && probe.Aggregate.Kind == yaml.MappingNode {
		c := aggregate.DefaultConfig()
		j.Aggregate = &c
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(j); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("job: parse: %s", keyedDecodeError(data, err))
	}
	if err := j.Validate(); err != nil {
		return nil, err
	}
	return j, nil
}

// FieldError is a Validate error: the field (as in the YAML), its value and
// what was expected.
type FieldError struct {
	Field string
	Value any
	Want  string
}

// Error names the field, the value and what was expected.
func (e *FieldError) Error() string {
	return fmt.Sprintf("job: %s: %#v is not valid; want %s", e.Field, e.Value, e.Want)
}

// Validate checks the job and returns every problem, joined; each is a
// *FieldError.
func (j *Job) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Want: want})
	}
	if j.Delivery != ExactlyOnce && j.Delivery != AtLeastOnce {
		bad("delivery", j.Delivery, `"exactly-once" or "at-least-once"`)
	}
	switch j.Source.Kind {
	case KindKinesis:
		if j.Source.StreamName == "" && j.Source.StreamARN == "" {
			bad("source.streamName", j.Source.StreamName, "a stream name (or source.streamARN)")
		}
		errs = append(errs, j.Source.validateKinesisTarget()...)
	case KindKafka:
		errs = append(errs, j.Options.validateKafka()...)
	default:
		bad("source.kind", j.Source.Kind, `"kinesis" or "kafka"`)
	}
	errs = append(errs, j.Source.validateFormat()...)
	seen := map[string]bool{}
	for i, c := range j.Source.Columns {
		f := fmt.Sprintf("source.columns[%d]", i)
		if c.Name == "" {
			bad(f+".name", c.Name, "a column name")
		}
		if seen[c.Name] {
			bad(f+".name", c.Name, "a name not used by another column")
		}
		seen[c.Name] = true
		t, err := record.ParseType(c.Type)
		switch cl := strings.ToLower(j.Source.Classification); {
		case err != nil:
			want := record.TypeNames
			if strings.Contains(strings.ToLower(c.Type), "<") {
				want += " (" + err.Error() + ")"
			}
			bad(f+".type", c.Type, want)
		case t.Nested() && (cl == record.CSV || cl == record.Grok):
			bad(f+".type", c.Type, "a type other than struct, array or map with classification "+cl+" (its fields are text; nested columns need json or avro)")
		}
	}
	o := j.Options
	if _, err := startingPosition(o.StartingPosition); err != nil {
		bad("connectionOptions.startingPosition", o.StartingPosition, "latest, trim_horizon, earliest or an RFC 3339 timestamp")
	}
	positive := func(field string, v int) {
		if v <= 0 {
			bad(field, v, "a positive number")
		}
	}
	positive("connectionOptions.maxFetchTimeInMs", o.MaxFetchTimeInMs)
	positive("connectionOptions.maxFetchRecordsPerShard", o.MaxFetchRecordsPerShard)
	if o.MaxRecordPerRead <= 0 || o.MaxRecordPerRead > 10000 {
		bad("connectionOptions.maxRecordPerRead", o.MaxRecordPerRead, "1 to 10000 (the GetRecords limit)")
	}
	if o.IdleTimeBetweenReadsInMs < 0 {
		bad("connectionOptions.idleTimeBetweenReadsInMs", o.IdleTimeBetweenReadsInMs, "0 or more")
	}
	if o.DescribeShardInterval < 0 {
		bad("connectionOptions.describeShardInterval", o.DescribeShardInterval.String(), "0 or more")
	}
	if o.NumRetries < 0 {
		bad("connectionOptions.numRetries", o.NumRetries, "0 or more")
	}
	positive("connectionOptions.retryIntervalMs", o.RetryIntervalMs)
	if o.MaxRetryIntervalMs < o.RetryIntervalMs {
		bad("connectionOptions.maxRetryIntervalMs", o.MaxRetryIntervalMs, "at least retryIntervalMs")
	}
	errs = append(errs, j.validateSTS()...)
	errs = append(errs, j.validateFanout()...)
	f := j.ForEachBatch
	if f.WindowSize <= 0 {
		bad("forEachBatch.windowSize", f.WindowSize.String(), "a positive duration such as \"100 seconds\"")
	}
	if f.CheckpointLocation == "" {
		bad("forEachBatch.checkpointLocation", f.CheckpointLocation, "an S3 prefix (s3://bucket/prefix) or a local directory")
	}
	if f.BatchMaxRetries < 0 || f.BatchMaxRetries > 100 {
		bad("forEachBatch.batchMaxRetries", f.BatchMaxRetries, "0 to 100")
	}
	if f.ReadAheadBytes < -1 {
		bad("forEachBatch.readAheadBytes", f.ReadAheadBytes, "-1 (no read-ahead), 0 (during uploads, the default) or a number of bytes")
	}
	if f.LeaseTimeout < 0 || (f.LeaseTimeout > 0 && f.LeaseTimeout <= f.WindowSize) {
		bad("forEachBatch.leaseTimeout", f.LeaseTimeout.String(), "0 (automatic) or longer than windowSize")
	}
	s := j.Sink
	if s.Path == "" && s.Kind != SinkKinesis {
		bad("sink.path", s.Path, "an S3 prefix (s3://bucket/prefix) or a local directory")
	}
	if s.DeadLetterPath == "" {
		bad("sink.deadLetterPath", s.DeadLetterPath, "an S3 prefix or a local directory")
	}
	if s.Format != "parquet" && s.Kind != SinkKinesis {
		bad("sink.format", s.Format, `"parquet"`)
	}
	errs = append(errs, j.validateKinesisSink()...)
	if !slices.Contains(sink.Codecs, s.Compression) {
		bad("sink.compression", s.Compression, strings.Join(sink.Codecs, ", "))
	}
	if err := s.parquetConfig().Validate(); err != nil {
		bad("sink.parquet", s.Parquet, err.Error())
	}
	s.validateMultipart(bad)
	switch s.Partitioning {
	case PartitionByIngestTime, PartitionNone:
		if len(s.PartitionKeys) > 0 {
			bad("sink.partitionKeys", s.PartitionKeys, `none unless sink.partitioning is "columns"`)
		}
	case PartitionByColumns:
		if len(s.PartitionKeys) == 0 {
			bad("sink.partitionKeys", s.PartitionKeys, "at least one column")
		}
	default:
		bad("sink.partitioning", s.Partitioning, "ingest_time, columns or none")
	}
	for _, loc := range []struct{ field, v string }{{"forEachBatch.checkpointLocation", f.CheckpointLocation}, {"sink.path", s.Path}, {"sink.deadLetterPath", s.DeadLetterPath}} {
		if strings.Contains(loc.v, "://") && !blob.IsS3(loc.v) && !strings.HasPrefix(loc.v, "file://") {
			bad(loc.field, loc.v, "an s3:// URL or a local path")
		}
	}
	if cols := j.columns(); len(errs) == 0 && len(cols) > 0 {
		// Compile the transforms now, so that a bad expression or mapping
		// is a configuration error.
		tr, err := j.transform(cols)
		if err != nil {
			errs = append(errs, fmt.Errorf("job: transforms: %w", err))
		} else if s.Partitioning == PartitionByColumns {
			out := tr.Output()
			for i, k := range s.PartitionKeys {
				if !slices.ContainsFunc(out, func(c record.Column) bool { return c.Name == k }) {
					bad(fmt.Sprintf("sink.partitionKeys[%d]", i), k, "an output column")
				}
			}
		}
	}
	errs = append(errs, j.validateAggregate()...)
	for i, m := range j.Transforms.ApplyMapping {
		if _, err := record.ParseType(m.Type); err != nil {
			bad(fmt.Sprintf("transforms.applyMapping[%d].type", i), m.Type, "a column type")
		}
	}
	for i, d := range j.Transforms.Derived {
		if _, err := record.ParseType(d.Type); err != nil {
			bad(fmt.Sprintf("transforms.derived[%d].type", i), d.Type, "a column type")
		}
	}
	return errors.Join(errs...)
}

// columns returns the table's columns: those declared, else those of the
// Avro schema, else none (inferred per batch).
func (j *Job) columns() []record.Column {
	if len(j.Source.Columns) == 0 && j.Source.AvroSchema != "" && strings.EqualFold(j.Source.Classification, record.Avro) {
		cols, _ := record.AvroColumns(j.Source.AvroSchema)
		return cols
	}
	cols := make([]record.Column, len(j.Source.Columns))
	for i, c := range j.Source.Columns {
		t, _ := record.ParseType(c.Type)
		cols[i] = record.Column{Name: c.Name, Type: t, Required: c.Required}
	}
	return cols
}

func (j *Job) transform(in []record.Column) (*transform.Transform, error) {
	var spec transform.Spec
	for _, m := range j.Transforms.ApplyMapping {
		t, err := record.ParseType(m.Type)
		if err != nil {
			return nil, err
		}
		target := m.Target
		if target == "" {
			target = m.Source
		}
		spec.Mappings = append(spec.Mappings, transform.Mapping{Source: m.Source, Target: target, Type: t, Format: m.Format})
	}
	for _, d := range j.Transforms.Derived {
		t, err := record.ParseType(d.Type)
		if err != nil {
			return nil, err
		}
		spec.Derived = append(spec.Derived, transform.Derived{Name: d.Name, Type: t, Expr: d.Expr})
	}
	spec.Filter = j.Transforms.Filter
	return transform.New(in, spec)
}

// format returns the source's record format.
func (s Source) format() record.Format {
	f := record.Format{Classification: s.Classification, WithHeader: s.WithHeader, SkipFirst: s.SkipFirst,
		AvroSchema: s.AvroSchema, GrokPattern: s.GrokPattern, GrokCustomPatterns: s.GrokCustomPatterns}
	if r := []rune(s.Delimiter); len(r) == 1 {
		f.Delimiter = r[0]
	}
	return f
}

// validateFormat checks the classification and its format options.
func (s Source) validateFormat() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: "source." + field, Value: value, Want: want})
	}
	c := strings.ToLower(s.Classification)
	switch c {
	case record.JSON, record.CSV, record.Avro, record.Grok:
	default:
		bad("classification", s.Classification, "json, csv, avro or grok")
		return errs
	}
	if s.Delimiter != "" && (c != record.CSV || len([]rune(s.Delimiter)) != 1) {
		bad("delimiter", s.Delimiter, "one character, with classification csv")
	}
	if (s.WithHeader || s.SkipFirst) && c != record.CSV {
		bad("withHeader", s.WithHeader, "false unless classification is csv (so is skipFirst)")
	}
	if s.WithHeader && s.SkipFirst {
		bad("skipFirst", s.SkipFirst, "false when withHeader is true")
	}
	if s.AvroSchema != "" && c != record.Avro {
		bad("avroSchema", "...", "empty unless classification is avro")
	}
	if (s.GrokPattern != "" || s.GrokCustomPatterns != "") && c != record.Grok {
		bad("grokPattern", s.GrokPattern, "empty unless classification is grok")
	}
	if c == record.Grok && strings.TrimSpace(s.GrokPattern) == "" {
		bad("grokPattern", s.GrokPattern, "a Grok pattern (required for grok)")
	}
	if s.InferSchema && c != record.JSON {
		bad("inferSchema", s.InferSchema, "false unless classification is json")
	}
	if s.InferSchema && len(s.Columns) > 0 {
		bad("inferSchema", s.InferSchema, "false when source.columns are given")
	}
	if len(s.Columns) == 0 && c != record.JSON && c != record.Avro {
		bad("columns", "[]", "the table's columns (json infers them; avro takes them from avroSchema or from the schemas its container payloads carry)")
	}
	if len(errs) == 0 {
		if err := s.format().Validate(); err != nil {
			field := "classification"
			switch {
			case strings.Contains(err.Error(), "AvroSchema"):
				field = "avroSchema"
			case strings.Contains(err.Error(), "GrokPattern"):
				field = "grokPattern"
			case strings.Contains(err.Error(), "Delimiter"):
				field = "delimiter"
			}
			errs = append(errs, fmt.Errorf("job: source.%s: %w", field, err))
		}
	}
	return errs
}

// Duration is a job file's duration: "100 seconds" as Glue and Spark write
// intervals, or a Go duration ("90s"). See package interval.
type Duration = interval.Duration

// validateAggregate checks the aggregate section and sink.windowsPath.
func (j *Job) validateAggregate() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Want: want})
	}
	wp, wt := j.Sink.WindowsPath, j.Sink.WindowsTable
	if j.Aggregate == nil {
		if wp != "" {
			bad("sink.windowsPath", wp, "empty unless the job has an aggregate section")
		}
		if wt != nil {
			bad("sink.windowsTable", wt.TableName, "absent unless the job has an aggregate section")
		}
		return errs
	}
	if wt != nil {
		if err := wt.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("job: %w", err))
		}
	}
	for _, err := range []error{j.Aggregate.Validate(), j.Aggregate.ValidateReference()} {
		if err != nil {
			errs = append(errs, fmt.Errorf("job: aggregate: %w", err))
		}
	}
	switch {
	case wp == "" && wt == nil:
		bad("sink.windowsPath", wp, "an S3 prefix or a local directory for the windows (required with aggregate, unless sink.windowsTable is set)")
	case wp == "":
	case strings.Contains(wp, "://") && !blob.IsS3(wp) && !strings.HasPrefix(wp, "file://"):
		bad("sink.windowsPath", wp, "an s3:// URL or a local path")
	case wp == j.Sink.Path || wp == j.Sink.DeadLetterPath:
		bad("sink.windowsPath", wp, "a location other than sink.path and sink.deadLetterPath")
	}
	cols := j.columns()
	if len(cols) == 0 {
		// Glue refuses a join on a table whose schema is inferred.
		if j.Source.InferSchema {
			bad("source.inferSchema", true, "false with aggregate: a job with an inferred schema cannot join")
		} else {
			bad("source.columns", "[]", "the table's columns with aggregate: a job with an inferred schema cannot join")
		}
		return errs
	}
	if len(errs) > 0 {
		return errs
	}
	if tr, err := j.transform(cols); err == nil {
		if _, err := aggregate.New(*j.Aggregate, j.outputColumns(tr)); err != nil {
			errs = append(errs, fmt.Errorf("job: aggregate: %w", err))
		} else if wt != nil {
			// The items' attribute names: a key named as a value is an error now, not at the first batch.
			if _, err := newWindowTable(nil, *wt, *j.Aggregate, j.outputColumns(tr), nil); err != nil {
				errs = append(errs, fmt.Errorf("job: %w", err))
			}
		}
	}
	return errs
}

// outputColumns are the columns of the rows a batch produces: the
// transforms' output, then __src_timestamp (addRecordTimestamp), then
// headers (includeHeaders, Kafka).
func (j *Job) outputColumns(tr *transform.Transform) []record.Column {
	cols := slices.Clone(tr.Output())
	if j.Options.AddRecordTimestamp {
		cols = append(cols, record.Column{Name: "__src_timestamp", Type: record.Timestamp})
	}
	if j.Options.IncludeHeaders && j.Source.Kind == KindKafka {
		cols = append(cols, record.Column{Name: "headers", Type: record.String})
	}
	return cols
}
