package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
)

func init() {
	register(&command{
		name: "emulate",
		example: "  streamcheck emulate --port 4566 --kafka-port 9092 --data-dir sc-data\n" +
			"  streamcheck emulate --init examples/ventilator/init.yaml",
		summary: "Serve Kinesis, S3 and DynamoDB on one LocalStack-compatible port, and Kafka, until interrupted.",
		usage:   "emulate [--port 4566] [--kafka-port 9092] [--host 127.0.0.1] [--data-dir DIR] [--seed N] [--region R] [--kinesis-limits aws|off] [--init FILE]",
		run:     runEmulate,
	})
}

// emulateConfig is the emulate command's configuration.
type emulateConfig struct {
	Host           string // interface to listen on
	Port           int    // edge port for Kinesis, S3 and DynamoDB
	KafkaPort      int    // Kafka broker port
	KafkaAdvertise string // host Kafka clients are told to connect to; "" = Host, or 127.0.0.1 for 0.0.0.0
	DataDir        string // "" keeps everything in memory
	Seed           uint64
	Region         string
	KinesisLimits  string // "aws" (the default) or "off"
	// Init is a file naming streams, topics, buckets and tables (and jobs
	// whose resources) to create once the emulators are up.
	Init string
}

// Defaults of emulateConfig, LocalStack's and Kafka's usual ports.
const (
	defaultEmulatePort      = 4566
	defaultEmulateKafkaPort = 9092
	defaultEmulateHost      = "127.0.0.1"
)

// Validate reports the first bad field.
func (c emulateConfig) Validate() error {
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("--port %d: want a port from 0 to 65535", c.Port)
	case c.KafkaPort < 0 || c.KafkaPort > 65535:
		return fmt.Errorf("--kafka-port %d: want a port from 0 to 65535", c.KafkaPort)
	case c.Port != 0 && c.Port == c.KafkaPort:
		return fmt.Errorf("--port and --kafka-port are both %d: want two different ports", c.Port)
	case c.Host == "":
		return fmt.Errorf("--host is empty: want an address such as 127.0.0.1 or 0.0.0.0")
	case net.ParseIP(c.Host) == nil && c.Host != "localhost":
		return fmt.Errorf("--host %q: want an IP address such as 127.0.0.1 or 0.0.0.0", c.Host)
	case c.Region == "":
		return fmt.Errorf("--region is empty")
	case c.KinesisLimits != "aws" && c.KinesisLimits != "off":
		return fmt.Errorf("--kinesis-limits %q: want aws (AWS's shard and request limits) or off", c.KinesisLimits)
	}
	return nil
}

