package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"
)

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":   num,
	"dur":   shortDur,
	"count": groupDigits,
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"example": exampleLine,
	"add":     func(a, b float64) float64 { return a + b },
	"perFile": func(bytes, files int64) string {
		if files == 0 {
			return ""
		}
		return groupDigits(bytes / files)
	},
	"sub":   func(a, b float64) float64 { return a - b },
	"int64": func(n int) int64 { return int64(n) },
}).Parse(pageSource))

// pageView is what the template renders.
type pageView struct {
	Title  string
	Runs   []runView
	Multi  bool
	Passed int
	Failed int
}

// runView is one run with its charts laid out.
type runView struct {
	Run
	ID           string
	Lag          *lagChart
	BatchChart   *batchChart
	Timeline     []eventView
	ChecksPassed int
	ChecksFailed int
	// ChecksTotal counts the checks that ran: skipped ones are counted
	// apart, and expected failures count as passed.
	ChecksTotal    int
	ChecksSkipped  int
	ChecksExpected int
	Records        int64
	// DeadLetterCount sums the batches' dead letters.
	DeadLetterCount int64
	// Compacted is set when a partition was compacted: the partition
	// table then shows what the batches wrote.
	Compacted bool
}

type eventView struct {
	Event
	Offset string
}

// WriteHTML writes runs to w as one self-contained HTML page: inline CSS
// and inline SVG, no scripts and nothing fetched from the network, so the
// page opens offline from a CI artifact. With more than one run the page
// starts with an index linking to each run's section. Every string from
// the runs is escaped.
func WriteHTML(w io.Writer, runs ...Run) error {
	v := pageView{Multi: len(runs) > 1}
	for i, r := range runs {
		r = inTimeOrder(r)
		rv := runView{
			Run:        r,
			ID:         "run-" + strconv.Itoa(i+1),
			Lag:        newLagChart(r),
			BatchChart: newBatchChart(r),
		}
		origin := r.origin()
		for _, e := range r.Events {
			rv.Timeline = append(rv.Timeline, eventView{Event: e, Offset: "+" + shortDur(e.Time.Sub(origin))})
		}
		for _, c := range r.Checks {
			switch {
			case c.Skipped:
				rv.ChecksSkipped++
			case c.failed():
				rv.ChecksFailed++
			case c.Expected && !c.Passed:
				rv.ChecksExpected++
				rv.ChecksPassed++
			default:
				rv.ChecksPassed++
			}
		}
		rv.ChecksTotal = len(r.Checks) - rv.ChecksSkipped
		for _, b := range r.Batches {
			rv.Records += b.Records
			rv.DeadLetterCount += b.DeadLetters
		}
		for _, p := range r.Partitions {
			if p.FilesWritten > 0 || p.Compactions > 0 {
				rv.Compacted = true
			}
		}
		if r.Passed {
			v.Passed++
		} else {
			v.Failed++
		}
		v.Runs = append(v.Runs, rv)
	}
	switch {
	case len(runs) == 1:
		v.Title = runs[0].Name
	default:
		v.Title = fmt.Sprintf("%d scenario runs", len(runs))
	}
	if err := page.Execute(w, v); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

// inTimeOrder returns r with copies of its lag points and events sorted by
// time (stably, so events at the same instant keep their order).
func inTimeOrder(r Run) Run {
	r.Lag = slices.Clone(r.Lag)
	slices.SortStableFunc(r.Lag, func(a, b LagPoint) int { return a.Time.Compare(b.Time) })
	r.Events = slices.Clone(r.Events)
	slices.SortStableFunc(r.Events, func(a, b Event) int { return a.Time.Compare(b.Time) })
	return r
}

// groupDigits formats v with thin spaces between groups of three digits.
func groupDigits(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := v < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, "\u202f"...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
