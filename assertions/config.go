package assertions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Delivery modes, as in the checkpoint's offsets files.
const (
	ExactlyOnce = "exactly-once"
	AtLeastOnce = "at-least-once"
)

// KeyRowHash is the Config.KeyColumn value that identifies an output row by a
// hash of all its columns instead of by one column. The ledger cannot be
// matched against such a key, so the delivery check then reports duplicated
// rows only.
const KeyRowHash = "*"

// Output formats (Config.OutputFormat).
const (
	// FormatParquet is Parquet files, the engine's output.
	FormatParquet = "parquet"
	// FormatJSONLines is newline-delimited JSON objects, one record a
	// line, in files of any name.
	FormatJSONLines = "jsonl"
)

// Defaults for Config fields left zero.
const (
	// DefaultMaxExamples is how many offending examples a result keeps.
	DefaultMaxExamples = 10
	// DefaultRecoveryBatches is how many batches, the restarted one
	// included, count as the recovery after a restart.
	DefaultRecoveryBatches = 3
	// DefaultDownloadConcurrency is how many S3 objects are fetched at once.
	DefaultDownloadConcurrency = 16
)

// ErrConfig is wrapped by every error of Config.Validate.
var ErrConfig = errors.New("assertions: invalid config")

// Column is one column of the expected output schema. Type is a Glue/Hive
// type name: string, int, bigint, smallint, tinyint, double, float,
// boolean, timestamp, date, binary, decimal(p,s), or array/struct/map for
// nested columns (whose element types are not compared). Nullable false
// means the column holds no nulls.
type Column struct {
	Name     string `json:"name" yaml:"name"`
	Type     string `json:"type" yaml:"type"`
	Nullable bool   `json:"nullable" yaml:"nullable"`
}

// Config says where a job's files are and what to expect of them. Sources
// are local directories (plain paths or file:// URIs) or s3://bucket/prefix
// URIs, which need S3; the output may also be a DynamoDB table,
// dynamodb://table, which needs DynamoDB.
type Config struct {
	// Output is the sink path holding the Parquet output, or a DynamoDB
	// table (dynamodb://table) whose items are the output rows. Required.
	Output string `json:"output"`
	// OutputFormat is FormatParquet (the default: files ending .parquet)
	// or FormatJSONLines (every file under Output). JSON lines are read
	// into Parquet copies first, so every check reads one format.
	OutputFormat string `json:"output_format,omitempty"`
	// DeadLetter is the dead-letter path; empty when the job has none.
	DeadLetter string `json:"dead_letter,omitempty"`
	// Windows is an aggregating job's sink.windowsPath. With it and a
	// checkpoint, the layout check also finds missing and orphan windows
	// objects; without it they are not looked at.
	Windows string `json:"windows,omitempty"`
	// Checkpoint is the checkpoint location; without it the lag, orphan and
	// ingest-time checks and the data-loss allowance are skipped.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Ledger is the generator's ledger, .jsonl or .parquet (local or s3://);
	// without it the delivery, lag, dead-letter and order checks are skipped.
	Ledger string `json:"ledger,omitempty"`
	// S3 reads s3:// sources. The caller builds it (endpoint, credentials,
	// path-style addressing) and it is required only for s3:// sources.
	S3 *s3.Client `json:"-"`
	// DynamoDB reads a dynamodb:// output. The caller builds it and it is
	// required only for such an output.
	DynamoDB *dynamodb.Client `json:"-"`
	// Kinesis reads a kinesis:// output, a stream a Kinesis sink wrote: every
	// record from each shard's trim horizon, KPL aggregates unpacked, each a
	// JSON object, duplicates included. The caller builds it and it is
	// required only for such an output.
	Kinesis KinesisAPI `json:"-"`
	// ScanSegments is how many parallel Scan segments read a dynamodb://
	// output. Zero means DefaultScanSegments.
	ScanSegments int `json:"scan_segments,omitempty"`
	// VisibleAtColumn is, for a dynamodb:// output, the attribute in which
	// the job writes the time it committed each item: milliseconds since
	// the epoch or an ISO 8601 timestamp. With it, lag is that time minus
	// the arrival time; without it, lag is not measured (an item carries
	// no write time of its own). Only for a dynamodb:// output.
	VisibleAtColumn string `json:"visible_at_column,omitempty"`

	// KeyColumn is the output column holding the ledger's key, or
	// KeyRowHash. Required for the delivery check.
	KeyColumn string `json:"key_column,omitempty"`
	// Schema is the expected output schema, partition columns excluded
	// (they are in the path only). Empty skips the schema check.
	Schema []Column `json:"schema,omitempty"`
	// PartitionBy lists the hive partition columns of the output, in path
	// order. Mutually exclusive with IngestTimePartitioning.
	PartitionBy []string `json:"partition_by,omitempty"`
	// IngestTimePartitioning says the output is partitioned by
	// ingest_year/ingest_month/ingest_day/ingest_hour of the batch.
	IngestTimePartitioning bool `json:"ingest_time_partitioning,omitempty"`
	// Delivery is ExactlyOnce (the default) or AtLeastOnce. Under
	// at-least-once, duplicates and orphan objects are expected and only
	// counted.
	Delivery string `json:"delivery,omitempty"`

	// MaxLagP99 bounds the 99th percentile of lag overall; zero: no bound.
	MaxLagP99 time.Duration `json:"max_lag_p99,omitempty"`
	// MaxLagMax bounds the largest lag overall; zero: no bound.
	MaxLagMax time.Duration `json:"max_lag_max,omitempty"`
	// MaxRecoveryLag bounds the largest lag during recovery after a
	// restart; zero: no bound.
	MaxRecoveryLag time.Duration `json:"max_recovery_lag,omitempty"`
	// RestartGap is the pause between two batches' plans that counts as a
	// restart. Zero means three times the median interval, at least 1s.
	RestartGap time.Duration `json:"restart_gap,omitempty"`
	// RecoveryBatches is how many batches from a restart on are its
	// recovery. Zero means DefaultRecoveryBatches.
	RecoveryBatches int `json:"recovery_batches,omitempty"`
	// CheckOrder turns on the per-partition-key order check.
	CheckOrder bool `json:"check_order,omitempty"`

	// MaxExamples caps the examples per result. Zero means
	// DefaultMaxExamples.
	MaxExamples int `json:"max_examples,omitempty"`
	// TempDir is where S3 sources are copied; empty means os.TempDir().
	TempDir string `json:"temp_dir,omitempty"`
}

