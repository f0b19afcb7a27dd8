package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/generators"
)

func init() {
	register(&command{
		name: "gen",
		example: "  streamcheck gen ventilator --to kinesis://ventilatorstream --create --shards 4 --count 10000 --rate 1000 --ledger ledger.jsonl\n" +
			"  streamcheck gen payments --to kafka://payments --brokers 127.0.0.1:9092 --create --partitions 3 --duration 5s\n" +
			"  streamcheck gen table --ddl '`id` string, `n` int' --to kinesis://t --create --format avro",
		summary: "Send a seeded synthetic stream to Kinesis or Kafka and write its ledger.",
		usage: "gen ventilator|payments|table --to kinesis://STREAM|kafka://TOPIC|dynamodb://TABLE [--endpoint URL] [--region R] " +
			"[--brokers HOST:PORT,...] [--create --shards N|--partitions N] [--count N | --duration D] [--rate R] [--burst N] " +
			"[--producers N] [--seed S] [--ledger FILE.jsonl|FILE.parquet] [--format json|csv|avro] [--malformed SHARE] " +
			"[--duplicates SHARE] [--late SHARE] [--max-lateness D] [--start TIME|now] [--key-strategy device|uniform|hot:SHARE] [--ordered] [--kpl-aggregate N] " +
			"[--ddl STRING | --table-file FILE] [--key COL] [--json]\n       streamcheck " + genReferenceUsage,
		run: runGen,
	})
}

// Defaults of genConfig.
const (
	defaultGenCount     = 1000
	defaultGenSeed      = 1
	defaultGenShards    = 1
	defaultGenRegion    = "us-east-1"
	defaultGenStart     = "2026-01-01T00:00:00Z"
	genProgressInterval = 250 * time.Millisecond // redraw on a terminal
	genLogInterval      = 5 * time.Second        // log lines otherwise
	// defaultGenMalformedKinds are the malformed records every job must
	// reject, whatever its columns: a record with a field missing is a
	// good record with a null to a job without required columns, and an
	// oversize one is refused by Kinesis before any job sees it.
	defaultGenMalformedKinds = generators.MalformedInvalidJSON + "," + generators.MalformedWrongType + "," + generators.MalformedInvalidUTF8
	// genDeliveryTimeout bounds how long a Kafka record may wait for its
	// acknowledgement (an unreachable broker included) before it counts as
	// not delivered.
	genDeliveryTimeout = 30 * time.Second
)

// genConfig is the gen command's configuration, from its flags.
type genConfig struct {
	Dataset    string // ventilator, payments or table
	To         string // kinesis://STREAM or kafka://TOPIC
	Endpoint   string
	Region     string
	Brokers    string
	Create     bool
	Shards     int
	Partitions int
	Count      int64
	Duration   time.Duration
	Rate       float64
	Burst      int
	Producers  int
	Seed       uint64
	Ledger     string
	Format     string
	Malformed  float64
	// MalformedKinds are the kinds of malformed records, comma-separated;
	// default defaultGenMalformedKinds.
	MalformedKinds string
	Duplicates     float64
	Late           float64
	MaxLateness    time.Duration
	Start          string // RFC 3339 time or "now"
	KeyStrategy    string
	Ordered        bool
	// KPLAggregate packs up to this many records into each Kinesis record
	// in the KPL's aggregated format; 0 sends them one by one.
	KPLAggregate int
	DDL          string
	TableFile    string
	Key          string
	JSON         bool

	setCount, setDuration bool
}

