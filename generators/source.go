package generators

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// KeyStrategy chooses the partition key (Kinesis) or record key (Kafka) of
// each record.
type KeyStrategy struct {
	// Kind is KeyDevice, KeyUniform or KeyHot.
	Kind string
	// HotShare is, for KeyHot, the share of records sent with the single
	// key HotKey; the rest are spread as with KeyUniform.
	HotShare float64
}

// Partition-key strategies.
const (
	// KeyDevice keys each record by the data set's device column
	// (ventilatorid, user_id): records of one device share a shard.
	KeyDevice = "device"
	// KeyUniform keys each record by its identity key, spreading records
	// evenly over shards.
	KeyUniform = "uniform"
	// KeyHot sends a share of records with one key and the rest uniformly.
	KeyHot = "hot"
	// HotKey is the partition key of KeyHot's hot share.
	HotKey = "hot"
)

// ParseKeyStrategy reads "device", "uniform" or "hot:SHARE" (e.g.
// "hot:0.5"; "hot" alone means hot:0.5).
func ParseKeyStrategy(s string) (KeyStrategy, error) {
	kind, arg, hasArg := strings.Cut(s, ":")
	switch kind {
	case KeyDevice, KeyUniform:
		if hasArg {
			return KeyStrategy{}, fmt.Errorf("key strategy %q: %s takes no argument", s, kind)
		}
		return KeyStrategy{Kind: kind}, nil
	case KeyHot:
		share := 0.5
		if hasArg {
			f, err := strconv.ParseFloat(arg, 64)
			if err != nil || f < 0 || f > 1 {
				return KeyStrategy{}, fmt.Errorf("key strategy %q: hot share %q: want a number from 0 to 1", s, arg)
			}
			share = f
		}
		return KeyStrategy{Kind: KeyHot, HotShare: share}, nil
	}
	return KeyStrategy{}, fmt.Errorf("key strategy %q: want device, uniform or hot:SHARE", s)
}

// String renders the strategy as ParseKeyStrategy reads it.
func (k KeyStrategy) String() string {
	if k.Kind == KeyHot {
		return "hot:" + strconv.FormatFloat(k.HotShare, 'g', -1, 64)
	}
	return k.Kind
}

// Defaults of SourceConfig.
const (
	DefaultMaxLateness   = 10 * time.Minute
	DefaultOversizeBytes = 1 << 20 // Kinesis's default record limit, 1 MiB
	DefaultEventInterval = time.Millisecond
	// maxDuplicateDistance bounds how far back, in the producer's own
	// records, a duplicate reaches.
	maxDuplicateDistance = 8
)

// SourceConfig says what records a Source generates. Every field but
// Dataset has a usable zero value.
type SourceConfig struct {
	// Dataset is the kind of record. Required.
	Dataset *Dataset
	// Format is the encoding; default FormatJSON.
	Format Format
	// Seed determines every record. 0 is a seed like any other.
	Seed uint64
	// Producers is how many producers share the records: record seq goes
	// to producer seq mod Producers. Default 1. It changes which earlier
	// record a duplicate resends, so runs compare only at equal Producers.
	Producers int
	// Keys is the partition-key strategy; default KeyDevice.
	Keys KeyStrategy
	// Start is the event time of record 0; record seq gets
	// Start + seq×EventInterval, less its lateness. Default 2026-01-01 UTC.
	// It is part of every payload: runs compare byte for byte only with
	// the same Start.
	Start time.Time
	// EventInterval spaces event times; default DefaultEventInterval.
	EventInterval time.Duration
	// Malformed is the share of records spoilt in one of MalformedKinds()
	// ways (or of the kinds in MalformedOnly), each equally likely.
	Malformed     float64
	MalformedOnly []string
	// OversizeBytes is the size an oversize record exceeds; default
	// DefaultOversizeBytes.
	OversizeBytes int
	// Duplicates is the share of records that resend one of the previous
	// few records of the same producer, byte for byte (duplicate_of).
	Duplicates float64
	// Late is the share of records whose event time is set back by up to
	// MaxLateness (default DefaultMaxLateness), making them late and out of
	// order.
	Late        float64
	MaxLateness time.Duration
}

// ErrConfig is wrapped by every Validate error.
var ErrConfig = errors.New("invalid generator configuration")

func share(name string, v float64) error {
	if v < 0 || v > 1 || v != v {
		return fmt.Errorf("%w: %s %v: want a share from 0 to 1", ErrConfig, name, v)
	}
	return nil
}

