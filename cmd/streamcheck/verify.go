package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/scenarios"
)

func init() {
	register(&command{
		name: "verify",
		example: "  streamcheck verify --job examples/ventilator/job.yaml --ledger ledger.jsonl --max-lag-p99 30s\n" +
			"  streamcheck verify --output s3://lake/out --checkpoint s3://lake/cp --ledger ledger.jsonl --key serialnumber --json",
		summary: "Check a job's output against the generator's ledger: exactly-once, lag, schema, layout, dead letters.",
		usage: "verify (--job FILE | --output URI) --ledger FILE [--dead-letter URI] [--checkpoint URI] [--key COL] [--visible-at ATTR] " +
			"[--max-lag-p99 D] [--max-lag D] [--order] [--json] [--endpoint URL]",
		run: runVerify,
	})
}

// sourceFlags are the flags verify and query share: where the job's files
// are and how to reach S3.
type sourceFlags struct {
	job, output, deadLetter, windows, checkpoint, ledger, endpoint string
}

func (f *sourceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.job, "job", "", "job file to take the paths and expectations from (flags override it)")
	fs.StringVar(&f.output, "output", "", "output (sink) path: s3://bucket/prefix, dynamodb://table, kinesis://stream, file://path or a directory")
	fs.StringVar(&f.deadLetter, "dead-letter", "", "dead-letter path: s3://bucket/prefix or a directory")
	fs.StringVar(&f.windows, "windows", "", "an aggregating job's windows path (sink.windowsPath): s3://bucket/prefix or a directory")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint location: s3://bucket/prefix or a directory")
	fs.StringVar(&f.ledger, "ledger", "", "the generator's ledger (.jsonl or .parquet)")
	fs.StringVar(&f.endpoint, "endpoint", "", "S3 endpoint URL for s3:// paths; default from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS")
}

// config builds the assertions config: the job file's first, then the
// flags that were set.
func (f *sourceFlags) config(ctx context.Context, e *env) (assertions.Config, error) {
	var cfg assertions.Config
	if f.job != "" {
		var err error
		var jobEndpoint string
		if cfg, jobEndpoint, err = configFromJob(f.job); err != nil {
			return cfg, err
		}
		if f.endpoint == "" {
			f.endpoint = jobEndpoint
		}
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{{f.output, &cfg.Output}, {f.deadLetter, &cfg.DeadLetter}, {f.windows, &cfg.Windows}, {f.checkpoint, &cfg.Checkpoint}, {f.ledger, &cfg.Ledger}} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	if cfg.Output == "" {
		return cfg, usagef("--output (or --job) is required")
	}
	for _, uri := range []string{cfg.Output, cfg.DeadLetter, cfg.Windows, cfg.Checkpoint, cfg.Ledger} {
		if strings.HasPrefix(uri, "s3://") {
			client, err := verifyS3Client(ctx, e, f.endpoint)
			if err != nil {
				return cfg, err
			}
			cfg.S3 = client
			break
		}
	}
	if strings.HasPrefix(cfg.Output, "kinesis://") {
		client, err := kinesisOutputClient(ctx, e)
		if err != nil {
			return cfg, err
		}
		cfg.Kinesis = client
	}
	if strings.HasPrefix(cfg.Output, "dynamodb://") {
		// The DynamoDB endpoint comes from the environment; --endpoint is S3's.
		client, err := dynamoDBClient(ctx, e, "")
		if err != nil {
			return cfg, err
		}
		cfg.DynamoDB = client
	}
	return cfg, nil
}

// configFromJob maps a job file onto the checks' config: sink, dead-letter
// and checkpoint paths, key, schema, partitioning and delivery mode. It also
// returns the job's S3 endpoint ("" when the job names none). An unreadable
// or invalid job file is a usage error.
func configFromJob(path string) (assertions.Config, string, error) {
	job, err := engine.LoadJob(path)
	if err != nil {
		return assertions.Config{}, "", usagef("--job: %v", err)
	}
	cfg := scenarios.AssertionsConfig(job, "", aws.Config{})
	cfg.S3 = nil // built by the caller, honouring --endpoint and the environment
	if job.Sink.Kind == engine.SinkKinesis {
		cfg.Output = job.Sink.OutputLocation()
	}
	return cfg, job.Sink.Endpoint, nil
}

// verifyS3Client builds an S3 client for reading s3:// sources, configured
// by readerAWSConfig; with an endpoint (a local emulator) it uses
// path-style addressing.
func verifyS3Client(ctx context.Context, e *env, endpoint string) (*s3.Client, error) {
	awsCfg, endpoint, err := readerAWSConfig(ctx, e, "S3", endpoint)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
			o.UsePathStyle = true
		}
	}), nil
}

