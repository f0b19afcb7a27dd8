package aggregate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/engine/record"
)

// ErrBatchApplied is returned by Apply for a batch id at or below the last
// one applied: the state already counts it, and applying it again would
// count its readings twice. After a restart, Restore the state of the last
// committed batch before replaying the next.
var ErrBatchApplied = errors.New("aggregate: batch already applied")

// ErrNoReference is returned by Apply before SetReference has been called.
var ErrNoReference = errors.New("aggregate: no reference table")

// Rejection is an input row left out of the windows, with why.
type Rejection struct {
	Row    int    // index of the row in the batch
	Reason string // e.g. `null key column "ventilatorid"`
}

// Result is what Apply returns for one batch. Row indexes are those of the
// batch's rows, ascending.
type Result struct {
	// Joined holds one row of JoinedColumns per joined reading: the input
	// row followed by its alert level. Late readings are joined too.
	Joined []record.Value
	// JoinedRows is the input row of each joined row.
	JoinedRows []int
	// Windows holds one row of WindowColumns per window closed by this
	// batch, ordered by window start, then device.
	Windows []record.Value
	// Updated holds, with WithUpdates only, one row of WindowColumns per
	// window this batch counted a reading in that is still open after it,
	// ordered as Windows: what Spark's update output mode writes besides
	// the closed windows. A window counted in and closed by the same batch
	// is in Windows only.
	Updated []record.Value
	// Late lists readings older than the watermark: joined, but not
	// counted in any window.
	Late []int
	// Unmatched lists readings an inner join left out (no reference row
	// or a null key).
	Unmatched []int
	// Rejected lists readings left out of the windows for a null key or an
	// unusable event time.
	Rejected []Rejection
	// Watermark is the watermark after the batch; zero before any reading.
	Watermark time.Time
}

// Counters are the operator's running totals, kept in its state.
type Counters struct {
	Batches   int64 // batches applied
	Rows      int64 // input rows seen
	Late      int64 // readings older than the watermark
	Unmatched int64 // readings an inner join left out
	Rejected  int64 // readings with a null key or unusable event time
	Emitted   int64 // windows emitted
}

// Operator joins batches with the reference table and aggregates them over
// sliding windows. Create it with New. It is not safe for concurrent use.
type Operator struct {
	cfg                  Config
	cols                 []record.Column
	width                int
	keyIdx               int
	timeIdx              int
	metIdx               []int
	window, slide, delay int64 // microseconds
	fingerprint          [8]byte
	ref                  *Table
	st                   state
	updates              bool // WithUpdates
}

// Option configures an Operator in New. An invalid option makes New return
// its error.
type Option interface{ apply(*Operator) error }

type optionFunc func(*Operator) error

func (f optionFunc) apply(o *Operator) error { return f(o) }

// WithUpdates makes Apply fill Result.Updated with the open windows each
// batch changed, for a sink in update output mode. The default is off:
// only closed windows are returned, as append output mode writes them.
func WithUpdates() Option {
	return optionFunc(func(o *Operator) error {
		o.updates = true
		return nil
	})
}

type winKey struct {
	start int64
	key   string
}

type acc struct {
	device record.Value
	// touched is 1 + the id of the last batch that counted a reading
	// here, within Apply only (not in the state).
	touched int64
	n       int64
	sums    []float64
	counts  []int64
	alerts  [3]int64
}

type state struct {
	lastBatch    int64 // -1 before the first
	hasWatermark bool
	watermark    int64 // microseconds
	c            Counters
	windows      map[winKey]*acc
}

func newState() state { return state{lastBatch: -1, windows: map[winKey]*acc{}} }