// Validate reports the first invalid field, by name.
func (c *SourceConfig) Validate() error {
	if c.Dataset == nil {
		return fmt.Errorf("%w: Dataset is required", ErrConfig)
	}
	if c.Dataset.Table.Index(c.Dataset.Key) < 0 {
		return fmt.Errorf("%w: Dataset key column %q is not in its table", ErrConfig, c.Dataset.Key)
	}
	if _, err := ParseFormat(string(c.Format)); c.Format != "" && err != nil {
		return fmt.Errorf("%w: Format: %w", ErrConfig, err)
	}
	if c.Producers < 0 {
		return fmt.Errorf("%w: Producers %d is negative", ErrConfig, c.Producers)
	}
	switch c.Keys.Kind {
	case "", KeyDevice, KeyUniform:
	case KeyHot:
		if err := share("Keys.HotShare", c.Keys.HotShare); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: Keys.Kind %q: want device, uniform or hot", ErrConfig, c.Keys.Kind)
	}
	for _, s := range []struct {
		n string
		v float64
	}{{"Malformed", c.Malformed}, {"Duplicates", c.Duplicates}, {"Late", c.Late}} {
		if err := share(s.n, s.v); err != nil {
			return err
		}
	}
	for _, k := range c.MalformedOnly {
		if !containsString(malformedKinds, k) {
			return fmt.Errorf("%w: MalformedOnly %q: want one of %s", ErrConfig, k, strings.Join(malformedKinds, ", "))
		}
	}
	switch {
	case c.EventInterval < 0:
		return fmt.Errorf("%w: EventInterval %v is negative", ErrConfig, c.EventInterval)
	case c.MaxLateness < 0:
		return fmt.Errorf("%w: MaxLateness %v is negative", ErrConfig, c.MaxLateness)
	case c.OversizeBytes < 0:
		return fmt.Errorf("%w: OversizeBytes %d is negative", ErrConfig, c.OversizeBytes)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Record is one generated record, before it is sent.
type Record struct {
	Seq          int64  // sequence number, from 0
	Producer     int    // Seq mod Producers
	Key          string // identity key; "" when the payload is unreadable
	PartitionKey string
	Payload      []byte
	Malformed    string // "" or one of malformedKinds
	DuplicateOf  int64  // -1, or the Seq this record resends
	EventTimeMs  int64  // event time written into the record, 0 if none
}

// SHA256 returns the lowercase hex SHA-256 of the payload.
func (r *Record) SHA256() string {
	s := sha256.Sum256(r.Payload)
	return hex.EncodeToString(s[:])
}

// Source generates records as a pure function of the seed and the sequence
// number. It is safe for concurrent use; each goroutine generates through
// its own Worker.
type Source struct {
	cfg       SourceConfig
	enc       encoder
	kinds     []string
	keyCol    int
	deviceCol int
	eventCol  int
}

// NewSource validates cfg and returns a Source.
func NewSource(cfg SourceConfig) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Format == "" {
		cfg.Format = FormatJSON
	}
	if cfg.Producers == 0 {
		cfg.Producers = 1
	}
	if cfg.Keys.Kind == "" {
		cfg.Keys.Kind = KeyDevice
	}
	if cfg.EventInterval == 0 {
		cfg.EventInterval = DefaultEventInterval
	}
	if cfg.MaxLateness == 0 {
		cfg.MaxLateness = DefaultMaxLateness
	}
	if cfg.OversizeBytes == 0 {
		cfg.OversizeBytes = DefaultOversizeBytes
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	enc, err := newEncoder(cfg.Format, cfg.Dataset.Table)
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	kinds := cfg.MalformedOnly
	if len(kinds) == 0 {
		kinds = malformedKinds
	}
	t := cfg.Dataset.Table
	s := &Source{cfg: cfg, enc: enc, kinds: kinds, keyCol: t.Index(cfg.Dataset.Key),
		deviceCol: t.Index(cfg.Dataset.Device), eventCol: t.Index(cfg.Dataset.EventTime)}
	if s.deviceCol < 0 {
		s.deviceCol = s.keyCol
	}
	return s, nil
}

// Config returns the configuration with defaults filled in.
func (s *Source) Config() SourceConfig { return s.cfg }

// Worker generates records of a Source. It is not safe for concurrent use.
type Worker struct {
	s     *Source
	pcg   *rand.PCG
	rng   *rand.Rand
	faker *gofakeit.Faker
	row   []any
}

// NewWorker returns a Worker of s.
func (s *Source) NewWorker() *Worker {
	pcg := rand.NewPCG(0, 0)
	return &Worker{s: s, pcg: pcg, rng: rand.New(pcg), faker: gofakeit.NewFaker(pcg, false),
		row: make([]any, len(s.cfg.Dataset.Table.Columns))}
}

// splitmix scrambles x so that neighbouring sequence numbers get unrelated
// streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Record returns record seq. The same Source configuration gives the same
// record, byte for byte, for the same seq.
func (w *Worker) Record(seq int64) (Record, error) {
	s := w.s
	cfg := &s.cfg
	w.pcg.Seed(splitmix(cfg.Seed), splitmix(uint64(seq)^0x5bd1e995))
	rng := w.rng
	// Every draw below happens for every record, in this order, so that one
	// share's setting does not shift the others' choices.
	uDup, dupBack := rng.Float64(), rng.IntN(maxDuplicateDistance)
	uMal, malKind, malCol := rng.Float64(), rng.IntN(len(s.kinds)), rng.Uint64()
	uLate, lateness := rng.Float64(), rng.Int64N(int64(cfg.MaxLateness))+1
	uHot := rng.Float64()

	producers := int64(cfg.Producers)
	if uDup < cfg.Duplicates {
		if earlier := seq / producers; earlier > 0 {
			back := 1 + int64(dupBack)%min(earlier, maxDuplicateDistance)
			orig, err := w.Record(seq - back*producers)
			if err != nil {
				return Record{}, err
			}
			orig.DuplicateOf = orig.Seq
			orig.Seq = seq
			return orig, nil
		}
	}
	eventTime := cfg.Start.Add(time.Duration(seq) * cfg.EventInterval)
	if uLate < cfg.Late {
		eventTime = eventTime.Add(-time.Duration(lateness))
	}
	if s.eventCol >= 0 && cfg.Dataset.Table.Columns[s.eventCol].Type.Kind == KindString {
		eventTime = eventTime.Truncate(time.Second) // written to the second
	}
	for i := range w.row {
		w.row[i] = nil
	}
	cfg.Dataset.fill(&rowGen{rng: rng, faker: w.faker}, seq, eventTime, w.row)

	r := Record{Seq: seq, Producer: int(seq % producers), DuplicateOf: -1}
	if s.eventCol >= 0 {
		r.EventTimeMs = eventTime.UnixMilli()
	}
	cols := cfg.Dataset.Table.Columns
	r.Key = textOf(cols[s.keyCol].Type, w.row[s.keyCol])
	switch {
	case cfg.Keys.Kind == KeyHot && uHot < cfg.Keys.HotShare:
		r.PartitionKey = HotKey
	case cfg.Keys.Kind == KeyDevice:
		r.PartitionKey = textOf(cols[s.deviceCol].Type, w.row[s.deviceCol])
	default:
		r.PartitionKey = r.Key
	}
	if r.PartitionKey == "" {
		r.PartitionKey = strconv.FormatInt(seq, 10)
	}
	m := mutation{col: -1}
	if uMal < cfg.Malformed {
		m.kind = s.kinds[malKind]
		m.col = s.pickColumn(m.kind, malCol)
		m.pad = cfg.OversizeBytes
		r.Malformed = m.kind
		if m.kind == MalformedInvalidJSON || m.col == s.keyCol {
			r.Key = ""
		}
	}
	payload, err := s.enc.encode(make([]byte, 0, 256), w.row, m)
	if err != nil {
		return Record{}, fmt.Errorf("generator: encode record %d: %w", seq, err)
	}
	r.Payload = payload
	return r, nil
}

// pickColumn chooses the column a malformation applies to: never the key
// column when another will do; for wrong_type a non-string column, for
// invalid_utf8 a string column (-1 when there is none: the bad bytes then go
// in an extra field).
func (s *Source) pickColumn(kind string, u uint64) int {
	cols := s.cfg.Dataset.Table.Columns
	var cand []int
	for i, c := range cols {
		if i == s.keyCol {
			continue
		}
		switch kind {
		case MalformedWrongType:
			if !c.Type.isString() {
				cand = append(cand, i)
			}
		case MalformedInvalidUTF8:
			if c.Type.isString() {
				cand = append(cand, i)
			}
		default:
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		if kind == MalformedInvalidUTF8 {
			return -1
		}
		return s.keyCol
	}
	return cand[u%uint64(len(cand))]
}
