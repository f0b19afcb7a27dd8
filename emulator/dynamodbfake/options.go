package dynamodbfake

import (
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

// Defaults of the options.
const (
	DefaultAddr      = "127.0.0.1:0"
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
)

// Option configures a Server in New. An invalid option makes New return its
// error.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	clock       clock.Clock
	faults      *fault.Injector
	seed        uint64
	dataDir     string
	addr        string
	region      string
	account     string
	statusDelay time.Duration
	enforce     bool
}

// WithClock sets the time source for table status changes, TTL expiry,
// idempotency windows, throughput windows and timestamps. The default is
// clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *config) error {
		if c == nil {
			return fmt.Errorf("WithClock(nil): want a clock")
		}
		o.clock = c
		return nil
	})
}

// WithFaults sets the fault injector every request is offered to; pass the
// same one to several emulators to drive them from one schedule. The default
// is a new fault.New(seed).
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(o *config) error {
		if in == nil {
			return fmt.Errorf("WithFaults(nil): want an injector")
		}
		o.faults = in
		return nil
	})
}

// WithSeed sets the seed of the server's random choices: table IDs, request
// IDs and the default fault injector. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *config) error { o.seed = seed; return nil })
}

// WithDataDir keeps tables and items in dir, which New creates if needed and
// replays if it holds a previous run's log. The default keeps everything in
// memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(o *config) error {
		if dir == "" {
			return fmt.Errorf("WithDataDir(\"\"): want a directory")
		}
		o.dataDir = dir
		return nil
	})
}

// WithAddr sets the address Start listens on. The default is "127.0.0.1:0",
// a free loopback port.
func WithAddr(addr string) Option {
	return optionFunc(func(o *config) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("WithAddr(%q): want host:port: %w", addr, err)
		}
		o.addr = addr
		return nil
	})
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// WithRegion sets the region written into ARNs. The default is "us-east-1".
func WithRegion(r string) Option {
	return optionFunc(func(o *config) error {
		if !regionPattern.MatchString(r) {
			return fmt.Errorf("WithRegion(%q): want a region such as us-east-1", r)
		}
		o.region = r
		return nil
	})
}

var accountPattern = regexp.MustCompile(`^\d{12}$`)

// WithAccountID sets the account written into ARNs. The default is
// "000000000000".
func WithAccountID(id string) Option {
	return optionFunc(func(o *config) error {
		if !accountPattern.MatchString(id) {
			return fmt.Errorf("WithAccountID(%q): want 12 digits", id)
		}
		o.account = id
		return nil
	})
}

// WithTableStatusDelay sets how long a table stays CREATING after
// CreateTable, UPDATING after UpdateTable, and a new global secondary index
// CREATING, on the server's clock. The default is 0: ACTIVE at once.
func WithTableStatusDelay(d time.Duration) Option {
	return optionFunc(func(o *config) error {
		if d < 0 {
			return fmt.Errorf("WithTableStatusDelay(%v): want zero or a positive duration", d)
		}
		o.statusDelay = d
		return nil
	})
}

// WithThroughputEnforcement makes PROVISIONED tables and their global
// secondary indexes refuse reads and writes beyond their provisioned
// capacity units in each second of the server's clock, with
// ProvisionedThroughputExceededException (or as unprocessed entries in
// BatchGetItem and BatchWriteItem). AWS's burst capacity is not modelled.
// The default is off: capacity is reported but never enforced.
func WithThroughputEnforcement() Option {
	return optionFunc(func(o *config) error { o.enforce = true; return nil })
}
