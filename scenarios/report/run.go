package report

import (
	"fmt"
	"time"
)

// Run is one scenario run as the reports show it. Only Name is required;
// every other field may be left empty and its section is then omitted or
// shown as empty.
type Run struct {
	// Name is the scenario's name; Description says in a sentence what it
	// exercises.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Seed is the seed that drove the run's data, faults and timing.
	Seed uint64 `json:"seed"`
	// Backend names the stack the run used ("embedded", "localstack", ...).
	Backend string `json:"backend,omitempty"`
	// Started is when the run began; chart times are shown relative to it.
	// When it is zero the earliest lag point or event is used instead.
	Started time.Time `json:"started,omitzero"`
	// Duration is the run's wall time, setup to verdict.
	Duration time.Duration `json:"duration_ns"`
	// Passed is the run's verdict.
	Passed bool `json:"passed"`
	// ReplayCommand is the one command that runs the scenario again with
	// the same seed.
	ReplayCommand string `json:"replay_command,omitempty"`
	// Checks are the verdict's parts, in the order to show them.
	Checks []Check `json:"checks,omitempty"`
	// Batches are the engine's committed batches, replays included, in
	// commit order.
	Batches []Batch `json:"batches,omitempty"`
	// Events are the things that happened to the run, in time order.
	Events []Event `json:"events,omitempty"`
	// Lag is lag over time, one point per batch or per interval.
	Lag []LagPoint `json:"lag,omitempty"`
	// Figures are headline numbers (records sent, acknowledged, written,
	// throughput), in the order to show them.
	Figures []Figure `json:"figures,omitempty"`
	// Artifacts are the files the run left: output copy, ledger, logs.
	Artifacts []Artifact `json:"artifacts,omitempty"`
	// Settings are the job's settings shown in the header (window,
	// delivery mode, source, shard count), in the order to show them.
	Settings []Setting `json:"settings,omitempty"`
	// DeadLetters are the dead-letter entries by kind of error, most
	// frequent first, each with a sample.
	DeadLetters []DeadLetterKind `json:"dead_letters,omitempty"`
	// Schema is the output's schema, column by column.
	Schema []Column `json:"schema,omitempty"`
	// Phases are spans of the run shaded on the lag chart (a compaction
	// phase, say), in time order.
	Phases []Phase `json:"phases,omitempty"`
	// Partitions are the output's partitions at the end of the run, in
	// path order.
	Partitions []Partition `json:"partitions,omitempty"`
	// PipelineRuns are the starts of a black-box pipeline, in order, each
	// with the output objects and duplicate rows written until the next.
	PipelineRuns []PipelineRun `json:"pipeline_runs,omitempty"`
}

// PipelineRun is one start of a black-box pipeline and what it wrote until
// the next start: the duplicates are attributed to the kill, tripwire or
// exit that came before it ("kill 2: tripwire in-sink of output object 3").
type PipelineRun struct {
	// Run counts the starts from 1; Started is when it started.
	Run     int       `json:"run"`
	Started time.Time `json:"started"`
	// After says what ended the run before ("kill 2: tripwire in-sink of
	// output object 3"); "" for the first run.
	After string `json:"after,omitempty"`
	// Objects counts the output objects written during the run, by their
	// write time (S3's LastModified).
	Objects int `json:"objects"`
	// Duplicates counts the rows in those objects that repeat a record
	// already written more often than the ledger allows.
	Duplicates int64 `json:"duplicates"`
}

// Label names the run with what came before it: "run 3, after kill 2:
// tripwire in-sink of output object 3", or "run 1" for the first.
func (p PipelineRun) Label() string {
	if p.After == "" {
		return fmt.Sprintf("run %d", p.Run)
	}
	return fmt.Sprintf("run %d, after %s", p.Run, p.After)
}

// Setting is one of the job's settings ("window", "250ms").
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DeadLetterKind is the dead-letter entries whose errors are of one kind:
// the error with its numbers as N, up to its second colon ("invalid JSON
// at byte N: invalid UTF-8").
type DeadLetterKind struct {
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
	// Error and Payload are one entry's full error and the start of its
	// payload.
	Error   string `json:"error"`
	Payload string `json:"payload,omitempty"`
}

