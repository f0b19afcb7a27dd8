package stsfake

import (
	"fmt"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
)

// Defaults of the options, and AWS's bounds.
const (
	DefaultAddr      = "127.0.0.1:0"
	DefaultAccountID = "000000000000"
	// DefaultMaxSessionDuration is an IAM role's MaxSessionDuration unless
	// set otherwise: one hour.
	DefaultMaxSessionDuration = time.Hour
	// MinSessionDuration and MaxSessionDuration bound AssumeRole's
	// DurationSeconds and a role's MaxSessionDuration: 15 minutes and 12
	// hours.
	MinSessionDuration = 15 * time.Minute
	MaxSessionDuration = 12 * time.Hour
	// DefaultSessionDuration is the lifetime of AssumeRole's credentials
	// when DurationSeconds is left out: one hour.
	DefaultSessionDuration = time.Hour
)

// Option configures a Server in New. An invalid option makes New return its
// error.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	settings.Common
	maxSession time.Duration
}

// WithClock sets the time source of the credentials' expiry. The default is
// clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *config) error { return o.SetClock(c) })
}

// WithSeed sets the seed the access keys, secrets, session tokens, role IDs
// and request IDs derive from. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *config) error { return o.SetSeed(seed) })
}

// WithAddr sets the address Start listens on. The default is DefaultAddr.
func WithAddr(addr string) Option {
	return optionFunc(func(o *config) error { return o.SetAddr(addr) })
}

// WithAccountID sets the account GetCallerIdentity reports for callers that
// sign with long-term (not assumed) credentials. The default is
// DefaultAccountID, LocalStack's.
func WithAccountID(id string) Option {
	return optionFunc(func(o *config) error { return o.SetAccountID(id) })
}

// WithMaxSessionDuration sets every role's MaxSessionDuration, the longest
// DurationSeconds AssumeRole grants. The default is
// DefaultMaxSessionDuration; AWS allows 1 to 12 hours.
func WithMaxSessionDuration(d time.Duration) Option {
	return optionFunc(func(o *config) error {
		if d < time.Hour || d > MaxSessionDuration || d%time.Second != 0 {
			return fmt.Errorf("WithMaxSessionDuration(%v): want whole seconds from 1h to 12h", d)
		}
		o.maxSession = d
		return nil
	})
}
