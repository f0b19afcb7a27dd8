package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
)

// Defaults of a Command's zero fields.
const (
	// DefaultGrace is how long a pipeline has to exit after its stop
	// signal before it is killed.
	DefaultGrace = 10 * time.Second
	// DefaultQuiet is how long a pipeline's output must stay unchanged,
	// after the load has ended, for the pipeline to count as drained.
	DefaultQuiet = 5 * time.Second
	// DefaultMaxExits is how many exits in a row, with no kill between
	// them, end a run with the verdict that the pipeline does not stay up.
	DefaultMaxExits = 8
)

// Output formats of a Command's output.
const (
	FormatParquet = "parquet"
	FormatJSONL   = "jsonl"
)

// Command is a pipeline run as a black box: any program, in any language,
// that reads the scenario's Kinesis stream or Kafka topic and writes its
// output to S3. The runner starts it with the stack's endpoints in its
// environment (Env.Vars), kills and restarts it as the scenario says, stops
// it once its output has been quiet for Quiet after the load (and, on
// Kafka, its consumer groups have caught up), and judges the objects under
// Output from the files alone. A run that exits is started again, as a
// supervisor would; one started after the load that exits with status 0
// has finished by itself.
//
// Args, Shell, Dir, Env and the Config file may use ${VAR} for any of
// Env.Vars (and the process's own environment).
type Command struct {
	// Args is the command line; Args[0] is looked up on PATH. Exactly one
	// of Args and Shell is set.
	Args []string
	// Shell is a command line run with /bin/sh -c.
	Shell string
	// Dir is the working directory; default the current one.
	Dir string
	// Env is extra environment, KEY=value lines, after Env.Vars.
	Env []string
	// Config, when set, is a file (a Redpanda Connect YAML, a Spark
	// properties file, a streamcheck job) whose ${VAR}s are replaced and
	// which is written to the run's directory under its own name; the
	// copy's path is ${STREAMCHECK_CONFIG}.
	Config string
	// StopSignal ends the pipeline gracefully; default SIGTERM. Grace is
	// how long it has before SIGKILL; default DefaultGrace.
	StopSignal syscall.Signal
	Grace      time.Duration
	// Output is where the pipeline writes, s3://BUCKET/PREFIX; the runner
	// creates the bucket. Required.
	Output string
	// Format is FormatParquet (default) or FormatJSONL, one JSON object a
	// line.
	Format string
	// PartitionBy lists the hive partition columns of the output paths
	// (col=value/...), in path order; empty for none.
	PartitionBy []string
	// KeyColumn is the output column that holds each record's key (the
	// data set's: serialnumber for the ventilator). Required.
	KeyColumn string
	// Promise is engine.ExactlyOnce (default) or engine.AtLeastOnce:
	// duplicates are then counted and reported, and loss still fails.
	Promise string
	// DeadLetter, when set, is where the pipeline writes rejected records
	// as streamcheck's dead-letter JSON lines.
	DeadLetter string
	// Schema, when set, is the output schema to expect.
	Schema []assertions.Column
	// Quiet is how long the output must stay unchanged after the load for
	// the pipeline to count as drained; default DefaultQuiet.
	Quiet time.Duration
	// Timeout bounds the pipeline's part of the run, from its first start
	// to drained; a pipeline still writing, or hanging, then gets a
	// verdict that says so. Default DefaultTimeout.
	Timeout time.Duration
	// MaxExits is how many exits in a row (no kill between them) end the
	// run with a verdict; default DefaultMaxExits. Exits are restarted
	// after a pause, as a supervisor would.
	MaxExits int
	// CheckpointTable, when set, is the DynamoDB table where the pipeline
	// keeps its leases and checkpoints, given to it as
	// ${STREAMCHECK_CHECKPOINT_TABLE}; it creates the table itself.
	// CheckpointAttribute is the attribute holding a shard's checkpointed
	// sequence number: with both, on Kinesis, the pipeline has drained
	// only once every shard's last record is checkpointed.
	CheckpointTable     string
	CheckpointAttribute string
}