// Validate names the first bad flag and says what it wants.
func (c *genConfig) Validate() error {
	switch c.Dataset {
	case "ventilator", "payments":
		if c.DDL != "" || c.TableFile != "" || c.Key != "" {
			return fmt.Errorf("--ddl, --table-file and --key apply to the table data set only, not %s", c.Dataset)
		}
	case "table":
		if (c.DDL == "") == (c.TableFile == "") {
			return errors.New("table needs exactly one of --ddl STRING and --table-file FILE")
		}
	case "":
		return errors.New("missing data set: ventilator, payments or table")
	default:
		return fmt.Errorf("data set %q: want ventilator, payments or table", c.Dataset)
	}
	scheme, name, _ := strings.Cut(c.To, "://")
	switch {
	case c.To == "":
		return errors.New("--to is required: kinesis://STREAM, kafka://TOPIC or dynamodb://TABLE")
	case scheme == "dynamodb":
		if err := c.validateDynamoDB(name); err != nil {
			return err
		}
	case scheme != "kinesis" && scheme != "kafka" || name == "" || strings.Contains(name, "/"):
		return fmt.Errorf("--to %q: want kinesis://STREAM, kafka://TOPIC or dynamodb://TABLE", c.To)
	case c.setCount && c.setDuration:
		return errors.New("--count and --duration exclude each other: give one")
	case c.Count < 0 || c.setCount && c.Count == 0:
		return fmt.Errorf("--count %d: want a positive number of records", c.Count)
	case c.Duration < 0 || c.setDuration && c.Duration == 0:
		return fmt.Errorf("--duration %v: want a positive duration", c.Duration)
	case c.Rate < 0:
		return fmt.Errorf("--rate %v: want records per second, 0 for no limit", c.Rate)
	case c.Burst < 0:
		return fmt.Errorf("--burst %d is negative", c.Burst)
	case c.KPLAggregate < 0:
		return fmt.Errorf("--kpl-aggregate %d: want the user records per Kinesis record, or 0 for none", c.KPLAggregate)
	case c.KPLAggregate > 0 && scheme != "kinesis":
		return fmt.Errorf("--kpl-aggregate applies to kinesis:// targets only, not %s", c.To)
	case c.Producers < 1:
		return fmt.Errorf("--producers %d: want at least 1", c.Producers)
	case c.Ordered && c.Producers > 1:
		return fmt.Errorf("--ordered with --producers %d: records of one key would be sent by several producers; use --producers 1", c.Producers)
	case c.Ordered && scheme == "kafka":
		return errors.New("--ordered applies to kinesis:// targets; Kafka's idempotent producer keeps each key in order already")
	case c.MaxLateness < 0:
		return fmt.Errorf("--max-lateness %v is negative", c.MaxLateness)
	case c.Shards < 1:
		return fmt.Errorf("--shards %d: want at least 1", c.Shards)
	case c.Partitions < 0:
		return fmt.Errorf("--partitions %d is negative", c.Partitions)
	case scheme == "kinesis" && c.Partitions > 0:
		return errors.New("--partitions applies to kafka:// targets; use --shards for Kinesis")
	case scheme == "kafka" && c.Endpoint != "":
		return errors.New("--endpoint applies to kinesis:// targets; use --brokers for Kafka")
	}
	for _, s := range []struct {
		flag string
		v    float64
	}{{"--malformed", c.Malformed}, {"--duplicates", c.Duplicates}, {"--late", c.Late}} {
		if s.v < 0 || s.v > 1 || s.v != s.v {
			return fmt.Errorf("%s %v: want a share from 0 to 1", s.flag, s.v)
		}
	}
	if _, err := c.malformedKinds(); err != nil {
		return err
	}
	if _, err := generators.ParseFormat(c.Format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if _, err := generators.ParseKeyStrategy(c.KeyStrategy); err != nil {
		return fmt.Errorf("--key-strategy: %w", err)
	}
	if _, err := c.startTime(time.Time{}); err != nil {
		return err
	}
	if c.Ledger != "" {
		if _, err := generators.LedgerFormat(c.Ledger); err != nil {
			return fmt.Errorf("--ledger: %w", err)
		}
	}
	return nil
}

// malformedKinds parses --malformed-kinds.
func (c *genConfig) malformedKinds() ([]string, error) {
	known := generators.MalformedKinds()
	var kinds []string
	for k := range strings.SplitSeq(c.MalformedKinds, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("--malformed-kinds: %q is not a kind of malformed record%s; want some of %s",
				k, didYouMean(k, known), strings.Join(known, ", "))
		}
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("--malformed-kinds %q: want some of %s", c.MalformedKinds, strings.Join(known, ", "))
	}
	return kinds, nil
}

// startTime is the event time of record 0: --start, or now.
func (c *genConfig) startTime(now time.Time) (time.Time, error) {
	if c.Start == "now" {
		return now.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, c.Start)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start %q: want an RFC 3339 time such as 2026-11-22T13:00:00Z, or now", c.Start)
	}
	return t.UTC(), nil
}

