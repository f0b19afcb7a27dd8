package engine

import (
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamcheck/streamcheck/clock"
)

// Option configures an Engine in New. An invalid option makes New return
// its error.
type Option interface{ apply(*options) error }

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

// options are what the options set; New copies them into the Engine, so an
// option never reaches the engine's running state.
type options struct {
	clk        clock.Clock
	awsCfg     *aws.Config
	log        *slog.Logger
	crash      *CrashPoint
	reg        prometheus.Registerer
	untilIdle  bool
	id         string
	sdkDecoder bool
	json       bool
	smallPages bool
}

// WithClock sets the clock for windows, ingest times, Kinesis and batch
// retries, idle pauses and lease expiry. The default is clock.Real(). With a
// fake clock the caller must advance it for windows and backoffs to pass.
// (The AWS SDK's own S3 retries sleep on the wall clock.)
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) error {
		if c == nil {
			return errors.New("engine: WithClock: clock is nil")
		}
		o.clk = c
		return nil
	})
}

// WithAWSConfig sets the AWS configuration for the Kinesis, S3 and DynamoDB
// clients (region, credentials, BaseEndpoint). Without it the engine loads
// the default configuration (environment, shared files), as the AWS CLI
// does.
func WithAWSConfig(cfg aws.Config) Option {
	return optionFunc(func(o *options) error { o.awsCfg = &cfg; return nil })
}

// WithLogger sets the logger for per-batch metrics and events. The default
// discards.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) error { o.log = l; return nil })
}

// WithCrashPoint makes the engine stop dead at cp, as a killed process
// would: Run returns ErrCrashed at once, without releasing the lease or
// cleaning up.
func WithCrashPoint(cp CrashPoint) Option {
	return optionFunc(func(o *options) error {
		if err := cp.Validate(); err != nil {
			return err
		}
		o.crash = &cp
		return nil
	})
}

// WithMetricsRegistry registers the engine's Prometheus metrics in r (not
// the global registry). Without it the metrics are kept but not exported.
func WithMetricsRegistry(r prometheus.Registerer) Option {
	return optionFunc(func(o *options) error { o.reg = r; return nil })
}

// WithUntilIdle makes Run return nil once the source has been drained for a
// window: a batch found nothing new after a batch that had caught up.
func WithUntilIdle() Option {
	return optionFunc(func(o *options) error { o.untilIdle = true; return nil })
}

// WithInstanceID sets the id this engine writes in the checkpoint lease (and
// a new checkpoint's metadata). The default is a random UUID.
func WithInstanceID(id string) Option {
	return optionFunc(func(o *options) error {
		if id == "" {
			return errors.New("engine: WithInstanceID: id is empty")
		}
		o.id = id
		return nil
	})
}

// WithSDKGetRecordsDecoder makes the Kinesis source decode GetRecords
// responses with the AWS SDK's generic deserializer instead of its own
// (source.DecodeGetRecords). The records are the same; the SDK's costs
// several times the CPU and memory. It exists to measure the difference.
func WithSDKGetRecordsDecoder() Option {
	return optionFunc(func(o *options) error { o.sdkDecoder = true; return nil })
}

// WithGetRecordsJSON makes the Kinesis source ask for GetRecords responses
// in JSON, as the AWS SDKs for Go, JavaScript and Python do, instead of
// CBOR, as the AWS SDK for Java and the KCL do. CBOR carries the same
// records without base64, so it costs less to read. Without this option
// an endpoint whose CBOR is not AWS's is detected on the first answer and
// read in JSON after a warning; the option skips that first attempt. The
// environment variable AWS_CBOR_DISABLE (set to any value but "false"),
// the AWS SDK for Java's switch, has the same effect.
func WithGetRecordsJSON() Option {
	return optionFunc(func(o *options) error { o.json = true; return nil })
}

// WithoutHugePages stops the engine from asking Linux for transparent huge
// pages for the Go heap's memory that holds a batch (see internal/hugepage
// and the README's "Memory and the garbage collector"). It changes nothing
// where the system's mode is "always" or "never", or outside Linux.
func WithoutHugePages() Option {
	return optionFunc(func(o *options) error { o.smallPages = true; return nil })
}

// cborDisabled reports whether AWS_CBOR_DISABLE asks for JSON: set to
// anything but "false" (or nothing), as the AWS SDK for Java reads it.
func cborDisabled() bool {
	v := os.Getenv("AWS_CBOR_DISABLE")
	return v != "" && !strings.EqualFold(v, "false")
}
