package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/scenarios"
	"github.com/streamcheck/streamcheck/scenarios/catalog"
	"github.com/streamcheck/streamcheck/scenarios/report"

	// The containers backend of --backend containers and STREAMCHECK_BACKEND.
	_ "github.com/streamcheck/streamcheck/emulator/containers"
)

func init() {
	register(&command{
		name:    "scenario",
		example: "  streamcheck scenario list --json\n  streamcheck scenario run crash-after-sink --seed 42\n  streamcheck scenario run all --report reports/",
		summary: "List or run the restart and fault scenarios of the catalog, or those for your own pipeline (--pipeline FILE), each verified with DuckDB.",
		usage:   "scenario list [--pipeline FILE] [--json] | scenario run [--pipeline FILE] NAME|all [--seed N] [--report DIR] [--timeout D] [--backend embedded|containers|external] [--json] [--quiet] [-v]",
		run:     runScenario,
	})
}

func runScenario(ctx context.Context, e *env, args []string) error {
	c := commands["scenario"]
	if len(args) == 0 {
		return usagef("want a subcommand: list or run")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fs := newFlagSet(c)
		return parseFlags(e, c, fs, []string{"-h"})
	case "list":
		fs := newFlagSet(c)
		pipeline := fs.String("pipeline", "", "a pipeline file: list the scenarios that apply to it")
		asJSON := fs.Bool("json", false, "print the list as a JSON array of {name, description}")
		if err := parseFlags(e, c, fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("scenario list takes no arguments")
		}
		list := catalog.Catalog()
		if *pipeline != "" {
			f, err := scenarios.LoadPipelineFile(*pipeline)
			if err != nil {
				return usagef("--pipeline: %v", err)
			}
			list = f.Scenarios()
		}
		if *asJSON {
			type entry struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			}
			out := make([]entry, 0, len(list))
			for _, s := range list {
				out = append(out, entry{s.Name, s.Description})
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
		}
		return tw.Flush()
	case "run":
		return runScenarioRun(ctx, e, c, args[1:])
	}
	return usagef("unknown subcommand %q: want list or run", args[0])
}

