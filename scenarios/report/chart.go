package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Chart geometry, in SVG user units; the SVGs scale to the page width.
const (
	chartW      = 960
	chartH      = 300
	marginL     = 64
	marginR     = 16
	marginT     = 16
	marginB     = 40
	labelRows   = 4
	labelRowH   = 13
	labelMaxLen = 28
	maxLabelled = 24  // more marked events than this are drawn without labels
	charW       = 7.2 // generous average glyph width of the bold label font, for layout
)

// tick is one axis tick: its position along the axis and its label.
type tick struct {
	Pos    float64
	Label  string
	Anchor string // text-anchor of an x tick's label: middle, or end at the right edge
}

// series is one line of the lag chart.
type series struct {
	Name   string // p50, p99, max
	Points string // SVG polyline points
	N      int
	Dots   []point // drawn when there are few points
}

type point struct{ X, Y float64 }

// marker is an event drawn as a vertical line with a label.
type marker struct {
	X      float64
	Kind   EventKind
	Label  string // shortened for the chart
	Title  string // the full label and time, as a tooltip
	LabelY float64
	Anchor string // start or end
	LabelX float64
}

// band is a shaded span between a fault and the event that cleared it.
type band struct {
	X, W  float64
	Title string
}

// phaseBox is a run's phase shaded on the lag chart.
type phaseBox struct {
	X, W        float64
	Name, Title string
}

// lagChart is the laid-out lag-over-time chart of one run.
type lagChart struct {
	W, H, Left, Right, Top, Bottom float64
	PlotTop                        float64
	Series                         []series
	Markers                        []marker
	Bands                          []band
	Phases                         []phaseBox
	XTicks, YTicks                 []tick
}

// bar is one batch of the batch-size chart.
type bar struct {
	ID                int64
	X, W              float64
	RecY, RecH        float64
	DeadY, DeadH      float64
	Replayed          bool
	MarkX, MarkY      float64 // tip of the replay marker above the bar
	Records, DeadLett int64
	Title             string
}

// batchChart is the laid-out batch-size chart of one run.
type batchChart struct {
	W, H, Left, Right, Top, Bottom float64
	Bars                           []bar
	XTicks, YTicks                 []tick
	Replayed                       int
}