// New returns an Operator with empty state for rows of schema cols. It
// checks cfg and that cols has the key, event time and metric columns with
// usable types, then applies opts in order.
func New(cfg Config, cols []record.Column, opts ...Option) (*Operator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	find := func(field, name string) (int, error) {
		for i, c := range cols {
			if c.Name == name {
				return i, nil
			}
		}
		return -1, bad(field, "no column %q in the batch's schema", name)
	}
	o := &Operator{cfg: cfg, cols: slices.Clone(cols), width: len(cols), timeIdx: -1,
		window: time.Duration(cfg.WindowDuration).Microseconds(),
		slide:  time.Duration(cfg.SlideDuration).Microseconds(),
		delay:  time.Duration(cfg.WatermarkDelay).Microseconds(),
		st:     newState()}
	var err error
	if o.keyIdx, err = find("keyColumn", cfg.KeyColumn); err != nil {
		return nil, err
	}
	if t := cols[o.keyIdx].Type; t.Struct() {
		// The checkpointed state keeps a key as one scalar cell.
		return nil, bad("keyColumn", "%q is %s; want a scalar column (string, int, bigint, ...)", cfg.KeyColumn, t)
	}
	if cfg.TimeMode == EventTime {
		if o.timeIdx, err = find("eventTimeColumn", cfg.EventTimeColumn); err != nil {
			return nil, err
		}
		switch t := cols[o.timeIdx].Type; t {
		case record.Timestamp, record.String, record.Int, record.Bigint:
		default:
			return nil, bad("eventTimeColumn", "%q is %s; want timestamp, string, int or bigint", cfg.EventTimeColumn, t)
		}
	}
	for i, m := range cfg.Metrics {
		j, err := find(fmt.Sprintf("metrics[%d].column", i), m.Column)
		if err != nil {
			return nil, err
		}
		switch t := cols[j].Type; t {
		case record.Int, record.Bigint, record.Double, record.Float:
		default:
			return nil, bad(fmt.Sprintf("metrics[%d].column", i), "%q is %s; want int, bigint, double or float", m.Column, t)
		}
		o.metIdx = append(o.metIdx, j)
	}
	if _, err := find("", cfg.AlertColumn); err == nil {
		return nil, bad("alertColumn", "%q is already a column of the batch", cfg.AlertColumn)
	}
	o.fingerprint = fingerprint(cfg, cols[o.keyIdx].Type)
	for _, opt := range opts {
		if err := opt.apply(o); err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
	}
	return o, nil
}

// SetReference sets the table the next batches are joined with. The
// engine calls it before each Apply with Cache.Get's table. A replayed
// batch gives the same output only with the same table.
func (o *Operator) SetReference(t *Table) { o.ref = t }

// JoinedColumns returns the schema of Result.Joined: the input columns and
// the alert level column (string).
func (o *Operator) JoinedColumns() []record.Column {
	return append(slices.Clone(o.cols), record.Column{Name: o.cfg.AlertColumn, Type: record.String})
}

// WindowColumns returns the schema of Result.Windows: the key column,
// window_start and window_end (timestamps; the window is [start, end)),
// avg_<metric> (double, null when no reading had a value), count (bigint,
// readings in the window) and red_count, orange_count, green_count.
func (o *Operator) WindowColumns() []record.Column {
	cols := []record.Column{
		{Name: o.cfg.KeyColumn, Type: o.cols[o.keyIdx].Type},
		{Name: "window_start", Type: record.Timestamp},
		{Name: "window_end", Type: record.Timestamp},
	}
	for _, m := range o.cfg.Metrics {
		cols = append(cols, record.Column{Name: "avg_" + m.Column, Type: record.Double})
	}
	return append(cols,
		record.Column{Name: "count", Type: record.Bigint},
		record.Column{Name: "red_count", Type: record.Bigint},
		record.Column{Name: "orange_count", Type: record.Bigint},
		record.Column{Name: "green_count", Type: record.Bigint})
}

// Counters returns the running totals.
func (o *Operator) Counters() Counters { return o.st.c }

// LastBatch returns the id of the last batch applied, -1 if none.
func (o *Operator) LastBatch() int64 { return o.st.lastBatch }

