package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// The JUnit XML that WriteJUnit writes is the dialect Jenkins, GitLab,
// GitHub test reporters and Buildkite read:
//
//	<testsuites name tests failures skipped time>
//	  <testsuite name tests failures skipped time timestamp>
//	    <testcase classname="SUITE.RUN" name="CHECK" time>
//	      <failure message type="check">counts and examples</failure>
//	      <system-out>seed, replay command, duplicates by restart</system-out>
//	    </testcase>
//
// One testcase per check, so a CI view lists and counts every check of every
// run, grouped by run through classname. A run with no checks, or one that
// failed without a failing check, gets a testcase named "verdict" carrying
// the run's verdict, so a failed run is never green in CI.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *cdata          `xml:"system-out,omitempty"`
}

// cdata is element text written as CDATA, so that multi-line output stays
// readable in the raw XML. CDATA cannot hold "]]>"; encoding/xml splits it.
type cdata struct {
	Text string `xml:",cdata"`
}

func text(s string) *cdata {
	if s == "" {
		return nil
	}
	return &cdata{Text: xmlSafe(s)}
}

// xmlSafe replaces the characters XML 1.0 cannot hold (most control
// characters, invalid UTF-8) with U+FFFD. encoding/xml does this for
// attributes and character data but not for CDATA.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *cdata        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// WriteJUnit writes runs to w as JUnit XML: one testsuite named suiteName
// with one testcase per check (classname "suiteName.run name"), a failure
// element with the check's message, counts and examples for every failed
// check, and the run's seed and replay command in each testcase's
// system-out. Times are in seconds; the suite's timestamp is the earliest
// run start. suiteName defaults to "streamcheck".
func WriteJUnit(w io.Writer, suiteName string, runs ...Run) error {
	if suiteName == "" {
		suiteName = "streamcheck"
	}
	suite := junitSuite{Name: suiteName}
	var total time.Duration
	var first time.Time
	var failedRuns []string
	for _, r := range runs {
		total += r.Duration
		if !r.Started.IsZero() && (first.IsZero() || r.Started.Before(first)) {
			first = r.Started
		}
		if !r.Passed {
			failedRuns = append(failedRuns, runLine(r))
		}
		suite.Cases = append(suite.Cases, junitCases(suiteName, r)...)
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Skipped != nil {
			suite.Skipped++
		}
	}
	suite.Time = seconds(total)
	if !first.IsZero() {
		// JUnit's schema wants ISO 8601 without a zone; it is UTC.
		suite.Timestamp = first.UTC().Format("2006-01-02T15:04:05")
	}
	suite.Properties = []junitProperty{{Name: "runs", Value: fmt.Sprint(len(runs))}}
	if len(failedRuns) > 0 {
		suite.SystemOut = text("failed runs:\n" + strings.Join(failedRuns, "\n") + "\n")
	}
	doc := junitSuites{
		Name: suiteName, Tests: suite.Tests, Failures: suite.Failures,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	return nil
}

// junitCases returns the testcases of one run.
func junitCases(suiteName string, r Run) []junitCase {
	class := suiteName + "." + r.Name
	out := runOut(r)
	var cases []junitCase
	anyFailed := false
	for _, c := range r.Checks {
		jc := junitCase{ClassName: class, Name: c.Name, Time: seconds(c.Duration), SystemOut: text(out)}
		switch {
		case c.Skipped:
			jc.Skipped = &junitSkipped{Message: c.Message}
		case c.failed():
			anyFailed = true
			msg := c.Message
			if msg == "" {
				msg = "check " + c.Name + " failed"
			}
			jc.Failure = &junitFailure{Message: msg, Type: "check", Body: xmlSafe(checkText(r, c))}
		}
		cases = append(cases, jc)
	}
	if len(r.Checks) == 0 || (!r.Passed && !anyFailed) {
		jc := junitCase{ClassName: class, Name: "verdict", Time: seconds(r.Duration), SystemOut: text(out)}
		if !r.Passed {
			jc.Failure = &junitFailure{
				Message: "scenario " + r.Name + " failed",
				Type:    "verdict",
				Body:    xmlSafe(runLine(r) + "\n"),
			}
		}
		cases = append(cases, jc)
	}
	return cases
}

// checkText is the body of a failed check's failure element.
func checkText(r Run, c Check) string {
	var b strings.Builder
	if c.Message != "" {
		b.WriteString(c.Message + "\n")
	}
	for _, n := range c.Counts {
		fmt.Fprintf(&b, "%s: %d\n", n.Name, n.Value)
	}
	if len(c.Examples) > 0 {
		b.WriteString("examples:\n")
		for _, e := range c.Examples {
			b.WriteString("  " + exampleLine(e) + "\n")
		}
	}
	fmt.Fprintf(&b, "seed: %d\n", r.Seed)
	if r.ReplayCommand != "" {
		b.WriteString("replay: " + r.ReplayCommand + "\n")
	}
	return b.String()
}

// runOut is the system-out of a run's testcases.
func runOut(r Run) string {
	s := fmt.Sprintf("scenario: %s\nseed: %d\n", r.Name, r.Seed)
	if r.Backend != "" {
		s += "backend: " + r.Backend + "\n"
	}
	if r.ReplayCommand != "" {
		s += "replay: " + r.ReplayCommand + "\n"
	}
	if len(r.PipelineRuns) > 0 {
		s += "duplicates by restart:\n"
		for _, p := range r.PipelineRuns {
			s += fmt.Sprintf("  %s: %d duplicate rows in %d objects written\n", p.Label(), p.Duplicates, p.Objects)
		}
	}
	return s
}

// runLine is one line naming a run, its seed and its replay command.
func runLine(r Run) string {
	s := fmt.Sprintf("%s (seed %d)", r.Name, r.Seed)
	if r.ReplayCommand != "" {
		s += ": " + r.ReplayCommand
	}
	return s
}

// exampleLine is one example on one line.
func exampleLine(e Example) string {
	var parts []string
	if e.Key != "" {
		parts = append(parts, "key "+e.Key)
	}
	if e.Batch >= 0 {
		parts = append(parts, fmt.Sprintf("batch %d", e.Batch))
	}
	if e.File != "" {
		parts = append(parts, "file "+e.File)
	}
	s := strings.Join(parts, ", ")
	if e.Detail != "" {
		if s != "" {
			s += ": "
		}
		s += e.Detail
	}
	return s
}

// seconds formats d as JUnit's time attribute, in seconds with
// millisecond precision.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
