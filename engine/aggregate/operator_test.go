package aggregate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine/record"
)

var ventilatorColumns = []record.Column{
	{Name: "ventilatorid", Type: record.Bigint},
	{Name: "eventtime", Type: record.Timestamp},
	{Name: "serialnumber", Type: record.String},
	{Name: "pressurecontrol", Type: record.Bigint},
	{Name: "o2stats", Type: record.Bigint},
	{Name: "minutevolume", Type: record.Bigint},
}

// base is a fixed instant on a 10-minute boundary.
var base = time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)

// vent is one input row of ventilatorColumns.
type vent struct {
	id         int64
	at         time.Duration // after base
	pc, o2, mv int64
}

func rowsOf(rs ...vent) []record.Value {
	var out []record.Value
	for i, x := range rs {
		out = append(out,
			record.Value{Type: record.Bigint, I: x.id},
			record.Value{Type: record.Timestamp, I: base.Add(x.at).UnixMicro()},
			record.Value{Type: record.String, S: fmt.Sprintf("sn-%d", i)},
			record.Value{Type: record.Bigint, I: x.pc},
			record.Value{Type: record.Bigint, I: x.o2},
			record.Value{Type: record.Bigint, I: x.mv})
	}
	return out
}

// normalRanges is a reference table giving devices 1..n the blog's ranges.
func normalRanges(n int) *Table {
	rows := map[string][]Bound{}
	for i := 1; i <= n; i++ {
		rows[fmt.Sprint(i)] = ventilatorBounds
	}
	return NewTable(rows)
}

func newOp(t testing.TB, mod func(*Config)) *Operator {
	t.Helper()
	cfg := DefaultConfig()
	if mod != nil {
		mod(&cfg)
	}
	o, err := New(cfg, ventilatorColumns)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	o.SetReference(normalRanges(50))
	return o
}

// windowText renders window rows one per line: id start-end avgs count r/o/g.
func windowText(o *Operator, rows []record.Value) string {
	w := len(o.WindowColumns())
	var b strings.Builder
	for i := 0; i+w <= len(rows); i += w {
		row := rows[i : i+w]
		fmt.Fprintf(&b, "%s %s-%s", row[0].Text(), time.UnixMicro(row[1].I).UTC().Format("15:04"), time.UnixMicro(row[2].I).UTC().Format("15:04"))
		for _, v := range row[3 : w-4] {
			fmt.Fprintf(&b, " %s", v.Text())
		}
		fmt.Fprintf(&b, " n=%d r/o/g=%d/%d/%d\n", row[w-4].I, row[w-3].I, row[w-2].I, row[w-1].I)
	}
	return b.String()
}

func TestWindowsAcrossBatches(t *testing.T) {
	o := newOp(t, nil) // 10-minute windows sliding every 5, 2-minute delay
	steps := []struct {
		name string
		rows []vent
		want string
		wm   string
	}{
		{"first readings open windows 12:55, 13:00 and 13:05",
			[]vent{{1, 1 * time.Minute, 10, 95, 6}, {1, 6 * time.Minute, 40, 90, 2}, {2, 3 * time.Minute, 40, 95, 6}},
			"", "13:04"},
		{"reaching 13:12 (watermark 13:10) closes 12:55-13:05 and 13:00-13:10",
			[]vent{{1, 12 * time.Minute, 20, 93, 5}},
			"1 12:55-13:05 10 95 6 n=1 r/o/g=0/0/1\n" +
				"2 12:55-13:05 40 95 6 n=1 r/o/g=0/1/0\n" +
				"1 13:00-13:10 25 92.5 4 n=2 r/o/g=1/0/1\n" +
				"2 13:00-13:10 40 95 6 n=1 r/o/g=0/1/0\n",
			"13:10"},
		{"a reading inside the delay still counts",
			[]vent{{1, 10*time.Minute + 30*time.Second, 30, 100, 8}},
			"", "13:10"},
		{"reaching 13:22 (watermark 13:20) closes 13:05-13:15 and 13:10-13:20",
			[]vent{{2, 22 * time.Minute, 5, 92, 4}},
			"1 13:05-13:15 30 94.33333333333333 5 n=3 r/o/g=1/0/2\n" +
				"1 13:10-13:20 25 96.5 6.5 n=2 r/o/g=0/0/2\n",
			"13:20"},
	}
	for i, s := range steps {
		res, err := o.Apply(int64(i), rowsOf(s.rows...), base)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := windowText(o, res.Windows); got != s.want {
			t.Errorf("%s: windows\n%s\nwant\n%s", s.name, got, s.want)
		}
		if got := res.Watermark.Format("15:04"); got != s.wm {
			t.Errorf("%s: watermark %s, want %s", s.name, got, s.wm)
		}
		if len(res.Late) != 0 {
			t.Errorf("%s: late %v, want none", s.name, res.Late)
		}
	}
	// Open: 2@13:15-13:25 and 2@13:20-13:30.
	if got, want := o.OpenWindows(), 2; got != want {
		t.Errorf("open windows %d, want %d", got, want)
	}
}

