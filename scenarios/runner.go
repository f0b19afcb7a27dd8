package scenarios

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// Execute runs s, one step after another, each a method of the run below:
//
//	startStack → createResources → prepareSubject → startLoad →
//	runSubject (kills, crashes, tripwires, restarts) → drain → verify → writeReport
//
// It starts a stack, creates the stream (or topic) and bucket, installs
// the faults, sends the load with a ledger while the pipeline runs, kills or
// crashes the pipeline as the scenario says and starts it again until it has
// drained, then verifies its output with assertions.Verify and judges the
// expectations. It writes the job (for the engine), the report and a copy
// of the output to the run's directory.
//
// The error is for runs that could not be carried out (a stack that did not
// start, an engine error that retries did not cure, unreadable engine
// output); a run that worked but did not show what was expected returns a
// Result with Passed false and a nil error. A Command pipeline that exits,
// hangs, writes nothing, writes elsewhere or writes what cannot be read gets
// such a Result, with its last stderr lines, not an error.
func Execute(ctx context.Context, s Scenario, opts ...Option) (*Result, error) {
	r, err := newRun(s, opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.timeout)
	defer cancel()
	defer r.close()
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"starting the emulators", r.startStack}, {"creating streams, topics and buckets", r.createResources},
		{"preparing the pipeline", r.prepareSubject}, {"starting the load", r.startLoad},
		{"running the pipeline", r.runSubject}, {"waiting for the output to catch up", r.drain},
		{"verifying the output", r.verify}, {"writing the report", r.writeReport},
	}
	for _, step := range steps {
		if err := step.run(ctx); err != nil {
			if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("scenario %s: the run's timeout of %v ran out while %s (raise it with scenarios.WithTimeout, or --timeout on the command line): %w",
					s.Name, r.o.timeout, step.name, err)
			}
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	return r.res, nil
}

// checkWindow refuses a job whose window leaves no room for the two batches
// a scenario needs (one to crash in, one to recover with) within the run's
// timeout, before anything is started for it.
func (r *run) checkWindow(job *engine.Job) error {
	w := time.Duration(job.ForEachBatch.WindowSize)
	if w <= 0 || 2*w < r.o.timeout {
		return nil
	}
	return fmt.Errorf("the job's window (forEachBatch.windowSize %v) is too long for the run's timeout of %v: a scenario needs at least two batches; "+
		"shorten the window for the test (e.g. \"2 seconds\") or raise the timeout above %v (scenarios.WithTimeout, or --timeout on the command line)",
		w, r.o.timeout, 2*w)
}

// run is the state of one Execute, passed from step to step.
type run struct {
	s     *Scenario
	o     *options
	seed  uint64
	start time.Time
	res   *Result
	tl    *timeline
	say   func(format string, args ...any)

	pipe  Pipeline
	cmd   *Command // the pipeline when it is a Command
	kills int      // SIGKILLs of the kill schedule

	stack    *emulator.Stack
	s3c      *s3.Client
	sink     generators.Sink
	env      Env
	job      *engine.Job
	faultIDs []int
	watch    *watcher
	trips    *tripwires
	src      *generators.Source

	loadDone   chan struct{}
	loadErr    error
	duringDone chan struct{}
	duringErr  error
	stopLoad   context.CancelFunc
	stopTicker func()
	crashes    []engine.CrashPoint
	nextCrash  int

	admin    *kgo.Client       // Kafka admin requests, for a Command on Kafka
	behind   []string          // consumer groups or checkpoints behind, at the last look
	lastSeqs map[string]string // each shard's last sequence number, for a checkpoint table
	wasQuiet bool              // the output has been quiet after the load at least once

	starts  []runStart // the pipeline's starts, for the duplicates by restart
	lastEnd string     // what ended the pipeline's last run, for the next start

	mu         sync.Mutex
	current    Process // the pipeline's run now, for the tripwires
	lastStderr string

	comp *compactionRun // the compactor beside the engine (Scenario.Compaction)

	closers []func()
}