func runVerify(ctx context.Context, e *env, args []string) error {
	c := commands["verify"]
	fs := newFlagSet(c)
	var src sourceFlags
	src.register(fs)
	key := fs.String("key", "", "output column holding the ledger's key (e.g. serialnumber), or * to identify rows by a hash of all columns")
	maxP99 := fs.Duration("max-lag-p99", 0, "fail when the 99th percentile of lag exceeds D (0: no bound)")
	maxLag := fs.Duration("max-lag", 0, "fail when any record's lag exceeds D (0: no bound)")
	maxRecovery := fs.Duration("max-recovery-lag", 0, "fail when lag during recovery after a restart exceeds D (0: no bound)")
	schema := fs.String("schema", "", "expected columns, name:type[,...]; a type ending in ! must hold no nulls")
	partitionBy := fs.String("partition-by", "", "hive partition columns of the output, comma-separated")
	ingestTime := fs.Bool("ingest-time", false, "the output is partitioned by ingest_year/ingest_month/ingest_day/ingest_hour")
	delivery := fs.String("delivery", "", "exactly-once (default) or at-least-once")
	order := fs.Bool("order", false, "also check order per partition key")
	visibleAt := fs.String("visible-at", "", "dynamodb:// output: attribute holding each item's commit time (ms since the epoch or ISO 8601), to measure lag")
	examples := fs.Int("examples", 3, "examples per check in the summary (the JSON report has all kept)")
	asJSON := fs.Bool("json", false, "print the full report as JSON")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := src.config(ctx, e)
	if err != nil {
		return err
	}
	if cfg.Ledger == "" && src.job == "" {
		return usagef("--ledger is required")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["key"] {
		cfg.KeyColumn = *key
	}
	if set["max-lag-p99"] {
		cfg.MaxLagP99 = *maxP99
	}
	if set["max-lag"] {
		cfg.MaxLagMax = *maxLag
	}
	if set["max-recovery-lag"] {
		cfg.MaxRecoveryLag = *maxRecovery
	}
	if set["schema"] {
		if cfg.Schema, err = assertions.ParseSchema(*schema); err != nil {
			return usagef("--schema: %v", err)
		}
	}
	if set["partition-by"] {
		cfg.PartitionBy = nil
		for _, p := range strings.Split(*partitionBy, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.PartitionBy = append(cfg.PartitionBy, p)
			}
		}
	}
	if set["ingest-time"] {
		cfg.IngestTimePartitioning = *ingestTime
	}
	if set["delivery"] {
		cfg.Delivery = *delivery
	}
	if set["order"] {
		cfg.CheckOrder = *order
	}
	if set["visible-at"] {
		cfg.VisibleAtColumn = *visibleAt
	}
	if cfg.KeyColumn == "" {
		return usagef("--key is required: the output column holding the ledger's key, or * for a hash of each row")
	}
	if *examples < 0 {
		return usagef("--examples %d: want >= 0", *examples)
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	release, err := checkInputs(ctx, &cfg)
	if err != nil {
		return err
	}
	defer release()
	rep, err := assertions.Verify(ctx, cfg)
	if err != nil {
		return plainDuckDB(err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		printReport(e.stdout, rep, *examples, verdictPainter(useColor(e, e.stdout)))
	}
	if !rep.OK {
		return &exitError{code: exitFailure}
	}
	return nil
}

// checkInputs checks what verify and query read before DuckDB does: the
// ledger (a usage error naming file and line when it is not one) and that
// the output exists. It points cfg.Ledger at a name DuckDB cannot take for a
// pattern; release removes what that needed.
func checkInputs(ctx context.Context, cfg *assertions.Config) (release func(), err error) {
	release = func() {}
	if cfg.Ledger != "" && !strings.Contains(cfg.Ledger, "://") {
		if err := checkLedger(cfg.Ledger); err != nil {
			return release, usagef("--ledger: %v", err)
		}
		if cfg.Ledger, release, err = literalPath(cfg.Ledger); err != nil {
			return func() {}, fmt.Errorf("ledger %s: %w", cfg.Ledger, err)
		}
	}
	if err := checkOutputExists(ctx, cfg); err != nil {
		release()
		return func() {}, err
	}
	return release, nil
}

// checkOutputExists says so when the output is not there at all — a local
// directory or an S3 bucket that does not exist — rather than letting the
// checks report every record lost.
func checkOutputExists(ctx context.Context, cfg *assertions.Config) error {
	out := cfg.Output
	switch {
	case strings.HasPrefix(out, "s3://"):
		if cfg.S3 == nil {
			return nil
		}
		bucket, _, _ := strings.Cut(strings.TrimPrefix(out, "s3://"), "/")
		pctx, cancel := context.WithTimeout(ctx, dialTimeout)
		defer cancel()
		_, err := cfg.S3.HeadBucket(pctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		switch {
		case err == nil:
			return nil
		case unreachable(err):
			return &debugError{fmt.Sprintf("output %s: S3 did not answer (%s)", out, plainWords(err)), err}
		case errorCode(err) == "NotFound" || errorCode(err) == "NoSuchBucket":
			return usagef("--output %s: bucket %s does not exist", out, bucket)
		}
		return &debugError{fmt.Sprintf("output %s: %s", out, plainWords(err)), err}
	case strings.Contains(out, "://") && !strings.HasPrefix(out, "file://"):
		return nil
	}
	path := strings.TrimPrefix(out, "file://")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return usagef("--output %s does not exist", out)
	}
	return nil
}

// printReport writes the human summary: a table of checks, their counts,
// lag percentiles and a few examples of each failure.
func printReport(w io.Writer, rep *assertions.Report, examples int, paint func(string) string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tCOUNTS")
	failed := 0
	for _, r := range rep.Results {
		if r.Status == assertions.Fail {
			failed++
		}
		var counts []string
		for _, c := range r.Counts {
			counts = append(counts, fmt.Sprintf("%s=%d", c.Name, c.Value))
		}
		detail := strings.Join(counts, " ")
		if r.Status == assertions.Skip {
			detail = r.Detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Check, paint(strings.ToUpper(string(r.Status))), detail)
	}
	tw.Flush()
	for _, r := range rep.Results {
		if r.Lag != nil {
			o := r.Lag.Overall
			fmt.Fprintf(w, "\nlag over %d records: p50 %v  p95 %v  p99 %v  max %v\n", o.Records, round(o.P50), round(o.P95), round(o.P99), round(o.Max))
			for _, rs := range r.Lag.Restarts {
				fmt.Fprintf(w, "  recovery after %s restart at batch %d (batches %d..%d, %d records): p50 %v  p99 %v  max %v\n",
					rs.Reason, rs.Batch, rs.Batch, rs.LastBatch, rs.Lag.Records, round(rs.Lag.P50), round(rs.Lag.P99), round(rs.Lag.Max))
			}
		}
	}
	for _, r := range rep.Results {
		if r.Status != assertions.Fail {
			continue
		}
		fmt.Fprintf(w, "\n%s failed", r.Check)
		if r.Detail != "" {
			fmt.Fprintf(w, ": %s", r.Detail)
		}
		fmt.Fprintln(w)
		for i, ex := range r.Examples {
			if i == examples {
				fmt.Fprintf(w, "  ... %d more in --json\n", len(r.Examples)-examples)
				break
			}
			fmt.Fprintf(w, "  %s", ex.Kind)
			if ex.Key != "" {
				fmt.Fprintf(w, " key=%s", ex.Key)
			}
			if ex.Seq >= 0 {
				fmt.Fprintf(w, " seq=%d", ex.Seq)
			}
			if ex.Batch >= 0 {
				fmt.Fprintf(w, " batch=%d", ex.Batch)
			}
			if ex.File != "" {
				fmt.Fprintf(w, " file=%s", ex.File)
			}
			if ex.Detail != "" {
				fmt.Fprintf(w, ": %s", ex.Detail)
			}
			fmt.Fprintln(w)
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "\n%s: no check failed\n", paint("OK"))
	} else {
		fmt.Fprintf(w, "\n%s: %d of %d checks failed\n", paint("FAIL"), failed, len(rep.Results))
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