func runGen(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "reference" {
		return runGenReference(ctx, e, args[1:])
	}
	c := commands["gen"]
	fs := newFlagSet(c)
	cfg := genConfig{}
	fs.StringVar(&cfg.To, "to", "", "target: kinesis://STREAM or kafka://TOPIC (required)")
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "Kinesis endpoint URL; default from AWS_ENDPOINT_URL_KINESIS or AWS_ENDPOINT_URL, else AWS")
	fs.StringVar(&cfg.Region, "region", "", "AWS region; default from AWS_REGION, else "+defaultGenRegion)
	fs.StringVar(&cfg.Brokers, "brokers", "", "Kafka seed brokers, host:port,...; default from STREAMCHECK_KAFKA_BROKERS")
	fs.BoolVar(&cfg.Create, "create", false, "create the stream or topic first (an existing one is kept)")
	fs.IntVar(&cfg.Shards, "shards", defaultGenShards, "shards of a stream made by --create")
	fs.IntVar(&cfg.Partitions, "partitions", 0, "partitions of a topic made by --create (default 1)")
	fs.Int64Var(&cfg.Count, "count", 0, fmt.Sprintf("records to send (default %d when --duration is not given)", defaultGenCount))
	fs.DurationVar(&cfg.Duration, "duration", 0, "send for this long instead of a count")
	fs.Float64Var(&cfg.Rate, "rate", 0, "records per second over all producers; 0 for as fast as the stream takes them")
	fs.IntVar(&cfg.Burst, "burst", 0, "records that may go at once above --rate (default rate/10)")
	fs.IntVar(&cfg.Producers, "producers", 1, "concurrent producers")
	fs.Uint64Var(&cfg.Seed, "seed", defaultGenSeed, "seed of every record; the same seed sends the same records")
	fs.StringVar(&cfg.Ledger, "ledger", "", "write the ledger here: .jsonl or .parquet")
	fs.StringVar(&cfg.Format, "format", "json", "record encoding: json, csv or avro")
	fs.Float64Var(&cfg.Malformed, "malformed", 0, "share of malformed records, of the kinds in --malformed-kinds")
	fs.StringVar(&cfg.MalformedKinds, "malformed-kinds", defaultGenMalformedKinds, "kinds of malformed records, comma-separated: "+
		strings.Join(generators.MalformedKinds(), ", ")+" (missing_field is a good record to a job whose columns are not required; oversize is refused by Kinesis)")
	fs.Float64Var(&cfg.Duplicates, "duplicates", 0, "share of records that resend an earlier record of the same producer")
	fs.Float64Var(&cfg.Late, "late", 0, "share of records with a late, out-of-order event time")
	fs.DurationVar(&cfg.MaxLateness, "max-lateness", generators.DefaultMaxLateness, "how late a late record may be")
	fs.StringVar(&cfg.Start, "start", defaultGenStart, "event time of the first record: RFC 3339, or now (then runs differ in their event times)")
	fs.StringVar(&cfg.KeyStrategy, "key-strategy", "device", "partition keys: device, uniform or hot:SHARE")
	fs.BoolVar(&cfg.Ordered, "ordered", false, "Kinesis: keep each partition key's records in order (one in flight per key)")
	fs.IntVar(&cfg.KPLAggregate, "kpl-aggregate", 0, "Kinesis: pack up to N records into each Kinesis record as the KPL does (aggregated format, 50 KiB at most); the ledger keeps a row per record")
	fs.StringVar(&cfg.DDL, "ddl", "", "table: column list in Hive DDL, e.g. \"`id` string, `n` int\"")
	fs.StringVar(&cfg.TableFile, "table-file", "", "table: file with Hive DDL or a Glue JSON column list")
	fs.StringVar(&cfg.Key, "key", "", "table: identity key column (default: first string column, else a generated __id)")
	fs.BoolVar(&cfg.JSON, "json", false, "print the summary as JSON")

	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfg.Dataset = args[0]
		args = args[1:]
	}
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if cfg.Dataset == "" && len(rest) > 0 {
		cfg.Dataset, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q (flags go after the data set)", rest[0])
	}
	fs.Visit(func(f *flag.Flag) {
		cfg.setCount = cfg.setCount || f.Name == "count"
		cfg.setDuration = cfg.setDuration || f.Name == "duration"
	})
	if !cfg.setCount && !cfg.setDuration {
		cfg.Count = defaultGenCount
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	return genRun(ctx, e, &cfg)
}