func newRun(s Scenario, opts []Option) (*run, error) {
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
	r := &run{s: &s, o: o, seed: seed, start: time.Now(), pipe: s.Pipeline}
	replay := replayCommand(o.replay, seed)
	r.tl = &timeline{started: r.start}
	r.res = &Result{Scenario: s.Name, Seed: seed, Replay: replay, description: s.Description, timeline: r.tl, data: &reportData{}}
	r.say = func(format string, args ...any) { fmt.Fprintf(o.progress, format+"\n", args...) }
	switch p := s.Pipeline.(type) {
	case Command:
		r.cmd = &p
	case *Command:
		r.cmd = p
	}
	r.kills = s.kills(o.getenv)
	switch {
	case r.cmd != nil:
		o.timeout = max(o.timeout, r.cmd.timeout()+time.Minute) + time.Duration(r.kills+len(s.Tripwires))*KillTimeout
	case o.engineBin != "":
		r.pipe, r.kills = EngineProcess{Binary: o.engineBin}, o.kills
	case s.Kills > 0:
		o.timeout += time.Duration(r.kills) * KillTimeout
	}
	if o.dir == "" {
		d, err := os.MkdirTemp("", "streamcheck-"+s.Name+"-")
		if err != nil {
			return nil, fmt.Errorf("scenario %s: make work directory: %w", s.Name, err)
		}
		o.dir = d
	} else if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return nil, fmt.Errorf("scenario %s: make work directory: %w", s.Name, err)
	}
	r.res.Dir = o.dir
	return r, nil
}

// close releases what the steps started, last first.
func (r *run) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// onClose registers f to run when the run closes, last first.
func (r *run) onClose(f func()) { r.closers = append(r.closers, f) }

// startStack starts the emulator stack. A Command pipeline gets one edge
// endpoint for every AWS service, as LocalStack serves them.
func (r *run) startStack(ctx context.Context) error {
	sopts := []emulator.Option{emulator.WithSeed(r.seed), emulator.WithGetenv(r.o.getenv)}
	if r.s.Setup.KafkaBrokers > 1 {
		sopts = append(sopts, emulator.WithKafkaBrokers(r.s.Setup.KafkaBrokers))
	}
	if r.cmd != nil {
		sopts = append(sopts, emulator.WithEdgeAddr("127.0.0.1:0"))
	}
	sopts = append(sopts, r.o.stackOpts...)
	stack, err := emulator.Start(ctx, sopts...)
	if err != nil {
		return fmt.Errorf("start emulator stack: %w", err)
	}
	r.onClose(func() { _ = stack.Close() })
	r.stack, r.s3c = stack, stack.S3Client()
	r.res.backend = string(stack.Backend)
	r.say("stack: %s backend, Kinesis at %s, S3 at %s", stack.Backend, stack.KinesisURL, stack.S3URL)
	return nil
}

// createResources creates the stream or topic and the bucket and installs
// the fault rules.
func (r *run) createResources(ctx context.Context) error {
	s := r.s
	stream, bucket, shards := s.stream(), r.bucket(), s.shards()
	sink, closeSink, err := createSource(ctx, r.stack, s.kind(), stream, shards, r.seed)
	if err != nil {
		return err
	}
	r.onClose(closeSink)
	if ks, ok := sink.(*generators.KinesisSink); ok {
		ks.Aggregate = s.Load.KPLAggregate
	}
	r.sink = sink
	if err := createBucket(ctx, r.s3c, bucket); err != nil {
		return err
	}
	if s.kind() == engine.KindKafka {
		r.say("created topic %s (%d partitions) and bucket %s", stream, shards, bucket)
	} else {
		r.say("created stream %s (%d shards) and bucket %s", stream, shards, bucket)
	}
	for i, rule := range s.faultRules(r.seed) {
		id, err := r.stack.AddFault(rule)
		if err != nil {
			return fmt.Errorf("install fault %d: %w", i, err)
		}
		r.faultIDs = append(r.faultIDs, id)
		r.say("fault %d installed: %s", id, describeRule(rule))
		r.tl.add(report.KindFault, "fault %d: %s", id, describeRule(rule))
	}
	return nil
}

