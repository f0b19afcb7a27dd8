package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// Result is what a run showed. Passed is false when an expectation was not
// met; Failures then says which, in sentences.
type Result struct {
	Scenario string   `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Passed   bool     `json:"passed"`
	Failures []string `json:"failures,omitempty"`
	// Notes are things the run could not show, such as a check that could
	// not run; they do not fail it.
	Notes []string `json:"notes,omitempty"`
	// Replay is the command that runs the scenario again with the same
	// seed.
	Replay string `json:"replay"`

	// Load is the generator's summary: records attempted, acknowledged,
	// malformed, duplicated.
	Load generators.Summary `json:"load"`
	// EngineRuns counts engine starts; Crashes lists the crash points the
	// engine stopped at, in order ("after-sink of batch 2").
	EngineRuns int      `json:"engine_runs"`
	Crashes    []string `json:"crashes,omitempty"`
	// Batches counts batch commits, replays included.
	Batches int64 `json:"batches"`
	// Delivered, Duplicated and DeadLetters are the checker's tallies of
	// output rows, duplicated rows and dead-letter entries.
	Delivered   int64 `json:"delivered"`
	Duplicated  int64 `json:"duplicated"`
	DeadLetters int64 `json:"dead_letters"`
	// Lag is the lag from arrival in the stream to the batch's commit.
	Lag assertions.LagStats `json:"lag"`
	// Elapsed is the wall time of the whole run, setup to verdict.
	Elapsed time.Duration `json:"elapsed_ns"`

	// Dir holds the ledger, the job, the report and LocalCopy, a copy of
	// the job's S3 objects (s3/BUCKET/...).
	Dir    string `json:"dir"`
	Ledger string `json:"ledger"`
	Job    string `json:"job"`
	// ResultFile is this Result as JSON; HTMLReport the page of package
	// report (with report.json and junit.xml next to it).
	ResultFile string `json:"result_file"`
	HTMLReport string `json:"html_report"`
	LocalCopy  string `json:"local_copy"`
	// Output, DeadLetter and Checkpoint are the job's locations (on the
	// stack, gone once it is closed; see LocalCopy).
	Output     string `json:"output"`
	DeadLetter string `json:"dead_letter"`
	Checkpoint string `json:"checkpoint"`

	// CommittedAtCrash is how many records the engine had committed,
	// replays included, when it last crashed.
	CommittedAtCrash int64 `json:"committed_at_crash,omitempty"`
	// StoppedWith is the engine error that ended the run, for a scenario
	// that expects one (Expect.StopError).
	StoppedWith string `json:"stopped_with,omitempty"`
	// DataLoss counts acknowledged records inside the checkpoint's
	// data_loss ranges.
	DataLoss int64 `json:"data_loss"`

	// Report is the verification with the job's own delivery mode.
	// Strict, for at-least-once jobs, is the verification with the
	// exactly-once reading, which must find the duplicates.
	Report *assertions.Report `json:"report"`
	Strict *assertions.Report `json:"strict,omitempty"`

	description, backend string
	timeline             *timeline
}

func (r *Result) failf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

// Err returns nil when the run passed, else an error wrapping ErrExpectation
// that lists the failures, the seed and the replay command.
func (r *Result) Err() error {
	if r.Passed {
		return nil
	}
	return fmt.Errorf("%w: scenario %s (seed %d): %s\nreplay: %s", ErrExpectation, r.Scenario, r.Seed, strings.Join(r.Failures, "; "), r.Replay)
}

// Execute runs s: it starts a stack (unless WithStack), creates the stream
// and bucket, installs the faults, sends the load with a ledger while the
// engine runs, stops the engine at each crash point and starts it again on
// the same checkpoint until the stream is drained, then verifies the output
// with assertions.Verify and judges the expectations. It also writes the
// job, the report and a copy of the output to the run's directory.
//
// The error is for runs that could not be carried out (a stack that did not
// start, an engine error that retries did not cure, unreadable output); a
// run that worked but did not show what was expected returns a Result with
// Passed false and a nil error.
func Execute(ctx context.Context, s Scenario, opts ...Option) (*Result, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	seed, err := o.resolveSeed()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	replay := replayCommand(s.Name, seed)
	if o.replay != "" {
		replay = strings.ReplaceAll(o.replay, "{seed}", strconv.FormatUint(seed, 10))
	}
	res := &Result{Scenario: s.Name, Seed: seed, Replay: replay, description: s.Description,
		timeline: &timeline{started: start}}
	tl := res.timeline
	if s.Kills > 0 && o.engineBin == "" {
		o.timeout += time.Duration(s.kills(o.getenv)) * KillTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	say := func(format string, args ...any) { fmt.Fprintf(o.progress, format+"\n", args...) }

	if o.dir == "" {
		d, err := os.MkdirTemp("", "streamcheck-"+s.Name+"-")
		if err != nil {
			return nil, fmt.Errorf("scenario %s: make work directory: %w", s.Name, err)
		}
		o.dir = d
	} else if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return nil, fmt.Errorf("scenario %s: make work directory: %w", s.Name, err)
	}
	res.Dir = o.dir

	// Setup.
	sopts := []emulator.Option{emulator.WithSeed(seed), emulator.WithGetenv(o.getenv)}
	if s.Setup.KafkaBrokers > 1 {
		sopts = append(sopts, emulator.WithKafkaBrokers(s.Setup.KafkaBrokers))
	}
	sopts = append(sopts, o.stackOpts...)
	stack, err := emulator.Start(ctx, sopts...)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: start emulator stack: %w", s.Name, err)
	}
	defer stack.Close()
	say("stack: %s backend, Kinesis at %s, S3 at %s", stack.Backend, stack.KinesisURL, stack.S3URL)
	res.backend = string(stack.Backend)
	stream, bucket, shards := s.stream(), s.bucket(), s.shards()
	sink, closeSink, err := createSource(ctx, stack, s.kind(), stream, shards, seed)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if ks, ok := sink.(*generators.KinesisSink); ok {
		ks.Aggregate = s.Load.KPLAggregate
	}
	defer closeSink()
	s3c := stack.S3Client()
	if err := createBucket(ctx, s3c, bucket); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if s.kind() == engine.KindKafka {
		say("created topic %s (%d partitions) and bucket %s", stream, shards, bucket)
	} else {
		say("created stream %s (%d shards) and bucket %s", stream, shards, bucket)
	}
	var faultIDs []int
	for i, r := range s.faultRules(seed) {
		id, err := stack.AddFault(r)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: install fault %d: %w", s.Name, i, err)
		}
		faultIDs = append(faultIDs, id)
		say("fault %d installed: %s", id, describeRule(r))
		tl.add(report.KindFault, "fault %d: %s", id, describeRule(r))
	}
	env := Env{Stack: stack, Progress: o.progress, Kind: s.kind(), Stream: stream, Bucket: bucket, Prefix: "s3://" + bucket + "/" + s.Name, Window: s.window(), Delivery: s.delivery(), FailOnDataLoss: s.Setup.FailOnDataLoss}
	build := s.Setup.Job
	if build == nil {
		build = VentilatorJob
	}
	job, err := build(env)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: build job: %w", s.Name, err)
	}
	if err := job.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	res.Output, res.DeadLetter, res.Checkpoint = job.Sink.Path, job.Sink.DeadLetterPath, job.ForEachBatch.CheckpointLocation
	res.Job = filepath.Join(o.dir, "job.yaml")
	if err := writeJob(res.Job, job); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}

	// The engine binary, when the engine runs as a process: built before
	// the load starts, which may take a while.
	if s.Kills > 0 && o.engineBin == "" {
		bin := o.binary
		if bin == "" {
			say("finding the streamcheck binary for the engine process (go build when needed)")
			var err error
			if bin, err = EngineBinary(ctx); err != nil {
				return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
			}
		}
		o.engineBin, o.kills = bin, s.kills(o.getenv)
	}

	// Load, in the background.
	ds := s.dataset()
	src, err := s.source(seed)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	var encoder *encodeSink
	if s.Load.Encode != nil {
		encoder = &encodeSink{Sink: sink, seed: seed, encode: s.Load.Encode}
		sink = encoder
	}
	res.Ledger = filepath.Join(o.dir, "ledger.jsonl")
	ledger, err := generators.CreateLedger(res.Ledger)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	defer ledger.Close()
	stats := &generators.Stats{}
	count := s.records()
	if s.Kills > 0 {
		// The load lasts until the last kill.
		count *= int64(o.kills)
	}
	loadDone := make(chan struct{})
	var loadErr error
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	go func() {
		defer close(loadDone)
		res.Load, loadErr = generators.Run(loadCtx, generators.RunConfig{Source: src, Sink: sink, Count: count, Rate: s.Load.Rate, Ledger: ledger, Stats: stats})
		if encoder != nil {
			res.Load.Malformed = encoder.malformed.Load()
		}
		if err := ledger.Close(); err != nil && loadErr == nil {
			loadErr = err
		}
	}()
	// On an early return, stop the load and wait for it before the ledger
	// is closed.
	defer func() { stopLoad(); <-loadDone }()
	duringDone := make(chan struct{})
	var duringErr error
	if s.During != nil {
		go func() {
			defer close(duringDone)
			duringErr = s.During(loadCtx, env, seed)
			if duringErr != nil {
				tl.add(report.KindNote, "during the load: %v", duringErr)
			}
		}()
		defer func() { stopLoad(); <-duringDone }()
	} else {
		close(duringDone)
	}
	say("sending %d %s records to %s (malformed share %.3g, seed %d)", count, ds.Name, stream, s.Load.Malformed, seed)
	stopTicker := reportLoad(o.progress, stats, count, loadDone)
	defer stopTicker()

	// Engine runs: crash, restart, until drained after the load ended.
	w := newWatcher(o.progress)
	crashes := s.crashPoints(seed)
	next := 0
	restartAfterCrash := false
	if o.engineBin != "" {
		crashes = nil
		say("engine runs as a process (%s), killed with SIGKILL %d times", o.engineBin, o.kills)
		if err := runProcesses(ctx, o, res, stack, seed, loadDone, say); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	for o.engineBin == "" {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("scenario %s: engine run %d: %w", s.Name, res.EngineRuns+1, err)
		}
		loadOver := closed(loadDone)
		eopts := []engine.Option{engine.WithAWSConfig(stack.AWSConfig), engine.WithUntilIdle(), engine.WithLogger(slog.New(w))}
		if next < len(crashes) {
			eopts = append(eopts, engine.WithCrashPoint(crashes[next]))
		}
		eng, err := engine.New(job, eopts...)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		res.EngineRuns++
		switch {
		case res.EngineRuns > 1 && restartAfterCrash:
			tl.add(report.KindRestart, "engine restarted on the checkpoint (run %d)", res.EngineRuns)
		case res.EngineRuns > 1:
			tl.add(report.KindNote, "engine started again after an idle stop (run %d)", res.EngineRuns)
		}
		if res.EngineRuns == 1 {
			say("engine started: window %v, delivery %s, checkpoint %s", s.window(), job.Delivery, job.ForEachBatch.CheckpointLocation)
		}
		err = eng.Run(ctx)
		restartAfterCrash = errors.Is(err, engine.ErrCrashed)
		if restartAfterCrash {
			cp := crashes[next]
			res.Crashes = append(res.Crashes, fmt.Sprintf("%s of batch %d", cp, cp.Batch))
			res.CommittedAtCrash = w.shared.records.Load()
			say("engine stopped dead at %s of batch %d (as a killed process); restarting on the same checkpoint", cp, cp.Batch)
			tl.add(report.KindCrash, "crash %s of batch %d", cp, cp.Batch)
			next++
			if s.AfterCrash != nil {
				if err := s.AfterCrash(ctx, env, seed); err != nil {
					return nil, fmt.Errorf("scenario %s: after crash %s of batch %d: %w", s.Name, cp, cp.Batch, err)
				}
			}
			if o.afterCrash != nil {
				if err := o.afterCrash(ctx, stack, job, cp); err != nil {
					return nil, fmt.Errorf("scenario %s: after crash %s of batch %d: %w", s.Name, cp, cp.Batch, err)
				}
			}
			continue
		}
		if err != nil && s.Expect.StopError != "" && strings.Contains(err.Error(), s.Expect.StopError) {
			res.StoppedWith = err.Error()
			say("engine stopped with the expected error: %v", err)
			tl.add(report.KindNote, "engine stopped: %v", err)
			stopLoad()
			break
		}
		if err != nil {
			return nil, fmt.Errorf("scenario %s: engine run %d: %w", s.Name, res.EngineRuns, err)
		}
		if loadOver {
			break
		}
		say("engine stopped: the stream was idle for a window while the load goes on; starting it again")
	}
	stopTicker()
	<-loadDone
	if loadErr != nil && (res.StoppedWith == "" || !errors.Is(loadErr, context.Canceled)) {
		return nil, fmt.Errorf("scenario %s: load: %w", s.Name, loadErr)
	}
	<-duringDone
	if duringErr != nil {
		return nil, fmt.Errorf("scenario %s: during the load: %w", s.Name, duringErr)
	}
	res.Batches = w.shared.batches.Load()
	say("stream drained: %d engine runs, %d batch commits", res.EngineRuns, res.Batches)
	// A fault that never acted showed nothing.
	if stack.Faults != nil && len(faultIDs) > 0 {
		fired := map[int]int{}
		for _, in := range stack.Faults.Rules() {
			fired[in.ID] = in.Fired
		}
		for i, id := range faultIDs {
			if fired[id] == 0 {
				res.failf("fault %d (%s) never fired", i, describeRule(s.Faults[i].Rule))
			}
		}
	}
	for _, cp := range crashes[next:] {
		res.failf("crash point %s of batch %d was never reached (the load made fewer batches)", cp, cp.Batch)
	}

	// Verify.
	say("verifying with DuckDB")
	cfg := AssertionsConfig(job, res.Ledger, stack.AWSConfig)
	if s.Setup.KeyColumn != "" {
		cfg.KeyColumn = s.Setup.KeyColumn
	} else if cfg.KeyColumn == "" {
		cfg.KeyColumn = ds.Key
	}
	cfg.MaxLagP99 = s.Expect.MaxLagP99
	tmp := filepath.Join(o.dir, "tmp")
	cfg.TempDir = tmp
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	defer os.RemoveAll(tmp)
	// The local copy first, for the scenario's own checks.
	res.LocalCopy = filepath.Join(o.dir, "s3")
	if err := download(ctx, s3c, bucket, s.Name+"/", filepath.Join(res.LocalCopy, bucket)); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	rep, err := verify(ctx, cfg, s.extraChecks(job, seed, res.Ledger, src, res.LocalPath)...)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: verify: %w", s.Name, err)
	}
	res.Report = rep
	if cfg.Delivery == assertions.AtLeastOnce {
		strict := cfg
		strict.Delivery = assertions.ExactlyOnce
		if res.Strict, err = verify(ctx, strict); err != nil {
			return nil, fmt.Errorf("scenario %s: verify with the exactly-once reading: %w", s.Name, err)
		}
	}
	res.judge(&s)

	if err := tl.readBatches(res.LocalPath(res.Checkpoint), res.Ledger, w.shared.replayedBatches()); err != nil {
		return nil, fmt.Errorf("scenario %s: read the batches: %w", s.Name, err)
	}
	if res.Batches == 0 && o.engineBin != "" {
		// A child process's commits are not seen as they happen: count
		// them in the checkpoint.
		res.Batches = int64(len(tl.batches))
	}
	res.Elapsed = time.Since(start)
	res.ResultFile = filepath.Join(o.dir, "result.json")
	res.HTMLReport = filepath.Join(o.dir, report.HTMLFile)
	if err := writeJSON(res.ResultFile, res); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if err := report.WriteDir(o.dir, res.ReportRun()); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return res, nil
}

// extraChecks are the scenario's checks beyond those of package assertions:
// the dead-letter errors and Expect.Verify.
func (s *Scenario) extraChecks(job *engine.Job, seed uint64, ledger string, src *generators.Source, local func(string) string) []func(context.Context, *assertions.Session) ([]assertions.Result, error) {
	var extra []func(context.Context, *assertions.Session) ([]assertions.Result, error)
	if want := s.Expect.DeadLetterErrors; len(want) > 0 {
		extra = append(extra, func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
			r, err := checkDeadLetterErrors(ctx, sess, want)
			return []assertions.Result{r}, err
		})
	}
	if s.Expect.Verify != nil {
		extra = append(extra, func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
			return s.Expect.Verify(ctx, &Verification{Session: sess, Job: job, Seed: seed, Ledger: ledger, Source: src, Local: local})
		})
	}
	return extra
}

// judge sets the tallies and the verdict from the reports.
func (r *Result) judge(s *Scenario) {
	rep := r.Report
	if d := rep.Result(assertions.CheckDelivery); d != nil {
		r.Delivered, r.Duplicated = d.Count("delivered"), d.Count("duplicated")
	}
	if d := rep.Result(assertions.CheckDeadLetter); d != nil {
		r.DeadLetters = d.Count("entries")
	}
	if l := rep.Result(assertions.CheckLag); l != nil && l.Lag != nil {
		r.Lag = l.Lag.Overall
	}
	if d := rep.Result(assertions.CheckDelivery); d != nil {
		r.DataLoss = d.Count("in_data_loss_range")
	}
	if s.Expect.StopError != "" {
		if r.StoppedWith == "" {
			r.failf("the engine never stopped with an error containing %q", s.Expect.StopError)
		}
		for _, res := range rep.Results {
			if res.Status == assertions.Fail {
				r.Notes = append(r.Notes, fmt.Sprintf("check %s on the output written before the stop: %s", res.Check, describe(res)))
			}
		}
		r.Passed = len(r.Failures) == 0
		return
	}
	if r.DataLoss < s.Expect.MinDataLoss {
		r.failf("%d acknowledged records in data_loss ranges, want at least %d", r.DataLoss, s.Expect.MinDataLoss)
	}
	for _, res := range rep.Results {
		if s.Expect.Orphans && (res.Check == assertions.CheckDelivery || res.Check == assertions.CheckLayout) {
			continue // judged below
		}
		if res.Status == assertions.Fail {
			r.failf("check %s failed: %s", res.Check, describe(res))
		}
	}
	if d := rep.Result(assertions.CheckDelivery); d == nil || d.Status == assertions.Skip {
		r.failf("the delivery check did not run")
	}
	if r.Delivered == 0 {
		r.failf("no records were delivered")
	}
	if r.DeadLetters < s.Expect.MinDeadLetters {
		r.failf("%d dead-letter entries, want at least %d", r.DeadLetters, s.Expect.MinDeadLetters)
	}
	if s.Expect.Duplicates {
		strict := r.Strict
		if strict == nil {
			strict = rep // an exactly-once job: its own reading
		}
		d := strict.Result(assertions.CheckDelivery)
		switch {
		case d == nil:
			r.failf("the exactly-once reading has no delivery result")
		case d.Status != assertions.Fail || d.Count("duplicated") == 0:
			r.failf("the exactly-once reading found no duplicates (delivery %s: %s); at-least-once after a crash after its sink must duplicate", d.Status, describe(*d))
		case d.Count("lost") > 0 || d.Count("unexpected") > 0:
			r.failf("the exactly-once reading found more than duplicates: %s", describe(*d))
		default:
			r.Duplicated = d.Count("duplicated")
			if s.Expect.DuplicatesAreCommitted && r.Duplicated != r.CommittedAtCrash {
				r.failf("%d duplicated rows, want %d: every record committed before the crash written again", r.Duplicated, r.CommittedAtCrash)
			}
		}
	}
	if s.Expect.Orphans {
		l := rep.Result(assertions.CheckLayout)
		switch {
		case l == nil:
			r.failf("no layout result")
		case l.Count("orphan") == 0:
			r.failf("the layout check found no orphan objects (layout %s: %s); the objects of the deleted checkpoint must be", l.Status, describe(*l))
		case l.Count("misplaced") > 0 || l.Count("bad_name") > 0 || l.Count("missing_object") > 0:
			r.failf("the layout check found more than orphans: %s", describe(*l))
		}
	}
	r.Passed = len(r.Failures) == 0
}

// describe renders a result's tallies, detail and first example.
func describe(res assertions.Result) string {
	parts := make([]string, 0, len(res.Counts)+1)
	for _, c := range res.Counts {
		parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Value))
	}
	if extra := describeExtra(res); extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, ", ")
}

// describeExtra renders a result's detail, lag and first example.
func describeExtra(res assertions.Result) string {
	var parts []string
	if res.Detail != "" {
		parts = append(parts, res.Detail)
	}
	if l := res.Lag; l != nil {
		parts = append(parts, fmt.Sprintf("p50=%s p99=%s max=%s", round(l.Overall.P50), round(l.Overall.P99), round(l.Overall.Max)))
	}
	if len(res.Examples) > 0 {
		e := res.Examples[0]
		parts = append(parts, fmt.Sprintf("e.g. %s key %q seq %d batch %d %s", e.Kind, e.Key, e.Seq, e.Batch, e.Detail))
	}
	return strings.Join(parts, ", ")
}

func (o *options) resolveSeed() (uint64, error) {
	if o.seedSet {
		return o.seed, nil
	}
	if v := strings.TrimSpace(o.getenv(EnvSeed)); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s %q: want a non-negative integer", EnvSeed, v)
		}
		return n, nil
	}
	return DefaultSeed, nil
}

// replayCommand is the CLI command that replays a run.
func replayCommand(name string, seed uint64) string {
	if _, ok := Lookup(name); ok {
		return fmt.Sprintf("streamcheck scenario run %s --seed %d   (or: go test ./scenarios -run 'TestCatalog/%s$' -seed %d)", name, seed, name, seed)
	}
	return fmt.Sprintf("%s=%d go test -run <this test>", EnvSeed, seed)
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// reportLoad writes a progress line about the load every second until done
// is closed or the returned stop is called.
func reportLoad(w io.Writer, st *generators.Stats, count int64, done <-chan struct{}) (stop func()) {
	if w == io.Discard {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-done:
				fmt.Fprintf(w, "  load done: %d sent, %d acknowledged, %d failed, %d unknown\n", st.Attempted.Load(), st.Acked.Load(), st.Failed.Load(), st.Unknown.Load())
				return
			case <-t.C:
				fmt.Fprintf(w, "  load: %d/%d sent, %d acknowledged\n", st.Attempted.Load(), count, st.Acked.Load())
			}
		}
	}()
	var once bool
	return func() {
		if !once {
			once = true
			close(quit)
			<-finished
		}
	}
}

func createBucket(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// download copies every object under prefix in bucket to dir, keeping keys
// as paths.
func download(ctx context.Context, c *s3.Client, bucket, prefix, dir string) error {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") || strings.Contains(key, "..") {
				continue
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: obj.Key})
			if err != nil {
				return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
			}
			dst := filepath.Join(dir, filepath.FromSlash(key))
			err = writeFile(dst, out.Body)
			out.Body.Close()
			if err != nil {
				return fmt.Errorf("copy s3://%s/%s: %w", bucket, key, err)
			}
		}
	}
	return nil
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeJob writes job as YAML that engine.LoadJob reads back, so the run can
// be repeated with `streamcheck run --job`.
func writeJob(path string, job *engine.Job) error {
	b, err := yaml.Marshal(job)
	if err != nil {
		return fmt.Errorf("encode job: %w", err)
	}
	head := "# The job a streamcheck scenario ran, against its emulator stack's endpoints.\n"
	if err := os.WriteFile(path, append([]byte(head), b...), 0o644); err != nil {
		return fmt.Errorf("write job %s: %w", path, err)
	}
	return nil
}

func describeRule(r interface{ Validate() error }) string {
	b, _ := json.Marshal(r)
	return string(b)
}
