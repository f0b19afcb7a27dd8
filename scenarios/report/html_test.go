package report

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func renderHTML(t *testing.T, runs ...Run) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, runs...); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.String()
}

// unsafeMarkup returns the pieces of live markup or script that hostile
// strings could have smuggled into a page, or nothing.
func unsafeMarkup(page string) []string {
	var found []string
	for _, bad := range []string{"<script", "<img", "<iframe", "<svg onload", `href="javascript:`, "<b>bold", "<b>sent"} {
		if strings.Contains(page, bad) {
			found = append(found, bad)
		}
	}
	return found
}

func TestHTMLEscapesHostileStrings(t *testing.T) {
	r := sampleRun()
	r.Name = `<script>alert("name")</script>`
	r.Description = `</style><b>bold</b>`
	r.Backend = `<iframe src="https://example.com">`
	r.ReplayCommand = `streamcheck scenario run "<script>" && rm -rf /`
	r.Checks[0].Name = `<img src=x onerror=alert(1)>`
	r.Checks[0].Message = `<script>alert("message")</script>`
	r.Checks[0].Examples[0].Key = `"><svg onload=alert(1)>`
	r.Events[3].Label = `</text><script>alert("event")</script>`
	r.Figures[0] = Figure{Name: `<b>sent</b>`, Value: `<script>1</script>`}
	r.Artifacts[0] = Artifact{Name: "evil", Path: `javascript:alert(1)`}
	page := renderHTML(t, r, passingRun())

	if found := unsafeMarkup(page); len(found) > 0 {
		t.Errorf("page contains unescaped %q", found)
	}
	for _, want := range []string{`&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;`, `&lt;img src=x onerror=alert(1)&gt;`, `#ZgotmplZ`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
	// The checker itself must reject a page with live markup.
	if found := unsafeMarkup(`<p><script>alert(1)</script><a href="javascript:x">`); len(found) != 2 {
		t.Errorf("unsafeMarkup on a bad page: got %q, want <script and href=javascript:", found)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, sampleRun(), passingRun())
	for _, bad := range []string{"<script", "<link", "src=", "http://", "https://", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: it must need nothing beyond itself", bad)
		}
	}
}

var (
	polylineRe = regexp.MustCompile(`<polyline class="line (\w+)" data-series="\w+" data-points="(\d+)" points="([^"]*)"`)
	markerRe   = regexp.MustCompile(`<g class="marker ([a-z-]+)"`)
)

func TestHTMLCharts(t *testing.T) {
	r := sampleRun()
	page := renderHTML(t, r)

	lines := polylineRe.FindAllStringSubmatch(page, -1)
	if len(lines) != 3 {
		t.Fatalf("lag lines: got %d, want 3 (p50, p99, max)", len(lines))
	}
	for i, want := range []string{"p50", "p99", "max"} {
		name, n, points := lines[i][1], lines[i][2], strings.Fields(lines[i][3])
		if name != want {
			t.Errorf("line %d: got %s, want %s", i, name, want)
		}
		if n != strconv.Itoa(len(r.Lag)) || len(points) != len(r.Lag) {
			t.Errorf("line %s: got %s declared and %d points, want %d", name, n, len(points), len(r.Lag))
		}
	}

	var kinds []string
	for _, m := range markerRe.FindAllStringSubmatch(page, -1) {
		kinds = append(kinds, m[1])
	}
	if got, want := strings.Join(kinds, ","), "fault,fault-cleared,crash,restart,reshard"; got != want {
		t.Errorf("markers: got %s, want %s (notes are not marked)", got, want)
	}
	if got := strings.Count(page, `<rect class="band"`); got != 1 {
		t.Errorf("fault bands: got %d, want 1", got)
	}

	var dead int
	for _, b := range r.Batches {
		if b.DeadLetters > 0 {
			dead++
		}
	}
	for _, tt := range []struct {
		what, needle string
		want         int
	}{
		{"batch bars", `<g class="batch"`, len(r.Batches)},
		{"dead-letter bars", `<rect class="bar dead"`, dead},
		{"replayed batches", `data-replayed="true"`, 1},
		{"replay markers", `class="replay-mark"`, 1},
		{"svg charts", `<svg class="chart`, 2},
		{"check rows", `<tr class="check `, len(r.Checks)},
		{"failed check rows", `check-fail"`, 1},
		{"event rows", `<tr class="event"`, len(r.Events)},
	} {
		if got := strings.Count(page, tt.needle); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.what, got, tt.want)
		}
	}
}