// bucket is the scenario's bucket: the Command's output bucket for a
// Command.
func (r *run) bucket() string {
	if r.cmd != nil {
		b, _, _ := splitS3(r.cmd.Output)
		return b
	}
	return r.s.bucket()
}

// prepareSubject makes what the pipeline needs before it starts: the env,
// and for the engine its job (job.yaml in the run's directory) and, for
// kills, its binary; for a Command the tripwires' endpoint.
func (r *run) prepareSubject(ctx context.Context) error {
	s := r.s
	r.env = Env{Stack: r.stack, Progress: r.o.progress, Kind: s.kind(), Stream: s.stream(), Bucket: r.bucket(),
		Prefix: "s3://" + r.bucket() + "/" + s.Name, Window: s.window(), Delivery: s.delivery(), FailOnDataLoss: s.Setup.FailOnDataLoss,
		Seed: r.seed, Dir: r.o.dir, getenv: r.o.getenv}
	if r.cmd != nil {
		r.env.Output, r.env.DeadLetter, r.env.Delivery = r.cmd.Output, r.cmd.DeadLetter, r.cmd.promise()
		r.res.Output, r.res.DeadLetter = r.cmd.Output, r.cmd.DeadLetter
		r.res.Pipeline, r.res.PipelineLog = strings.TrimSuffix(strings.TrimPrefix(r.subjectName(), "the pipeline ("), ")"), filepath.Join(r.o.dir, PipelineLog)
		bucket, prefix, _ := splitS3(r.cmd.Output)
		t, err := newTripwires(r.stack.S3URL, bucket, prefix, s.Tripwires, r.killCurrent)
		if err != nil {
			return err
		}
		r.onClose(func() { _ = t.Close() })
		r.trips, r.env.endpoint = t, t.URL()
		if hasOffsetCommit(s.Tripwires) {
			if s.kind() != engine.KindKafka || r.stack.Kafka() == nil || r.stack.Kafka().Cluster() == nil {
				return errors.New("offset-commit tripwires need a Kafka source on the embedded backend")
			}
			t.watchOffsetCommits(r.stack.Kafka().Cluster(), s.stream())
		}
		if s.kind() == engine.KindKafka {
			cl, err := kgo.NewClient(kgo.SeedBrokers(r.stack.KafkaBrokers...))
			if err != nil {
				return fmt.Errorf("kafka admin client: %w", err)
			}
			r.onClose(cl.Close)
			r.admin = cl
		}
		r.say("pipeline: %s, reading %s, writing %s (%s, %s); endpoint %s", r.subjectName(), s.stream(), r.cmd.Output, r.cmd.format(), r.cmd.promise(), t.URL())
		return nil
	}
	if !isEngine(r.pipe) {
		return nil // a user's own Pipeline: it finds its way with Env
	}
	build := s.Setup.Job
	if build == nil {
		build = VentilatorJob
	}
	job, err := build(r.env)
	if err != nil {
		return fmt.Errorf("build job: %w", err)
	}
	if err := job.Validate(); err != nil {
		return err
	}
	if err := r.checkWindow(job); err != nil {
		return err
	}
	r.job = job
	r.res.Output, r.res.DeadLetter, r.res.Checkpoint = job.Sink.Path, job.Sink.DeadLetterPath, job.ForEachBatch.CheckpointLocation
	r.res.Job = filepath.Join(r.o.dir, "job.yaml")
	if err := writeJob(r.res.Job, job); err != nil {
		return err
	}
	r.env.Job, r.env.JobFile, r.env.Output, r.env.DeadLetter = job, r.res.Job, job.Sink.Path, job.Sink.DeadLetterPath
	r.watch = newWatcher(r.o.progress)
	r.env.logger = slog.New(r.watch)
	if r.pipe == nil {
		r.pipe = Engine{}
		if s.Kills > 0 {
			// The binary is built before the load starts, which may
			// take a while.
			bin := r.o.binary
			if bin == "" {
				r.say("finding the streamcheck binary for the engine process (go build when needed)")
				if bin, err = EngineBinary(ctx); err != nil {
					return err
				}
			}
			r.pipe = EngineProcess{Binary: bin}
		}
	}
	if _, ok := r.pipe.(Engine); ok {
		r.crashes = s.crashPoints(r.seed)
	}
	if s.Compaction != nil {
		return r.prepareCompaction(ctx)
	}
	return nil
}