// newLagChart lays out r's lag points and events; it returns nil when r
// has no lag points.
func newLagChart(r Run) *lagChart {
	if len(r.Lag) == 0 {
		return nil
	}
	origin := r.origin()
	end := origin.Add(r.Duration)
	for _, p := range r.Lag {
		if p.Time.After(end) {
			end = p.Time
		}
	}
	for _, e := range r.Events {
		if e.Time.After(end) {
			end = e.Time
		}
	}
	span := end.Sub(origin)
	if span <= 0 {
		span = time.Second
	}
	var maxLag time.Duration
	for _, p := range r.Lag {
		maxLag = max(maxLag, p.P50, p.P99, p.Max)
	}
	yTop, yStep := niceScale(float64(maxLag), 5)
	if yTop <= 0 {
		yTop, yStep = float64(time.Millisecond), float64(time.Millisecond)/5
	}

	var events []Event
	for _, e := range r.Events {
		if e.Kind != KindNote {
			events = append(events, e)
		}
	}
	marked := clusterEvents(events, origin, span)
	c := &lagChart{W: chartW, H: chartH, Left: marginL, Right: chartW - marginR, Bottom: chartH - marginB, Top: marginT}
	labelled := len(marked) > 0 && len(marked) <= maxLabelled
	c.PlotTop = c.Top
	if labelled {
		c.H += labelRows * labelRowH
		c.Bottom += labelRows * labelRowH
		c.PlotTop = c.Top + labelRows*labelRowH
	}
	xOf := func(t time.Time) float64 {
		f := float64(t.Sub(origin)) / float64(span)
		f = math.Max(0, math.Min(1, f))
		return c.Left + f*(c.Right-c.Left)
	}
	yOf := func(d time.Duration) float64 {
		return c.Bottom - float64(d)/yTop*(c.Bottom-c.PlotTop)
	}
	for _, s := range []struct {
		name string
		get  func(LagPoint) time.Duration
	}{
		{"p50", func(p LagPoint) time.Duration { return p.P50 }},
		{"p99", func(p LagPoint) time.Duration { return p.P99 }},
		{"max", func(p LagPoint) time.Duration { return p.Max }},
	} {
		var b strings.Builder
		var dots []point
		for i, p := range r.Lag {
			x, y := xOf(p.Time), yOf(s.get(p))
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(x) + "," + num(y))
			if len(r.Lag) <= 60 {
				dots = append(dots, point{x, y})
			}
		}
		c.Series = append(c.Series, series{Name: s.name, Points: b.String(), N: len(r.Lag), Dots: dots})
	}
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		c.YTicks = append(c.YTicks, tick{Pos: yOf(time.Duration(v)), Label: shortDur(time.Duration(v))})
	}
	xTop, xStep := niceScale(float64(span), 8)
	for v := 0.0; v <= xTop+xStep/2 && v <= float64(span)*1.0001; v += xStep {
		x := xOf(origin.Add(time.Duration(v)))
		anchor := "middle"
		if x > c.Right-24 {
			anchor = "end"
		}
		c.XTicks = append(c.XTicks, tick{Pos: x, Label: shortDur(time.Duration(v)), Anchor: anchor})
	}

	// Faults are shaded until the next fault-cleared event, or to the end.
	var open []Event
	for _, e := range r.Events {
		switch e.Kind {
		case KindFault:
			open = append(open, e)
		case KindFaultCleared:
			if len(open) > 0 {
				f := open[0]
				open = open[1:]
				c.Bands = append(c.Bands, band{X: xOf(f.Time), W: xOf(e.Time) - xOf(f.Time), Title: f.Label})
			}
		}
	}
	for _, f := range open {
		c.Bands = append(c.Bands, band{X: xOf(f.Time), W: c.Right - xOf(f.Time), Title: f.Label})
	}
	for _, p := range r.Phases {
		x0, x1 := xOf(p.Start), xOf(p.End)
		title := fmt.Sprintf("%s +%s to +%s", p.Name, shortDur(p.Start.Sub(origin)), shortDur(p.End.Sub(origin)))
		if p.Label != "" {
			title += ": " + p.Label
		}
		c.Phases = append(c.Phases, phaseBox{X: x0, W: math.Max(x1-x0, 1), Name: p.Name, Title: title})
	}

	// Labels go in the first row where they do not overlap the previous
	// label; when every row is taken the marker goes unlabelled.
	rowEnd := make([]float64, labelRows)
	for i := range rowEnd {
		rowEnd[i] = math.Inf(-1)
	}
	for _, e := range marked {
		x := xOf(e.Time)
		title := fmt.Sprintf("%s +%s: %s", e.Kind, shortDur(e.Time.Sub(origin)), e.Label)
		if e.detail != "" {
			title = e.detail
		}
		if !labelled {
			c.Markers = append(c.Markers, marker{X: x, Kind: e.Kind, Title: title, LabelY: c.PlotTop + 10})
			continue
		}
		label := e.label()
		w := float64(len([]rune(label)))*charW + 12
		anchor, lx, from, to := "start", x+3, x, x+w
		if x+w > c.Right {
			anchor, lx, from, to = "end", x-3, x-w, x
		}
		row := -1
		for i := range rowEnd {
			if rowEnd[i] < from {
				row = i
				break
			}
		}
		if row < 0 {
			// Every row is taken here: a label would overlap another,
			// so the marker keeps its line and tooltip only.
			c.Markers = append(c.Markers, marker{X: x, Kind: e.Kind, Title: title, LabelY: c.PlotTop + 10})
			continue
		}
		rowEnd[row] = to
		c.Markers = append(c.Markers, marker{
			X: x, Kind: e.Kind, Label: label, Anchor: anchor, LabelX: lx,
			LabelY: c.Top + float64(row+1)*labelRowH - 3,
			Title:  title,
		})
	}
	return c
}

// minMarkerGap is the least share of the chart's width between two
// markers; closer events are drawn as one marker whose label counts them
// and whose tooltip lists them all.
const minMarkerGap = 0.012

// clusterEvents merges events (in time order) closer than minMarkerGap of
// span into one: the first's kind and time, its label with "+N more", the
// others' labels joined in detail for the tooltip.
func clusterEvents(evs []Event, origin time.Time, span time.Duration) []markEvent {
	gap := time.Duration(float64(span) * minMarkerGap)
	var out []markEvent
	for _, e := range evs {
		if len(out) > 0 && e.Time.Sub(out[len(out)-1].Time) < gap {
			last := &out[len(out)-1]
			if last.more == 0 {
				last.detail = fmt.Sprintf("%s +%s: %s", last.Kind, shortDur(last.Time.Sub(origin)), last.Label)
			}
			last.more++
			last.detail += fmt.Sprintf("\n%s +%s: %s", e.Kind, shortDur(e.Time.Sub(origin)), e.Label)
			continue
		}
		out = append(out, markEvent{Event: e})
	}
	return out
}

