package kinesisfake

import (
	"fmt"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
)

// Defaults of the options.
const (
	DefaultAddr           = "127.0.0.1:0"
	DefaultRegion         = "us-east-1"
	DefaultAccountID      = "000000000000"
	DefaultIteratorTTL    = 5 * time.Minute
	DefaultRetentionHours = 24
)

// Option configures a Server in New. An invalid option makes New return its
// error.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	settings.Common
	limits      Limits
	statusDelay time.Duration
	iteratorTTL time.Duration
}

// WithClock sets the time source for iterator expiry, retention, rate
// windows, status changes and arrival timestamps. The default is clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *config) error { return o.SetClock(c) })
}

// WithFaults sets the fault injector every request is offered to; pass the
// same one to several emulators to drive them from one schedule. The default
// is a new fault.New(seed).
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(o *config) error { return o.SetFaults(in) })
}

// WithSeed sets the seed of the server's random choices: the key that signs
// shard iterators, request IDs and the default fault injector. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *config) error { return o.SetSeed(seed) })
}

// WithDataDir keeps streams and records in dir, which New creates if needed
// and replays if it holds a previous run's log. The default keeps everything
// in memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(o *config) error { return o.SetDataDir(dir) })
}

// WithAddr sets the address Start listens on, host:port. The default is
// "127.0.0.1:0", a free loopback port.
func WithAddr(addr string) Option {
	return optionFunc(func(o *config) error { return o.SetAddr(addr) })
}

// WithRegion sets the region written into ARNs. The default is "us-east-1".
func WithRegion(r string) Option {
	return optionFunc(func(o *config) error { return o.SetRegion(r) })
}

// WithAccountID sets the account written into ARNs and error messages, 12
// digits. The default is "000000000000".
func WithAccountID(id string) Option {
	return optionFunc(func(o *config) error { return o.SetAccountID(id) })
}

// WithLimits sets the service limits. The default is DefaultLimits(), AWS's
// values; a zero field turns that limit off, so Limits{} turns all off.
func WithLimits(l Limits) Option {
	return optionFunc(func(o *config) error {
		if err := l.validate(); err != nil {
			return fmt.Errorf("WithLimits: %w", err)
		}
		o.limits = l
		return nil
	})
}

// WithStreamStatusDelay sets how long a stream stays CREATING after
// CreateStream and UPDATING after a reshard or mode change, on the server's
// clock. The default is 0: streams are ACTIVE at once.
func WithStreamStatusDelay(d time.Duration) Option {
	return optionFunc(func(o *config) error {
		if d < 0 {
			return fmt.Errorf("WithStreamStatusDelay(%v): want zero or a positive duration", d)
		}
		o.statusDelay = d
		return nil
	})
}

// WithIteratorTTL sets how long a shard iterator stays valid after it is
// issued, on the server's clock. The default is 5 minutes, as AWS.
func WithIteratorTTL(d time.Duration) Option {
	return optionFunc(func(o *config) error {
		if d <= 0 {
			return fmt.Errorf("WithIteratorTTL(%v): want a positive duration", d)
		}
		o.iteratorTTL = d
		return nil
	})
}

// Limits are the service limits the server enforces. A zero field is no
// limit. Rates are per shard over one-second windows of the server's clock and
// are answered with ProvisionedThroughputExceededException, per record inside
// PutRecords, as AWS does.
type Limits struct {
	// RecordBytes caps a record's data plus partition key (AWS: 1 MiB). A
	// stream's MaxRecordSizeInKiB, set by CreateStream or
	// UpdateMaxRecordSize, takes precedence when set.
	RecordBytes int
	// PutRecordsRecords caps the records in one PutRecords (AWS: 500).
	PutRecordsRecords int
	// PutRecordsBytes caps one PutRecords' data plus keys (AWS: 5 MiB).
	PutRecordsBytes int
	// ShardWriteBytesPerSecond caps writes to a shard (AWS: 1 MiB/s).
	ShardWriteBytesPerSecond int
	// ShardWriteRecordsPerSecond caps writes to a shard (AWS: 1,000/s).
	ShardWriteRecordsPerSecond int
	// ShardReadCallsPerSecond caps GetRecords calls on a shard (AWS: 5/s).
	ShardReadCallsPerSecond int
	// ShardReadBytesPerSecond caps GetRecords bytes from a shard (AWS:
	// 2 MiB/s). A call may overshoot it; the calls after it in the same
	// second are refused.
	ShardReadBytesPerSecond int
	// GetRecordsBytes caps the data one GetRecords returns (AWS: 10 MiB).
	GetRecordsBytes int
	// ShardsPerAccount caps open shards over all streams (AWS's default
	// quota: 500); CreateStream, SplitShard and UpdateShardCount beyond it
	// get LimitExceededException.
	ShardsPerAccount int
	// OnDemandStreams caps ON_DEMAND streams (AWS's default quota: 50).
	OnDemandStreams int
}

// DefaultLimits returns AWS's limits.
func DefaultLimits() Limits {
	return Limits{
		RecordBytes:                1 << 20,
		PutRecordsRecords:          500,
		PutRecordsBytes:            5 << 20,
		ShardWriteBytesPerSecond:   1 << 20,
		ShardWriteRecordsPerSecond: 1000,
		ShardReadCallsPerSecond:    5,
		ShardReadBytesPerSecond:    2 << 20,
		GetRecordsBytes:            10 << 20,
		ShardsPerAccount:           500,
		OnDemandStreams:            50,
	}
}

// validate refuses negative limits.
func (l Limits) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"RecordBytes", l.RecordBytes},
		{"PutRecordsRecords", l.PutRecordsRecords},
		{"PutRecordsBytes", l.PutRecordsBytes},
		{"ShardWriteBytesPerSecond", l.ShardWriteBytesPerSecond},
		{"ShardWriteRecordsPerSecond", l.ShardWriteRecordsPerSecond},
		{"ShardReadCallsPerSecond", l.ShardReadCallsPerSecond},
		{"ShardReadBytesPerSecond", l.ShardReadBytesPerSecond},
		{"GetRecordsBytes", l.GetRecordsBytes},
		{"ShardsPerAccount", l.ShardsPerAccount},
		{"OnDemandStreams", l.OnDemandStreams},
	} {
		if f.v < 0 {
			return fmt.Errorf("%s is %d: want 0 (no limit) or more", f.name, f.v)
		}
	}
	return nil
}

// maxBodyBytes is the largest request body read: enough for the largest
// legal PutRecords or 10 MiB record in base64 with JSON framing.
func (l Limits) maxBodyBytes() int64 {
	n := int64(16 << 20)
	for _, v := range []int{l.PutRecordsBytes, l.RecordBytes} {
		if m := int64(v)*4/3 + 1<<20; m > n {
			n = m
		}
	}
	return n
}
