package scenarios

// The compaction scenarios: `streamcheck compact` run again and again as a
// real process beside the engine while the load spans several ingest hours
// of a virtual clock; the engine crashed at its crash points, the compactor
// killed with SIGKILL at each step of its protocol, both started again.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/compact"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// Defaults of Compaction's zero fields.
const (
	// DefaultCompactEvery is the pause between two compactor runs.
	DefaultCompactEvery = 150 * time.Millisecond
	// DefaultCompactTarget is the compactor's --target-size: small, so that
	// a partition of a few batches makes several outputs and a kill in the
	// middle of writing them leaves some written.
	DefaultCompactTarget = 64 << 10
	// EnvCompactPauseAt is the variable that makes `streamcheck compact`
	// stop at a step of its protocol (after-plan, in-write, after-done,
	// in-delete) and wait to be killed.
	EnvCompactPauseAt = "STREAMCHECK_COMPACT_PAUSE_AT"
	// compactPauseMarker starts the stderr line of a paused compactor.
	compactPauseMarker = "streamcheck compact: paused at "
	// windowPoll is how often the plain reader lists the output prefix.
	windowPoll = 5 * time.Millisecond
)

// The checks the compaction scenarios add to the verification.
const (
	CheckCompactionMerged    = "compaction_merged"
	CheckCompactionOpen      = "compaction_open_untouched"
	CheckCompactionKills     = "compaction_kills"
	CheckCompactionPlainRead = "compaction_plain_reader"
)

// Compaction runs `streamcheck compact` (EngineBinary's) beside the engine
// (Scenario.Compaction). The engine runs on a virtual clock that moves an
// hour ahead at each engine crash, so that the load spans an ingest hour
// per engine run; the compactor, on the wall clock, is given --older-than
// the clocks' difference, so that it sees the hours the engine left as
// closed and the engine's current hour as open. Right after each engine
// crash the compactor runs once while the crashed batch is still planned
// and uncommitted: its hour is closed by the clock, and must not be
// touched. The compactor is also run every Every, and killed with SIGKILL
// at each of Kills in turn (EnvCompactPauseAt holds it at the step); at
// the first kill a second compactor is started and must be refused.
type Compaction struct {
	// Kills are the steps at which successive compactor runs are killed;
	// default compact.Steps(), in order, so that one partition takes a
	// compaction through each.
	Kills []compact.Step
	// Every is the pause between compactor runs; default
	// DefaultCompactEvery.
	Every time.Duration
	// TargetSize is the compactor's --target-size in bytes; default
	// DefaultCompactTarget.
	TargetSize int64

	// sabotage, for the tests that show the checks can fail, runs while a
	// killed compactor's process is paused, before the kill.
	sabotage func(ctx context.Context, c *compactionRun, k compactKill) error
}

func (c *Compaction) validate() error {
	if c.Every < 0 {
		return fmt.Errorf("Compaction.Every %v: want a positive duration (0 for the default)", c.Every)
	}
	if c.TargetSize < 0 {
		return fmt.Errorf("Compaction.TargetSize %d: want a positive size in bytes (0 for the default)", c.TargetSize)
	}
	for i, s := range c.Kills {
		if _, err := compact.ParseStep(s.String()); err != nil {
			return fmt.Errorf("Compaction.Kills[%d]: %w", i, err)
		}
	}
	return nil
}

func (c *Compaction) kills() []compact.Step {
	if len(c.Kills) > 0 {
		return c.Kills
	}
	return compact.Steps()
}

func (c *Compaction) every() time.Duration {
	if c.Every > 0 {
		return c.Every
	}
	return DefaultCompactEvery
}

func (c *Compaction) target() int64 {
	if c.TargetSize > 0 {
		return c.TargetSize
	}
	return DefaultCompactTarget
}

