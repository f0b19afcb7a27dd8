package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestPipelineRunsRender wants the duplicates by restart of a black-box
// run in each rendering, and none of it for a run without restarts.
func TestPipelineRunsRender(t *testing.T) {
	r := passingRun()
	r.PipelineRuns = []PipelineRun{
		{Run: 1, Started: r.Started, Objects: 3},
		{Run: 2, Started: r.Started.Add(4 * time.Second), After: "kill 1: tripwire in-sink of output object 3", Objects: 5, Duplicates: 412},
	}
	const label = "run 2, after kill 1: tripwire in-sink of output object 3"
	page := renderHTML(t, r)
	for _, want := range []string{"Duplicates by restart", label, "<b>412</b>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, "", r); err != nil {
		t.Fatal(err)
	}
	if want := label + ": 412 duplicate rows in 5 objects written"; !strings.Contains(junit.String(), want) {
		t.Errorf("junit lacks %q:\n%s", want, junit.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if want := `"after": "kill 1: tripwire in-sink of output object 3"`; !strings.Contains(js.String(), want) {
		t.Errorf("json lacks %q", want)
	}
	plain := passingRun()
	if page := renderHTML(t, plain); strings.Contains(page, "Duplicates by restart") {
		t.Error("a run without pipeline runs shows the duplicates by restart")
	}
	junit.Reset()
	if err := WriteJUnit(&junit, "", plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(junit.String(), "duplicates by restart") {
		t.Error("junit of a run without pipeline runs speaks of duplicates by restart")
	}
}