// OpenWindows returns how many windows are open.
func (o *Operator) OpenWindows() int { return len(o.st.windows) }

// Apply joins and aggregates batch batchID: rows holds its rows one after
// another, len(cols) values each, as New's schema says; ingest is the
// batch's planned ingest time (the processing time). Batch ids must
// increase. On error the state is unchanged.
func (o *Operator) Apply(batchID int64, rows []record.Value, ingest time.Time) (*Result, error) {
	if batchID <= o.st.lastBatch {
		return nil, fmt.Errorf("%w: batch %d, last applied %d", ErrBatchApplied, batchID, o.st.lastBatch)
	}
	if o.width == 0 || len(rows)%o.width != 0 {
		return nil, fmt.Errorf("aggregate: batch %d: %d values is not a whole number of rows of %d columns", batchID, len(rows), o.width)
	}
	if o.ref == nil {
		return nil, fmt.Errorf("%w: batch %d", ErrNoReference, batchID)
	}
	st := &o.st
	n := len(rows) / o.width
	res := &Result{}
	wm, hasWM := st.watermark, st.hasWatermark
	maxT, hasT := int64(0), false
	ingestUs := ingest.UnixMicro()
	readings := make([]Reading, len(o.metIdx))
	jw := o.width + 1
	res.Joined = make([]record.Value, 0, n*jw)
	for r := range n {
		row := rows[r*o.width : (r+1)*o.width]
		key := row[o.keyIdx]
		var bounds []Bound
		matched := false
		var keyText string
		if !key.Null() {
			keyText = key.Text()
			bounds, matched = o.ref.Lookup(keyText)
		}
		if !matched && o.cfg.JoinType == InnerJoin {
			res.Unmatched = append(res.Unmatched, r)
			continue
		}
		for i, j := range o.metIdx {
			readings[i] = reading(row[j])
		}
		level := Grade(readings, bounds)
		res.Joined = append(res.Joined, row...)
		res.Joined = append(res.Joined, record.Value{Type: record.String, S: level.String()})
		res.JoinedRows = append(res.JoinedRows, r)

		if key.Null() {
			res.Rejected = append(res.Rejected, Rejection{Row: r, Reason: fmt.Sprintf("null key column %q", o.cfg.KeyColumn)})
			continue
		}
		t := ingestUs
		if o.timeIdx >= 0 {
			var err error
			if t, err = o.eventTime(row[o.timeIdx]); err != nil {
				res.Rejected = append(res.Rejected, Rejection{Row: r, Reason: err.Error()})
				continue
			}
		}
		if hasWM && t < wm {
			res.Late = append(res.Late, r)
			continue
		}
		if !hasT || t > maxT {
			maxT, hasT = t, true
		}
		last := floorDiv(t, o.slide) * o.slide
		for s := last; s > t-o.window; s -= o.slide {
			k := winKey{start: s, key: keyText}
			a := st.windows[k]
			if a == nil {
				a = &acc{device: key, sums: make([]float64, len(o.metIdx)), counts: make([]int64, len(o.metIdx))}
				st.windows[k] = a
			}
			a.n++
			a.touched = batchID + 1
			a.alerts[level]++
			for i, rd := range readings {
				if rd.Valid {
					a.sums[i] += rd.V
					a.counts[i]++
				}
			}
		}
	}

	// Advance the watermark and close the windows it has passed.
	// On event time it follows the data; on processing time it is the
	// ingest time, so an empty batch closes windows too.
	if o.timeIdx < 0 {
		maxT, hasT = ingestUs, true
	}
	if hasT {
		next := maxT
		if o.timeIdx >= 0 {
			next -= o.delay
		}
		if !hasWM || next > wm {
			wm, hasWM = next, true
		}
	}
	if hasWM {
		var closed []winKey
		for k := range st.windows {
			if k.start+o.window <= wm {
				closed = append(closed, k)
			}
		}
		o.sortKeys(closed)
		for _, k := range closed {
			res.Windows = o.appendWindow(res.Windows, k, st.windows[k])
			delete(st.windows, k)
		}
		res.Watermark = time.UnixMicro(wm).UTC()
		st.c.Emitted += int64(len(closed))
	}
	if o.updates {
		var changed []winKey
		for k, a := range st.windows {
			if a.touched == batchID+1 {
				changed = append(changed, k)
			}
		}
		o.sortKeys(changed)
		for _, k := range changed {
			res.Updated = o.appendWindow(res.Updated, k, st.windows[k])
		}
	}
	st.watermark, st.hasWatermark = wm, hasWM
	st.lastBatch = batchID
	st.c.Batches++
	st.c.Rows += int64(n)
	st.c.Late += int64(len(res.Late))
	st.c.Unmatched += int64(len(res.Unmatched))
	st.c.Rejected += int64(len(res.Rejected))
	return res, nil
}

