package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/interval"
	"github.com/streamcheck/streamcheck/generators"
)

// exitCrashed is the status of a run stopped at its crash point: that of a
// process killed with SIGKILL (128 + 9), which is what the crash simulates.
const exitCrashed = 137

// exitProcess ends the process without running deferred functions, as a
// kill would; tests replace it.
var exitProcess = os.Exit

func init() {
	register(&command{
		name: "run",
		example: "  streamcheck run --job examples/ventilator/job.yaml --create --until-idle\n" +
			"  streamcheck run --job job.yaml --window 2s --crash-at after-sink --crash-batch 2   # exits 137",
		summary: "Run a streaming ETL job (Kinesis or Kafka to partitioned Parquet on S3 or a directory, exactly once).",
		usage:   "run --job FILE [--create] [--until-idle] [--window D] [--crash-at POINT [--crash-batch N]] [--metrics-addr ADDR] [--log-format text|json] [--debug]",
		run:     runRun,
	})
}

func runRun(ctx context.Context, e *env, args []string) error {
	c := commands["run"]
	fs := newFlagSet(c)
	var f jobRunFlags
	fs.StringVar(&f.job, "job", "", "job file (YAML); see examples/reference-job.yaml")
	fs.BoolVar(&f.untilIdle, "until-idle", false, "exit 0 once the stream has been drained for a window")
	fs.StringVar(&f.window, "window", "", "override forEachBatch.windowSize (\"10s\", \"100 seconds\")")
	fs.StringVar(&f.crashAt, "crash-at", "", "stop dead at after-plan, in-sink:K, after-sink or after-commit (exit status 137)")
	fs.Int64Var(&f.crashBatch, "crash-batch", -1, "the batch --crash-at applies to; -1 is the first batch this run processes")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on ADDR (e.g. 127.0.0.1:9464) at /metrics")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.BoolVar(&f.create, "create", false, "create the job's stream or topic and the buckets of its s3:// paths when missing (a stream with 1 shard)")
	debug := fs.Bool("debug", false, "on an error, also print the whole chain of underlying errors (the AWS SDK's included)")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	err := runJob(ctx, e, &f)
	var ue *usageError
	var ee *exitError
	if err != nil && *debug && !errors.As(err, &ue) && !errors.As(err, &ee) {
		printDebugChain(e.stderr, err)
	}
	return err
}

// jobRunFlags are run's flags.
type jobRunFlags struct {
	job, window, crashAt, metricsAddr, logFormat string
	untilIdle, create                            bool
	crashBatch                                   int64
}