// subjectName names the pipeline in progress lines and verdicts.
func (r *run) subjectName() string {
	switch p := r.pipe.(type) {
	case Engine, nil:
		return "the engine"
	case EngineProcess:
		return "the engine process"
	case *Command, Command:
		if r.cmd.Shell != "" {
			return fmt.Sprintf("the pipeline (sh -c %q)", tail(r.cmd.Shell, 80))
		}
		return fmt.Sprintf("the pipeline (%s)", shortCommand(r.cmd.Args))
	default:
		return fmt.Sprintf("the pipeline (%T)", p)
	}
}

// startLoad sends the load in the background, with the ledger, and starts
// the scenario's During.
func (r *run) startLoad(ctx context.Context) error {
	s := r.s
	ds := s.dataset()
	src, err := s.source(r.seed)
	if err != nil {
		return err
	}
	r.src = src
	sink := r.sink
	var encoder *encodeSink
	if s.Load.Encode != nil {
		encoder = &encodeSink{Sink: sink, seed: r.seed, encode: s.Load.Encode}
		sink = encoder
	}
	r.res.Ledger = filepath.Join(r.o.dir, "ledger.jsonl")
	ledger, err := generators.CreateLedger(r.res.Ledger)
	if err != nil {
		return err
	}
	stats := &generators.Stats{}
	count := s.records()
	if r.kills > 0 {
		// The load lasts until the last kill.
		count *= int64(r.kills)
	}
	r.loadDone, r.duringDone = make(chan struct{}), make(chan struct{})
	loadCtx, stopLoad := context.WithCancel(ctx)
	r.stopLoad = stopLoad
	go func() {
		defer close(r.loadDone)
		r.res.Load, r.loadErr = generators.Run(loadCtx, generators.RunConfig{Source: src, Sink: sink, Count: count, Rate: s.Load.Rate, Ledger: ledger, Stats: stats})
		if encoder != nil {
			r.res.Load.Malformed = encoder.malformed.Load()
		}
		if err := ledger.Close(); err != nil && r.loadErr == nil {
			r.loadErr = err
		}
	}()
	// On an early return, stop the load and wait for it (and During)
	// before the stack closes.
	r.onClose(func() { stopLoad(); <-r.loadDone; <-r.duringDone })
	if s.During != nil {
		go func() {
			defer close(r.duringDone)
			r.duringErr = s.During(loadCtx, r.env, r.seed)
			if r.duringErr != nil {
				r.tl.add(report.KindNote, "during the load: %v", r.duringErr)
			}
		}()
	} else {
		close(r.duringDone)
	}
	if r.comp != nil {
		r.comp.start(loadCtx)
	}
	r.say("sending %d %s records to %s (malformed share %.3g, seed %d)", count, ds.Name, s.stream(), s.Load.Malformed, r.seed)
	r.stopTicker = reportLoad(r.o.progress, stats, count, r.loadDone)
	r.onClose(r.stopTicker)
	return nil
}

// end is how one run of the pipeline ended.
type end int

const (
	endExited  end = iota // on its own
	endKilled             // by the kill schedule
	endTripped            // by a tripwire
	endDrained            // stopped by the runner once its output was quiet
	endTimeout            // still running when the pipeline's time ran out
)