// markEvent is an event drawn as a marker; detail lists the events it
// stands for when closer ones were merged into it.
type markEvent struct {
	Event
	more   int
	detail string
}

// label is the marker's label: the event's, shortened, with "+N more".
func (e markEvent) label() string {
	if e.more == 0 {
		return shorten(e.Label, labelMaxLen)
	}
	more := fmt.Sprintf(" +%d more", e.more)
	return shorten(e.Label, labelMaxLen-len(more)) + more
}

// newBatchChart lays out r's batches; it returns nil when r has none.
func newBatchChart(r Run) *batchChart {
	if len(r.Batches) == 0 {
		return nil
	}
	c := &batchChart{W: chartW, H: 260, Left: marginL, Right: chartW - marginR, Top: marginT + 8, Bottom: 260 - marginB}
	var most int64
	for _, b := range r.Batches {
		most = max(most, b.Records+b.DeadLetters)
	}
	yTop, yStep := niceScale(float64(most), 5)
	if yTop <= 0 {
		yTop, yStep = 1, 1
	}
	yOf := func(v float64) float64 { return c.Bottom - v/yTop*(c.Bottom-c.Top) }
	slot := (c.Right - c.Left) / float64(len(r.Batches))
	gap := math.Min(slot*0.2, 4)
	for i, b := range r.Batches {
		x := c.Left + float64(i)*slot + gap/2
		recTop := yOf(float64(b.Records))
		deadTop := yOf(float64(b.Records + b.DeadLetters))
		title := fmt.Sprintf("batch %d: %d records, %d dead letters", b.ID, b.Records, b.DeadLetters)
		if b.LagMax > 0 {
			title += fmt.Sprintf(", lag p50 %s p99 %s max %s", shortDur(b.LagP50), shortDur(b.LagP99), shortDur(b.LagMax))
		}
		if b.Replayed {
			title += " (replayed after a restart)"
			c.Replayed++
		}
		c.Bars = append(c.Bars, bar{
			ID: b.ID, X: x, W: math.Max(slot-gap, 0.5),
			RecY: recTop, RecH: c.Bottom - recTop,
			DeadY: deadTop, DeadH: recTop - deadTop,
			Replayed: b.Replayed, Records: b.Records, DeadLett: b.DeadLetters, Title: title,
			MarkX: x + math.Max(slot-gap, 0.5)/2, MarkY: deadTop - 2,
		})
	}
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		c.YTicks = append(c.YTicks, tick{Pos: yOf(v), Label: shortCount(v)})
	}
	every := max(1, int(math.Ceil(float64(len(r.Batches))/16)))
	for i := 0; i < len(r.Batches); i += every {
		c.XTicks = append(c.XTicks, tick{Pos: c.Left + (float64(i)+0.5)*slot, Label: strconv.FormatInt(r.Batches[i].ID, 10), Anchor: "middle"})
	}
	return c
}

// niceScale returns an axis top at or above hi and a step that divides it
// into about n round steps (1, 2 or 5 times a power of ten).
func niceScale(hi float64, n int) (top, step float64) {
	if hi <= 0 {
		return 0, 0
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f <= 1:
		step = mag
	case f <= 2:
		step = 2 * mag
	case f <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	return math.Ceil(hi/step) * step, step
}

// num formats a coordinate with one decimal.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// shortDur formats d compactly for axes and tables: 0, 850µs, 340ms, 1.5s,
// 2m05s, 1h02m.
func shortDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < 0:
		return "-" + shortDur(-d)
	case d < time.Millisecond:
		return trim(float64(d)/float64(time.Microsecond)) + "µs"
	case d < time.Second:
		return trim(float64(d)/float64(time.Millisecond)) + "ms"
	case d < time.Minute:
		return trim(d.Seconds()) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// trim formats f with at most one decimal and no trailing ".0".
func trim(f float64) string {
	if f >= 100 {
		return strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// shortCount formats an axis count: 950, 1.5k, 2M.
func shortCount(v float64) string {
	switch {
	case v >= 1e6:
		return trim(v/1e6) + "M"
	case v >= 1e3:
		return trim(v/1e3) + "k"
	default:
		return trim(v)
	}
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
