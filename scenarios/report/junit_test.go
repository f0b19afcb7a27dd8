package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// parsedSuites is the JUnit XML as a CI system reads it.
type parsedSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Skipped   int    `xml:"skipped,attr"`
		Time      string `xml:"time,attr"`
		Timestamp string `xml:"timestamp,attr"`
		SystemOut string `xml:"system-out"`
		Cases     []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped   *struct{} `xml:"skipped"`
			SystemOut string    `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, suite string, runs ...Run) parsedSuites {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, suite, runs...); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	var got parsedSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("parse junit: %v\n%s", err, buf.String())
	}
	if len(got.Suites) != 1 {
		t.Fatalf("testsuites: got %d, want 1", len(got.Suites))
	}
	return got
}

func TestJUnitCounts(t *testing.T) {
	failedNoCheck := passingRun()
	failedNoCheck.Name, failedNoCheck.Passed = "engine-never-started", false
	noChecks := passingRun()
	noChecks.Name, noChecks.Checks = "no-checks", nil

	tests := []struct {
		name                     string
		runs                     []Run
		tests, failures, skipped int
		wantCases                []string // classname/name, in order
		wantFailed               []string // names of failed cases
	}{
		{
			name: "failing and passing run", runs: []Run{sampleRun(), passingRun()},
			tests: 5, failures: 1, skipped: 1,
			wantCases: []string{
				"ci.kinesis-crash-after-sink/exactly-once", "ci.kinesis-crash-after-sink/dead letters",
				"ci.kinesis-crash-after-sink/lag p99 under 10s", "ci.kinesis-crash-after-sink/data loss",
				"ci.kinesis-steady/exactly-once",
			},
			wantFailed: []string{"exactly-once"},
		},
		{
			name: "failed run without a failed check gets a failing verdict", runs: []Run{failedNoCheck},
			tests: 2, failures: 1,
			wantCases:  []string{"ci.engine-never-started/exactly-once", "ci.engine-never-started/verdict"},
			wantFailed: []string{"verdict"},
		},
		{
			name: "passing run without checks gets a passing verdict", runs: []Run{noChecks},
			tests: 1, wantCases: []string{"ci.no-checks/verdict"},
		},
		{
			name: "an expected failure is not a failure", runs: []Run{expectedRun()},
			tests: 3, skipped: 1,
			wantCases: []string{"ci.deleted-checkpoint-exactly-once-with-a-name-long-enough-to-push-the-index-table-wider-than-the-window/delivery", "ci.deleted-checkpoint-exactly-once-with-a-name-long-enough-to-push-the-index-table-wider-than-the-window/dead_letter", "ci.deleted-checkpoint-exactly-once-with-a-name-long-enough-to-push-the-index-table-wider-than-the-window/order"},
		},
		{name: "no runs", tests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseJUnit(t, "ci", tt.runs...)
			s := got.Suites[0]
			if got.Tests != tt.tests || s.Tests != tt.tests || len(s.Cases) != tt.tests {
				t.Errorf("tests: got %d/%d/%d cases, want %d", got.Tests, s.Tests, len(s.Cases), tt.tests)
			}
			if got.Failures != tt.failures || s.Failures != tt.failures {
				t.Errorf("failures: got %d/%d, want %d", got.Failures, s.Failures, tt.failures)
			}
			if got.Skipped != tt.skipped || s.Skipped != tt.skipped {
				t.Errorf("skipped: got %d/%d, want %d", got.Skipped, s.Skipped, tt.skipped)
			}
			var cases, failed []string
			for _, c := range s.Cases {
				cases = append(cases, c.ClassName+"/"+c.Name)
				if c.Failure != nil {
					failed = append(failed, c.Name)
				}
			}
			if strings.Join(cases, "|") != strings.Join(tt.wantCases, "|") {
				t.Errorf("cases:\ngot  %q\nwant %q", cases, tt.wantCases)
			}
			if strings.Join(failed, "|") != strings.Join(tt.wantFailed, "|") {
				t.Errorf("failed cases: got %q, want %q", failed, tt.wantFailed)
			}
		})
	}
}

func TestJUnitFailureCarriesExamplesAndReplay(t *testing.T) {
	got := parseJUnit(t, "", sampleRun())
	s := got.Suites[0]
	if s.Name != "streamcheck" {
		t.Errorf("suite name: got %q, want the default %q", s.Name, "streamcheck")
	}
	if want := "2026-11-22T13:05:00"; s.Timestamp != want {
		t.Errorf("timestamp: got %q, want %q", s.Timestamp, want)
	}
	if want := "42.000"; s.Time != want {
		t.Errorf("suite time: got %q, want %q", s.Time, want)
	}
	replay := "streamcheck scenario run kinesis-crash-after-sink --seed 1234"
	if !strings.Contains(s.SystemOut, replay) {
		t.Errorf("suite system-out %q lacks the failed run's replay command", s.SystemOut)
	}
	f := s.Cases[0].Failure
	if f == nil {
		t.Fatalf("case %q: no failure element", s.Cases[0].Name)
	}
	if f.Message != "3 keys delivered twice" {
		t.Errorf("failure message: got %q, want the check's message", f.Message)
	}
	for _, want := range []string{"duplicated: 3", "key SN-000417, batch 4", "seed: 1234", "replay: " + replay} {
		if !strings.Contains(f.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, f.Body)
		}
	}
	for _, c := range s.Cases {
		if !strings.Contains(c.SystemOut, "replay: "+replay) {
			t.Errorf("case %q system-out %q lacks the replay command", c.Name, c.SystemOut)
		}
	}
	if want := "0.035"; s.Cases[2].Time != want {
		t.Errorf("case %q time: got %q, want %q", s.Cases[2].Name, s.Cases[2].Time, want)
	}
}

func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{0, "0.000"}, {1500 * time.Microsecond, "0.002"}, {90 * time.Second, "90.000"}} {
		if got := seconds(tt.d); got != tt.want {
			t.Errorf("seconds(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestJUnitHostileStrings(t *testing.T) {
	r := sampleRun()
	r.Name = `a"<b>&]]>c`
	r.Checks[0].Name = "tab\tand\x00nul\x1b"
	r.Checks[0].Message = `message with ]]> and <tags> & "quotes"`
	r.Checks[0].Examples[1].Detail = "control \x00\x1b and bad utf-8 \xff"
	r.Checks[0].Examples[0].Key = "]]><injected/>"
	got := parseJUnit(t, "suite", r)
	c := got.Suites[0].Cases[0]
	if want := `suite.a"<b>&]]>c`; c.ClassName != want {
		t.Errorf("classname: got %q, want %q", c.ClassName, want)
	}
	if c.Failure == nil || c.Failure.Message != r.Checks[0].Message {
		t.Fatalf("failure: got %+v, want message %q", c.Failure, r.Checks[0].Message)
	}
	if !strings.Contains(c.Failure.Body, "control \uFFFD\uFFFD and bad utf-8 \uFFFD") {
		t.Errorf("failure body: control characters not replaced:\n%q", c.Failure.Body)
	}
	if !strings.Contains(c.Failure.Body, "key ]]><injected/>") {
		t.Errorf("failure body lost the example key:\n%s", c.Failure.Body)
	}
}
