package scenarios

import (
	"context"
	"fmt"
	"io"
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
	timeout   time.Duration
	getenv    func(string) string
	stackOpts []emulator.Option
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

// Option configures Execute and Run. An invalid option makes them fail
// with its error.
type Option interface{ apply(*options) error }

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

// WithSeed sets the seed of the run, overriding STREAMCHECK_SEED.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *options) error { o.seed, o.seedSet = seed, true; return nil })
}

// WithDir keeps the run's files in dir: the ledger (ledger.jsonl), a copy of
// the S3 objects the job wrote (s3/BUCKET/NAME/...), the job (job.yaml), the
// Result (result.json) and the reports of package report (report.html,
// report.json, junit.xml). The caller creates and removes it. By default
// Execute makes a new temporary directory and keeps it (Result.Dir names
// it); Run uses t.TempDir.
func WithDir(dir string) Option {
	return optionFunc(func(o *options) error { o.dir = dir; return nil })
}

// WithProgress writes one line per step of the run to w (stream created,
// load progress, batches committed, crashes and restarts, verification), for
// a person watching. The default writes nothing.
func WithProgress(w io.Writer) Option {
	return optionFunc(func(o *options) error { o.progress = w; return nil })
}

// WithTimeout bounds the whole run; the default is DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout(%v): want a positive duration", d)
		}
		o.timeout = d
		return nil
	})
}

// WithGetenv sets where STREAMCHECK_SEED and the emulator's variables
// (STREAMCHECK_BACKEND, ...) are read; the default is os.Getenv.
func WithGetenv(fn func(string) string) Option {
	return optionFunc(func(o *options) error { o.getenv = fn; return nil })
}

// WithStackOptions passes options to emulator.Start, e.g. WithBackend. The
// scenario adds WithSeed and WithGetenv itself.
func WithStackOptions(opts ...emulator.Option) Option {
	return optionFunc(func(o *options) error { o.stackOpts = append(o.stackOpts, opts...); return nil })
}

// WithReplay sets the command Result.Replay and Run's failure message show,
// with {seed} standing for the seed: the command line of a tool, or the go
// test that runs a scenario of a collection (package catalog gives its own).
// The default is the go test command of the test with the seed in
// STREAMCHECK_SEED.
func WithReplay(cmd string) Option {
	return optionFunc(func(o *options) error { o.replay = cmd; return nil })
}

func newOptions(opts []Option) (*options, error) {
	o := &options{timeout: DefaultTimeout, getenv: os.Getenv}
	for _, opt := range opts {
		if err := opt.apply(o); err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
	}
	if o.progress == nil {
		o.progress = io.Discard
	}
	return o, nil
}