func (o *Operator) appendWindow(out []record.Value, k winKey, a *acc) []record.Value {
	out = append(out, a.device,
		record.Value{Type: record.Timestamp, I: k.start},
		record.Value{Type: record.Timestamp, I: k.start + o.window})
	for i := range a.sums {
		if a.counts[i] == 0 {
			out = append(out, record.Value{})
		} else {
			out = append(out, record.FloatValue(record.Double, a.sums[i]/float64(a.counts[i])))
		}
	}
	return append(out,
		record.Value{Type: record.Bigint, I: a.n},
		record.Value{Type: record.Bigint, I: a.alerts[Red]},
		record.Value{Type: record.Bigint, I: a.alerts[Orange]},
		record.Value{Type: record.Bigint, I: a.alerts[Green]})
}

// sortKeys orders windows by start, then by device: numerically for
// numeric keys, by text otherwise.
func (o *Operator) sortKeys(ks []winKey) {
	numeric := false
	switch o.cols[o.keyIdx].Type {
	case record.Int, record.Bigint, record.Double, record.Float, record.Timestamp, record.Date:
		numeric = true
	}
	slices.SortFunc(ks, func(a, b winKey) int {
		if a.start != b.start {
			return cmpInt(a.start, b.start)
		}
		if numeric {
			wa, wb := o.st.windows[a].device, o.st.windows[b].device
			if c := cmpValue(wa, wb); c != 0 {
				return c
			}
		}
		return strings.Compare(a.key, b.key)
	})
}

func cmpValue(a, b record.Value) int {
	switch a.Type {
	case record.Double, record.Float:
		switch {
		case a.Float() < b.Float():
			return -1
		case a.Float() > b.Float():
			return 1
		}
		return 0
	}
	return cmpInt(a.I, b.I)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func reading(v record.Value) Reading {
	switch v.Type {
	case record.Int, record.Bigint:
		return Reading{V: float64(v.I), Valid: true}
	case record.Double, record.Float:
		return Reading{V: v.Float(), Valid: true}
	}
	return Reading{}
}

// eventTime returns v as microseconds since the epoch.
func (o *Operator) eventTime(v record.Value) (int64, error) {
	switch v.Type {
	case record.Timestamp:
		return v.I, nil
	case record.Int, record.Bigint:
		return v.I * 1000, nil
	case record.String:
		t, err := time.ParseInLocation(o.cfg.EventTimeFormat, v.S, time.UTC)
		if err != nil {
			return 0, fmt.Errorf("event time column %q: %q does not match layout %q", o.cfg.EventTimeColumn, v.S, o.cfg.EventTimeFormat)
		}
		return t.UnixMicro(), nil
	case record.Invalid:
		return 0, fmt.Errorf("null event time column %q", o.cfg.EventTimeColumn)
	}
	return 0, fmt.Errorf("event time column %q: %s value; want timestamp, string or milliseconds", o.cfg.EventTimeColumn, v.Type)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
