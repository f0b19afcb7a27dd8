package scenarios

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
)

type options struct {
	seed      uint64
	seedSet   bool
	dir       string
	progress  io.Writer
	logger    *slog.Logger
	timeout   time.Duration
	getenv    func(string) string
	stackOpts []emulator.Option
	stack     *emulator.Stack
	replay    string
	engineBin string
	kills     int
	// binary is the streamcheck binary for scenarios with Kills
	// (WithEngineBinary); "" finds one with EngineBinary.
	binary string
	// afterCrash, when set, is called after each crash before the restart,
	// for tests that inspect what a crash left behind.
	afterCrash func(ctx context.Context, stack *emulator.Stack, job *engine.Job, cp engine.CrashPoint) error
}

// Option configures Execute and Run.
type Option func(*options)

// WithSeed sets the seed of the run, overriding STREAMCHECK_SEED.
func WithSeed(seed uint64) Option {
	return func(o *options) { o.seed, o.seedSet = seed, true }
}

// WithDir keeps the run's files in dir: the ledger (ledger.jsonl), a copy of
// the S3 objects the job wrote (s3/BUCKET/NAME/...), the job (job.yaml), the
// Result (result.json) and the reports of package report (report.html,
// report.json, junit.xml). The caller creates and removes it. By default
// Execute makes a new temporary directory and keeps it (Result.Dir names
// it); Run uses t.TempDir.
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithProgress writes one line per step of the run to w (stream created,
// load progress, batches committed, crashes and restarts, verification), for
// a person watching. The default writes nothing.
func WithProgress(w io.Writer) Option { return func(o *options) { o.progress = w } }

// WithLogger sends the engine's logs to l. The default discards them.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithTimeout bounds the whole run; the default is DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithGetenv sets where STREAMCHECK_SEED and the emulator's variables
// (STREAMCHECK_BACKEND, ...) are read; the default is os.Getenv.
func WithGetenv(fn func(string) string) Option { return func(o *options) { o.getenv = fn } }

// WithStackOptions passes options to emulator.Start, e.g. WithBackend. The
// scenario adds WithSeed and WithGetenv itself.
func WithStackOptions(opts ...emulator.Option) Option {
	return func(o *options) { o.stackOpts = append(o.stackOpts, opts...) }
}

// WithStack runs the scenario on a stack the caller started and will close,
// instead of starting one. Faults then go into that stack's injector (and
// stay there). Scenarios sharing a stack need distinct Setup.Stream names:
// a stream's earlier records would count as unexpected.
func WithStack(s *emulator.Stack) Option { return func(o *options) { o.stack = s } }

// WithReplay sets the command Result.Replay shows, with {seed} standing for
// the seed, for callers that run a scenario of their own (the default names
// `streamcheck scenario run` for catalog scenarios).
func WithReplay(cmd string) Option { return func(o *options) { o.replay = cmd } }

func newOptions(opts []Option) *options {
	o := &options{timeout: DefaultTimeout, getenv: os.Getenv}
	for _, opt := range opts {
		opt(o)
	}
	if o.progress == nil {
		o.progress = io.Discard
	}
	return o
}
