package scenarios

import (
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// TestReportRunMarksExpectedFailures: a check the scenario expects to fail
// is marked expected in the report of a passing run, and only then.
func TestReportRunMarksExpectedFailures(t *testing.T) {
	t.Parallel()
	rep := &assertions.Report{Results: []assertions.Result{
		{Check: assertions.CheckDelivery, Status: assertions.Fail},
		{Check: assertions.CheckLayout, Status: assertions.Fail},
	}}
	tests := []struct {
		name     string
		passed   bool
		expected map[string]bool
		want     map[string]bool // check -> Expected
	}{
		{name: "expected", passed: true, expected: map[string]bool{assertions.CheckDelivery: true},
			want: map[string]bool{assertions.CheckDelivery: true, assertions.CheckLayout: false}},
		{name: "run failed", passed: false, expected: map[string]bool{assertions.CheckDelivery: true},
			want: map[string]bool{assertions.CheckDelivery: false, assertions.CheckLayout: false}},
		{name: "none expected", passed: true,
			want: map[string]bool{assertions.CheckDelivery: false, assertions.CheckLayout: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Scenario: "x", Passed: tt.passed, Report: rep, data: &reportData{expected: tt.expected}}
			for _, c := range res.ReportRun().Checks {
				if want, ok := tt.want[c.Name]; ok && c.Expected != want {
					t.Errorf("check %s: Expected %v, want %v", c.Name, c.Expected, want)
				}
			}
		})
	}
}

func TestThroughput(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batches := []report.Batch{{PlannedAt: t0, CommittedAt: t0.Add(time.Second)}, {PlannedAt: t0.Add(time.Second), CommittedAt: t0.Add(2 * time.Second)}}
	if got := throughput(1000, batches); got != "500 rows/s" {
		t.Errorf("throughput = %q, want 500 rows/s", got)
	}
	if got := throughput(1000, nil); got != "" {
		t.Errorf("throughput without batches = %q, want none", got)
	}
}

func TestPayloadSample(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{name: "text", in: "eyJhIjoxfQ==", want: `{"a":1}`},
		{name: "not UTF-8", in: "/w==", want: "base64:/w=="},
		{name: "empty", in: "", want: ""},
	} {
		if got := payloadSample(tt.in); got != tt.want {
			t.Errorf("%s: payloadSample(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
