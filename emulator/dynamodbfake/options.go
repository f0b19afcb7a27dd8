package dynamodbfake

import (
	"fmt"
	"regexp"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
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
	settings.Common
	statusDelay time.Duration
	enforce     bool
}

// WithClock sets the time source for table status changes, TTL expiry,
// idempotency windows, throughput windows and timestamps. The default is
// clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *config) error { return o.SetClock(c) })
}

// WithFaults sets the fault injector every request is offered to; pass the
// same one to several emulators to drive them from one schedule. The default
// is a new fault.New(seed).
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(o *config) error { return o.SetFaults(in) })
}

// WithSeed sets the seed of the server's random choices: table IDs, request
// IDs and the default fault injector. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *config) error { return o.SetSeed(seed) })
}

// WithDataDir keeps tables and items in dir, which New creates if needed and
// replays if it holds a previous run's log. The default keeps everything in
// memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(o *config) error { return o.SetDataDir(dir) })
}

// WithAddr sets the address Start listens on. The default is "127.0.0.1:0",
// a free loopback port.
func WithAddr(addr string) Option {
	return optionFunc(func(o *config) error { return o.SetAddr(addr) })
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// WithRegion sets the region written into ARNs. The default is "us-east-1".
func WithRegion(r string) Option {
	return optionFunc(func(o *config) error {
		if r != "" && !regionPattern.MatchString(r) {
			return fmt.Errorf("WithRegion(%q): want a region such as us-east-1", r)
		}
		return o.SetRegion(r)
	})
}

// WithAccountID sets the account written into ARNs. The default is
// "000000000000".
func WithAccountID(id string) Option {
	return optionFunc(func(o *config) error { return o.SetAccountID(id) })
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