// Column is one output column and its type as DuckDB reads it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Phase is a span of a run, shaded on the lag chart with its name.
type Phase struct {
	// Name names the phase ("compaction"); Label says in a few words what
	// happened in it.
	Name  string    `json:"name"`
	Label string    `json:"label,omitempty"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Partition is one output partition: what it holds at the end of the run
// and, where a compactor merged it, what the batches wrote to it.
type Partition struct {
	// Path is the partition's directory under the output ("." for
	// unpartitioned output).
	Path string `json:"path"`
	// Files, Rows and Bytes are what it holds at the end.
	Files int64 `json:"files"`
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	// FilesWritten and BytesWritten are the batch objects ever written to
	// it, before any compaction; zero when not known.
	FilesWritten int64 `json:"files_written,omitempty"`
	BytesWritten int64 `json:"bytes_written,omitempty"`
	// Compactions counts the compactions that planned it.
	Compactions int `json:"compactions,omitempty"`
	// Open marks the partition the engine was still writing to.
	Open bool `json:"open,omitempty"`
}

// Check is one check of a run's verdict.
type Check struct {
	// Name names the check ("exactly-once", "dead letters", "lag p99").
	Name string `json:"name"`
	// Passed says whether the check held. A skipped check does not fail
	// its run whatever Passed says.
	Passed bool `json:"passed"`
	// Skipped marks a check that could not run; Message says why.
	Skipped bool `json:"skipped,omitempty"`
	// Expected marks a failure the scenario expects (the duplicates of a
	// deleted checkpoint, say): it does not fail its run.
	Expected bool `json:"expected,omitempty"`
	// Message is a one-line account of the outcome, shown with failures.
	Message string `json:"message,omitempty"`
	// Duration is how long the check took, 0 when unknown.
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Counts are the check's tallies ("expected", "delivered", "missing"),
	// in the order to show them.
	Counts []Count `json:"counts,omitempty"`
	// Examples are a few of the offending records, at most the number the
	// checker kept.
	Examples []Example `json:"examples,omitempty"`
}

// Count is one named tally of a check.
type Count struct {
	// Name names the tally ("missing"); Value is its count.
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// Example is one record that a check found wrong.
type Example struct {
	// Key is the record's identity key.
	Key string `json:"key,omitempty"`
	// File is the output or dead-letter object it was found in, if any.
	File string `json:"file,omitempty"`
	// Batch is the batch that wrote it, -1 when not known.
	Batch int64 `json:"batch"`
	// Detail says what is wrong with it.
	Detail string `json:"detail,omitempty"`
}

// Batch is one committed batch of the engine.
type Batch struct {
	// ID is the batch id of the checkpoint's offsets/<N> and commits/<N>.
	ID int64 `json:"id"`
	// PlannedAt and CommittedAt are the planned_at and committed_at of
	// the batch's offsets and commit files; zero when unknown.
	PlannedAt   time.Time `json:"planned_at,omitzero"`
	CommittedAt time.Time `json:"committed_at,omitzero"`
	// Records is the number of records written to the output; DeadLetters
	// the number written to the dead letter.
	Records     int64 `json:"records"`
	DeadLetters int64 `json:"dead_letters"`
	// LagP50, LagP99 and LagMax are the lag of the batch's records from
	// arrival in the stream to the batch's commit.
	LagP50 time.Duration `json:"lag_p50_ns"`
	LagP99 time.Duration `json:"lag_p99_ns"`
	LagMax time.Duration `json:"lag_max_ns"`
	// Replayed marks a batch planned by an earlier engine run and
	// committed again after a restart.
	Replayed bool `json:"replayed,omitempty"`
}

// EventKind classifies an Event. The charts mark every kind but KindNote.
type EventKind string

// The kinds of event a run records.
const (
	KindRestart      EventKind = "restart"
	KindCrash        EventKind = "crash"
	KindFault        EventKind = "fault"
	KindFaultCleared EventKind = "fault-cleared"
	KindReshard      EventKind = "reshard"
	KindCompaction   EventKind = "compaction"
	KindNote         EventKind = "note"
)

// Event is one thing that happened during a run.
type Event struct {
	// Time is when it happened; Kind what sort of thing it was; Label
	// says what it was in a few words ("crash after-sink of batch 4").
	Time  time.Time `json:"time"`
	Kind  EventKind `json:"kind"`
	Label string    `json:"label"`
}

// LagPoint is the lag of the records made visible at Time.
type LagPoint struct {
	// Time is when the records became visible (their batch's commit);
	// P50, P99 and Max are the percentiles of their lag.
	Time time.Time     `json:"time"`
	P50  time.Duration `json:"p50_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
}

// Figure is one headline number of a run, already formatted
// ("12 000 records", "4 310 rec/s").
type Figure struct {
	// Name says what is counted; Value is shown as given.
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Artifact is a file or directory a run left behind.
type Artifact struct {
	// Name says what it is ("ledger", "engine log").
	Name string `json:"name"`
	// Path is where it is; a relative path is linked from the HTML page
	// relative to the page.
	Path string `json:"path"`
}

// failed reports whether the check counts against its run.
func (c Check) failed() bool { return !c.Passed && !c.Skipped && !c.Expected }

// origin is the time the run's charts count from.
func (r Run) origin() time.Time {
	if !r.Started.IsZero() {
		return r.Started
	}
	var t time.Time
	consider := func(x time.Time) {
		if !x.IsZero() && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	for _, p := range r.Lag {
		consider(p.Time)
	}
	for _, e := range r.Events {
		consider(e.Time)
	}
	for _, b := range r.Batches {
		consider(b.PlannedAt)
	}
	return t
}