func TestLateReadings(t *testing.T) {
	o := newOp(t, nil)
	if _, err := o.Apply(1, rowsOf(vent{1, 20 * time.Minute, 10, 95, 6}), base); err != nil {
		t.Fatal(err)
	}
	// Watermark 13:18: 13:17 is late, 13:18 is not, nor are other devices' later readings.
	res, err := o.Apply(2, rowsOf(
		vent{1, 17 * time.Minute, 10, 95, 6},
		vent{2, 18 * time.Minute, 10, 95, 6},
		vent{3, 5 * time.Minute, 40, 90, 2},
	), base)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(res.Late), "[0 2]"; got != want {
		t.Errorf("late rows %s, want %s", got, want)
	}
	if got, want := len(res.JoinedRows), 3; got != want {
		t.Errorf("joined %d rows, want %d (late readings are still joined)", got, want)
	}
	if got := o.Counters().Late; got != 2 {
		t.Errorf("late counter %d, want 2", got)
	}
	// The late readings are in no window: closing everything shows only the others.
	res, err = o.Apply(3, rowsOf(vent{9, 2 * time.Hour, 10, 95, 6}), base)
	if err != nil {
		t.Fatal(err)
	}
	want := "2 13:10-13:20 10 95 6 n=1 r/o/g=0/0/1\n" +
		"1 13:15-13:25 10 95 6 n=1 r/o/g=0/0/1\n" +
		"2 13:15-13:25 10 95 6 n=1 r/o/g=0/0/1\n" +
		"1 13:20-13:30 10 95 6 n=1 r/o/g=0/0/1\n"
	if got := windowText(o, res.Windows); got != want {
		t.Errorf("windows\n%s\nwant\n%s", got, want)
	}
}

func TestJoinTypes(t *testing.T) {
	rows := rowsOf(vent{1, 0, 10, 95, 6}, vent{77, 0, 10, 95, 6}, vent{2, 0, 40, 90, 2})
	rows[2*6] = record.Value{} // null key
	tests := []struct {
		join      string
		levels    string
		unmatched string
		rejected  int
	}{
		{InnerJoin, "GREEN", "[1 2]", 0},
		{LeftJoin, "GREEN ORANGE ORANGE", "[]", 1},
	}
	for _, tt := range tests {
		t.Run(tt.join, func(t *testing.T) {
			o := newOp(t, func(c *Config) { c.JoinType = tt.join })
			res, err := o.Apply(0, rows, base)
			if err != nil {
				t.Fatal(err)
			}
			w := len(o.JoinedColumns())
			var levels []string
			for i := w - 1; i < len(res.Joined); i += w {
				levels = append(levels, res.Joined[i].S)
			}
			if got := strings.Join(levels, " "); got != tt.levels {
				t.Errorf("levels %q, want %q", got, tt.levels)
			}
			if got := fmt.Sprint(res.Unmatched); got != tt.unmatched {
				t.Errorf("unmatched %s, want %s", got, tt.unmatched)
			}
			if len(res.Rejected) != tt.rejected {
				t.Errorf("rejected %v, want %d", res.Rejected, tt.rejected)
			}
		})
	}
}

