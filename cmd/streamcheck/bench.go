package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamcheck/streamcheck/cmd/streamcheck/internal/benchfig"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "Measure the emulator, engine and verify figures on the embedded stack, as a table.",
		usage:   "bench [--only emulator,engine,verify] [--duration D] [--records N] [--cores N] [--rounds N] [--json]",
		run:     runBench,
	})
}

// benchOutput is bench's --json document.
type benchOutput struct {
	Duration string            `json:"duration"`
	Records  int64             `json:"records,omitempty"`
	Figures  []benchfig.Figure `json:"figures"`
}

func runBench(ctx context.Context, e *env, args []string) error {
	c := commands["bench"]
	fs := newFlagSet(c)
	only := fs.String("only", strings.Join(benchfig.Groups, ","), "groups to measure, comma-separated: "+strings.Join(benchfig.Groups, ", "))
	duration := fs.Duration("duration", benchfig.DefaultDuration, "how long each rate item runs")
	records := fs.Int64("records", 0, fmt.Sprintf("rows for verify (default %d) and records for the engine (default %d)",
		benchfig.DefaultVerifyRows, benchfig.DefaultEngineRecords))
	cores := fs.Int("cores", 0, "core budget of the engine group: the engine (GOMAXPROCS) and DuckDB (threads) run at 1 core, then at N (default every CPU)")
	rounds := fs.Int("rounds", 1, "engine group: times the engine and DuckDB run, alternating, after a first run of each; figures are the medians, peaks the highest")
	asJSON := fs.Bool("json", false, "print the figures as JSON instead of a table")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *duration <= 0 {
		return usagef("--duration %v: must be positive", *duration)
	}
	if *records < 0 {
		return usagef("--records %d: must not be negative", *records)
	}
	if *cores < 0 {
		return usagef("--cores %d: must not be negative", *cores)
	}
	if *rounds < 1 {
		return usagef("--rounds %d: must be at least 1", *rounds)
	}
	cfg := benchfig.Config{Duration: *duration, VerifyRows: *records, EngineRecords: *records, Cores: *cores, Rounds: *rounds, Progress: e.stderr}
	for _, g := range strings.Split(*only, ",") {
		if g = strings.TrimSpace(g); g != "" {
			cfg.Only = append(cfg.Only, g)
		}
	}
	if err := cfg.Validate(); err != nil {
		return usagef("--only %q: want a comma-separated list of %s", *only, strings.Join(benchfig.Groups, ", "))
	}
	figs, err := benchfig.Run(ctx, cfg)
	if len(figs) > 0 {
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(benchOutput{Duration: duration.String(), Records: *records, Figures: figs}); jerr != nil && err == nil {
				err = jerr
			}
		} else {
			printBenchTable(e.stdout, figs, *duration)
		}
	}
	return err
}

// printBenchTable prints figs as an aligned table: item and unit left,
// figure right, one heading line per group.
func printBenchTable(w io.Writer, figs []benchfig.Figure, d time.Duration) {
	rows := [][5]string{{"item", "figure", "unit", "target", "met"}}
	for _, f := range figs {
		target, met := "-", ""
		if f.Met != nil {
			target, met = f.Target, "no"
			if *f.Met {
				met = "yes"
			}
		}
		value := benchfig.Format(f.Value)
		if f.Unmeasured != "" {
			value = "unmeasured"
		}
		rows = append(rows, [5]string{f.Group + ": " + f.Item, value, f.Unit, target, met})
	}
	var width [5]int
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	fmt.Fprintf(w, "streamcheck bench: embedded stack, %v per rate item\n\n", d)
	for _, r := range rows {
		line := fmt.Sprintf("%-*s  %*s  %-*s  %-*s  %s", width[0], r[0], width[1], r[1], width[2], r[2], width[3], r[3], r[4])
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	// Why a figure is missing, below the table.
	first := true
	for _, f := range figs {
		if f.Unmeasured == "" {
			continue
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		fmt.Fprintf(w, "unmeasured: %s: %s\n", f.Item, f.Unmeasured)
	}
}