// genDataset builds the data set, reading the table definition.
func genDataset(cfg *genConfig) (*generators.Dataset, error) {
	switch cfg.Dataset {
	case "ventilator":
		return generators.Ventilator(), nil
	case "payments":
		return generators.Payments(), nil
	}
	var tab *generators.Table
	if cfg.DDL != "" {
		t, err := generators.ParseDDL(cfg.DDL)
		if err != nil {
			return nil, usagef("--ddl: %v", err)
		}
		tab = t
	} else {
		data, err := os.ReadFile(cfg.TableFile)
		if err != nil {
			return nil, usagef("--table-file: %v", err)
		}
		trimmed := strings.TrimSpace(string(data))
		if strings.EqualFold(filepath.Ext(cfg.TableFile), ".json") || strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
			tab, err = generators.ParseColumnsJSON(data)
		} else {
			tab, err = generators.ParseDDL(trimmed)
		}
		if err != nil {
			return nil, usagef("--table-file %s: %v", cfg.TableFile, err)
		}
	}
	ds, err := generators.NewTableDataset(tab, cfg.Key)
	if err != nil {
		return nil, usagef("--key: %v", err)
	}
	return ds, nil
}

// genSink connects to the target, creating the stream or topic when asked,
// and returns the sink with a function that releases it.
func genSink(ctx context.Context, e *env, cfg *genConfig, clk clock.Clock) (generators.Sink, func(), error) {
	scheme, name, _ := strings.Cut(cfg.To, "://")
	if scheme == "kafka" {
		brokers := cfg.Brokers
		if brokers == "" {
			brokers = e.getenv("STREAMCHECK_KAFKA_BROKERS")
		}
		if brokers == "" {
			return nil, nil, usagef("kafka:// needs --brokers HOST:PORT,... or STREAMCHECK_KAFKA_BROKERS")
		}
		cl, err := generators.NewKafkaClient(strings.Split(brokers, ","), name,
			kgo.DialTimeout(dialTimeout), kgo.RecordDeliveryTimeout(genDeliveryTimeout))
		if err != nil {
			return nil, nil, err
		}
		pctx, cancel := context.WithTimeout(ctx, dialTimeout)
		err = cl.Ping(pctx)
		cancel()
		if err != nil {
			cl.Close()
			return nil, nil, fmt.Errorf("no Kafka broker answered at %s within %v (%s): is streamcheck emulate (or the broker) running there?",
				brokers, dialTimeout, plainWords(err))
		}
		if cfg.Create {
			if err := generators.CreateKafkaTopic(ctx, cl, name, int32(max(cfg.Partitions, 1))); err != nil {
				cl.Close()
				return nil, nil, err
			}
		}
		return &generators.KafkaSink{Client: cl, Topic: name, Clock: clk}, cl.Close, nil
	}

	endpoint := cfg.Endpoint
	if endpoint == "" && !strings.EqualFold(e.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		endpoint = e.getenv("AWS_ENDPOINT_URL_KINESIS")
		if endpoint == "" {
			endpoint = e.getenv("AWS_ENDPOINT_URL")
		}
	}
	region := cfg.Region
	if region == "" {
		region = e.getenv("AWS_REGION")
	}
	if region == "" {
		region = e.getenv("AWS_DEFAULT_REGION")
	}
	var awsCfg aws.Config
	if endpoint != "" && e.getenv("AWS_ACCESS_KEY_ID") == "" && e.getenv("AWS_PROFILE") == "" {
		// A local endpoint with no credentials configured: emulators
		// accept any signature, so don't wait on the instance metadata
		// service for credentials that are not there.
		if region == "" {
			region = defaultGenRegion
		}
		awsCfg = aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("streamcheck", "streamcheck", "")}
	} else {
		var opts []func(*awsconfig.LoadOptions) error
		if region != "" {
			opts = append(opts, awsconfig.WithRegion(region))
		}
		if key := e.getenv("AWS_ACCESS_KEY_ID"); key != "" {
			opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key,
				e.getenv("AWS_SECRET_ACCESS_KEY"), e.getenv("AWS_SESSION_TOKEN"))))
		}
		var err error
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		if awsCfg.Region == "" {
			awsCfg.Region = defaultGenRegion
		}
	}
	client := generators.NewKinesisClient(awsCfg, endpoint)
	if err := genCheckStream(ctx, client, clk, cfg, name, endpoint); err != nil {
		return nil, nil, err
	}
	return &generators.KinesisSink{Client: client, Stream: name, Ordered: cfg.Ordered, Clock: clk, Seed: cfg.Seed, Aggregate: cfg.KPLAggregate}, func() {}, nil
}