func TestProcessingTime(t *testing.T) {
	o := newOp(t, func(c *Config) { c.TimeMode = ProcessingTime; c.EventTimeColumn = "" })
	// The event times are ignored: batches at 13:01 and 13:11 fall in
	// 12:55-13:05 / 13:00-13:10 and 13:05-13:15 / 13:10-13:20.
	r1, err := o.Apply(0, rowsOf(vent{1, 3 * time.Hour, 10, 95, 6}), base.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.Windows) != 0 {
		t.Errorf("first batch emitted %s", windowText(o, r1.Windows))
	}
	r2, err := o.Apply(1, rowsOf(vent{1, -3 * time.Hour, 20, 95, 6}), base.Add(11*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := "1 12:55-13:05 10 95 6 n=1 r/o/g=0/0/1\n1 13:00-13:10 10 95 6 n=1 r/o/g=0/0/1\n"
	if got := windowText(o, r2.Windows); got != want {
		t.Errorf("windows\n%s\nwant\n%s", got, want)
	}
	// An empty batch at 13:21 still moves processing time on.
	r3, err := o.Apply(2, nil, base.Add(21*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want = "1 13:05-13:15 20 95 6 n=1 r/o/g=0/0/1\n1 13:10-13:20 20 95 6 n=1 r/o/g=0/0/1\n"
	if got := windowText(o, r3.Windows); got != want {
		t.Errorf("empty batch: windows\n%s\nwant\n%s", got, want)
	}
}

func TestEventTimeForms(t *testing.T) {
	cols := []record.Column{{Name: "ventilatorid", Type: record.Bigint}, {Name: "eventtime", Type: record.String},
		{Name: "pressurecontrol", Type: record.Int}, {Name: "o2stats", Type: record.Double}, {Name: "minutevolume", Type: record.Bigint}}
	o, err := New(DefaultConfig(), cols)
	if err != nil {
		t.Fatal(err)
	}
	o.SetReference(normalRanges(3))
	row := func(ts string) []record.Value {
		return []record.Value{{Type: record.Bigint, I: 1}, {Type: record.String, S: ts}, {Type: record.Int, I: 10}, record.FloatValue(record.Double, 95.5), {Type: record.Bigint, I: 6}}
	}
	rows := append(row("2026-11-22 13:01:00"), row("22/11/2026")...)
	rows = append(rows, row("2026-11-22 13:30:00")...)
	rows[len(rows)-4] = record.Value{} // null event time in the third row
	res, err := o.Apply(0, rows, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 2 || res.Rejected[0].Row != 1 || !strings.Contains(res.Rejected[0].Reason, `does not match layout`) || res.Rejected[1].Row != 2 {
		t.Errorf("rejected %+v, want rows 1 (bad layout) and 2 (null)", res.Rejected)
	}
	if got, want := res.Watermark, base.Add(-time.Minute); !got.Equal(want) {
		t.Errorf("watermark %s, want %s", got, want)
	}
}

func TestApplyRefusesAnAppliedBatch(t *testing.T) {
	o := newOp(t, nil)
	if _, err := o.Apply(5, rowsOf(vent{1, 0, 10, 95, 6}), base); err != nil {
		t.Fatal(err)
	}
	before, _ := o.Snapshot()
	for _, id := range []int64{5, 4} {
		if _, err := o.Apply(id, rowsOf(vent{1, 0, 10, 95, 6}), base); !errors.Is(err, ErrBatchApplied) {
			t.Errorf("Apply(%d) after 5: %v, want ErrBatchApplied", id, err)
		}
	}
	if after, _ := o.Snapshot(); string(after) != string(before) {
		t.Error("a refused Apply changed the state")
	}
	if _, err := o.Apply(6, rowsOf(vent{1, 0, 10, 95, 6})[:4], base); err == nil {
		t.Error("Apply accepted a partial row")
	}
	o.SetReference(nil)
	if _, err := o.Apply(7, nil, base); !errors.Is(err, ErrNoReference) {
		t.Errorf("Apply without a reference: %v, want ErrNoReference", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Config)
		field string // "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"processing time needs no column", func(c *Config) { c.TimeMode = ProcessingTime; c.EventTimeColumn = "" }, ""},
		{"no key", func(c *Config) { c.KeyColumn = "" }, "keyColumn"},
		{"bad mode", func(c *Config) { c.TimeMode = "ingest" }, "timeMode"},
		{"event time without column", func(c *Config) { c.EventTimeColumn = "" }, "eventTimeColumn"},
		{"zero window", func(c *Config) { c.WindowDuration = 0 }, "windowDuration"},
		{"slide above window", func(c *Config) { c.SlideDuration = Duration(time.Hour) }, "slideDuration"},
		{"negative delay", func(c *Config) { c.WatermarkDelay = -1 }, "watermarkDelay"},
		{"bad join", func(c *Config) { c.JoinType = "outer" }, "joinType"},
		{"no metrics", func(c *Config) { c.Metrics = nil }, "metrics"},
		{"metric without bounds", func(c *Config) { c.Metrics[1].MaxColumn = "" }, "metrics[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mod(&c)
			err := c.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tt.field != "" && (!errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.field+":")):
				t.Errorf("Validate: %v, want an ErrConfig naming %s", err, tt.field)
			}
		})
	}
}

func TestNewChecksSchema(t *testing.T) {
	structType, err := record.StructOf([]record.Column{{Name: "id", Type: record.Int}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cols  []record.Column
		field string
	}{
		{"no key column", ventilatorColumns[1:], "keyColumn"},
		{"no time column", append([]record.Column{ventilatorColumns[0]}, ventilatorColumns[2:]...), "eventTimeColumn"},
		{"string metric", append(append([]record.Column{}, ventilatorColumns[:5]...), record.Column{Name: "minutevolume", Type: record.String}), "metrics[2].column"},
		{"struct key column", append([]record.Column{{Name: "ventilatorid", Type: structType}}, ventilatorColumns[1:]...), "keyColumn"},
		{"alert column taken", append(append([]record.Column{}, ventilatorColumns...), record.Column{Name: "status", Type: record.String}), "alertColumn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(DefaultConfig(), tt.cols)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("New: %v, want an ErrConfig naming %s", err, tt.field)
			}
		})
	}
}