// Validate reports the first field that is not usable, by name.
func (c *Command) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("command: %s %v: want %s", field, v, want)
	}
	switch {
	case len(c.Args) == 0 && c.Shell == "":
		return bad("Args", "[]", "a command line, or Shell")
	case len(c.Args) > 0 && c.Shell != "":
		return bad("Shell", strconv.Quote(c.Shell), "empty when Args is set")
	}
	if _, _, err := splitS3(c.Output); err != nil {
		return bad("Output", strconv.Quote(c.Output), "s3://BUCKET/PREFIX")
	}
	if c.DeadLetter != "" {
		if _, _, err := splitS3(c.DeadLetter); err != nil {
			return bad("DeadLetter", strconv.Quote(c.DeadLetter), "s3://BUCKET/PREFIX")
		}
	}
	switch c.Format {
	case "", FormatParquet, FormatJSONL:
	default:
		return bad("Format", strconv.Quote(c.Format), `"parquet" or "jsonl"`)
	}
	if c.KeyColumn == "" {
		return bad("KeyColumn", `""`, "the output column holding each record's key")
	}
	switch c.Promise {
	case "", engine.ExactlyOnce, engine.AtLeastOnce:
	default:
		return bad("Promise", strconv.Quote(c.Promise), `"exactly-once" or "at-least-once"`)
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"Grace", c.Grace}, {"Quiet", c.Quiet}, {"Timeout", c.Timeout}} {
		if d.v < 0 {
			return bad(d.field, d.v, "a positive duration (0 for the default)")
		}
	}
	if c.MaxExits < 0 {
		return bad("MaxExits", c.MaxExits, "a positive number (0 for the default)")
	}
	return nil
}

func (c *Command) format() string  { return or(c.Format, FormatParquet) }
func (c *Command) promise() string { return or(c.Promise, engine.ExactlyOnce) }
func (c *Command) grace() time.Duration {
	if c.Grace > 0 {
		return c.Grace
	}
	return DefaultGrace
}

func (c *Command) quiet() time.Duration {
	if c.Quiet > 0 {
		return c.Quiet
	}
	return DefaultQuiet
}

func (c *Command) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Command) maxExits() int { return orInt(c.MaxExits, DefaultMaxExits) }

func (c *Command) stopSignal() syscall.Signal {
	if c.StopSignal != 0 {
		return c.StopSignal
	}
	return syscall.SIGTERM
}

// Start renders the config file, expands ${VAR}s and starts the command in
// a process group of its own, its stdout and stderr appended to
// pipeline.log in the run's directory.
func (c Command) Start(ctx context.Context, env Env) (Process, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	vars := env.Vars()
	if c.CheckpointTable != "" {
		vars[EnvCheckpointTable] = c.CheckpointTable
	}
	expand := func(s string) string { return expandVars(s, vars, env.lookupEnv) }
	if c.Config != "" {
		b, err := os.ReadFile(expand(c.Config))
		if err != nil {
			return nil, fmt.Errorf("command: read config: %w", err)
		}
		dst := filepath.Join(env.Dir, filepath.Base(c.Config))
		if err := os.WriteFile(dst, []byte(expand(string(b))), 0o644); err != nil {
			return nil, fmt.Errorf("command: write config: %w", err)
		}
		vars[EnvConfig] = dst
	}
	argv := []string{"/bin/sh", "-c", expand(c.Shell)}
	if len(c.Args) > 0 {
		argv = make([]string, len(c.Args))
		for i, a := range c.Args {
			argv[i] = expand(a)
		}
	}
	environ := append(os.Environ(), flatten(vars)...)
	for _, kv := range c.Env {
		environ = append(environ, expand(kv))
	}
	var log io.Writer
	var logFile *os.File
	if env.Dir != "" {
		f, err := os.OpenFile(filepath.Join(env.Dir, PipelineLog), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("command: open log: %w", err)
		}
		log, logFile = f, f
	}
	p, err := startProcess(ctx, argv, expand(c.Dir), environ, log)
	if err != nil {
		if logFile != nil {
			logFile.Close()
		}
		return nil, err
	}
	if logFile != nil {
		go func() { <-p.Exited(); logFile.Close() }()
	}
	return p, nil
}

// PipelineLog is the file in the run's directory that holds a Command's
// stdout and stderr, every run appended.
const PipelineLog = "pipeline.log"

// Names of the variables Env.Vars sets beyond the AWS and Kafka ones.
const (
	EnvSource       = "STREAMCHECK_SOURCE"
	EnvStream       = "STREAMCHECK_STREAM"
	EnvTopic        = "STREAMCHECK_TOPIC"
	EnvBucket       = "STREAMCHECK_BUCKET"
	EnvOutput       = "STREAMCHECK_OUTPUT"
	EnvOutputPrefix = "STREAMCHECK_OUTPUT_PREFIX"
	EnvDeadLetter   = "STREAMCHECK_DEAD_LETTER"
	EnvRunDir       = "STREAMCHECK_RUN_DIR"
	EnvConfig       = "STREAMCHECK_CONFIG"
	EnvJob          = "STREAMCHECK_JOB"
	// EnvCheckpointTable is Command.CheckpointTable.
	EnvCheckpointTable = "STREAMCHECK_CHECKPOINT_TABLE"
)

