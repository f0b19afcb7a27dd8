package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// Defaults of a Scenario's zero fields and of Execute's options.
const (
	// DefaultSeed is the seed when neither WithSeed nor STREAMCHECK_SEED
	// gives one.
	DefaultSeed uint64 = 1
	// EnvSeed is the environment variable that sets the seed.
	EnvSeed = "STREAMCHECK_SEED"
	// DefaultStream and DefaultShards are the stream a scenario creates:
	// the ventilator stream of the AWS Glue streaming blog, four shards.
	DefaultStream = "ventilatorstream"
	DefaultShards = 4
	// DefaultBucket is the S3 bucket holding output, dead letters and the
	// checkpoint, each under a prefix named after the scenario.
	DefaultBucket = "streamcheck"
	// DefaultRecords is how many records the load sends.
	DefaultRecords = 2000
	// DefaultWindow is the engine's window (forEachBatch.windowSize), short
	// so that a scenario takes seconds.
	DefaultWindow = 250 * time.Millisecond
	// DefaultMaxFetchRecordsPerShard caps a batch at this many records per
	// shard, so that DefaultRecords make several batches whatever the
	// timing.
	DefaultMaxFetchRecordsPerShard = 200
	// DefaultTimeout bounds a whole run.
	DefaultTimeout = 2 * time.Minute
	// KillTimeout is what each SIGKILL of Scenario.Kills adds to the
	// run's timeout.
	KillTimeout = 15 * time.Second
)

// Scenario is one reproducible end-to-end run: a setup, a load, a fault
// schedule and what to expect. The zero values of its fields are the
// defaults above; Name is required.
type Scenario struct {
	// Name identifies the scenario in its collection (the catalog, a
	// pipeline file), in test names and in replay commands: lower case letters, digits and dashes.
	Name string
	// Description says in a sentence what the scenario shows.
	Description string
	// Pipeline is what is tested; nil means streamcheck's engine on the
	// job of Setup.Job (Engine, or EngineProcess with Kills). A Command
	// runs any program as a black box; Crashes then do not apply (use
	// Kills and Tripwires).
	Pipeline Pipeline
	Setup    Setup
	Load     Load
	// Kills, when positive, runs the engine as a real `streamcheck run`
	// child process (EngineBinary's, unless WithEngineProcess names one)
	// and kills it with SIGKILL that many times, at moments drawn from the
	// seed, instead of using Crashes. EnvSoak set to a positive number
	// overrides the count. The load then sends Load.Records per kill, so
	// that it lasts until the last one, and the run's timeout grows by
	// KillTimeout per kill.
	Kills int
	// Crashes stop the engine dead, in order, one per engine run; after
	// each the engine is started again on the same checkpoint, as a
	// supervisor restarts a killed job.
	Crashes []Crash
	// Tripwires kill a Command pipeline at moments the S3 emulator sees:
	// while its Nth output object is stored but not yet acknowledged, or
	// right after it was. After each the pipeline is started again.
	Tripwires []Tripwire
	// Faults are emulator fault rules installed before the load starts.
	// They need the embedded backend; elsewhere the scenario fails at
	// setup.
	Faults []Fault
	// During, when set, runs alongside the load and the engine, from the
	// moment the load starts, with the run's seed: resharding the stream,
	// say. Its error ends the run. It must return once its work is done
	// or ctx ends.
	During func(ctx context.Context, env Env, seed uint64) error
	// AfterCrash, when set, runs after each crash and before the restart,
	// with the run's seed: deleting records the engine has not read, say.
	// Its error ends the run.
	AfterCrash func(ctx context.Context, env Env, seed uint64) error
	// Compaction, when set, runs `streamcheck compact` beside the engine
	// on a virtual clock, killing it at each step of its protocol (see
	// Compaction). It needs the engine in this process.
	Compaction *Compaction
	Expect     Expect
}