// genCheckStream makes sure the stream is there before any record is sent,
// creating it with --create, and says in plain words what is wrong when it
// is not: nothing answering at the endpoint, or no such stream.
func genCheckStream(ctx context.Context, client *kinesis.Client, clk clock.Clock, cfg *genConfig, name, endpoint string) error {
	where := endpoint
	if where == "" {
		where = "AWS (" + client.Options().Region + ")"
	}
	pctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var err error
	if cfg.Create {
		err = generators.CreateKinesisStream(pctx, client, clk, name, int32(cfg.Shards))
	} else {
		_, err = client.DescribeStreamSummary(pctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case unreachable(err):
		return fmt.Errorf("the Kinesis endpoint %s did not answer (%s): %s", where, plainWords(err), endpointHint(endpoint))
	case errorCode(err) == "ResourceNotFoundException":
		return fmt.Errorf("stream %s does not exist at %s: create it with --create (and --shards N), or with streamcheck emulate --init", name, where)
	}
	return fmt.Errorf("stream %s at %s: %s", name, where, plainWords(err))
}

func genRun(ctx context.Context, e *env, cfg *genConfig) error {
	ds, err := genDataset(cfg)
	if err != nil {
		return err
	}
	if strings.HasPrefix(cfg.To, "dynamodb://") {
		return genItems(ctx, e, cfg, ds)
	}
	keys, _ := generators.ParseKeyStrategy(cfg.KeyStrategy)
	format, _ := generators.ParseFormat(cfg.Format)
	clk := clock.Real()
	start, _ := cfg.startTime(clk.Now())
	kinds, _ := cfg.malformedKinds()
	scfg := generators.SourceConfig{Dataset: ds, Format: format, Seed: cfg.Seed, Producers: cfg.Producers, Keys: keys,
		Start: start, Malformed: cfg.Malformed, MalformedOnly: kinds, Duplicates: cfg.Duplicates, Late: cfg.Late, MaxLateness: cfg.MaxLateness}
	if cfg.Rate > 0 {
		scfg.EventInterval = max(time.Duration(float64(time.Second)/cfg.Rate), time.Nanosecond)
	}
	if format == generators.FormatAvro {
		if _, err := generators.AvroSchema(ds.Table); err != nil {
			return usagef("--format avro: %v", err)
		}
	}
	src, err := generators.NewSource(scfg)
	if err != nil {
		return usagef("%v", err)
	}
	sink, release, err := genSink(ctx, e, cfg, clk)
	if err != nil {
		return err
	}
	defer release()
	var ledger *generators.Ledger
	if cfg.Ledger != "" {
		if ledger, err = generators.CreateLedger(cfg.Ledger); err != nil {
			return err
		}
	}

	stats := &generators.Stats{}
	tally := &errorTally{Sink: sink}
	stop := genProgress(e.stderr, stats, clk)
	sum, runErr := generators.Run(ctx, generators.RunConfig{Source: src, Sink: tally, Count: cfg.Count, Duration: cfg.Duration,
		Rate: cfg.Rate, Burst: cfg.Burst, Clock: clk, Ledger: ledger, Stats: stats})
	stop()
	if ledger != nil {
		if err := ledger.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if err := genSummary(e.stdout, cfg, sum); err != nil {
		return err
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		fmt.Fprintf(e.stderr, "streamcheck gen: interrupted after %d records; the ledger holds every attempt\n", sum.Attempted)
		return &exitError{exitFailure}
	case runErr != nil:
		tally.print(e.stderr)
		return runErr
	}
	if tally.notAcked() > 0 {
		tally.print(e.stderr)
		fmt.Fprintf(e.stderr, "streamcheck gen: %d of %d records were not acknowledged by %s (the ledger says which)\n",
			tally.notAcked(), sum.Attempted, sum.Target)
		return &exitError{exitFailure}
	}
	return nil
}

// sdkNoise is the AWS SDK's preamble to a service's answer: operation,
// status and request ID, which say nothing a user can act on.
var sdkNoise = regexp.MustCompile(`operation error [^,]+, (https response error StatusCode: \d+, RequestID: [^,]*, )?`)

// errorTally is a Sink that counts the records its Sink did not get
// acknowledged, by kind of error, keeping the first error of each kind.
type errorTally struct {
	generators.Sink

	mu     sync.Mutex
	kinds  []string // in the order first seen
	first  map[string]string
	counts map[string]int64
	total  int64
}

// Send implements generators.Sink.
func (t *errorTally) Send(ctx context.Context, batch []*generators.Attempt, st *generators.Stats) error {
	err := t.Sink.Send(ctx, batch, st)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range batch {
		if a.Row.Outcome == generators.OutcomeAck {
			continue
		}
		if a.Row.Outcome == generators.OutcomeFailed && a.Row.Malformed == generators.MalformedOversize {
			continue // refused as it must be: the point of an oversize record
		}
		kind := a.Row.Outcome + ": " + errorKind(a.Row.Error)
		if t.first == nil {
			t.first, t.counts = map[string]string{}, map[string]int64{}
		}
		if _, ok := t.first[kind]; !ok {
			t.kinds = append(t.kinds, kind)
			t.first[kind] = a.Row.Error
		}
		t.counts[kind]++
		t.total++
	}
	return err
}

// notAcked is the number of records counted.
func (t *errorTally) notAcked() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// print writes one line per kind of error: how many records, and the first
// error in full.
func (t *errorTally) print(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range t.kinds {
		msg := t.first[k]
		if msg == "" {
			msg = "(no error recorded)"
		}
		fmt.Fprintf(w, "streamcheck gen: %d records %s; the first: %s\n", t.counts[k], k, sdkNoise.ReplaceAllString(msg, ""))
	}
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// genProgress reports stats on w until the returned function is called: a
// line redrawn four times a second on a terminal, else a log line every
// five seconds.
func genProgress(w io.Writer, st *generators.Stats, clk clock.Clock) (stop func()) {
	tty := isTerminal(w)
	interval := genLogInterval
	if tty {
		interval = genProgressInterval
	}
	start := clk.Now()
	line := func() string {
		el := clk.Now().Sub(start).Seconds()
		rate := 0.0
		if el > 0 {
			rate = float64(st.Attempted.Load()) / el
		}
		return fmt.Sprintf("sent %d (%.0f/s) acked %d throttled %d failed %d unknown %d",
			st.Attempted.Load(), rate, st.Acked.Load(), st.Throttled.Load(), st.Failed.Load(), st.Unknown.Load())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				if tty {
					fmt.Fprintf(w, "\r\033[K%s\n", line())
				}
				return
			case <-clk.After(interval):
				if tty {
					fmt.Fprintf(w, "\r\033[K%s", line())
				} else {
					fmt.Fprintf(w, "streamcheck gen: %s\n", line())
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

func genSummary(w io.Writer, cfg *genConfig, s generators.Summary) error {
	if cfg.JSON {
		out := struct {
			generators.Summary
			Ledger string `json:"ledger,omitempty"`
		}{s, cfg.Ledger}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "%s: %d %s records (%s, seed %d, %d producers) in %.1fs, %.0f records/s\n",
		s.Target, s.Attempted, s.Dataset, s.Format, s.Seed, s.Producers, float64(s.ElapsedMs)/1000, s.RecordsPerSec)
	fmt.Fprintf(w, "  acked %d, failed %d, unknown %d; throttled %d, retries %d\n", s.Acked, s.Failed, s.Unknown, s.Throttled, s.Retries)
	fmt.Fprintf(w, "  malformed %d, duplicates %d, %d bytes acknowledged\n", s.Malformed, s.Duplicates, s.Bytes)
	if cfg.Ledger != "" {
		fmt.Fprintf(w, "  ledger %s\n", cfg.Ledger)
	}
	return nil
}