// runSubject starts the pipeline and starts it again after each crash,
// kill, tripwire or early exit, until it has drained after the load.
func (r *run) runSubject(ctx context.Context) error {
	s, res := r.s, r.res
	kills := killSchedule(r.seed, r.kills)
	killed, exits := 0, 0
	restartAfterCrash := false
	subjCtx := ctx
	if r.cmd != nil {
		var cancel context.CancelFunc
		subjCtx, cancel = context.WithTimeout(ctx, r.cmd.timeout()+time.Duration(r.kills+len(s.Tripwires))*KillTimeout)
		defer cancel()
	}
	if kp, ok := r.pipe.(EngineProcess); ok {
		r.say("engine runs as a process (%s), killed with SIGKILL %d times", kp.Binary, r.kills)
	}
runs:
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("engine run %d: %w", res.EngineRuns+1, err)
		}
		loadOver := closed(r.loadDone)
		env := r.env
		if r.nextCrash < len(r.crashes) {
			env.crash = &r.crashes[r.nextCrash]
		}
		r.starts = append(r.starts, runStart{at: time.Now(), after: r.lastEnd})
		r.lastEnd = ""
		proc, err := r.pipe.Start(subjCtx, env)
		if err != nil {
			return fmt.Errorf("start %s: %w", r.subjectName(), err)
		}
		res.EngineRuns++
		switch {
		case res.EngineRuns == 1 && r.job != nil:
			r.say("engine started: window %v, delivery %s, checkpoint %s", s.window(), r.job.Delivery, r.job.ForEachBatch.CheckpointLocation)
		case res.EngineRuns == 1:
			r.say("%s started", r.subjectName())
		case restartAfterCrash:
			r.tl.add(report.KindRestart, "%s restarted (run %d)", r.subjectName(), res.EngineRuns)
		default:
			r.tl.add(report.KindNote, "%s started again (run %d)", r.subjectName(), res.EngineRuns)
		}
		r.setCurrent(proc)
		var killAfter time.Duration
		if killed < len(kills) {
			killAfter = kills[killed]
		}
		how, err := r.watchRun(subjCtx, proc, killAfter)
		r.setCurrent(nil)
		r.lastStderr = proc.StderrTail()
		restartAfterCrash = true
		switch how {
		case endKilled:
			killed++
			exits = 0
			res.Crashes = append(res.Crashes, fmt.Sprintf("SIGKILL %v after start", killAfter.Round(time.Millisecond)))
			r.lastEnd = fmt.Sprintf("kill %d: %s", len(res.Crashes), res.Crashes[len(res.Crashes)-1])
			r.say("%s killed with SIGKILL %v after its start (%d of %d); restarting it", r.subjectName(), killAfter.Round(time.Millisecond), killed, len(kills))
			r.tl.add(report.KindCrash, "SIGKILL of %s %v after its start%s", r.subjectName(), killAfter.Round(time.Millisecond), stderrNote(r.lastStderr))
			continue
		case endTripped:
			exits = 0
			var ends []string
			for _, t := range r.trips.takeFired() {
				res.Crashes = append(res.Crashes, "tripwire "+t)
				ends = append(ends, fmt.Sprintf("kill %d: tripwire %s", len(res.Crashes), t))
				r.say("tripwire %s: %s killed with SIGKILL; restarting it", t, r.subjectName())
				r.tl.add(report.KindCrash, "tripwire %s: SIGKILL of %s%s", t, r.subjectName(), stderrNote(r.lastStderr))
			}
			r.lastEnd = strings.Join(ends, "; ")
			continue
		case endDrained:
			if err != nil {
				res.failf("%s %v after %s at the end of the run%s", r.subjectName(), err, signalName(r.cmd.stopSignal()), stderrNote(r.lastStderr))
			}
			r.say("%s drained: output quiet for %v after the load; stopped with %s", r.subjectName(), r.cmd.quiet(), signalName(r.cmd.stopSignal()))
		case endTimeout:
			r.failTimeout()
		}
		if how != endExited {
			break runs
		}
		if errors.Is(err, engine.ErrCrashed) && r.nextCrash < len(r.crashes) {
			if err := r.afterCrash(ctx); err != nil {
				return err
			}
			continue
		}
		restartAfterCrash = false
		if err != nil && s.Expect.StopError != "" && strings.Contains(err.Error(), s.Expect.StopError) {
			res.StoppedWith = err.Error()
			r.say("engine stopped with the expected error: %v", err)
			r.tl.add(report.KindNote, "engine stopped: %v", err)
			r.stopLoad()
			break runs
		}
		if errors.Is(err, errLeaseBusy) {
			// The killed process's lease has not expired yet.
			if err := sleep(ctx, 500*time.Millisecond); err != nil {
				return fmt.Errorf("wait for the killed engine's lease: %w", err)
			}
			continue
		}
		if r.cmd != nil && err == nil && loadOver {
			// Started after the load and exited cleanly: done by itself.
			r.say("%s exited by itself after the load", r.subjectName())
			break runs
		}
		if r.cmd != nil {
			// A black box that exits is restarted, as a supervisor
			// would, until it has exited too often in a row.
			if err == nil {
				err = fmt.Errorf("%s exited with status 0 before the run was over", r.subjectName())
			}
			exits++
			r.tl.add(report.KindNote, "%v", err)
			msg, _, _ := strings.Cut(err.Error(), "; its last stderr lines")
			r.lastEnd = "exit: " + msg
			if exits >= r.cmd.maxExits() {
				res.failf("%s does not stay up: it exited %d times in a row, the last time: %v", r.subjectName(), exits, err)
				r.stopLoad()
				break runs
			}
			r.say("%v; starting it again", err)
			if err := sleep(ctx, time.Duration(min(exits, 4))*250*time.Millisecond); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("engine run %d: %w", res.EngineRuns, err)
		}
		if loadOver {
			break runs
		}
		r.say("engine: it stopped after a window with nothing to read, but the load is not over; restarting it on its checkpoint")
	}
	if killed < len(kills) && res.StoppedWith == "" && len(res.Failures) == 0 {
		res.failf("%s was killed %d times, want %d (the load ended first)", r.subjectName(), killed, len(kills))
	}
	for _, t := range r.trips.left() {
		res.failf("tripwire %s never fired (the pipeline made fewer such writes)", t)
	}
	return nil
}