// runJob loads the job, checks what it needs, and runs it.
func runJob(ctx context.Context, e *env, f *jobRunFlags) error {
	if f.job == "" {
		return usagef("--job is required")
	}
	job, err := engine.LoadJob(f.job)
	if err != nil {
		return usagef("%v", err)
	}
	if f.window != "" {
		d, err := interval.Parse(f.window)
		if err != nil || d <= 0 {
			return usagef("--window %q: want a positive duration such as 10s", f.window)
		}
		job.ForEachBatch.WindowSize = engine.Duration(d)
		if err := job.Validate(); err != nil {
			return usagef("%v", err)
		}
	}
	if job.Source.Kind == engine.KindKafka && job.Options.BootstrapServers == "" {
		job.Options.BootstrapServers = e.getenv("STREAMCHECK_KAFKA_BROKERS")
		if job.Options.BootstrapServers == "" {
			return usagef("%s: a Kafka job needs connectionOptions.bootstrap.servers or STREAMCHECK_KAFKA_BROKERS", f.job)
		}
		if err := job.Validate(); err != nil {
			return usagef("STREAMCHECK_KAFKA_BROKERS: %v", err)
		}
	}
	var handler slog.Handler
	switch f.logFormat {
	case "text":
		handler = slog.NewTextHandler(e.stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(e.stderr, nil)
	default:
		return usagef("--log-format %q: want text or json", f.logFormat)
	}
	log := slog.New(handler)

	cfg, err := awsConfig(ctx, e, job)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	opts := []engine.Option{engine.WithAWSConfig(cfg), engine.WithLogger(log), engine.WithMetricsRegistry(reg)}
	if f.untilIdle {
		opts = append(opts, engine.WithUntilIdle())
	}
	if f.crashAt != "" {
		cp, err := engine.ParseCrashPoint(f.crashAt, f.crashBatch)
		if err != nil {
			return usagef("--crash-at: %v", err)
		}
		opts = append(opts, engine.WithCrashPoint(cp))
	}
	if f.metricsAddr != "" {
		ln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			return usagef("--metrics-addr %q: %v", f.metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	if err := checkJobResources(ctx, e, job, cfg, f.create); err != nil {
		return err
	}
	eng, err := engine.New(job, opts...)
	if err != nil {
		return usagef("%v", err)
	}
	err = eng.Run(ctx)
	switch {
	case errors.Is(err, engine.ErrCrashed):
		fmt.Fprintf(e.stderr, "streamcheck run: stopped dead at crash point %s\n", f.crashAt)
		exitProcess(exitCrashed)
		return &exitError{exitCrashed}
	case errors.Is(err, checkpoint.ErrLocked):
		return fmt.Errorf("%w (wait for the lease to expire, or stop the other engine)", err)
	}
	return err
}

// checkJobResources makes sure the job's stream or topic and buckets exist
// before it starts, creating them with create: a missing one cannot appear
// by retrying, so it is reported at once, naming the job key that names it
// and the fix.
func checkJobResources(ctx context.Context, e *env, job *engine.Job, cfg aws.Config, create bool) error {
	rs := jobResources(job)
	if len(rs) == 0 {
		return nil
	}
	cl := stackClients{endpoint: e.getenv("AWS_ENDPOINT_URL")}
	for _, r := range rs {
		switch r.Kind {
		case resStream:
			endpoint := job.Source.Endpoint
			if endpoint != "" {
				cl.endpoint = endpoint
			}
			kcfg := cfg.Copy()
			if job.Source.Region != "" {
				kcfg.Region = job.Source.Region
			}
			cl.kinesis = generators.NewKinesisClient(kcfg, endpoint)
		case resBucket:
			if cl.s3 != nil {
				continue
			}
			client, err := verifyS3Client(ctx, e, job.Sink.Endpoint)
			if err != nil {
				return err
			}
			cl.s3 = client
		case resTopic:
			if cl.kafka != nil {
				continue
			}
			kc, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(job.Options.BootstrapServers, ",")...), kgo.DialTimeout(dialTimeout))
			if err != nil {
				return fmt.Errorf("connectionOptions.bootstrap.servers %q: %w", job.Options.BootstrapServers, err)
			}
			defer kc.Close()
			cl.kafka = kc
		}
	}
	// Kafka topics are created on demand by most brokers; only --create
	// makes them (with their partitions), else the brokers are pinged.
	return ensureResources(ctx, cl, rs, create, "run with --create")
}

// awsConfig loads the default AWS configuration, honouring AWS_ENDPOINT_URL,
// AWS_REGION and credentials from e's environment. When an endpoint is set
// (a local emulator) and no credentials are, dummy static credentials are
// used, as emulators accept any.
func awsConfig(ctx context.Context, e *env, job *engine.Job) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	endpoint := e.getenv("AWS_ENDPOINT_URL")
	if endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(endpoint))
	}
	region := e.getenv("AWS_REGION")
	if region == "" {
		region = e.getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	opts = append(opts, config.WithRegion(region))
	local := endpoint != "" || job.Source.Endpoint != "" || job.Sink.Endpoint != ""
	if key := e.getenv("AWS_ACCESS_KEY_ID"); key != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, e.getenv("AWS_SECRET_ACCESS_KEY"), e.getenv("AWS_SESSION_TOKEN"))))
	} else if local && e.getenv("AWS_PROFILE") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
