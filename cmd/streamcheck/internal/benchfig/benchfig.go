package benchfig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Groups of figures, as Config.Only names them.
const (
	GroupEmulator = "emulator"
	GroupEngine   = "engine"
	GroupVerify   = "verify"
)

// Groups lists every group in the order Run measures them.
var Groups = []string{GroupEmulator, GroupEngine, GroupVerify}

// Defaults of Config.
const (
	DefaultDuration      = 5 * time.Second
	DefaultVerifyRows    = 1_000_000
	DefaultEngineRecords = 400_000
)

// Config says which figures to measure and how long.
type Config struct {
	// Only lists the groups to run (GroupEmulator, GroupEngine,
	// GroupVerify); empty means all.
	Only []string
	// Duration is how long each rate item runs; default DefaultDuration.
	Duration time.Duration
	// VerifyRows is how many output rows Verify checks; default
	// DefaultVerifyRows.
	VerifyRows int64
	// EngineRecords is how many records the engine reads end to end and
	// DuckDB converts; default DefaultEngineRecords.
	EngineRecords int64
	// Cores is the core budget of the engine group: it runs the engine
	// (GOMAXPROCS) and DuckDB (SET threads) at 1 core, then at Cores if
	// that is more, and reports the scaling between the two. 0 means every
	// CPU (runtime.NumCPU).
	Cores int
	// Rounds is how many times the engine group runs the engine and
	// DuckDB, alternating, after a first run of each: rates, ratio and CPU
	// are the rounds' medians, peaks the highest. Default 1.
	Rounds int
	// Progress, when set, receives one line as each item starts.
	Progress io.Writer
}

// Validate checks c, naming the bad field.
func (c *Config) Validate() error {
	for _, g := range c.Only {
		if !slices.Contains(Groups, g) {
			return fmt.Errorf("benchfig: Only: unknown group %q (want %s)", g, strings.Join(Groups, ", "))
		}
	}
	if c.Duration < 0 {
		return fmt.Errorf("benchfig: Duration %v: must not be negative", c.Duration)
	}
	if c.VerifyRows < 0 {
		return fmt.Errorf("benchfig: VerifyRows %d: must not be negative", c.VerifyRows)
	}
	if c.EngineRecords < 0 {
		return fmt.Errorf("benchfig: EngineRecords %d: must not be negative", c.EngineRecords)
	}
	if c.Cores < 0 {
		return fmt.Errorf("benchfig: Cores %d: must not be negative", c.Cores)
	}
	if c.Rounds < 0 {
		return fmt.Errorf("benchfig: Rounds %d: must not be negative", c.Rounds)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.VerifyRows == 0 {
		c.VerifyRows = DefaultVerifyRows
	}
	if c.EngineRecords == 0 {
		c.EngineRecords = DefaultEngineRecords
	}
	if c.Rounds == 0 {
		c.Rounds = 1
	}
	if len(c.Only) == 0 {
		c.Only = Groups
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// Figure is one measured figure.
type Figure struct {
	// Group is the group the figure belongs to (GroupEmulator, ...).
	Group string `json:"group"`
	// Item says what was measured.
	Item string `json:"item"`
	// Value is the figure, in Unit.
	Value float64 `json:"value"`
	// Unit is the figure's unit, e.g. "records/s" or "ms".
	Unit string `json:"unit"`
	// Target is the README's target, e.g. ">= 200000"; "" when there is none.
	Target string `json:"target,omitempty"`
	// Met tells whether Value meets Target; nil when there is no target.
	Met *bool `json:"met,omitempty"`
	// Unmeasured, when not empty, says why the figure could not be
	// measured (a server process that cannot report its CPU time); Value
	// is then 0 and Met, where there is a target, false.
	Unmeasured string `json:"unmeasured,omitempty"`
}

// target is a README target: Value compared with limit by op (">=", "<"
// or "<=").
type target struct {
	op    string
	limit float64
}

func (t target) String() string { return t.op + " " + Format(t.limit) }

func (t target) met(v float64) bool {
	switch t.op {
	case "<":
		return v < t.limit
	case "<=":
		return v <= t.limit
	default:
		return v >= t.limit
	}
}

// figure builds a Figure, with its target when t is not nil.
func figure(group, item string, v float64, unit string, t *target) Figure {
	f := Figure{Group: group, Item: item, Value: v, Unit: unit}
	if t != nil {
		ok := t.met(v)
		f.Target, f.Met = t.String(), &ok
	}
	return f
}

func atLeast(v float64) *target { return &target{op: ">=", limit: v} }
func below(v float64) *target   { return &target{op: "<", limit: v} }
func atMost(v float64) *target  { return &target{op: "<=", limit: v} }

// Format renders v for a table: integers with thousands separators, small
// values with up to three significant decimals.
func Format(v float64) string {
	switch {
	case v < 0:
		return "-" + Format(-v)
	case v >= 1000 || v == float64(int64(v)):
		s := fmt.Sprintf("%.0f", v)
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		return b.String()
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// ErrNoFigures is returned by Run when a group measured nothing.
var ErrNoFigures = errors.New("benchfig: no figures")

// Run measures the groups cfg names, in the order of Groups, and returns
// their figures. It stops at the first item that cannot run, returning the
// figures measured so far with the error.
func Run(ctx context.Context, cfg Config) ([]Figure, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	var all []Figure
	for _, g := range Groups {
		if !slices.Contains(cfg.Only, g) {
			continue
		}
		var (
			figs []Figure
			err  error
		)
		switch g {
		case GroupEmulator:
			figs, err = runEmulator(ctx, cfg)
		case GroupEngine:
			figs, err = runEngine(ctx, cfg)
		case GroupVerify:
			figs, err = runVerify(ctx, cfg)
		}
		all = append(all, figs...)
		if err != nil {
			return all, fmt.Errorf("benchfig: %s: %w", g, err)
		}
	}
	if len(all) == 0 {
		return nil, ErrNoFigures
	}
	return all, nil
}

// progress writes one progress line.
func progress(cfg Config, format string, args ...any) {
	fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
}
