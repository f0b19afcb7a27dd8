package generators

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcheck/streamcheck/clock"
)

// Attempt is a record on its way to a stream with its ledger row. Run fills
// in the row's record columns; a Sink fills in the rest: Outcome, Attempts,
// Error, ShardID, SequenceNumber, Partition, Offset, SentAtMs and AckedAtMs.
type Attempt struct {
	Record
	Row LedgerRow
}

// Sink sends records to a stream.
type Sink interface {
	// Target names the stream as the ledger's target column does:
	// "kinesis://STREAM" or "kafka://TOPIC".
	Target() string
	// Send sends the batch and records the outcome of every attempt in its
	// row, counting throttles and retries in st. Records it never sent get
	// outcome failed with zero attempts. Send returns an error only when
	// the run cannot go on; the outcomes of rejected records are not errors.
	Send(ctx context.Context, batch []*Attempt, st *Stats) error
}

// Stats are live counters of a run, safe to read while it goes on.
type Stats struct {
	Attempted atomic.Int64 // records handed to the sink
	Acked     atomic.Int64
	Failed    atomic.Int64
	Unknown   atomic.Int64
	Throttled atomic.Int64 // record sends refused for throughput (each retry counts)
	Retries   atomic.Int64 // record sends after the first
	Bytes     atomic.Int64 // payload bytes acknowledged
}

// Defaults of RunConfig.
const (
	DefaultBatch = 500 // records generated per Sink.Send, Kinesis's PutRecords limit
)

// RunConfig says how to run a Source into a Sink.
type RunConfig struct {
	// Source and Sink are required.
	Source *Source
	Sink   Sink
	// Count is how many records to generate; 0 means until Duration has
	// passed or the context ends. At least one of Count and Duration must be
	// set.
	Count int64
	// Duration bounds the run on Clock.
	Duration time.Duration
	// Rate is the rate in records per second across all producers; 0 means
	// as fast as the sink takes them.
	Rate float64
	// Burst is how many records may go at once above Rate (the token
	// bucket's depth); default Rate/10, at least 1.
	Burst int
	// Batch is how many records a producer generates per Sink.Send; default
	// DefaultBatch.
	Batch int
	// Clock drives the rate limit and the duration; default clock.Real().
	Clock clock.Clock
	// Ledger, when set, receives one row per attempted record in seq order.
	// Run does not close it.
	Ledger *Ledger
	// Stats, when set, is updated as the run goes, e.g. for a progress line.
	Stats *Stats
}

// Validate reports the first invalid field, by name.
func (c *RunConfig) Validate() error {
	switch {
	case c.Source == nil:
		return fmt.Errorf("%w: Source is required", ErrConfig)
	case c.Sink == nil:
		return fmt.Errorf("%w: Sink is required", ErrConfig)
	case c.Count < 0:
		return fmt.Errorf("%w: Count %d is negative", ErrConfig, c.Count)
	case c.Duration < 0:
		return fmt.Errorf("%w: Duration %v is negative", ErrConfig, c.Duration)
	case c.Count == 0 && c.Duration == 0:
		return fmt.Errorf("%w: set Count or Duration", ErrConfig)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("%w: Rate %v: want records per second, 0 for no limit", ErrConfig, c.Rate)
	case c.Burst < 0:
		return fmt.Errorf("%w: Burst %d is negative", ErrConfig, c.Burst)
	case c.Batch < 0:
		return fmt.Errorf("%w: Batch %d is negative", ErrConfig, c.Batch)
	}
	return nil
}

// Summary is the result of a run.
type Summary struct {
	Target        string  `json:"target"`
	Dataset       string  `json:"dataset"`
	Format        string  `json:"format"`
	Seed          uint64  `json:"seed"`
	Producers     int     `json:"producers"`
	Attempted     int64   `json:"attempted"`
	Acked         int64   `json:"acked"`
	Failed        int64   `json:"failed"`
	Unknown       int64   `json:"unknown"`
	Throttled     int64   `json:"throttled"`
	Retries       int64   `json:"retries"`
	Malformed     int64   `json:"malformed"`
	Duplicates    int64   `json:"duplicates"`
	Bytes         int64   `json:"bytes"`
	ElapsedMs     int64   `json:"elapsed_ms"`
	RecordsPerSec float64 `json:"records_per_sec"`
}

