package scenarios

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
	"github.com/streamcheck/streamcheck/generators"
)

// VentilatorJob returns the job of examples/ventilator/job.yaml (the AWS Glue
// streaming blog's: the seven ventilator columns, eventtime cast from string
// to timestamp, Parquet partitioned by ingest hour) pointed at env: its
// stream and endpoints, output, dead letters and checkpoint under
// env.Prefix, env.Window and env.Delivery. It reads from trim_horizon, skips
// empty batches (so batch ids count batches with records) and caps a batch
// at DefaultMaxFetchRecordsPerShard records per shard.
func VentilatorJob(env Env) (*engine.Job, error) {
	j := enginetest.VentilatorJob()
	j.Delivery = or(env.Delivery, engine.ExactlyOnce)
	j.Source.Database = "ventilatordb"
	j.Source.Table = "ventilators_table"
	j.Source.StreamName = or(env.Stream, DefaultStream)
	j.Options.StartingPosition = "trim_horizon"
	j.Options.AvoidEmptyBatches = true
	j.Options.EmitConsumerLagMetrics = true
	j.Options.MaxFetchRecordsPerShard = DefaultMaxFetchRecordsPerShard
	j.Options.MaxFetchTimeInMs = 200
	// Kinesis allows five GetRecords calls per second per shard, and the
	// embedded emulator enforces it: pace the reads, and ride out a
	// throttle with retries rather than a failed batch.
	j.Options.AddIdleTimeBetweenReads = true
	j.Options.IdleTimeBetweenReadsInMs = 200
	j.Options.RetryIntervalMs = 250
	j.Options.MaxRetryIntervalMs = 2000
	window := env.Window
	if window <= 0 {
		window = DefaultWindow
	}
	j.ForEachBatch.WindowSize = engine.Duration(window)
	// A crashed engine's lease is taken over at once in this process; the
	// timeout matters only across processes.
	j.ForEachBatch.LeaseTimeout = engine.Duration(max(2*window+time.Second, 5*time.Second))
	j.ForEachBatch.CheckpointLocation = env.Prefix + "/checkpoint"
	j.Sink.Path = env.Prefix + "/output"
	j.Sink.DeadLetterPath = env.Prefix + "/deadletter"
	j.Sink.Compression = "snappy"
	j.Sink.Partitioning = engine.PartitionByIngestTime
	j.Options.FailOnDataLoss = env.FailOnDataLoss
	if env.Kind == engine.KindKafka {
		// The Glue Kafka connection reads the topic from its earliest
		// offset; a batch takes at most as many offsets as the Kinesis
		// jobs' batches records.
		j.Source.Kind = engine.KindKafka
		j.Source.StreamName = ""
		j.Options.TopicName = or(env.Stream, DefaultStream)
		j.Options.StartingOffsets = "earliest"
		j.Options.MaxOffsetsPerTrigger = DefaultMaxFetchRecordsPerShard * DefaultShards
		if st := env.Stack; st != nil {
			j.Options.BootstrapServers = strings.Join(st.KafkaBrokers, ",")
		}
	}
	if st := env.Stack; st != nil {
		j.Source.Endpoint = st.KinesisURL
		j.Source.Region = st.Region
		j.Sink.Endpoint = st.S3URL
		j.Sink.Region = st.Region
		j.Sink.ForcePathStyle = st.S3URL != ""
	}
	return j, j.Validate()
}

// knownKeys are the identity key columns of the generators' data sets, in
// the order AssertionsConfig looks for them.
var knownKeys = []string{generators.Ventilator().Key, generators.Payments().Key, generators.GeneratedKey}

// AssertionsConfig maps job onto the checks' configuration: output, dead
// letter and checkpoint locations, delivery mode, partitioning, the expected
// output schema (the ApplyMapping targets, or the source columns without
// mappings, then derived columns, an aggregating job's alert column and
// __src_timestamp, less partition columns; all nullable, as Spark writes
// them) and the key column (the first
// output column named like a generator data set's key — serialnumber,
// event_id, _id — else none; set KeyColumn yourself for other data).
//
// When a location is on S3, Config.S3 is a client built from cfg with the
// job's sink endpoint and region, and path-style addressing when an endpoint
// is set, as the engine builds its own. The caller may adjust the result
// (lag bounds, TempDir) before passing it to assertions.Verify.
func AssertionsConfig(job *engine.Job, ledger string, cfg aws.Config) assertions.Config {
	c := assertions.Config{
		Output:     job.Sink.Path,
		DeadLetter: job.Sink.DeadLetterPath,
		Checkpoint: job.ForEachBatch.CheckpointLocation,
		Ledger:     ledger,
		Delivery:   or(job.Delivery, engine.ExactlyOnce),
	}
	if job.Aggregate != nil {
		c.Windows = job.Sink.WindowsPath
	}
	switch job.Sink.Partitioning {
	case engine.PartitionByIngestTime, "":
		c.IngestTimePartitioning = true
	case engine.PartitionByColumns:
		c.PartitionBy = slices.Clone(job.Sink.PartitionKeys)
	}
	c.Schema = outputSchema(job)
	for _, k := range knownKeys {
		if slices.ContainsFunc(c.Schema, func(col assertions.Column) bool { return col.Name == k }) {
			c.KeyColumn = k
			break
		}
	}
	if isS3(c.Output) || isS3(c.DeadLetter) || isS3(c.Windows) || isS3(c.Checkpoint) || isS3(c.Ledger) {
		c.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
			if job.Sink.Region != "" {
				o.Region = job.Sink.Region
			}
			if job.Sink.Endpoint != "" {
				o.BaseEndpoint = aws.String(job.Sink.Endpoint)
			}
			o.UsePathStyle = job.Sink.ForcePathStyle || o.BaseEndpoint != nil
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	return c
}

// outputSchema is the job's output schema, partition columns excluded; nil
// when the job infers its schema.
func outputSchema(job *engine.Job) []assertions.Column {
	var cols []assertions.Column
	switch {
	case len(job.Transforms.ApplyMapping) > 0:
		for _, m := range job.Transforms.ApplyMapping {
			cols = append(cols, assertions.Column{Name: or(m.Target, m.Source), Type: m.Type, Nullable: true})
		}
	case len(job.Source.Columns) > 0:
		for _, sc := range job.Source.Columns {
			cols = append(cols, assertions.Column{Name: sc.Name, Type: sc.Type, Nullable: true})
		}
	default:
		return nil
	}
	for _, d := range job.Transforms.Derived {
		cols = append(cols, assertions.Column{Name: d.Name, Type: d.Type, Nullable: true})
	}
	if a := job.Aggregate; a != nil && a.AlertColumn != "" {
		cols = append(cols, assertions.Column{Name: a.AlertColumn, Type: "string", Nullable: true})
	}
	if job.Options.AddRecordTimestamp {
		cols = append(cols, assertions.Column{Name: "__src_timestamp", Type: "timestamp", Nullable: true})
	}
	if job.Sink.Partitioning == engine.PartitionByColumns {
		cols = slices.DeleteFunc(cols, func(c assertions.Column) bool { return slices.Contains(job.Sink.PartitionKeys, c.Name) })
	}
	return cols
}

func isS3(uri string) bool { return len(uri) > 5 && uri[:5] == "s3://" }