func runEmulate(ctx context.Context, e *env, args []string) error {
	c := commands["emulate"]
	fs := newFlagSet(c)
	cfg := emulateConfig{}
	fs.StringVar(&cfg.Host, "host", defaultEmulateHost, "interface to listen on (0.0.0.0 for every interface)")
	fs.IntVar(&cfg.Port, "port", defaultEmulatePort, "edge port serving Kinesis, S3 and DynamoDB (0 picks a free port)")
	fs.IntVar(&cfg.KafkaPort, "kafka-port", defaultEmulateKafkaPort, "Kafka broker port (0 picks a free port)")
	fs.StringVar(&cfg.KafkaAdvertise, "kafka-advertise", "", "host Kafka clients are told to connect to (default: --host, or 127.0.0.1 for 0.0.0.0)")
	fs.StringVar(&cfg.DataDir, "data-dir", "", "keep streams, objects and topics in this directory across restarts (default: memory)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed for sequence numbers, shard IDs and probabilistic faults")
	fs.StringVar(&cfg.Region, "region", emulator.DefaultRegion, "AWS region the emulators report")
	fs.StringVar(&cfg.KinesisLimits, "kinesis-limits", "aws", "Kinesis limits: aws (shard throughput, request sizes, quotas as AWS enforces them) or off")
	fs.StringVar(&cfg.Init, "init", "", "create the streams, topics, buckets and tables this YAML file names once up, as LocalStack's init hooks do "+
		"(keys streams: [{name, shards}], topics: [{name, partitions}], buckets: [NAME], tables: [{name, hashKey, hashKeyType}], jobs: [JOB FILE])")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	var initRes []resource
	if cfg.Init != "" {
		var err error
		if initRes, err = loadInitFile(cfg.Init); err != nil {
			return usagef("--init %v", err)
		}
	}

	opts := []emulator.Option{
		emulator.WithBackend(emulator.Embedded),
		emulator.WithEdgeAddr(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))),
		emulator.WithKafkaAddr(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.KafkaPort))),
		emulator.WithSeed(cfg.Seed),
		emulator.WithRegion(cfg.Region),
		emulator.WithVersion(currentVersion()),
	}
	if cfg.KafkaAdvertise != "" {
		opts = append(opts, emulator.WithKafkaAdvertisedHost(cfg.KafkaAdvertise))
	}
	if cfg.DataDir != "" {
		opts = append(opts, emulator.WithDataDir(cfg.DataDir))
	}
	if cfg.KinesisLimits == "off" {
		opts = append(opts, emulator.WithKinesisLimits(kinesisfake.Limits{}))
	}
	st, err := emulator.Start(ctx, opts...)
	if err != nil {
		return err
	}
	if len(initRes) > 0 {
		if err := emulateInit(ctx, e, st, initRes); err != nil {
			_ = st.Close()
			return fmt.Errorf("--init %s: %w", cfg.Init, err)
		}
	}
	printEndpoints(e, st)

	<-ctx.Done()
	fmt.Fprintln(e.stderr, "streamcheck emulate: stopping")
	if err := st.Close(); err != nil {
		return fmt.Errorf("stop emulators: %w", err)
	}
	if cfg.DataDir != "" {
		fmt.Fprintf(e.stderr, "streamcheck emulate: data kept in %s\n", cfg.DataDir)
	}
	return nil
}

// emulateInit creates what the init file names on the running stack.
func emulateInit(ctx context.Context, e *env, st *emulator.Stack, rs []resource) error {
	cl := stackClients{kinesis: st.KinesisClient(), s3: st.S3Client(), dynamodb: st.DynamoDBClient(), endpoint: cmp.Or(st.EdgeURL, st.KinesisURL)}
	for _, r := range rs {
		if r.Kind == resTopic && cl.kafka == nil {
			kc, err := kgo.NewClient(kgo.SeedBrokers(st.KafkaBrokers...), kgo.DialTimeout(dialTimeout))
			if err != nil {
				return err
			}
			defer kc.Close()
			cl.kafka = kc
		}
	}
	if err := ensureResources(ctx, cl, rs, true, ""); err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Fprintf(e.stderr, "streamcheck emulate: %s %s is there (--init)\n", r.Kind, r.Name)
	}
	return nil
}

func printEndpoints(e *env, st *emulator.Stack) {
	w := e.stdout
	fmt.Fprintf(w, "Kinesis, S3, DynamoDB  %s\n", st.EdgeURL)
	fmt.Fprintf(w, "Health                 %s%s\n", st.EdgeURL, edge.HealthPath)
	fmt.Fprintf(w, "Faults                 %s%s  (streamcheck fault add --endpoint %s ...)\n", st.EdgeURL, edge.FaultsPath, st.EdgeURL)
	fmt.Fprintf(w, "Kafka                  %s\n", strings.Join(st.KafkaBrokers, ","))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "# Point SDKs, the AWS CLI and streamcheck here:")
	for _, kv := range st.Env() {
		fmt.Fprintf(w, "export %s\n", kv)
	}
	fmt.Fprintln(e.stderr, "streamcheck emulate: ready; press Ctrl-C to stop")
}
