package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// timeline collects what happened during a run, for the reports.
type timeline struct {
	mu      sync.Mutex
	started time.Time
	events  []report.Event
	batches []report.Batch
	lag     []report.LagPoint
	phases  []report.Phase
	// toReal, when set, maps the engine's clock readings in the
	// checkpoint to wall time (a scenario's virtual clock).
	toReal func(time.Time) time.Time
}

func (tl *timeline) addPhase(p report.Phase) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.phases = append(tl.phases, p)
}

func (tl *timeline) add(kind report.EventKind, format string, args ...any) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, report.Event{Time: time.Now(), Kind: kind, Label: fmt.Sprintf(format, args...)})
}

// readBatches reads the committed batches from a local copy of the
// checkpoint and measures each batch's lag: its commit time less the
// acknowledgement time, in the ledger, of each record its shard ranges
// cover. replayed names the batches a restart replayed.
func (tl *timeline) readBatches(cpDir, ledgerPath string, replayed map[int64]bool) error {
	entries, err := os.ReadDir(filepath.Join(cpDir, "commits"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read commits: %w", err)
	}
	rows, err := generators.ReadLedger(ledgerPath)
	if err != nil {
		return err
	}
	// Acknowledged rows by shard, in sequence order.
	type ack struct {
		seq string
		at  int64
	}
	byShard := map[string][]ack{}
	for _, r := range rows {
		if r.Outcome == generators.OutcomeAck && r.ShardID != "" {
			byShard[r.ShardID] = append(byShard[r.ShardID], ack{r.SequenceNumber, r.AckedAtMs})
		}
	}
	for _, acks := range byShard {
		slices.SortFunc(acks, func(a, b ack) int { return compareSeq(a.seq, b.seq) })
	}
	var ids []int64
	for _, e := range entries {
		if id, err := strconv.ParseInt(e.Name(), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		var c checkpoint.Commit
		var o checkpoint.Offsets
		if err := readJSON(filepath.Join(cpDir, "commits", strconv.FormatInt(id, 10)), &c); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(cpDir, "offsets", strconv.FormatInt(id, 10)), &o); err != nil {
			return err
		}
		if tl.toReal != nil {
			c.CommittedAt, o.PlannedAt = tl.toReal(c.CommittedAt), tl.toReal(o.PlannedAt)
		}
		var lags []time.Duration
		for _, sh := range o.Shards {
			if sh.EndSequenceNumber == "" {
				continue
			}
			acks := byShard[sh.ShardID]
			lo, _ := slices.BinarySearchFunc(acks, sh.FirstSequenceNumber, func(a ack, s string) int { return compareSeq(a.seq, s) })
			for _, a := range acks[lo:] {
				if compareSeq(a.seq, sh.EndSequenceNumber) > 0 {
					break
				}
				lags = append(lags, c.CommittedAt.Sub(time.UnixMilli(a.at)))
			}
		}
		b := report.Batch{ID: id, PlannedAt: o.PlannedAt, CommittedAt: c.CommittedAt, Records: c.NumRecords,
			DeadLetters: c.NumDeadLetter, Replayed: replayed[id]}
		if len(lags) > 0 {
			slices.Sort(lags)
			b.LagP50, b.LagP99, b.LagMax = quantile(lags, 0.50), quantile(lags, 0.99), lags[len(lags)-1]
			tl.lag = append(tl.lag, report.LagPoint{Time: c.CommittedAt, P50: b.LagP50, P99: b.LagP99, Max: b.LagMax})
		}
		tl.batches = append(tl.batches, b)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// quantile is the nearest-rank quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// compareSeq compares Kinesis sequence numbers, decimal strings without
// leading zeros, as integers.
func compareSeq(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// ReportRun returns the run as package report models it, for its HTML, JSON
// and JUnit renderings: the checks of the verification (and, for the
// at-least-once mode, whether the exactly-once reading found the
// duplicates), the expectations, the committed batches with their lag, the
// crashes, restarts and faults, the figures and the files left behind
// (relative to Dir).
func (r *Result) ReportRun() report.Run {
	run := report.Run{
		Name: r.Scenario, Description: r.description, Seed: r.Seed, Backend: r.backend,
		Duration: r.Elapsed, Passed: r.Passed, ReplayCommand: r.Replay,
	}
	if tl := r.timeline; tl != nil {
		tl.mu.Lock()
		run.Started = tl.started
		run.Events = slices.Clone(tl.events)
		run.Batches = slices.Clone(tl.batches)
		run.Lag = slices.Clone(tl.lag)
		run.Phases = slices.Clone(tl.phases)
		tl.mu.Unlock()
	}
	if r.Report != nil {
		for _, res := range r.Report.Results {
			c := reportCheck(res, "")
			if r.data != nil && r.data.expected[res.Check] && res.Status == assertions.Fail && r.Passed {
				c.Expected = true
				c.Message = "failing as the scenario expects: " + c.Message
			}
			run.Checks = append(run.Checks, c)
		}
	}
	if r.Strict != nil {
		if d := r.Strict.Result(assertions.CheckDelivery); d != nil {
			c := reportCheck(*d, "duplicates found by the exactly-once reading")
			c.Passed = d.Status == assertions.Fail && d.Count("duplicated") > 0 && d.Count("lost") == 0 && d.Count("unexpected") == 0
			run.Checks = append(run.Checks, c)
		}
	}
	exp := report.Check{Name: "expectations", Passed: r.Passed, Message: strings.Join(r.Failures, "; ")}
	if r.Passed {
		exp.Message = "every expectation of the scenario held"
	}
	run.Checks = append(run.Checks, exp)

	l := r.Load
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	run.Figures = []report.Figure{
		{Name: fmt.Sprintf("records sent (%d malformed, %d deliberate duplicates)", l.Malformed, l.Duplicates), Value: n(l.Attempted)},
		{Name: fmt.Sprintf("acknowledged (%d failed, %d unknown, %d throttled sends retried)", l.Failed, l.Unknown, l.Throttled), Value: n(l.Acked)},
		{Name: fmt.Sprintf("rows delivered (%d duplicated)", r.Duplicated), Value: n(r.Delivered)},
		{Name: "dead letters", Value: n(r.DeadLetters)},
		{Name: fmt.Sprintf("batch commits over %d engine runs, %d crashes", r.EngineRuns, len(r.Crashes)), Value: n(r.Batches)},
		{Name: "lag p50 / p99", Value: fmt.Sprintf("%s / %s", round(r.Lag.P50), round(r.Lag.P99))},
		{Name: "time taken", Value: round(r.Elapsed).String()},
	}
	if r.Pipeline != "" {
		// A black box has no batches to show; its lag runs to the write
		// of the output object.
		run.Figures = append(run.Figures[:4],
			report.Figure{Name: fmt.Sprintf("starts of the pipeline (%s), %d kills", r.Pipeline, len(r.Crashes)), Value: n(int64(r.EngineRuns))})
		if r.Lag.Records > 0 {
			run.Figures = append(run.Figures, report.Figure{Name: "lag p50 / p99 / max (arrival to the write of the output object)",
				Value: fmt.Sprintf("%s / %s / %s", round(r.Lag.P50), round(r.Lag.P99), round(r.Lag.Max))})
		}
		run.Figures = append(run.Figures, report.Figure{Name: "time taken", Value: round(r.Elapsed).String()})
		run.PipelineRuns = slices.Clone(r.PipelineRuns)
	}
	if t := throughput(r.Delivered, run.Batches); t != "" {
		run.Figures = append(run.Figures, report.Figure{Name: "throughput (rows delivered, first plan to last commit)", Value: t})
	}
	if d := r.data; d != nil {
		run.Settings, run.DeadLetters, run.Schema, run.Partitions = d.settings, d.deadLetters, d.schema, d.partitions
	}
	if r.comp != nil {
		figs, parts := r.comp.reportFigures(r)
		run.Figures = append(run.Figures, figs...)
		run.Partitions = mergePartitions(run.Partitions, parts)
	}
	rel := func(p string) string {
		if r.Dir == "" {
			return p
		}
		if x, err := filepath.Rel(r.Dir, p); err == nil && !strings.HasPrefix(x, "..") {
			return filepath.ToSlash(x)
		}
		return p
	}
	for _, a := range []struct{ name, path string }{
		{"output (copy)", r.LocalPath(r.Output)}, {"dead letter (copy)", r.LocalPath(r.DeadLetter)},
		{"checkpoint (copy)", r.LocalPath(r.Checkpoint)}, {"ledger", r.Ledger}, {"job", r.Job}, {"pipeline log", r.PipelineLog}, {"result", r.ResultFile},
	} {
		if a.path != "" {
			run.Artifacts = append(run.Artifacts, report.Artifact{Name: a.name, Path: rel(a.path)})
		}
	}
	return run
}

func reportCheck(res assertions.Result, name string) report.Check {
	c := report.Check{Name: res.Check, Passed: res.Status == assertions.Pass, Skipped: res.Status == assertions.Skip, Message: describeExtra(res)}
	if name != "" {
		c.Name = name
	}
	for _, n := range res.Counts {
		c.Counts = append(c.Counts, report.Count{Name: n.Name, Value: n.Value})
	}
	for _, e := range res.Examples {
		d := e.Detail
		if e.Kind != "" {
			d = e.Kind + ": " + d
		}
		c.Examples = append(c.Examples, report.Example{Key: e.Key, File: e.File, Batch: e.Batch, Detail: d})
	}
	return c
}