// jumpClock is the engine's virtual clock: the wall clock set back by a
// day and moved forward an hour at a time by jump. Timers run on the wall
// clock.
type jumpClock struct {
	mu   sync.Mutex
	segs []clockSeg // the offsets in force, from the wall time at
}

type clockSeg struct {
	at     time.Time
	offset time.Duration
}

// newJumpClock starts at five minutes past the hour, a day before now, so
// that hour ends stay far from the clock's reading.
func newJumpClock(now time.Time) *jumpClock {
	start := now.Truncate(time.Hour).Add(-24*time.Hour + 5*time.Minute)
	return &jumpClock{segs: []clockSeg{{at: now, offset: start.Sub(now)}}}
}

func (c *jumpClock) offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.segs[len(c.segs)-1].offset
}

func (c *jumpClock) Now() time.Time                         { return time.Now().Add(c.offset()) }
func (c *jumpClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (c *jumpClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jump moves the clock d ahead and returns the new reading.
func (c *jumpClock) jump(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	off := c.segs[len(c.segs)-1].offset + d
	c.segs = append(c.segs, clockSeg{at: now, offset: off})
	return now.Add(off)
}

// olderThan is the compactor's --older-than: the wall clock's lead, to the
// millisecond below.
func (c *jumpClock) olderThan() time.Duration {
	return (-c.offset()).Truncate(time.Millisecond)
}

// toReal maps a reading of the clock back to the wall time it was read at.
func (c *jumpClock) toReal(v time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.segs) - 1; i > 0; i-- {
		if s := c.segs[i]; !v.Before(s.at.Add(s.offset)) {
			return v.Add(-s.offset)
		}
	}
	return v.Add(-c.segs[0].offset)
}

// compactKill is one SIGKILL of a compactor process.
type compactKill struct {
	Step      compact.Step
	ID        int64 // the compaction it was at
	Partition string
	At        time.Time
}

// windowSpan is what the plain reader saw of one compaction: the first and
// last listing that held one of its outputs and one of its inputs.
type windowSpan struct {
	first, last time.Time
}

// compactionRun is the compactor side of a run.
type compactionRun struct {
	r     *run
	cfg   *Compaction
	clk   *jumpClock
	bin   string
	steps []compact.Step

	mu sync.Mutex // one compactor run at a time

	// Guarded by mu.
	runs, compacted  int
	kills            []compactKill
	forward, back    []int64
	secondRefused    string // the second compactor's refusal, "" until seen
	secondErr        string
	snapshots        []snapshot
	crashRuns        int // runs while a crashed batch was planned
	pendingChecked   int // its partitions checked untouched
	phaseStart, last time.Time

	stop     chan struct{}
	loopDone chan struct{}
	loopErr  error

	watchStop chan struct{}
	watchDone chan struct{}
	wmu       sync.Mutex // guards what follows
	failures  []string
	manifests map[int64]*compact.Manifest
	windows   map[int64]*windowSpan
	listings  int
	dupSeen   int
}

// snapshot is a copy of the output taken while a compactor was paused
// after <K>.done: inside the plain reader's window.
type snapshot struct {
	Dir  string
	ID   int64
	Rows int64
}

// prepareCompaction sets the engine's clock and finds the binary.
func (r *run) prepareCompaction(ctx context.Context) error {
	cfg := r.s.Compaction
	bin := r.o.binary
	if bin == "" {
		r.say("finding the streamcheck binary for the compactor process (go build when needed)")
		var err error
		if bin, err = EngineBinary(ctx); err != nil {
			return err
		}
	}
	c := &compactionRun{r: r, cfg: cfg, clk: newJumpClock(time.Now()), bin: bin, steps: cfg.kills(),
		stop: make(chan struct{}), loopDone: make(chan struct{}), watchStop: make(chan struct{}), watchDone: make(chan struct{}),
		manifests: map[int64]*compact.Manifest{}, windows: map[int64]*windowSpan{}}
	if err := os.RemoveAll(filepath.Join(r.o.dir, "compaction-snapshots")); err != nil {
		return err
	}
	r.comp = c
	r.env.clock = c.clk
	r.tl.toReal = c.clk.toReal
	r.say("compactor: %s compact every %v, killed at %v; engine on a virtual clock from %s", bin, cfg.every(), c.steps, c.clk.Now().UTC().Format(time.RFC3339))
	return nil
}

// start runs the compactor loop and the plain reader until drain.
func (c *compactionRun) start(ctx context.Context) {
	c.phaseStart = time.Now()
	go c.watch(ctx)
	go func() {
		defer close(c.loopDone)
		for {
			select {
			case <-c.stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(c.cfg.every()):
			}
			if err := c.runOnce(ctx, true); err != nil {
				c.loopErr = err
				return
			}
		}
	}()
	c.r.onClose(func() {
		c.halt()
		<-c.loopDone
		<-c.watchDone
	})
}

// fail records a failure of the compaction checks.
func (c *compactionRun) fail(msg string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.failures = append(c.failures, msg)
}

func (c *compactionRun) halt() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
}

