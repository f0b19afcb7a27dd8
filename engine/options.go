package engine

import (
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamcheck/streamcheck/clock"
)

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock for windows, ingest times, Kinesis and batch
// retries, idle pauses and lease expiry. The default is clock.Real(). With a
// fake clock the caller must advance it for windows and backoffs to pass.
// (The AWS SDK's own S3 retries sleep on the wall clock.)
func WithClock(c clock.Clock) Option { return func(e *Engine) { e.clk = c } }

// WithAWSConfig sets the AWS configuration for the Kinesis and S3 clients
// (region, credentials, BaseEndpoint). Without it the engine loads the
// default configuration (environment, shared files), as the AWS CLI does.
func WithAWSConfig(cfg aws.Config) Option {
	return func(e *Engine) { e.awsCfg = &cfg }
}

// WithLogger sets the logger for per-batch metrics and events. The default
// discards.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithCrashPoint makes the engine stop dead at cp, as a killed process
// would: Run returns ErrCrashed at once, without releasing the lease or
// cleaning up.
func WithCrashPoint(cp CrashPoint) Option { return func(e *Engine) { e.crash = &cp } }

// WithMetricsRegistry registers the engine's Prometheus metrics in r (not
// the global registry). Without it the metrics are kept but not exported.
func WithMetricsRegistry(r prometheus.Registerer) Option { return func(e *Engine) { e.reg = r } }

// WithRandom sets the source of the random object names written in
// at-least-once mode. The default is crypto/rand.
func WithRandom(r io.Reader) Option { return func(e *Engine) { e.random = r } }

// WithUntilIdle makes Run return nil once the source has been drained for a
// window: a batch found nothing new after a batch that had caught up.
func WithUntilIdle() Option { return func(e *Engine) { e.untilIdle = true } }

// WithInstanceID sets the id this engine writes in the checkpoint lease (and
// a new checkpoint's metadata). The default is a random UUID.
func WithInstanceID(id string) Option { return func(e *Engine) { e.id = id } }

// WithSDKGetRecordsDecoder makes the Kinesis source decode GetRecords
// responses with the AWS SDK's generic deserializer instead of its own
// (source.DecodeGetRecords). The records are the same; the SDK's costs
// several times the CPU and memory. It exists to measure the difference.
func WithSDKGetRecordsDecoder() Option { return func(e *Engine) { e.sdkDecoder = true } }
