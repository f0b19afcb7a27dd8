package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/scenarios"
)

// Defaults of the demo's flags and settings.
const (
	demoRecords = 20000
	demoRate    = 4000 // records per second
	demoWindow  = time.Second
	// demoBatches is the least number of batches the load makes: a batch
	// reads at most records/demoBatches/4 records per shard of the four.
	demoBatches    = 4
	demoCrashBatch = 2
	demoMalformed  = 0.01
	demoTimeout    = 10 * time.Minute
)

func init() {
	register(&command{
		name:    "demo",
		summary: "Show the whole loop in one go: emulate, generate, run, crash and restart, verify with DuckDB.",
		usage:   "demo [--records N] [--seed N] [--dir DIR] [--json]",
		run:     runDemo,
	})
}

func runDemo(ctx context.Context, e *env, args []string) error {
	c := commands["demo"]
	fs := newFlagSet(c)
	records := fs.Int64("records", demoRecords, "how many ventilator records to send")
	seed := fs.Uint64("seed", scenarios.DefaultSeed, "seed of the data, the emulators and the faults (default from "+scenarios.EnvSeed+", else 1)")
	dir := fs.String("dir", "", "work directory for the ledger, a copy of the output, the job and the report (default: a new temporary directory, kept)")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout (progress goes to stderr)")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *records < 100 {
		return usagef("--records %d: want at least 100", *records)
	}
	opts := []scenarios.Option{scenarios.WithGetenv(e.getenv), scenarios.WithTimeout(demoTimeout),
		scenarios.WithReplay(fmt.Sprintf("streamcheck demo --seed {seed} --records %d", *records))}
	if wasGiven(fs, "seed") {
		opts = append(opts, scenarios.WithSeed(*seed))
	}
	if *dir != "" {
		opts = append(opts, scenarios.WithDir(*dir))
	}
	progress := e.stdout
	if *asJSON {
		progress = e.stderr
	}
	opts = append(opts, scenarios.WithProgress(progress))

	fmt.Fprintf(progress, "streamcheck demo: %d ventilator records through Kinesis, the engine and S3, with a crash after the sink of batch %d\n", *records, demoCrashBatch)
	res, err := scenarios.Execute(ctx, demoScenario(*records), opts...)
	if err != nil {
		return err
	}
	if res.Job != "" {
		if err := saveJobWithoutEndpoints(res.Job); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	} else {
		if err := res.WriteText(e.stdout); err != nil {
			return err
		}
		printDemoNext(e.stdout, res)
	}
	if !res.Passed {
		return &exitError{exitFailure}
	}
	return nil
}

// demoScenario is the README's first run: the AWS Glue blog's ventilator job
// on a 4-shard stream, a small share of malformed records, and the engine
// killed after writing a batch's output but before committing it — the
// moment a naive job duplicates its output.
func demoScenario(records int64) scenarios.Scenario {
	return scenarios.Scenario{
		Name:        "demo",
		Description: "Ventilator traffic into Kinesis, the engine killed after the sink of a batch and restarted, the output verified exactly once.",
		Setup: scenarios.Setup{
			Window: demoWindow,
			Job: func(env scenarios.Env) (*engine.Job, error) {
				j, err := scenarios.VentilatorJob(env)
				if err != nil {
					return nil, err
				}
				j.Options.MaxFetchRecordsPerShard = int(max(records/(4*demoBatches), 1))
				j.Options.MaxFetchTimeInMs = engine.DefaultMaxFetchTimeInMs
				return j, j.Validate()
			},
		},
		Load:    scenarios.Load{Records: records, Rate: demoRate, Malformed: demoMalformed},
		Crashes: []scenarios.Crash{{At: engine.AtAfterSink, Batch: demoCrashBatch}},
	}
}

// printDemoNext tells the user what to look at next.
func printDemoNext(w io.Writer, r *scenarios.Result) {
	fmt.Fprintf(w, "\nLook at the output with DuckDB:\n")
	fmt.Fprintf(w, "  streamcheck query --output %s --ledger %s \\\n", r.LocalPath(r.Output), r.Ledger)
	fmt.Fprintf(w, "    \"SELECT manufacturer, count(*) FROM output GROUP BY ALL ORDER BY 2 DESC\"\n")
	fmt.Fprintf(w, "Run the same job against a stack of your own: streamcheck emulate, then streamcheck run --job %s --create\n", r.Job)
}

// saveJobWithoutEndpoints rewrites the job file the demo ran with, leaving
// out the endpoints of its emulators, which are gone once it ends: the job
// then takes its endpoints from AWS_ENDPOINT_URL as any job does.
func saveJobWithoutEndpoints(path string) error {
	job, err := engine.LoadJob(path)
	if err != nil {
		return fmt.Errorf("reread the demo's job: %w", err)
	}
	job.Source.Endpoint, job.Sink.Endpoint = "", ""
	if a := job.Aggregate; a != nil {
		a.Reference.DynamoDBEndpoint = ""
	}
	b, err := yaml.Marshal(job)
	if err != nil {
		return fmt.Errorf("encode the demo's job: %w", err)
	}
	head := "# The job the streamcheck demo ran. Its endpoints come from AWS_ENDPOINT_URL:\n" +
		"#   streamcheck emulate, then streamcheck run --job " + path + " --create\n"
	if err := os.WriteFile(path, append([]byte(head), b...), 0o644); err != nil {
		return fmt.Errorf("write the demo's job: %w", err)
	}
	return nil
}

// wasGiven reports whether the flag called name was given.
func wasGiven(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}