// watchRun waits for one run of the pipeline to end: on its own, at its
// kill, at a tripwire, or, for a Command, stopped once its output has been
// quiet for Quiet after the load, or at the end of its time.
func (r *run) watchRun(ctx context.Context, proc Process, killAfter time.Duration) (end, error) {
	var killC <-chan time.Time
	if killAfter > 0 {
		t := time.NewTimer(killAfter)
		defer t.Stop()
		killC = t.C
	}
	var tick <-chan time.Time
	var q quietWatch
	if r.cmd != nil {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-proc.Exited():
			if r.trips != nil && r.trips.hasFired() {
				return endTripped, proc.Wait()
			}
			return endExited, proc.Wait()
		case <-killC:
			if err := proc.Kill(); err != nil {
				return endExited, err
			}
			_ = proc.Wait()
			return endKilled, nil
		case <-tick:
			if !closed(r.loadDone) || !closed(r.duringDone) {
				continue
			}
			done, err := q.quiet(ctx, r.s3c, r.cmd.Output, r.cmd.quiet())
			if err != nil || !done {
				continue
			}
			r.wasQuiet = true
			if !r.caughtUp(ctx) {
				continue
			}
			return endDrained, proc.Stop(r.cmd.stopSignal(), r.cmd.grace())
		case <-ctx.Done():
			if r.cmd == nil {
				return endExited, proc.Wait()
			}
			_ = proc.Kill()
			_ = proc.Wait()
			return endTimeout, nil
		}
	}
}

