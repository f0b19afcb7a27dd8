package scenarios

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

// The aggregation scenario runs the pipeline of
// examples/ventilator-alerts/job.yaml: the same aggregate settings, and a
// reference table whose rows are the example's, less the ventilators it
// leaves out on purpose.
func TestAggregationJobMatchesExample(t *testing.T) {
	ex, err := engine.LoadJob("../examples/ventilator-alerts/job.yaml")
	if err != nil {
		t.Fatalf("load the example: %v", err)
	}
	j, err := AggregationJob(Env{Stream: "s", Bucket: "b", Prefix: "s3://b/x"})
	if err != nil {
		t.Fatalf("AggregationJob: %v", err)
	}
	want, got := *ex.Aggregate, *j.Aggregate
	got.Reference = want.Reference // compared below
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aggregate settings\n got %+v\nwant %+v (the example's)", got, want)
	}
	if got, want := j.Aggregate.Reference.Path, "s3://b/x/reference/normal_ranges.csv"; got != want {
		t.Errorf("reference path %q, want %q", got, want)
	}
	if j.Sink.WindowsPath != "s3://b/x/windows" {
		t.Errorf("windows path %q, want s3://b/x/windows", j.Sink.WindowsPath)
	}
	b, err := os.ReadFile("../examples/ventilator-alerts/normal_ranges.csv")
	if err != nil {
		t.Fatal(err)
	}
	exLines := strings.Split(strings.TrimSpace(string(b)), "\n")
	ours := strings.Split(strings.TrimSpace(string(ReferenceCSV())), "\n")
	if len(ours) != ReferenceDevices+1 || len(exLines) <= len(ours) {
		t.Fatalf("reference has %d lines, the example %d; want %d, fewer than the example's", len(ours), len(exLines), ReferenceDevices+1)
	}
	for i, l := range ours {
		if l != exLines[i] {
			t.Errorf("reference line %d = %q, the example's %q", i+1, l, exLines[i])
		}
	}
}

func TestGradeReading(t *testing.T) {
	tests := []struct {
		name string
		m    [3]int64
		want string
	}{
		{"all in range", [3]int64{5, 100, 8}, "GREEN"},
		{"bounds are inclusive", [3]int64{30, 92, 4}, "GREEN"},
		{"one out", [3]int64{31, 95, 6}, "ORANGE"},
		{"two out", [3]int64{4, 91, 6}, "ORANGE"},
		{"all out", [3]int64{40, 90, 10}, "RED"},
	}
	for _, tt := range tests {
		if got := gradeReading(tt.m); got != tt.want {
			t.Errorf("%s: gradeReading(%v) = %s, want %s", tt.name, tt.m, got, tt.want)
		}
	}
}