func runScenarioRun(ctx context.Context, e *env, c *command, args []string) error {
	fs := newFlagSet(c)
	seed := fs.Uint64("seed", scenarios.DefaultSeed, "seed of the data, the emulators and the fault schedule (default from "+scenarios.EnvSeed+", else 1)")
	reportDir := fs.String("report", "", "directory for each scenario's files and report.json, in DIR/NAME (default: a new temporary directory, kept)")
	asJSON := fs.Bool("json", false, "print the results as a JSON array on stdout (progress goes to stderr)")
	quiet := fs.Bool("quiet", false, "print no progress lines")
	verbose := fs.Bool("v", false, "with several scenarios, print each one's progress and full verdict too (by default one line each; the details are in the report)")
	pipeline := fs.String("pipeline", "", "a pipeline file (see examples/pipelines/reference-pipeline.yaml): run the scenarios for that pipeline, as a black box, instead of the catalog's")
	timeout := fs.Duration("timeout", 0, "bound each scenario's run (default "+scenarios.DefaultTimeout.String()+", more with kills and for pipeline files)")
	backend := fs.String("backend", "", "where the services run: embedded, containers or external (default from "+emulator.EnvBackend+", else embedded); scenarios with emulator faults are skipped off the embedded backend")
	// Flags may come before or after the name.
	var name string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		// The name after some flags: more may follow it.
		name = rest[0]
		if err := parseFlags(e, c, fs, rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if name == "" {
		return usagef("scenario run wants a scenario name or all (see streamcheck scenario list)")
	}
	var list []scenarios.Scenario
	var file *scenarios.PipelineFile
	if *pipeline != "" {
		f, err := scenarios.LoadPipelineFile(*pipeline)
		if err != nil {
			return usagef("--pipeline: %v", err)
		}
		file = f
	}
	switch {
	case name == "all" && file != nil:
		list = file.Scenarios()
	case name == "all":
		list = catalog.Catalog()
	case file != nil:
		s, ok := file.Lookup(name)
		if !ok {
			return usagef("no scenario %q for a pipeline (see streamcheck scenario list --pipeline %s)", name, *pipeline)
		}
		list = []scenarios.Scenario{s}
	default:
		s, ok := catalog.Lookup(name)
		if !ok {
			return usagef("no scenario %q (see streamcheck scenario list)", name)
		}
		list = []scenarios.Scenario{s}
	}
	root := *reportDir
	if root == "" {
		d, err := os.MkdirTemp("", "streamcheck-scenarios-")
		if err != nil {
			return fmt.Errorf("make report directory: %w", err)
		}
		root = d
	}
	out := e.stdout
	if *asJSON {
		out = e.stderr
	}
	progress := out
	// With several scenarios, one line each as it ends: the details are in
	// the report (and with -v, here).
	brief := len(list) > 1 && !*verbose
	if *quiet || brief {
		progress = io.Discard
	}
	opts := []scenarios.Option{scenarios.WithGetenv(e.getenv), scenarios.WithProgress(progress)}
	if *timeout != 0 {
		if *timeout < 0 {
			return usagef("--timeout %v: want a positive duration", *timeout)
		}
		opts = append(opts, scenarios.WithTimeout(*timeout))
	}
	if e.getenv(scenarios.EnvEngineBinary) == "" {
		// The soak runs the engine as a child process: this very binary,
		// whatever its name.
		if exe, err := os.Executable(); err == nil && !strings.HasSuffix(exe, ".test") {
			opts = append(opts, scenarios.WithEngineBinary(exe))
		}
	}
	if wasGiven(fs, "seed") {
		opts = append(opts, scenarios.WithSeed(*seed))
	}
	if *backend != "" {
		opts = append(opts, scenarios.WithStackOptions(emulator.WithBackend(emulator.Backend(*backend))))
	}
	chosen := emulator.Backend(*backend)
	if chosen == "" {
		chosen = emulator.Backend(e.getenv(emulator.EnvBackend))
	}
	switch chosen {
	case "", emulator.Embedded, emulator.Containers, emulator.External:
	default:
		return usagef("--backend %q: want embedded, containers or external", chosen)
	}

	var results []*scenarios.Result
	failed, skipped := 0, 0
	paint := verdictPainter(useColor(e, out))
	width := 0
	for _, s := range list {
		width = max(width, len(s.Name))
	}
	for _, s := range list {
		if !brief {
			fmt.Fprintf(out, "=== %s: %s\n", s.Name, s.Description)
		}
		if len(s.Faults) > 0 && chosen != "" && chosen != emulator.Embedded {
			skipped++
			fmt.Fprintf(out, "SKIP   scenario %s injects emulator faults, which need the embedded backend (this run uses %s)\n", s.Name, chosen)
			if !brief {
				fmt.Fprintln(out)
			}
			continue
		}
		sopts := slices.Concat(opts, []scenarios.Option{scenarios.WithDir(filepath.Join(root, s.Name))})
		if file != nil {
			sopts = append(sopts, scenarios.WithReplay(fmt.Sprintf("streamcheck scenario run --pipeline %s %s --seed {seed}", *pipeline, s.Name)))
		} else {
			sopts = append(sopts, catalog.WithReplay(s.Name))
		}
		res, err := scenarios.Execute(ctx, s, sopts...)
		if errors.Is(err, emulator.ErrFaultsUnavailable) {
			skipped++
			fmt.Fprintf(out, "SKIP   scenario %s: %v\n", s.Name, err)
			if !brief {
				fmt.Fprintln(out)
			}
			continue
		}
		if err != nil {
			// A run that could not be carried out fails like a failed
			// expectation, and the others still run.
			failed++
			fmt.Fprintf(out, "ERROR  scenario %s: %v\n", s.Name, err)
			results = append(results, &scenarios.Result{Scenario: s.Name, Failures: []string{err.Error()}})
			continue
		}
		results = append(results, res)
		if !res.Passed {
			failed++
		}
		if brief {
			verdict, why := "PASS", ""
			if !res.Passed {
				verdict = "FAIL"
				if len(res.Failures) > 0 {
					why = ": " + res.Failures[0]
				}
			}
			fmt.Fprintf(out, "%s %-*s  %6s%s\n", paint(fmt.Sprintf("%-6s", verdict)), width, s.Name, res.Elapsed.Round(100*time.Millisecond), why)
			continue
		}
		if !*asJSON {
			if err := res.WriteText(out); err != nil {
				return err
			}
		}
		fmt.Fprintln(out)
	}

	// One report over every run, for CI: report.html, report.json and
	// junit.xml in the root, linking each run's files in its directory.
	runs := make([]report.Run, 0, len(results))
	for _, r := range results {
		run := r.ReportRun()
		for i, a := range run.Artifacts {
			if !filepath.IsAbs(a.Path) {
				run.Artifacts[i].Path = r.Scenario + "/" + a.Path
			}
		}
		runs = append(runs, run)
	}
	if err := report.WriteDir(root, runs...); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	if len(list) > 1 {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		// The same table style as verify's: upper-case headers, verdicts
		// coloured on a terminal.
		fmt.Fprintln(tw, "SCENARIO\tRESULT\tDELIVERED\tDUPLICATED\tDEAD LETTERS\tBATCHES\tCRASHES\tTIME")
		for _, r := range results {
			v := "PASS"
			if !r.Passed {
				v = "FAIL"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", r.Scenario, paint(v), r.Delivered, r.Duplicated, r.DeadLetters, r.Batches, len(r.Crashes), r.Elapsed.Round(10*time.Millisecond))
		}
		tw.Flush()
	}
	if skipped > 0 {
		fmt.Fprintf(out, "%d scenarios skipped: emulator faults need the embedded backend\n", skipped)
	}
	fmt.Fprintf(out, "%d of %d scenarios passed; report in %s (with %s and %s), each run's files in %s/NAME\n",
		len(list)-failed-skipped, len(list)-skipped, filepath.Join(root, report.HTMLFile), report.JSONFile, report.JUnitFile, root)
	if failed > 0 {
		for _, r := range results {
			if !r.Passed && r.Replay != "" {
				fmt.Fprintf(out, "replay %s: %s\n", r.Scenario, r.Replay)
			}
		}
		return &exitError{exitFailure}
	}
	return nil
}