// Setup is what a scenario creates before the load.
type Setup struct {
	// Kind is the source: engine.KindKinesis (default) or
	// engine.KindKafka, a topic on the stack's Kafka brokers.
	Kind string
	// Stream is the Kinesis stream or Kafka topic; default DefaultStream.
	Stream string
	// Shards is its shard or partition count; default DefaultShards.
	Shards int
	// Bucket is the S3 bucket; default DefaultBucket.
	Bucket string
	// Window is the engine's window; default DefaultWindow.
	Window time.Duration
	// Delivery is the job's delivery mode, engine.ExactlyOnce (default)
	// or engine.AtLeastOnce.
	Delivery string
	// Job builds the job from the run's Env; default VentilatorJob. The
	// job's paths should lie under Env.Prefix.
	Job func(Env) (*engine.Job, error)
	// FailOnDataLoss is the job's failOnDataLoss: stop with an error
	// naming the shard or partition when retention removed records before
	// they were read, rather than go on and record the range.
	FailOnDataLoss bool
	// KeyColumn is the output column holding the ledger's key; default
	// the data set's key (serialnumber for the ventilator).
	KeyColumn string
	// KafkaBrokers is how many brokers the embedded Kafka runs (leader
	// moves and a broker taken down need at least two); default 1.
	KafkaBrokers int
}

// Env is what a job builder gets to know about a run.
type Env struct {
	// Stack is the running emulator stack.
	Stack *emulator.Stack
	// Kind is the source kind, engine.KindKinesis or engine.KindKafka.
	Kind string
	// Stream and Bucket are the scenario's stream (or topic) and bucket,
	// created.
	Stream string
	Bucket string
	// Prefix is "s3://BUCKET/NAME", under which the job should keep its
	// output ("/output"), dead letters ("/deadletter") and checkpoint
	// ("/checkpoint").
	Prefix string
	// Progress receives a person's progress lines (WithProgress); never
	// nil.
	Progress io.Writer
	// Window, Delivery and FailOnDataLoss are the scenario's settings.
	Window         time.Duration
	Delivery       string
	FailOnDataLoss bool
	// Seed is the run's seed.
	Seed uint64
	// Dir is the run's directory (WithDir).
	Dir string
	// Output and DeadLetter are where the pipeline writes, s3://BUCKET/...:
	// the job's sink paths for the engine, a Command's own for a Command.
	Output     string
	DeadLetter string
	// Job is the engine job the run built (Setup.Job) and JobFile its YAML
	// in Dir, for the engine pipelines; nil and "" for a Command.
	Job     *engine.Job
	JobFile string

	// Set by the runner for one start: the engine's crash point, its
	// logger, the endpoint the subject must use (the tripwires' proxy) and
	// where the process environment is read.
	crash    *engine.CrashPoint
	clock    clock.Clock
	logger   *slog.Logger
	endpoint string
	getenv   func(string) string
}

// Load is the generated traffic.
type Load struct {
	// Dataset is the kind of record; default generators.Ventilator().
	Dataset *generators.Dataset
	// Records is how many records to send; default DefaultRecords.
	Records int64
	// Rate is records per second across producers; 0 means as fast as
	// the stream takes them.
	Rate float64
	// Producers is how many producers send; default 1.
	Producers int
	// Malformed is the share of malformed records. They are of the kinds
	// the engine must reject (invalid JSON, a wrong type, invalid UTF-8)
	// and must each land in the dead letter once.
	Malformed float64
	// Duplicates is the share of deliberate producer-side duplicates.
	Duplicates float64
	// MalformedKinds are the generator's kinds of malformed records
	// (generators.MalformedKinds()); default invalid JSON, a wrong type and
	// invalid UTF-8.
	MalformedKinds []string
	// Format is the generator's encoding (generators.FormatJSON, CSV or
	// Avro); default JSON.
	Format generators.Format
	// EventInterval spaces the records' event times; default the
	// generator's (generators.DefaultEventInterval). Windowed jobs need
	// event times that span several windows.
	EventInterval time.Duration
	// Late is the share of records whose event time the generator sets
	// back by up to MaxLateness (default generators.DefaultMaxLateness).
	Late        float64
	MaxLateness time.Duration
	// Encode, when set, rewrites every generated record before it is
	// sent: it returns the payload to send and why that payload is
	// malformed ("" when it is well formed). The ledger records the
	// payload sent and that reason, so the checks expect what Encode
	// produced: another encoding (Grok log lines, CSV with a header), or
	// well-formed records the job must reject (a reading without a
	// reference row). It runs with the run's seed and must depend on
	// nothing else, so that a seed replays the same payloads.
	Encode func(seed uint64, rec generators.Record) (payload []byte, malformed string)
	// KPLAggregate packs up to that many records into each Kinesis record
	// in the KPL's aggregated format (generators.KinesisSink.Aggregate).
	KPLAggregate int
}