// Validate reports the first field that is missing or malformed.
func (c *Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	if c.Output == "" {
		return bad("Output", "required")
	}
	for _, src := range []struct{ field, uri string }{
		{"Output", c.Output}, {"DeadLetter", c.DeadLetter}, {"Windows", c.Windows}, {"Checkpoint", c.Checkpoint}, {"Ledger", c.Ledger},
	} {
		if src.uri == "" {
			continue
		}
		u, err := parseURI(src.uri)
		if err != nil {
			return bad(src.field, "%v", err)
		}
		if u.table != "" && src.field != "Output" {
			return bad(src.field, "%s: a DynamoDB table can only be the output", src.uri)
		}
		if u.table != "" && c.DynamoDB == nil {
			return bad("DynamoDB", "required for %s %s", src.field, src.uri)
		}
		if u.stream != "" && src.field != "Output" {
			return bad(src.field, "%s: a Kinesis stream can only be the output", src.uri)
		}
		if u.stream != "" && c.Kinesis == nil {
			return bad("Kinesis", "required for %s %s", src.field, src.uri)
		}
		if u.bucket != "" && c.S3 == nil {
			return bad("S3", "required for %s %s", src.field, src.uri)
		}
	}
	if c.Ledger != "" {
		ext := strings.ToLower(c.Ledger)
		if !strings.HasSuffix(ext, ".jsonl") && !strings.HasSuffix(ext, ".parquet") && !strings.HasSuffix(ext, ".json") {
			return bad("Ledger", "%q: want a .jsonl or .parquet file", c.Ledger)
		}
	}
	switch c.OutputFormat {
	case "", FormatParquet, FormatJSONLines:
	default:
		return bad("OutputFormat", "%q: want %q or %q", c.OutputFormat, FormatParquet, FormatJSONLines)
	}
	switch c.Delivery {
	case "", ExactlyOnce, AtLeastOnce:
	default:
		return bad("Delivery", "%q: want %q or %q", c.Delivery, ExactlyOnce, AtLeastOnce)
	}
	if c.IngestTimePartitioning && len(c.PartitionBy) > 0 {
		return bad("PartitionBy", "set together with IngestTimePartitioning")
	}
	for i, p := range c.PartitionBy {
		if p == "" || strings.ContainsAny(p, "/=") {
			return bad("PartitionBy", "[%d] %q: want a column name", i, p)
		}
	}
	seen := map[string]bool{}
	for i, col := range c.Schema {
		if col.Name == "" {
			return bad("Schema", "[%d]: column without a name", i)
		}
		if seen[strings.ToLower(col.Name)] {
			return bad("Schema", "[%d] %q: named twice", i, col.Name)
		}
		seen[strings.ToLower(col.Name)] = true
		if _, err := normalizeGlueType(col.Type); err != nil {
			return bad("Schema", "[%d] %q: %v", i, col.Name, err)
		}
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"MaxLagP99", c.MaxLagP99}, {"MaxLagMax", c.MaxLagMax}, {"MaxRecoveryLag", c.MaxRecoveryLag}, {"RestartGap", c.RestartGap}} {
		if d.v < 0 {
			return bad(d.field, "%v: want a duration >= 0", d.v)
		}
	}
	if c.RecoveryBatches < 0 {
		return bad("RecoveryBatches", "%d: want >= 0", c.RecoveryBatches)
	}
	if c.VisibleAtColumn != "" && !strings.HasPrefix(c.Output, "dynamodb://") {
		return bad("VisibleAtColumn", "%q: only for a dynamodb:// output (the commit time of object outputs is in the checkpoint)", c.VisibleAtColumn)
	}
	if c.ScanSegments < 0 || c.ScanSegments > 1000000 {
		return bad("ScanSegments", "%d: want 0 to 1000000", c.ScanSegments)
	}
	if c.MaxExamples < 0 {
		return bad("MaxExamples", "%d: want >= 0", c.MaxExamples)
	}
	return nil
}

func (c *Config) delivery() string {
	if c.Delivery == "" {
		return ExactlyOnce
	}
	return c.Delivery
}

func (c *Config) maxExamples() int {
	if c.MaxExamples == 0 {
		return DefaultMaxExamples
	}
	return c.MaxExamples
}

func (c *Config) recoveryBatches() int {
	if c.RecoveryBatches == 0 {
		return DefaultRecoveryBatches
	}
	return c.RecoveryBatches
}