// caughtUp reports whether the pipeline's own progress, where the source
// can tell, has reached the end of the source: for Kafka, the consumer
// groups' committed offsets; for Kinesis, a declared checkpoint table.
func (r *run) caughtUp(ctx context.Context) bool {
	if behind, ok, err := r.checkpointsBehind(ctx); err != nil {
		r.behind = []string{err.Error()}
		return false
	} else if ok {
		r.behind = behind
		return len(behind) == 0
	}
	if r.admin == nil {
		return true
	}
	behind, ok, err := groupLag(ctx, r.admin, r.s.stream(), r.s.shards())
	if err != nil || !ok {
		return true // no group to ask: the output's quiet decides
	}
	r.behind = behind
	return len(behind) == 0
}

// failTimeout is the verdict for a Command still running at the end of its
// time: it says which condition was never met.
func (r *run) failTimeout() {
	why := fmt.Sprintf("its output under %s never stayed unchanged for %v", r.cmd.Output, r.cmd.quiet())
	if !closed(r.loadDone) {
		why = "the load was still being sent"
	}
	switch {
	case r.wasQuiet && len(r.behind) > 0:
		why = fmt.Sprintf("its output was quiet, but its own progress never reached the end of %s: %s", r.s.stream(), joinBehind(r.behind))
	case len(r.behind) > 0:
		why += "; " + joinBehind(r.behind)
	}
	r.res.failf("%s did not finish within %v: %s; it was killed%s", r.subjectName(), r.cmd.timeout(), why, stderrNote(r.lastStderr))
}

// afterCrash records the engine's crash and runs the scenario's AfterCrash.
func (r *run) afterCrash(ctx context.Context) error {
	cp := r.crashes[r.nextCrash]
	r.res.Crashes = append(r.res.Crashes, fmt.Sprintf("%s of batch %d", cp, cp.Batch))
	r.res.CommittedAtCrash = r.watch.shared.records.Load()
	r.say("engine stopped dead at %s of batch %d (as a killed process); restarting on the same checkpoint", cp, cp.Batch)
	r.tl.add(report.KindCrash, "crash %s of batch %d", cp, cp.Batch)
	r.nextCrash++
	if r.comp != nil {
		if err := r.comp.afterEngineCrash(ctx); err != nil {
			return fmt.Errorf("compactor after crash %s of batch %d: %w", cp, cp.Batch, err)
		}
	}
	if r.s.AfterCrash != nil {
		if err := r.s.AfterCrash(ctx, r.env, r.seed); err != nil {
			return fmt.Errorf("after crash %s of batch %d: %w", cp, cp.Batch, err)
		}
	}
	if r.o.afterCrash != nil {
		if err := r.o.afterCrash(ctx, r.stack, r.job, cp); err != nil {
			return fmt.Errorf("after crash %s of batch %d: %w", cp, cp.Batch, err)
		}
	}
	return nil
}

func (r *run) setCurrent(p Process) {
	r.mu.Lock()
	r.current = p
	r.mu.Unlock()
}

// killCurrent kills the pipeline's current run and waits for its end; the
// tripwires call it.
func (r *run) killCurrent() {
	r.mu.Lock()
	p := r.current
	r.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.Kill()
	<-p.Exited()
}

// stderrNote renders a stderr tail for a verdict or an event.
func stderrNote(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return "; its last stderr lines:\n" + indent(s)
}

// drain waits for the load and During to end and judges the schedule: a
// fault that never fired or a crash point never reached showed nothing.
func (r *run) drain(ctx context.Context) error {
	s, res := r.s, r.res
	r.stopTicker()
	<-r.loadDone
	if r.comp != nil {
		if err := r.comp.finish(ctx); err != nil {
			return fmt.Errorf("compactor: %w", err)
		}
	}
	if r.loadErr != nil && (res.StoppedWith == "" && len(res.Failures) == 0 || !errors.Is(r.loadErr, context.Canceled)) {
		return fmt.Errorf("load: %w", r.loadErr)
	}
	<-r.duringDone
	if r.duringErr != nil {
		return fmt.Errorf("during the load: %w", r.duringErr)
	}
	if r.watch != nil {
		res.Batches = r.watch.shared.batches.Load()
		r.say("stream drained: %d engine runs, %d batch commits", res.EngineRuns, res.Batches)
	}
	if r.stack.Faults != nil && len(r.faultIDs) > 0 {
		fired := map[int]int{}
		for _, in := range r.stack.Faults.Rules() {
			fired[in.ID] = in.Fired
		}
		for i, id := range r.faultIDs {
			if fired[id] == 0 {
				res.failf("fault %d (%s) never fired", i, describeRule(s.Faults[i].Rule))
			}
		}
	}
	for _, cp := range r.crashes[r.nextCrash:] {
		res.failf("crash point %s of batch %d was never reached (the load made fewer batches)", cp, cp.Batch)
	}
	return nil
}