// Crash is an engine crash point. The batch is drawn from the seed in
// [Batch, BatchUpTo] when BatchUpTo > Batch, else it is Batch.
type Crash struct {
	// At is where in the batch the engine stops.
	At engine.CrashAt
	// Objects is, for engine.AtInSink, how many of the batch's objects are
	// written before the stop.
	Objects   int
	Batch     int64
	BatchUpTo int64
}

// Fault is an emulator fault rule. When SkipUpTo > Rule.Skip the rule's Skip
// is drawn from the seed in [Rule.Skip, SkipUpTo], so the seed decides when
// it fires.
type Fault struct {
	Rule     fault.Rule
	SkipUpTo int
}

// Expect is what the run must show. By default every check of
// assertions.Verify must pass with the exactly-once reading, each crash must
// have happened, and some records must have been delivered.
type Expect struct {
	// Duplicates turns the delivery expectation around, for the
	// at-least-once mode: the exactly-once reading must fail with
	// duplicated rows (and nothing lost or unexpected), while the
	// at-least-once reading passes. Under exactly-once it needs Orphans
	// (a deleted checkpoint is the one way to duplicate there).
	Duplicates bool
	// DuplicatesAreCommitted, with Duplicates, asks for exactly as many
	// duplicated rows as the engine had committed when it last crashed:
	// all of it written again, as after a deleted checkpoint.
	DuplicatesAreCommitted bool
	// Orphans, with Duplicates under exactly-once, expects a checkpoint
	// deleted on the way: the layout check must fail with orphan objects
	// only (the earlier checkpoint's, which its names' token sets apart
	// and which the new one's batches never name), and the delivery check
	// with duplicates only.
	Orphans bool
	// MinDeadLetters is the least number of dead-letter entries. Every
	// malformed acknowledged record must be in the dead letter once
	// regardless; this guards against a load that made none.
	MinDeadLetters int64
	// StopError, when set, turns the run around: an engine run must end
	// with an error whose text contains it (failOnDataLoss naming the
	// partition, say), and the checks' verdicts on the output written
	// until then become notes.
	StopError string
	// MinDataLoss is the least number of acknowledged records the
	// checker must find inside the checkpoint's data_loss ranges
	// (excused from delivery); 0 asks nothing.
	MinDataLoss int64
	// MaxLagP99 bounds the 99th percentile of lag from arrival in the
	// stream to the commit of the record's batch; 0 means no bound.
	MaxLagP99 time.Duration
	// DeadLetterErrors, when set, asks that every dead-letter entry of a
	// record the ledger marks malformed has an error containing the text
	// mapped to its malformed kind (CheckDeadLetterErrors).
	DeadLetterErrors map[string]string
	// Verify, when set, adds the scenario's own checks to those of
	// assertions.Verify, run after them on the same DuckDB session. A
	// failed result fails the run like any other check.
	Verify func(ctx context.Context, v *Verification) ([]assertions.Result, error)
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Validate reports the first field that is not usable, by name.
func (s *Scenario) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("scenario %q: %s %v: want %s", s.Name, field, v, want)
	}
	if !validName.MatchString(s.Name) {
		return bad("Name", fmt.Sprintf("%q", s.Name), "lower case letters, digits and dashes")
	}
	if s.Setup.Shards < 0 {
		return bad("Setup.Shards", s.Setup.Shards, "a positive number (0 for the default)")
	}
	switch s.Setup.Kind {
	case "", engine.KindKinesis, engine.KindKafka:
	default:
		return bad("Setup.Kind", fmt.Sprintf("%q", s.Setup.Kind), `"kinesis" or "kafka"`)
	}
	if s.Setup.Window < 0 {
		return bad("Setup.Window", s.Setup.Window, "a positive duration (0 for the default)")
	}
	switch s.Setup.Delivery {
	case "", engine.ExactlyOnce, engine.AtLeastOnce:
	default:
		return bad("Setup.Delivery", fmt.Sprintf("%q", s.Setup.Delivery), `"exactly-once" or "at-least-once"`)
	}
	if s.Load.Records < 0 {
		return bad("Load.Records", s.Load.Records, "a positive number (0 for the default)")
	}
	if s.Load.Rate < 0 {
		return bad("Load.Rate", s.Load.Rate, "records per second, 0 for no limit")
	}
	if s.Load.Producers < 0 {
		return bad("Load.Producers", s.Load.Producers, "a positive number (0 for one)")
	}
	for _, sh := range []struct {
		field string
		v     float64
	}{{"Load.Malformed", s.Load.Malformed}, {"Load.Duplicates", s.Load.Duplicates}} {
		if sh.v < 0 || sh.v > 1 {
			return bad(sh.field, sh.v, "a share from 0 to 1")
		}
	}
	for i, c := range s.Crashes {
		if err := (engine.CrashPoint{At: c.At, Batch: c.Batch, Objects: c.Objects}).Validate(); err != nil {
			return fmt.Errorf("scenario %q: Crashes[%d]: %w", s.Name, i, err)
		}
		if c.Batch < 0 {
			return bad(fmt.Sprintf("Crashes[%d].Batch", i), c.Batch, "a batch id, 0 or more")
		}
	}
	for i, f := range s.Faults {
		if err := f.Rule.Validate(); err != nil {
			return fmt.Errorf("scenario %q: Faults[%d]: %w", s.Name, i, err)
		}
	}
	if s.Expect.Duplicates && s.delivery() != engine.AtLeastOnce && !s.Expect.Orphans {
		return bad("Expect.Duplicates", true, "Setup.Delivery \"at-least-once\", or Expect.Orphans (exactly-once duplicates only after a deleted checkpoint)")
	}
	if s.Expect.Orphans && (!s.Expect.Duplicates || s.delivery() != engine.ExactlyOnce) {
		return bad("Expect.Orphans", true, "Expect.Duplicates and Setup.Delivery \"exactly-once\"")
	}
	if s.Expect.DuplicatesAreCommitted && (!s.Expect.Duplicates || len(s.Crashes) == 0) {
		return bad("Expect.DuplicatesAreCommitted", true, "Expect.Duplicates and at least one crash")
	}
	if s.Expect.MinDataLoss < 0 {
		return bad("Expect.MinDataLoss", s.Expect.MinDataLoss, "a count, 0 for none")
	}
	if s.Load.Late < 0 || s.Load.Late > 1 {
		return bad("Load.Late", s.Load.Late, "a share from 0 to 1")
	}
	if s.Load.Format != "" {
		if _, err := generators.ParseFormat(string(s.Load.Format)); err != nil {
			return bad("Load.Format", fmt.Sprintf("%q", s.Load.Format), "json, csv or avro")
		}
	}
	if s.Load.EventInterval < 0 || s.Load.MaxLateness < 0 {
		return bad("Load.EventInterval", s.Load.EventInterval, "a positive duration (0 for the default)")
	}
	if s.Setup.KafkaBrokers < 0 {
		return bad("Setup.KafkaBrokers", s.Setup.KafkaBrokers, "a positive number (0 for one)")
	}
	if s.Kills < 0 {
		return bad("Kills", s.Kills, "a number of SIGKILLs, 0 for none")
	}
	if s.Kills > 0 && len(s.Crashes) > 0 {
		return bad("Kills", s.Kills, "no Crashes with it (a killed process has no crash points)")
	}
	for i, t := range s.Tripwires {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("scenario %q: Tripwires[%d]: %w", s.Name, i, err)
		}
	}
	if len(s.Tripwires) > 0 && !s.isCommand() {
		return bad("Tripwires", len(s.Tripwires), "a Command pipeline (the engine has Crashes)")
	}
	if s.Pipeline != nil && len(s.Crashes) > 0 {
		if _, ok := s.Pipeline.(Engine); !ok {
			return bad("Crashes", len(s.Crashes), "the engine in this process (Pipeline nil or Engine); other pipelines take Kills and Tripwires")
		}
	}
	if c, ok := s.command(); ok {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("scenario %q: Pipeline: %w", s.Name, err)
		}
		if s.Setup.Job != nil {
			return bad("Setup.Job", "set", "nil with a Command pipeline (its job is its own)")
		}
	}
	if c := s.Compaction; c != nil {
		if err := c.validate(); err != nil {
			return fmt.Errorf("scenario %q: %w", s.Name, err)
		}
		if s.Pipeline != nil || s.Kills > 0 {
			return bad("Compaction", "set", "the engine in this process (Pipeline nil, no Kills)")
		}
	}
	if s.Expect.MaxLagP99 < 0 {
		return bad("Expect.MaxLagP99", s.Expect.MaxLagP99, "a duration, 0 for no bound")
	}
	return nil
}