// nextStep is the step the next run is killed at, 0 when every kill is done.
func (c *compactionRun) nextStep() compact.Step {
	if len(c.kills) < len(c.steps) {
		return c.steps[len(c.kills)]
	}
	return 0
}

var (
	pausedLine  = regexp.MustCompile(regexp.QuoteMeta(compactPauseMarker) + `(\S+) of compaction (\d+) \(partition (\S+),`)
	repairLine  = regexp.MustCompile(`finished interrupted compactions \[([0-9 ]*)\], rolled back \[([0-9 ]*)\]`)
	summaryLine = regexp.MustCompile(`compacted (\d+) partitions: (\d+) files -> (\d+)`)
)

// runOnce runs `streamcheck compact` once, killing it at the next kill
// step when kill is set and the run reaches it.
func (c *compactionRun) runOnce(ctx context.Context, kill bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	step := compact.Step(0)
	if kill {
		step = c.nextStep()
	}
	var pause []string
	if step != 0 {
		pause = []string{EnvCompactPauseAt + "=" + step.String()}
	}
	log := &lockedBuffer{}
	p, err := c.startCompactor(ctx, log, pause...)
	if err != nil {
		return err
	}
	c.runs++
	if step != 0 {
		paused, err := c.waitPaused(ctx, p, log)
		if err != nil {
			return err
		}
		if paused != nil {
			return c.killPaused(ctx, p, *paused, log)
		}
	}
	err = p.Wait()
	c.last = time.Now()
	return c.judgeExit(err, log.String())
}

func (c *compactionRun) startCompactor(ctx context.Context, log *lockedBuffer, extraEnv ...string) (*osProcess, error) {
	argv := []string{c.bin, "compact", "--job", c.r.env.JobFile,
		"--older-than", strconv.FormatInt(c.clk.olderThan().Milliseconds(), 10) + "ms",
		"--target-size", strconv.FormatInt(c.cfg.target(), 10)}
	env := append(append(os.Environ(), c.r.stack.Env()...), extraEnv...)
	return startProcess(ctx, argv, "", env, log)
}

