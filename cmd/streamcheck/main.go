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
	"regexp"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/streamcheck/streamcheck/cmd/streamcheck/internal/benchfig"
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
	example string // examples for the help, one command a line
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
	benchfig.ServeIfChild() // a server process of `streamcheck bench` serves here and exits
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand through the cobra command tree and
// maps its error to an exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printOverview(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		args = append([]string{"help"}, args[1:]...)
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	if args[0] == "help" && len(args) > 1 {
		if _, ok := commands[args[1]]; !ok && args[1] != "completion" {
			fmt.Fprintf(e.stderr, "streamcheck: no command %q%s\n\n", args[1], suggest(args[1]))
			printOverview(e.stderr)
			return exitUsage
		}
	}
	var ran *command
	var runErr error
	root := newRootCommand(ctx, e, func(c *command, err error) { ran, runErr = c, err })
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		name := args[0]
		if strings.HasPrefix(err.Error(), "unknown command") {
			fmt.Fprintf(e.stderr, "streamcheck: unknown command %q%s\n\n", name, suggest(name))
			printOverview(e.stderr)
			return exitUsage
		}
		fmt.Fprintf(e.stderr, "streamcheck: %v\n", err)
		return exitUsage
	}
	if ran == nil {
		return exitOK // help, completion
	}
	c, err := ran, runErr
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

// newRootCommand builds the cobra command tree: one command per registered
// subcommand, each parsing its own flags (so -h prints its flags and
// examples), plus cobra's help and completion (bash, zsh, fish,
// powershell). done receives the subcommand that ran and its error.
func newRootCommand(ctx context.Context, e *env, done func(*command, error)) *cobra.Command {
	root := &cobra.Command{
		Use:   "streamcheck",
		Short: "Test Glue-style streaming ETL pipelines locally.",
		Long: "streamcheck tests Glue-style streaming ETL pipelines locally: emulated Kinesis, S3 and Kafka,\n" +
			"synthetic streams, an exactly-once ingestion engine, DuckDB checks and fault scenarios.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		sub := &cobra.Command{
			Use:                c.usage,
			Short:              c.summary,
			Example:            c.example,
			DisableFlagParsing: true,
			RunE: func(_ *cobra.Command, args []string) error {
				done(c, c.run(ctx, e, args))
				return nil
			},
			ValidArgsFunction: func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return flagCompletions(ctx, c, toComplete), cobra.ShellCompDirectiveDefault
			},
		}
		sub.SetHelpFunc(func(*cobra.Command, []string) {
			// Every command prints its own help, flags included, on -h.
			done(c, c.run(ctx, e, []string{"-h"}))
		})
		root.AddCommand(sub)
	}
	return root
}

var helpFlagLine = regexp.MustCompile(`(?m)^  --(\S+)`)

// flagCompletions offers c's flags (as --name) for a word starting with a
// dash: they are read from c's own help.
func flagCompletions(ctx context.Context, c *command, toComplete string) []cobra.Completion {
	if !strings.HasPrefix(toComplete, "-") {
		return nil
	}
	var buf strings.Builder
	_ = c.run(ctx, &env{stdout: &buf, stderr: io.Discard, getenv: func(string) string { return "" }}, []string{"-h"})
	var out []cobra.Completion
	for _, m := range helpFlagLine.FindAllStringSubmatch(buf.String(), -1) {
		if f := "--" + m[1]; strings.HasPrefix(f, toComplete) {
			out = append(out, f)
		}
	}
	return out
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
	fmt.Fprintln(w, "Run 'streamcheck help <command>' or 'streamcheck <command> -h' for a command's flags,")
	fmt.Fprintln(w, "'streamcheck completion bash|zsh|fish' for shell completion.")
}

// printCommandHelp prints c's synopsis, summary and flags.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: streamcheck %s\n\n%s\n", c.usage, c.summary)
	if c.example != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", c.example)
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if !has {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		if d := f.DefValue; d != "" && d != "0" && d != "0s" && d != "false" && d != "[]" && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, strings.ReplaceAll(usage, "\n", "\n      "))
	})
}

// suggest is " (did you mean X?)" for the command nearest to name, or "".
func suggest(name string) string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	return didYouMean(name, names)
}