// ErrExpectation is wrapped by the error Run reports when a scenario ran but
// did not show what it expected; Result.Failures lists why.
var ErrExpectation = errors.New("scenario expectation not met")

func (s *Scenario) stream() string { return or(s.Setup.Stream, DefaultStream) }
func (s *Scenario) bucket() string { return or(s.Setup.Bucket, DefaultBucket) }
func (s *Scenario) shards() int    { return orInt(s.Setup.Shards, DefaultShards) }
func (s *Scenario) records() int64 { return int64(orInt(int(s.Load.Records), DefaultRecords)) }
func (s *Scenario) producers() int { return orInt(s.Load.Producers, 1) }
func (s *Scenario) delivery() string {
	if c, ok := s.command(); ok {
		return c.promise()
	}
	return or(s.Setup.Delivery, engine.ExactlyOnce)
}
func (s *Scenario) kind() string { return or(s.Setup.Kind, engine.KindKinesis) }

func (s *Scenario) window() time.Duration {
	if s.Setup.Window > 0 {
		return s.Setup.Window
	}
	return DefaultWindow
}

func (s *Scenario) dataset() *generators.Dataset {
	if s.Load.Dataset != nil {
		return s.Load.Dataset
	}
	return generators.Ventilator()
}

// crashPoints resolves the crash schedule with the seed.
func (s *Scenario) crashPoints(seed uint64) []engine.CrashPoint {
	rng := rand.New(rand.NewPCG(seed, 0xc4a54))
	out := make([]engine.CrashPoint, len(s.Crashes))
	for i, c := range s.Crashes {
		b := c.Batch
		if c.BatchUpTo > c.Batch {
			b += rng.Int64N(c.BatchUpTo - c.Batch + 1)
		}
		out[i] = engine.CrashPoint{At: c.At, Batch: b, Objects: c.Objects}
	}
	return out
}