// verify copies the output to the run's directory and runs the checks.
func (r *run) verify(ctx context.Context) error {
	if r.cmd != nil {
		return r.verifyCommand(ctx)
	}
	s, res := r.s, r.res
	r.say("verifying with DuckDB")
	cfg := AssertionsConfig(r.job, res.Ledger, r.stack.AWSConfig)
	if s.Setup.KeyColumn != "" {
		cfg.KeyColumn = s.Setup.KeyColumn
	} else if cfg.KeyColumn == "" {
		cfg.KeyColumn = s.dataset().Key
	}
	cfg.MaxLagP99 = s.Expect.MaxLagP99
	cfg.TempDir = filepath.Join(r.o.dir, "tmp")
	if err := os.MkdirAll(cfg.TempDir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(cfg.TempDir)
	// The local copy first, for the scenario's own checks.
	res.LocalCopy = filepath.Join(r.o.dir, "s3")
	bucket := r.bucket()
	// A directory reused from an earlier run holds its objects: start
	// afresh, so that the copy is this run's output only.
	if err := os.RemoveAll(filepath.Join(res.LocalCopy, bucket, s.Name)); err != nil {
		return err
	}
	if err := download(ctx, r.s3c, bucket, s.Name+"/", filepath.Join(res.LocalCopy, bucket)); err != nil {
		return err
	}
	if err := copyWindowsTable(ctx, r.job, r.stack.DynamoDBClient(), res.LocalCopy, cfg.TempDir); err != nil {
		return err
	}
	extra := s.extraChecks(r.job, r.seed, res.Ledger, r.src, res.LocalPath)
	extra = append(extra, r.readReportData(res))
	if r.comp != nil {
		extra = append(extra, r.comp.checks(res))
		res.comp = r.comp
	}
	rep, err := verify(ctx, cfg, extra...)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	res.Report = rep
	if cfg.Delivery == assertions.AtLeastOnce {
		strict := cfg
		strict.Delivery = assertions.ExactlyOnce
		if res.Strict, err = verify(ctx, strict); err != nil {
			return fmt.Errorf("verify with the exactly-once reading: %w", err)
		}
	}
	res.judge(s)
	if err := r.tl.readBatches(res.LocalPath(res.Checkpoint), res.Ledger, r.watch.shared.replayedBatches()); err != nil {
		return fmt.Errorf("read the batches: %w", err)
	}
	if r.comp != nil {
		r.comp.wallLag(res)
	}
	if res.Batches == 0 {
		// A child process's commits are not seen as they happen: count
		// them in the checkpoint.
		res.Batches = int64(len(r.tl.batches))
	}
	return nil
}

// writeReport writes result.json and the reports of package report.
func (r *run) writeReport(context.Context) error {
	res := r.res
	res.data.settings = r.settings()
	res.Elapsed = time.Since(r.start)
	res.ResultFile = filepath.Join(r.o.dir, "result.json")
	res.HTMLReport = filepath.Join(r.o.dir, report.HTMLFile)
	if err := writeJSON(res.ResultFile, res); err != nil {
		return err
	}
	return report.WriteDir(r.o.dir, res.ReportRun())
}

// s3Client is an S3 client for the checks, on the stack.
func (r *run) s3Client() *s3.Client {
	return r.stack.S3Client(func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}
