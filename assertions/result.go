package assertions

import (
	"encoding/json"
	"time"
)

// Status is a check's verdict.
type Status string

// Verdicts of a check.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // the check lacked an input (its Detail says which)
)

// Check names, as they appear in results.
const (
	CheckDelivery   = "delivery"
	CheckLag        = "lag"
	CheckSchema     = "schema"
	CheckLayout     = "layout"
	CheckDeadLetter = "dead_letter"
	CheckOrder      = "order"
)

// Count is one named tally of a result, e.g. {"lost", 3}.
type Count struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// Example is one offending record, row, file or column. Batch is -1 when
// unknown; Seq is the ledger's attempt number, -1 when not from the ledger.
type Example struct {
	Kind   string `json:"kind"`
	Key    string `json:"key,omitempty"`
	File   string `json:"file,omitempty"`
	Batch  int64  `json:"batch"`
	Seq    int64  `json:"seq"`
	Detail string `json:"detail,omitempty"`
}

// Result is the outcome of one check: its verdict, tallies in a fixed order,
// and the first offending examples (at most Config.MaxExamples per kind).
type Result struct {
	Check    string    `json:"check"`
	Status   Status    `json:"status"`
	Detail   string    `json:"detail,omitempty"`
	Counts   []Count   `json:"counts,omitempty"`
	Examples []Example `json:"examples,omitempty"`
	// Lag is set by the lag check only.
	Lag *LagReport `json:"lag,omitempty"`
}

// Count returns the tally called name, or 0.
func (r *Result) Count(name string) int64 {
	for _, c := range r.Counts {
		if c.Name == name {
			return c.Value
		}
	}
	return 0
}

func (r *Result) add(name string, v int64) { r.Counts = append(r.Counts, Count{name, v}) }

// failIf marks r failed when any of the named counts is non-zero.
func (r *Result) failIf(names ...string) {
	if r.Status == "" {
		r.Status = Pass
	}
	for _, n := range names {
		if r.Count(n) > 0 {
			r.Status = Fail
		}
	}
}

func skipped(check, why string) Result { return Result{Check: check, Status: Skip, Detail: why} }

// LagStats summarises record lag (commit of the batch minus arrival).
type LagStats struct {
	Records int64         `json:"records"`
	P50     time.Duration `json:"p50"`
	P95     time.Duration `json:"p95"`
	P99     time.Duration `json:"p99"`
	Max     time.Duration `json:"max"`
}

// Restart is one restart found in the checkpoint logs and the lag of the
// records made visible during the recovery that followed it.
type Restart struct {
	// Batch is the first batch of the restarted run.
	Batch int64 `json:"batch"`
	// Reason is "replayed" (the batch was planned by an earlier run and
	// committed by a later one) or "gap" (a pause between plans longer
	// than the restart gap).
	Reason string `json:"reason"`
	// LastBatch is the last batch counted as recovery.
	LastBatch int64    `json:"last_batch"`
	Lag       LagStats `json:"lag"`
}

// LagReport is the lag check's detail.
type LagReport struct {
	Overall  LagStats  `json:"overall"`
	Restarts []Restart `json:"restarts,omitempty"`
}

// Report is the outcome of Verify: one result per check, in a fixed order.
type Report struct {
	Results []Result `json:"results"`
	// OK is true when no check failed.
	OK bool `json:"ok"`
}

// Result returns the result of the named check, or nil.
func (r *Report) Result(check string) *Result {
	for i := range r.Results {
		if r.Results[i].Check == check {
			return &r.Results[i]
		}
	}
	return nil
}

// MarshalJSON writes the durations as milliseconds (p50_ms, ...).
func (l LagStats) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return json.Marshal(struct {
		Records int64   `json:"records"`
		P50     float64 `json:"p50_ms"`
		P95     float64 `json:"p95_ms"`
		P99     float64 `json:"p99_ms"`
		Max     float64 `json:"max_ms"`
	}{l.Records, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max)})
}
