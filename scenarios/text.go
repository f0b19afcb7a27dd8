package scenarios

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// WriteText writes the verdict table, the figures and where the files are,
// for a person: what `streamcheck demo` and `streamcheck scenario run`
// print.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	verdict := "PASS"
	if !r.Passed {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "\n%s  scenario %s, seed %d\n", verdict, r.Scenario, r.Seed)
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  - %s\n", f)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tverdict\tdetail")
	for _, reps := range []struct {
		suffix string
		rep    *assertions.Report
	}{{"", r.Report}, {" (exactly-once reading)", r.Strict}} {
		if reps.rep == nil {
			continue
		}
		for _, res := range reps.rep.Results {
			if reps.suffix != "" && res.Check != assertions.CheckDelivery {
				continue
			}
			fmt.Fprintf(tw, "%s%s\t%s\t%s\n", res.Check, reps.suffix, res.Status, shorten(describe(res), 110))
		}
	}
	tw.Flush()

	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	l := r.Load
	fmt.Fprintf(tw, "records sent\t%d (%d malformed, %d deliberate duplicates); %d acknowledged, %d failed, %d unknown; %d throttled sends retried\n",
		l.Attempted, l.Malformed, l.Duplicates, l.Acked, l.Failed, l.Unknown, l.Throttled)
	fmt.Fprintf(tw, "records delivered\t%d rows in the output, %d duplicated\n", r.Delivered, r.Duplicated)
	fmt.Fprintf(tw, "dead letters\t%d\n", r.DeadLetters)
	crashes := "none"
	if len(r.Crashes) > 0 {
		crashes = strings.Join(r.Crashes, ", ")
	}
	if r.Pipeline != "" {
		fmt.Fprintf(tw, "pipeline\t%s\n", r.Pipeline)
		fmt.Fprintf(tw, "runs\t%d starts; kills: %s\n", r.EngineRuns, crashes)
		if r.Lag.Records > 0 {
			fmt.Fprintf(tw, "lag p50 / p99 / max\t%s / %s / %s (arrival in the stream to the write of the first output object holding it)\n",
				round(r.Lag.P50), round(r.Lag.P99), round(r.Lag.Max))
		}
	} else {
		fmt.Fprintf(tw, "batches\t%d commits over %d engine runs; crashes: %s\n", r.Batches, r.EngineRuns, crashes)
		fmt.Fprintf(tw, "lag p50 / p99 / max\t%s / %s / %s (arrival in the stream to commit of the batch)\n",
			round(r.Lag.P50), round(r.Lag.P99), round(r.Lag.Max))
	}
	fmt.Fprintf(tw, "time taken\t%s\n", round(r.Elapsed))
	tw.Flush()

	if r.Dir != "" {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		local := r.LocalPath
		fmt.Fprintf(tw, "output\t%s\t(copy of %s)\n", local(r.Output), r.Output)
		for _, f := range []struct{ name, path string }{
			{"dead letter", local(r.DeadLetter)}, {"checkpoint", local(r.Checkpoint)}, {"ledger", r.Ledger},
			{"job", r.Job}, {"pipeline log", r.PipelineLog},
		} {
			if f.path != "" {
				fmt.Fprintf(tw, "%s\t%s\n", f.name, f.path)
			}
		}
		fmt.Fprintf(tw, "report\t%s\t(and %s, %s, %s)\n", r.HTMLReport, report.JSONFile, report.JUnitFile, filepath.Base(r.ResultFile))
		tw.Flush()
	}
	if !r.Passed {
		fmt.Fprintf(&b, "\nreplay: %s\n", r.Replay)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// LocalPath returns where the run's copy of an s3:// location of its job is
// on disk, or uri itself when it is not on S3 or there is no copy.
func (r *Result) LocalPath(uri string) string {
	if rest, ok := strings.CutPrefix(uri, "s3://"); ok && r.LocalCopy != "" {
		return filepath.Join(r.LocalCopy, filepath.FromSlash(rest))
	}
	if p, ok := tableLocalPath(r.LocalCopy, uri); ok {
		return p
	}
	return uri
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