// faultRules resolves the fault schedule with the seed.
func (s *Scenario) faultRules(seed uint64) []fault.Rule {
	rng := rand.New(rand.NewPCG(seed, 0xfa017))
	out := make([]fault.Rule, len(s.Faults))
	for i, f := range s.Faults {
		r := f.Rule
		if f.SkipUpTo > r.Skip {
			r.Skip += rng.IntN(f.SkipUpTo - r.Skip + 1)
		}
		out[i] = r
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// source is the load's generator with the run's seed.
func (s *Scenario) source(seed uint64) (*generators.Source, error) {
	kinds := s.Load.MalformedKinds
	if len(kinds) == 0 {
		kinds = []string{generators.MalformedInvalidJSON, generators.MalformedWrongType, generators.MalformedInvalidUTF8}
	}
	return generators.NewSource(generators.SourceConfig{
		Dataset: s.dataset(), Seed: seed, Producers: s.producers(), Format: s.Load.Format,
		Malformed: s.Load.Malformed, Duplicates: s.Load.Duplicates, MalformedOnly: kinds,
		EventInterval: s.Load.EventInterval, Late: s.Load.Late, MaxLateness: s.Load.MaxLateness,
	})
}

// kills is the number of SIGKILLs: EnvSoak when set to a positive number,
// else Kills.
func (s *Scenario) kills(getenv func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv(EnvSoak))); err == nil && n > 0 {
		return n
	}
	return s.Kills
}

// command returns the scenario's Command pipeline, if it has one.
func (s *Scenario) command() (*Command, bool) {
	switch p := s.Pipeline.(type) {
	case Command:
		return &p, true
	case *Command:
		return p, p != nil
	}
	return nil, false
}

func (s *Scenario) isCommand() bool { _, ok := s.command(); return ok }
