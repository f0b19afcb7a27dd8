package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/interval"
)

// exitCrashed is the status of a run stopped at its crash point: that of a
// process killed with SIGKILL (128 + 9), which is what the crash simulates.
const exitCrashed = 137

// exitProcess ends the process without running deferred functions, as a
// kill would; tests replace it.
var exitProcess = os.Exit

func init() {
	register(&command{
		name:    "run",
		summary: "Run a streaming ETL job (Kinesis or Kafka to partitioned Parquet on S3 or a directory, exactly once).",
		usage:   "run --job FILE [--until-idle] [--window D] [--crash-at POINT [--crash-batch N]] [--metrics-addr ADDR] [--log-format text|json]",
		run:     runRun,
	})
}

func runRun(ctx context.Context, e *env, args []string) error {
	c := commands["run"]
	fs := newFlagSet(c)
	jobPath := fs.String("job", "", "job file (YAML); see examples/reference-job.yaml")
	untilIdle := fs.Bool("until-idle", false, "exit 0 once the stream has been drained for a window")
	window := fs.String("window", "", "override forEachBatch.windowSize (\"10s\", \"100 seconds\")")
	crashAt := fs.String("crash-at", "", "stop dead at after-plan, in-sink:K, after-sink or after-commit (exit status 137)")
	crashBatch := fs.Int64("crash-batch", -1, "the batch --crash-at applies to; -1 is the first batch this run processes")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics on ADDR (e.g. 127.0.0.1:9464) at /metrics")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *jobPath == "" {
		return usagef("--job is required")
	}
	job, err := engine.LoadJob(*jobPath)
	if err != nil {
		return usagef("%v", err)
	}
	if *window != "" {
		d, err := interval.Parse(*window)
		if err != nil || d <= 0 {
			return usagef("--window %q: want a positive duration such as 10s", *window)
		}
		job.ForEachBatch.WindowSize = engine.Duration(d)
		if err := job.Validate(); err != nil {
			return usagef("%v", err)
		}
	}
	if job.Source.Kind == engine.KindKafka && job.Options.BootstrapServers == "" {
		job.Options.BootstrapServers = e.getenv("STREAMCHECK_KAFKA_BROKERS")
		if job.Options.BootstrapServers == "" {
			return usagef("%s: a Kafka job needs connectionOptions.bootstrap.servers or STREAMCHECK_KAFKA_BROKERS", *jobPath)
		}
		if err := job.Validate(); err != nil {
			return usagef("STREAMCHECK_KAFKA_BROKERS: %v", err)
		}
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(e.stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(e.stderr, nil)
	default:
		return usagef("--log-format %q: want text or json", *logFormat)
	}
	log := slog.New(handler)

	cfg, err := awsConfig(ctx, e, job)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	opts := []engine.Option{engine.WithAWSConfig(cfg), engine.WithLogger(log), engine.WithMetricsRegistry(reg)}
	if *untilIdle {
		opts = append(opts, engine.WithUntilIdle())
	}
	if *crashAt != "" {
		cp, err := engine.ParseCrashPoint(*crashAt, *crashBatch)
		if err != nil {
			return usagef("--crash-at: %v", err)
		}
		opts = append(opts, engine.WithCrashPoint(cp))
	}
	if *metricsAddr != "" {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return usagef("--metrics-addr %q: %v", *metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	eng, err := engine.New(job, opts...)
	if err != nil {
		return usagef("%v", err)
	}
	err = eng.Run(ctx)
	switch {
	case errors.Is(err, engine.ErrCrashed):
		fmt.Fprintf(e.stderr, "streamcheck run: stopped dead at crash point %s\n", *crashAt)
		exitProcess(exitCrashed)
		return &exitError{exitCrashed}
	case errors.Is(err, checkpoint.ErrLocked):
		return fmt.Errorf("%w (wait for the lease to expire, or stop the other engine)", err)
	}
	return err
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