// waitPaused waits for the compactor to pause or exit; nil when it exited.
func (c *compactionRun) waitPaused(ctx context.Context, p *osProcess, log *lockedBuffer) (*compactKill, error) {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if m := pausedLine.FindStringSubmatch(log.String()); m != nil {
			st, err := compact.ParseStep(m[1])
			if err != nil {
				return nil, err
			}
			k, _ := strconv.ParseInt(m[2], 10, 64)
			return &compactKill{Step: st, ID: k, Partition: m[3]}, nil
		}
		select {
		case <-p.Exited():
			if m := pausedLine.FindStringSubmatch(log.String()); m != nil {
				continue
			}
			return nil, nil
		case <-ctx.Done():
			_ = p.Kill()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// killPaused does what a paused compactor is there for, then kills it:
// the second compactor, a snapshot inside the window, the test's sabotage.
func (c *compactionRun) killPaused(ctx context.Context, p *osProcess, k compactKill, log *lockedBuffer) error {
	if c.secondRefused == "" && c.secondErr == "" {
		c.tryAnother(ctx)
	}
	if k.Step == compact.StepAfterDone {
		if err := c.snapshot(ctx, k); err != nil {
			return err
		}
	}
	if c.cfg.sabotage != nil {
		if err := c.cfg.sabotage(ctx, c, k); err != nil {
			return err
		}
	}
	if err := p.Kill(); err != nil {
		return err
	}
	werr := p.Wait()
	var x *ExitError
	if !errors.As(werr, &x) || x.Signal == "" {
		c.fail(fmt.Sprintf("the compactor paused at %s was not ended by SIGKILL: %v; its output: %s", k.Step, werr, tail(log.String(), 400)))
	}
	k.At = time.Now()
	c.kills = append(c.kills, k)
	c.last = k.At
	c.r.say("compactor killed with SIGKILL at %s of compaction %d (%s)", k.Step, k.ID, k.Partition)
	c.r.tl.add(report.KindCrash, "SIGKILL of the compactor at %s of compaction %d", k.Step, k.ID)
	return nil
}

// tryAnother starts a second compactor while one holds the lock: it must
// be refused.
func (c *compactionRun) tryAnother(ctx context.Context) {
	log := &lockedBuffer{}
	p, err := c.startCompactor(ctx, log)
	if err != nil {
		c.secondErr = err.Error()
		return
	}
	err = p.Wait()
	out := log.String()
	var x *ExitError
	switch {
	case errors.As(err, &x) && x.Status == 1 && strings.Contains(out, "in use by another compactor"):
		c.secondRefused = strings.TrimSpace(lastLine(out))
		c.r.tl.add(report.KindNote, "a second compactor started beside a paused one: refused")
	default:
		c.secondErr = fmt.Sprintf("exit %v: %s", err, tail(out, 400))
	}
}

// judgeExit reads what an unkilled compactor run printed.
func (c *compactionRun) judgeExit(err error, out string) error {
	var x *ExitError
	if errors.As(err, &x) && x.Status == 1 && strings.Contains(out, "in use by another compactor") {
		return nil // a killed one's lock not yet taken over; the next run will
	}
	if err != nil {
		return fmt.Errorf("compactor run %d: %w; its output: %s", c.runs, err, tail(out, 600))
	}
	var fwd, back []int64
	if m := repairLine.FindStringSubmatch(out); m != nil {
		fwd, back = parseIDs(m[1]), parseIDs(m[2])
		c.forward = append(c.forward, fwd...)
		c.back = append(c.back, back...)
	}
	m := summaryLine.FindStringSubmatch(out)
	parts, _ := strconv.Atoi(safeGroup(m, 1))
	if parts > 0 || len(fwd)+len(back) > 0 {
		c.compacted += parts
		label := fmt.Sprintf("compactor run %d: %d partitions, %s files -> %s", c.runs, parts, safeGroup(m, 2), safeGroup(m, 3))
		if len(fwd)+len(back) > 0 {
			label += fmt.Sprintf("; finished %v, rolled back %v", fwd, back)
		}
		c.r.tl.add(report.KindCompaction, "%s", label)
	}
	return nil
}

func safeGroup(m []string, i int) string {
	if i < len(m) {
		return m[i]
	}
	return "0"
}

func parseIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// snapshot copies the output while compaction k sits after its .done: a
// plain reader listing now sees its rows twice.
func (c *compactionRun) snapshot(ctx context.Context, k compactKill) error {
	bucket, prefix, err := splitS3(c.r.job.Sink.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(c.r.o.dir, "compaction-snapshots", fmt.Sprintf("%d-%s", k.ID, k.Step))
	if err := download(ctx, c.r.s3c, bucket, prefix+"/", dir); err != nil {
		return fmt.Errorf("snapshot the output inside compaction %d: %w", k.ID, err)
	}
	m, err := c.readManifest(ctx, k.ID)
	if err != nil {
		return err
	}
	var rows int64
	for _, in := range m.Inputs {
		rows += in.Rows
	}
	c.snapshots = append(c.snapshots, snapshot{Dir: dir, ID: k.ID, Rows: rows})
	return nil
}

// readManifest reads compactions/<k> from the checkpoint.
func (c *compactionRun) readManifest(ctx context.Context, k int64) (*compact.Manifest, error) {
	var m compact.Manifest
	if err := c.getJSON(ctx, c.r.job.ForEachBatch.CheckpointLocation, compact.Dir+"/"+strconv.FormatInt(k, 10), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (c *compactionRun) getJSON(ctx context.Context, root, key string, v any) error {
	bucket, prefix, err := splitS3(root)
	if err != nil {
		return err
	}
	out, err := c.r.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(path.Join(prefix, key))})
	if err != nil {
		return fmt.Errorf("read %s/%s: %w", root, key, err)
	}
	defer out.Body.Close()
	if err := json.NewDecoder(out.Body).Decode(v); err != nil {
		return fmt.Errorf("read %s/%s: %w", root, key, err)
	}
	return nil
}

// list returns the keys under root (relative to it) with their ETags.
func (c *compactionRun) list(ctx context.Context, root string) (map[string]string, error) {
	bucket, prefix, err := splitS3(root)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(c.r.s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", root, err)
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(aws.ToString(o.Key), prefix+"/")] = aws.ToString(o.ETag)
		}
	}
	return out, nil
}

// afterEngineCrash moves the virtual clock an hour on, so that the crashed
// batch's hour is closed by the clock, and runs the compactor once while
// the batch is planned but uncommitted: nothing of its partitions may be
// touched.
func (c *compactionRun) afterEngineCrash(ctx context.Context) error {
	now := c.clk.jump(time.Hour)
	c.r.tl.add(report.KindNote, "virtual clock an hour on: ingest hour %s", now.UTC().Format("2006-01-02 15h"))
	pending, err := c.pendingBatch(ctx)
	if err != nil {
		return err
	}
	before, err := c.list(ctx, c.r.job.Sink.Path)
	if err != nil {
		return err
	}
	// Killed too when it reaches the next kill step: while kills are left
	// every run is, so that the run after a kill after .done finishes that
	// compaction and can be killed in its deletes.
	if err := c.runOnce(ctx, true); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crashRuns++
	if pending == nil {
		return nil
	}
	after, err := c.list(ctx, c.r.job.Sink.Path)
	if err != nil {
		return err
	}
	dirs := map[string]bool{}
	for _, u := range pending.Objects {
		dirs[path.Dir(c.relKey(u))] = true
	}
	if len(dirs) == 0 {
		dirs[sink.IngestPath(pending.IngestTime)] = true
	}
	for key, etag := range before {
		if dirs[path.Dir(key)] && after[key] != etag {
			c.fail(fmt.Sprintf("%s of the partition of uncommitted batch %d changed or vanished while the batch was pending", key, pending.BatchID))
		}
	}
	for key := range after {
		if _, had := before[key]; !had && dirs[path.Dir(key)] {
			c.fail(fmt.Sprintf("%s appeared in the partition of uncommitted batch %d while the engine was down", key, pending.BatchID))
		}
	}
	c.pendingChecked += len(dirs)
	return nil
}

func (c *compactionRun) relKey(u string) string {
	return strings.TrimPrefix(u, strings.TrimSuffix(c.r.job.Sink.Path, "/")+"/")
}

// pendingBatch is the planned batch without a commit, nil if none.
func (c *compactionRun) pendingBatch(ctx context.Context) (*checkpoint.Offsets, error) {
	cp := c.r.job.ForEachBatch.CheckpointLocation
	keys, err := c.list(ctx, cp)
	if err != nil {
		return nil, err
	}
	var newest int64 = -1
	for k := range keys {
		if n, ok := strings.CutPrefix(k, "offsets/"); ok {
			if id, err := strconv.ParseInt(n, 10, 64); err == nil {
				newest = max(newest, id)
			}
		}
	}
	if newest < 0 {
		return nil, nil
	}
	if _, ok := keys["commits/"+strconv.FormatInt(newest, 10)]; ok {
		return nil, nil
	}
	var o checkpoint.Offsets
	if err := c.getJSON(ctx, cp, "offsets/"+strconv.FormatInt(newest, 10), &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// watch is the plain reader: it lists the output prefix every windowPoll,
// without reading manifests to decide what is part of the table, and notes
// for each compaction the listings that held one of its outputs and one of
// its inputs (manifests are read only to name them).
func (c *compactionRun) watch(ctx context.Context) {
	defer close(c.watchDone)
	t := time.NewTicker(windowPoll)
	defer t.Stop()
	for {
		select {
		case <-c.watchStop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.look(ctx); err != nil && ctx.Err() == nil {
			c.fail("plain reader: " + err.Error())
			return
		}
	}
}

func (c *compactionRun) look(ctx context.Context) error {
	cps, err := c.list(ctx, c.r.job.ForEachBatch.CheckpointLocation)
	if err != nil {
		return err
	}
	objs, err := c.list(ctx, c.r.job.Sink.Path)
	if err != nil {
		return err
	}
	now := time.Now()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for key := range cps {
		name, ok := strings.CutPrefix(key, compact.Dir+"/")
		if !ok {
			continue
		}
		k, err := strconv.ParseInt(name, 10, 64)
		if err != nil || c.manifests[k] != nil {
			continue
		}
		m, err := c.readManifest(ctx, k)
		if err != nil {
			continue // being written: the next look reads it
		}
		c.manifests[k] = m
		// The compactor is given the clocks' difference when it starts;
		// the clock only moves ahead, so a partition it plans is never
		// the engine's current hour.
		if open := sink.IngestPath(c.clk.Now()); m.Partition == open {
			c.failures = append(c.failures, fmt.Sprintf("compaction %d planned %s, the hour the engine is writing to", k, open)) // wmu held
		}
	}
	c.listings++
	dup := false
	for k, m := range c.manifests {
		out := slices.ContainsFunc(m.Outputs, func(o compact.Output) bool { _, ok := objs[o.Key]; return ok })
		in := slices.ContainsFunc(m.Inputs, func(i compact.Input) bool { _, ok := objs[i.Key]; return ok })
		if !out || !in {
			continue
		}
		dup = true
		w := c.windows[k]
		if w == nil {
			w = &windowSpan{first: now}
			c.windows[k] = w
		}
		w.last = now
	}
	if dup {
		c.dupSeen++
	}
	return nil
}

// finish runs the compactor until every kill has happened, then once more
// unkilled, and stops the plain reader.
func (c *compactionRun) finish(ctx context.Context) error {
	c.halt()
	<-c.loopDone
	if c.loopErr != nil {
		return c.loopErr
	}
	for range 4 * len(c.steps) {
		c.mu.Lock()
		left := c.nextStep() != 0
		c.mu.Unlock()
		if !left {
			break
		}
		if err := c.runOnce(ctx, true); err != nil {
			return err
		}
	}
	if err := c.runOnce(ctx, false); err != nil {
		return err
	}
	time.Sleep(4 * windowPoll)
	close(c.watchStop)
	<-c.watchDone
	c.r.tl.addPhase(report.Phase{Name: "compaction", Start: c.phaseStart, End: c.last,
		Label: fmt.Sprintf("%d compactor runs, %d killed", c.runs, len(c.kills))})
	return nil
}

// lockedBuffer is a bytes.Buffer safe for a process's writers and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