// Run generates records and sends them through the sink with
// Source.Config().Producers producers until Count records have been
// attempted, Duration has passed or ctx ends, and writes every attempt to
// the ledger. It returns ctx's error when ctx ended the run; the summary and
// ledger then still describe every attempt made.
func Run(ctx context.Context, cfg RunConfig) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	clk := cfg.Clock
	if clk == nil {
		clk = clock.Real()
	}
	st := cfg.Stats
	if st == nil {
		st = &Stats{}
	}
	batchSize := cfg.Batch
	if batchSize == 0 {
		batchSize = DefaultBatch
	}
	scfg := cfg.Source.Config()
	producers := scfg.Producers
	start := clk.Now()
	var end time.Time
	if cfg.Duration > 0 {
		end = start.Add(cfg.Duration)
	}
	lim := newLimiter(clk, cfg.Rate, cfg.Burst)
	target := cfg.Sink.Target()

	var malformed, dups atomic.Int64
	rowsCh := make(chan []LedgerRow, 4*producers)
	ledgerErr := make(chan error, 1)
	go func() { ledgerErr <- collect(rowsCh, cfg.Ledger) }()

	errs := make([]error, producers)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := cfg.Source.NewWorker()
			next := int64(p)
			for ctx.Err() == nil {
				if cfg.Count > 0 && next >= cfg.Count {
					return
				}
				want := batchSize
				if cfg.Count > 0 {
					want = int(min(int64(want), (cfg.Count-next+int64(producers)-1)/int64(producers)))
				}
				n, err := lim.take(ctx, want, end)
				if err != nil || n == 0 {
					return
				}
				batch := make([]*Attempt, 0, n)
				for range n {
					rec, err := w.Record(next)
					if err != nil {
						errs[p] = err
						return
					}
					next += int64(producers)
					a := &Attempt{Record: rec}
					a.Row = LedgerRow{Seq: rec.Seq, Producer: int32(rec.Producer), Key: rec.Key,
						PartitionKey: rec.PartitionKey, PayloadSHA256: rec.SHA256(), Size: int32(len(rec.Payload)),
						Malformed: rec.Malformed, DuplicateOf: rec.DuplicateOf, EventTimeMs: rec.EventTimeMs,
						Target: target, Partition: -1, Offset: -1}
					if rec.Malformed != "" {
						malformed.Add(1)
					}
					if rec.DuplicateOf >= 0 {
						dups.Add(1)
					}
					batch = append(batch, a)
				}
				st.Attempted.Add(int64(len(batch)))
				if err := cfg.Sink.Send(ctx, batch, st); err != nil {
					errs[p] = fmt.Errorf("producer %d: %w", p, err)
				}
				rows := make([]LedgerRow, len(batch))
				for i, a := range batch {
					rows[i] = a.Row
					switch a.Row.Outcome {
					case OutcomeAck:
						st.Acked.Add(1)
						st.Bytes.Add(int64(a.Row.Size))
					case OutcomeUnknown:
						st.Unknown.Add(1)
					default:
						st.Failed.Add(1)
					}
				}
				rowsCh <- rows
				if errs[p] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(rowsCh)
	lerr := <-ledgerErr
	elapsed := clk.Now().Sub(start)
	sum := Summary{Target: target, Dataset: scfg.Dataset.Name, Format: string(scfg.Format), Seed: scfg.Seed,
		Producers: producers, Attempted: st.Attempted.Load(), Acked: st.Acked.Load(), Failed: st.Failed.Load(),
		Unknown: st.Unknown.Load(), Throttled: st.Throttled.Load(), Retries: st.Retries.Load(),
		Malformed: malformed.Load(), Duplicates: dups.Load(), Bytes: st.Bytes.Load(), ElapsedMs: elapsed.Milliseconds()}
	if elapsed > 0 {
		sum.RecordsPerSec = float64(sum.Attempted) / elapsed.Seconds()
	}
	if err := errors.Join(append(errs, lerr)...); err != nil {
		return sum, err
	}
	return sum, ctx.Err()
}

// collect writes rows to the ledger in seq order, holding back rows that
// arrive before their predecessors.
func collect(ch <-chan []LedgerRow, l *Ledger) error {
	var err error
	held := map[int64]LedgerRow{}
	var next int64
	out := make([]LedgerRow, 0, DefaultBatch)
	for rows := range ch {
		if l == nil || err != nil {
			continue
		}
		for _, r := range rows {
			held[r.Seq] = r
		}
		out = out[:0]
		for {
			r, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			out = append(out, r)
			next++
		}
		if len(out) > 0 {
			err = l.Write(out...)
		}
	}
	if l == nil || err != nil || len(held) == 0 {
		return err
	}
	rest := make([]LedgerRow, 0, len(held))
	for _, r := range held {
		rest = append(rest, r)
	}
	slices.SortFunc(rest, func(a, b LedgerRow) int { return compareInt64(a.Seq, b.Seq) })
	return l.Write(rest...)
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// limiter is a token bucket on a clock, shared by the producers.
type limiter struct {
	mu     sync.Mutex
	clk    clock.Clock
	rate   float64 // tokens per second; 0 means no limit
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(clk clock.Clock, rate float64, burst int) *limiter {
	b := float64(burst)
	if b == 0 {
		b = max(1, math.Floor(rate/10))
	}
	return &limiter{clk: clk, rate: rate, burst: b, tokens: b, last: clk.Now()}
}

// take waits until at least one token is available and takes up to want of
// them. It returns 0 once end (when not zero) has passed, and ctx's error
// when ctx ends first.
func (l *limiter) take(ctx context.Context, want int, end time.Time) (int, error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		now := l.clk.Now()
		if !end.IsZero() && !now.Before(end) {
			return 0, nil
		}
		if l.rate == 0 {
			return want, nil
		}
		l.mu.Lock()
		if now.After(l.last) {
			l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
			l.last = now
		}
		if l.tokens >= 1 {
			n := min(want, int(l.tokens))
			l.tokens -= float64(n)
			l.mu.Unlock()
			return n, nil
		}
		wait := time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
		l.mu.Unlock()
		if !end.IsZero() {
			wait = min(wait, end.Sub(now))
		}
		if err := l.clk.Sleep(ctx, max(wait, time.Microsecond)); err != nil {
			return 0, err
		}
	}
}