func TestHTMLVerdict(t *testing.T) {
	tests := []struct {
		name      string
		runs      []Run
		title     string
		verdicts  []string
		wantIndex bool
	}{
		{"failing run", []Run{sampleRun()}, "<title>FAIL · kinesis-crash-after-sink", []string{"fail"}, false},
		{"passing run", []Run{passingRun()}, "<title>PASS · kinesis-steady", []string{"pass"}, false},
		{"two runs, one failing", []Run{passingRun(), sampleRun()}, "<title>FAIL · 2 scenario runs", []string{"pass", "fail"}, true},
	}
	verdictRe := regexp.MustCompile(`id="run-\d+" data-verdict="(\w+)"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.runs...)
			if !strings.Contains(page, tt.title) {
				t.Errorf("page title: want %q", tt.title)
			}
			var got []string
			for _, m := range verdictRe.FindAllStringSubmatch(page, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, ",") != strings.Join(tt.verdicts, ",") {
				t.Errorf("section verdicts: got %q, want %q", got, tt.verdicts)
			}
			hasIndex := strings.Contains(page, `id="index"`)
			if hasIndex != tt.wantIndex {
				t.Errorf("index: got %v, want %v", hasIndex, tt.wantIndex)
			}
			if tt.wantIndex && (!strings.Contains(page, `href="#run-1"`) || !strings.Contains(page, `href="#run-2"`)) {
				t.Errorf("index does not link to each run")
			}
		})
	}
}

func TestHTMLSparseRuns(t *testing.T) {
	page := renderHTML(t)
	if !strings.Contains(page, "No runs") {
		t.Errorf("an empty report must say it holds no runs")
	}
	page = renderHTML(t, Run{Name: "bare"})
	if strings.Contains(page, "<svg") || !strings.Contains(page, `data-verdict="fail"`) {
		t.Errorf("a bare run must render without charts and as failing")
	}
}

func TestLagChartClampsEvents(t *testing.T) {
	r := passingRun()
	r.Events = []Event{
		{Time: r.Started.Add(-time.Hour), Kind: KindCrash, Label: "before the start"},
		{Time: r.Started.Add(5 * time.Second), Kind: KindRestart, Label: strings.Repeat("long label ", 10)},
	}
	c := newLagChart(r)
	for _, m := range c.Markers {
		if m.X < c.Left || m.X > c.Right {
			t.Errorf("marker %q at x=%v outside the plot [%v, %v]", m.Label, m.X, c.Left, c.Right)
		}
		if n := len([]rune(m.Label)); n > labelMaxLen {
			t.Errorf("marker label has %d runes, want at most %d", n, labelMaxLen)
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, tt := range []struct{ hi, top, step float64 }{
		{0, 0, 0}, {1, 1, 0.2}, {7, 8, 2}, {580, 600, 200}, {13.2e9, 15e9, 5e9}, {100, 100, 20},
	} {
		top, step := niceScale(tt.hi, 5)
		if top != tt.top || step != tt.step {
			t.Errorf("niceScale(%v): got %v/%v, want %v/%v", tt.hi, top, step, tt.top, tt.step)
		}
	}
}

func TestShortDur(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {850 * time.Microsecond, "850µs"}, {340 * time.Millisecond, "340ms"},
		{1500 * time.Millisecond, "1.5s"}, {125 * time.Second, "2m05s"}, {62 * time.Minute, "1h02m"},
		{-2 * time.Second, "-2s"},
	} {
		if got := shortDur(tt.d); got != tt.want {
			t.Errorf("shortDur(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestHTMLSortsByTime(t *testing.T) {
	r := passingRun()
	r.Lag[0], r.Lag[1] = r.Lag[1], r.Lag[0]
	r.Events = []Event{
		{Time: r.Started.Add(3 * time.Second), Kind: KindRestart, Label: "second"},
		{Time: r.Started.Add(time.Second), Kind: KindCrash, Label: "first"},
	}
	page := renderHTML(t, r)
	if strings.Index(page, ">first<") > strings.Index(page, ">second<") {
		t.Errorf("events are not in time order")
	}
	lines := polylineRe.FindAllStringSubmatch(page, -1)
	pts := strings.Fields(lines[0][3])
	x0, _ := strconv.ParseFloat(strings.Split(pts[0], ",")[0], 64)
	x1, _ := strconv.ParseFloat(strings.Split(pts[1], ",")[0], 64)
	if x0 >= x1 {
		t.Errorf("lag points are not in time order: x %v then %v", x0, x1)
	}
	if r.Events[0].Label != "second" {
		t.Errorf("WriteHTML reordered the caller's events")
	}
}

func TestLagChartDropsLabelsWhenCrowded(t *testing.T) {
	r := bigRun()
	c := newLagChart(inTimeOrder(r))
	var marked int
	for _, e := range r.Events {
		if e.Kind != KindNote {
			marked++
		}
	}
	// Events closer than minMarkerGap share a marker; every event is in
	// some marker's tooltip.
	if len(c.Markers) == 0 || len(c.Markers) > marked {
		t.Errorf("markers: got %d, want 1 to %d", len(c.Markers), marked)
	}
	var titles strings.Builder
	for _, m := range c.Markers {
		titles.WriteString(m.Title + "\n")
	}
	for _, e := range r.Events {
		if e.Kind != KindNote && !strings.Contains(titles.String(), e.Label) {
			t.Errorf("event %q is in no marker's tooltip", e.Label)
		}
	}
	for _, m := range c.Markers {
		if m.Label != "" || m.Title == "" {
			t.Fatalf("crowded marker: got label %q title %q, want no label and a tooltip", m.Label, m.Title)
		}
	}
	if c := newLagChart(sampleRun()); c.Markers[0].Label == "" {
		t.Errorf("a chart with few markers must label them")
	}
}

// TestLagChartMergesOverlappingMarkers: events too close to tell apart on
// the chart are one marker that says how many it stands for.
func TestLagChartMergesOverlappingMarkers(t *testing.T) {
	r := sampleRun()
	at := r.Started.Add(r.Duration / 2)
	r.Events = []Event{
		{Time: at, Kind: KindCrash, Label: "crash after-sink of batch 4"},
		{Time: at.Add(time.Millisecond), Kind: KindRestart, Label: "engine restarted"},
		{Time: at.Add(2 * time.Millisecond), Kind: KindCompaction, Label: "compactor run 3"},
		{Time: r.Started.Add(r.Duration / 10), Kind: KindFault, Label: "fault far away"},
	}
	c := newLagChart(inTimeOrder(r))
	if len(c.Markers) != 2 {
		t.Fatalf("markers: got %d, want 2 (three close events merged)", len(c.Markers))
	}
	m := c.Markers[1]
	if !strings.Contains(m.Label, "+2 more") {
		t.Errorf("merged marker label %q, want it to count the 2 merged events", m.Label)
	}
	for _, e := range r.Events[:3] {
		if !strings.Contains(m.Title, e.Label) {
			t.Errorf("merged marker tooltip %q lacks %q", m.Title, e.Label)
		}
	}
	if strings.Contains(c.Markers[0].Label, "more") {
		t.Errorf("a lone marker was merged: %q", c.Markers[0].Label)
	}
}

// TestChecksSummaryCountsSkippedAndExpected: skipped checks are counted
// apart from "N of M passed", expected failures are marked and pass.
func TestChecksSummaryCountsSkippedAndExpected(t *testing.T) {
	page := renderHTML(t, expectedRun())
	for _, want := range []string{"2 of 2 passed (1 failing as expected), 1 skipped", ">EXPECTED FAIL<", ">SKIPPED<", "check-expected"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The same run with the expectation gone: the check fails it.
	r := expectedRun()
	r.Checks[0].Expected = false
	page = renderHTML(t, r)
	if !strings.Contains(page, "1 of 2 passed, 1 skipped") || !strings.Contains(page, ">FAIL<") {
		t.Errorf("an unexpected failure: page lacks \"1 of 2 passed, 1 skipped\" or a FAIL badge")
	}
	page = renderHTML(t, sampleRun(), passingRun())
	if !strings.Contains(page, "1/1") {
		t.Errorf("index: want 1/1 checks for the passing run")
	}
}

// TestSectionsRender: settings, dead letters by kind, partitions, schema
// and the compaction phase reach the page, escaped.
func TestSectionsRender(t *testing.T) {
	r := sampleRun()
	r.DeadLetters[0].Payload = "<script>alert(1)</script>"
	page := renderHTML(t, r)
	for _, want := range []string{
		"<dt>shards</dt><dd>4</dd>", "Dead letters by kind of error", "invalid JSON at byte N: invalid UTF-8",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "ingest_hour=13", "12\u202f003", "<code>ventilatorid</code>", `data-phase="compaction"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("a dead-letter payload was not escaped")
	}
	if strings.Contains(page, "Batch files written") {
		t.Error("a run without compaction shows the compaction columns")
	}
	if page := renderHTML(t, expectedRun()); !strings.Contains(page, "Batch files written") || !strings.Contains(page, "(open)") {
		t.Error("a compacted run lacks the batch files written or the open partition")
	}
}