// Vars returns the environment a pipeline needs to find the run's world,
// in the forms real tools read: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3,
// _KINESIS and _DYNAMODB (the endpoint the pipeline must use, which is where the
// runner's tripwires watch), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_REGION and AWS_DEFAULT_REGION; KAFKA_BOOTSTRAP_SERVERS, KAFKA_BROKERS
// and STREAMCHECK_KAFKA_BROKERS (comma-separated host:port); and
// STREAMCHECK_SOURCE (kinesis or kafka), STREAMCHECK_STREAM and
// STREAMCHECK_TOPIC (the stream or topic), STREAMCHECK_BUCKET,
// STREAMCHECK_OUTPUT (s3://BUCKET/PREFIX), STREAMCHECK_OUTPUT_PREFIX (the
// key prefix), STREAMCHECK_DEAD_LETTER, STREAMCHECK_SEED,
// STREAMCHECK_RUN_DIR and, for the engine, STREAMCHECK_JOB. A Command
// with a CheckpointTable also gets STREAMCHECK_CHECKPOINT_TABLE.
func (e Env) Vars() map[string]string {
	m := map[string]string{}
	if e.Stack != nil {
		for _, kv := range e.Stack.Env() {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		if e.Stack.KinesisURL != "" {
			m["AWS_ENDPOINT_URL_KINESIS"] = e.Stack.KinesisURL
		}
		if e.Stack.S3URL != "" {
			m["AWS_ENDPOINT_URL_S3"] = e.Stack.S3URL
		}
		if e.Stack.DynamoDBURL != "" {
			m["AWS_ENDPOINT_URL_DYNAMODB"] = e.Stack.DynamoDBURL
		}
		if e.Stack.EdgeURL != "" {
			m["AWS_ENDPOINT_URL"] = e.Stack.EdgeURL
		}
		if len(e.Stack.KafkaBrokers) > 0 {
			b := strings.Join(e.Stack.KafkaBrokers, ",")
			m["KAFKA_BOOTSTRAP_SERVERS"], m["KAFKA_BROKERS"], m[emulator.EnvKafkaBrokers] = b, b, b
		}
	}
	if e.endpoint != "" {
		for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL_DYNAMODB"} {
			m[k] = e.endpoint
		}
	}
	m[EnvSource] = or(e.Kind, engine.KindKinesis)
	m[EnvStream], m[EnvTopic], m[EnvBucket] = e.Stream, e.Stream, e.Bucket
	m[EnvSeed] = strconv.FormatUint(e.Seed, 10)
	if e.Output != "" {
		m[EnvOutput] = e.Output
		if _, prefix, err := splitS3(e.Output); err == nil {
			m[EnvOutputPrefix] = prefix
		}
	}
	if e.DeadLetter != "" {
		m[EnvDeadLetter] = e.DeadLetter
	}
	if e.Dir != "" {
		m[EnvRunDir] = e.Dir
	}
	if e.JobFile != "" {
		m[EnvJob] = e.JobFile
	}
	return m
}

// Environ returns Vars as KEY=value lines sorted by key, for exec.Cmd.Env.
func (e Env) Environ() []string { return flatten(e.Vars()) }

func (e Env) lookupEnv(k string) string {
	if e.getenv != nil {
		return e.getenv(k)
	}
	return os.Getenv(k)
}

func flatten(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// splitS3 splits s3://BUCKET/PREFIX; the prefix has no leading slash and
// may be empty.
func splitS3(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", errors.New("not an s3:// URI")
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", errors.New("no bucket")
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandVars replaces each ${NAME} that vars or getenv defines; $NAME and
// unknown ${NAME}s are left as they are, for the shell or the tool.
func expandVars(s string, vars map[string]string, getenv func(string) string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		if v, ok := vars[name]; ok {
			return v
		}
		if v := getenv(name); v != "" {
			return v
		}
		return ref
	})
}

// signalName names a stop signal as people write it (SIGTERM).
func signalName(s syscall.Signal) string {
	for name, sig := range signals {
		if sig == s {
			return name
		}
	}
	return s.String()
}
