// Command streamcheck runs Glue-style streaming ETL pipelines on a laptop or a CI
// runner: local Kinesis, S3 and Kafka emulators, a synthetic stream generator,
// the ingestion engine, DuckDB checks over its output, and restart and fault
// scenarios.
//
// Each subcommand lives in a file of its own and registers itself in commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit statuses, as documented in the README.
const (
	exitOK      = 0
	exitFailure = 1 // the work ran and found a problem, or failed
	exitUsage   = 2 // bad flags, arguments or input files
)

// command is one subcommand of streamcheck.
type command struct {
	name    string
	summary string // one line for the overview
	usage   string // the synopsis after "streamcheck "
	// run executes the command with its arguments (after the name). It
	// returns a *usageError for bad usage.
	run func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world, so tests can run
// commands in process.
type env struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError marks an error as the caller's: the message is printed with the
// command's usage and the exit status is exitUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitError carries an exit status without a message of its own (the command
// has already reported), e.g. verify's 1 for a failed check.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and maps its error to an exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printOverview(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				// Every command prints its own help, flags included, on -h.
				_ = c.run(ctx, e, []string{"-h"})
				return exitOK
			}
			fmt.Fprintf(e.stderr, "streamcheck: no command %q\n\n", args[1])
			printOverview(e.stderr)
			return exitUsage
		}
		printOverview(e.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "streamcheck: unknown command %q%s\n\n", name, suggest(name))
		printOverview(e.stderr)
		return exitUsage
	}
	err := c.run(ctx, e, args[1:])
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "streamcheck %s: %v\nusage: streamcheck %s\nRun 'streamcheck help %s' for details.\n", c.name, ue.err, c.usage, c.name)
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(e.stderr, "streamcheck %s: %v\n", c.name, err)
		return exitFailure
	}
}

// newFlagSet returns a flag set for c that reports errors instead of exiting
// and prints c's help on -h.
func newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs and turns a flag error into a usage error;
// -h prints the command's help and returns flag.ErrHelp.
func parseFlags(e *env, c *command, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(e.stdout, c, fs)
			return flag.ErrHelp
		}
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			bare := strings.TrimLeft(name, "-")
			if s := closest(bare, names); s != "" {
				return &usageError{fmt.Errorf("unknown flag %s (did you mean --%s?)", name, s)}
			}
			return &usageError{fmt.Errorf("unknown flag %s", name)}
		}
		return &usageError{err}
	}
	return nil
}

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "streamcheck tests Glue-style streaming ETL pipelines locally: emulated Kinesis, S3 and Kafka,")
	fmt.Fprintln(w, "synthetic streams, an exactly-once ingestion engine, DuckDB checks and fault scenarios.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: streamcheck <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'streamcheck help <command>' or 'streamcheck <command> -h' for a command's flags.")
}

// printCommandHelp prints c's synopsis, summary and flags.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: streamcheck %s\n\n%s\n", c.usage, c.summary)
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if !has {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// suggest is " (did you mean X?)" for the command nearest to name, or "".
func suggest(name string) string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	return didYouMean(name, names)
}
