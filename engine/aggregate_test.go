package engine_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

// The test's reference table, computed here independently of the
// aggregate package: ventilators 1 to 45 (0 and 46 to 49 have no row),
// pressure control 5-30, O2 stats 92-100 and minute volume 4-8,
// except O2 stats 95-100 and minute volume 2-4 for every fourth ventilator
// so that RED occurs.
const refDevices = 45

func refBounds(dev int) (pMin, pMax, oMin, oMax, mMin, mMax int) {
	if dev%4 == 0 {
		return 5, 30, 95, 100, 2, 4
	}
	return 5, 30, 92, 100, 4, 8
}

func writeRanges(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max\n")
	for d := 1; d <= refDevices; d++ {
		p0, p1, o0, o1, m0, m1 := refBounds(d)
		fmt.Fprintf(&b, "%d,%d,%d,%d,%d,%d,%d\n", d, p0, p1, o0, o1, m0, m1)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reading is ventilator(i, false)'s content.
type reading struct {
	dev, p, o, m int
	at           time.Time
}

func readingOf(i int) reading {
	return reading{dev: i % 50, p: 10 + i%30, o: 90 + i%10, m: 5 + i%5,
		at: time.Date(2026, 11, 22, 13, i/60%60, i%60, 0, time.UTC)}
}

func matched(dev int) bool { return dev >= 1 && dev <= refDevices }

// wantStatus grades reading i as the blog does.
func wantStatus(i int) string {
	r := readingOf(i)
	p0, p1, o0, o1, m0, m1 := refBounds(r.dev)
	out := 0
	for _, in := range []bool{r.p >= p0 && r.p <= p1, r.o >= o0 && r.o <= o1, r.m >= m0 && r.m <= m1} {
		if !in {
			out++
		}
	}
	switch out {
	case 0:
		return "GREEN"
	case 3:
		return "RED"
	}
	return "ORANGE"
}

// The test's windows: 2 minutes sliding every minute, 30 s watermark delay.
const (
	testWindow = 2 * time.Minute
	testSlide  = time.Minute
	testDelay  = 30 * time.Second
)

func (h *harness) aggregateJob() *engine.Job {
	j := h.job()
	j.Options.MaxFetchRecordsPerShard = 40
	ranges := filepath.Join(h.dir, "ranges.csv")
	writeRanges(h.t.(*testing.T), ranges)
	c := aggregate.DefaultConfig()
	c.WindowDuration = aggregate.Duration(testWindow)
	c.SlideDuration = aggregate.Duration(testSlide)
	c.WatermarkDelay = aggregate.Duration(testDelay)
	c.Reference.Path = ranges
	j.Aggregate = &c
	j.Sink.WindowsPath = filepath.Join(h.dir, "windows")
	return j
}

// parquetRows reads every row of every Parquet file under dir as
// name → value text, the values' order being the file's.
func parquetRows(t testing.TB, dir string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for path, b := range files(t, dir) {
		if !strings.HasSuffix(path, ".parquet") {
			continue
		}
		f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		fields := f.Schema().Fields()
		r := parquet.NewReader(f)
		rows := make([]parquet.Row, f.NumRows())
		n, err := r.ReadRows(rows)
		if err != nil && n != len(rows) {
			t.Fatalf("read %s: %v", path, err)
		}
		for _, row := range rows[:n] {
			m := map[string]string{}
			for _, v := range row {
				s := v.String()
				switch {
				case v.IsNull():
					s = "null"
				case v.Kind() == parquet.Int96:
					s = fmt.Sprint(int96Micros(v.Int96()))
				}
				m[fields[v.Column()].Name()] = s
			}
			out = append(out, m)
		}
		r.Close()
	}
	return out
}

// windowRows renders the window rows under dir, sorted.
// int96Micros converts an INT96 timestamp (nanoseconds of the day, then
// the Julian day) to microseconds since the epoch.
func int96Micros(v deprecated.Int96) int64 {
	nanos := int64(v[1])<<32 | int64(v[0])
	return (int64(v[2])-2440588)*86400e6 + nanos/1000
}

func windowRows(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for _, m := range parquetRows(t, dir) {
		out = append(out, fmt.Sprintf("%s %s-%s p=%s o=%s m=%s n=%s red=%s orange=%s green=%s", m["ventilatorid"], m["window_start"], m["window_end"],
			m["avg_pressurecontrol"], m["avg_o2stats"], m["avg_minutevolume"], m["count"], m["red_count"], m["orange_count"], m["green_count"]))
	}
	slices.Sort(out)
	return out
}

// expectedWindows computes, from readings 0..n-1 and without the aggregate
// package, the windows an engine that saw them all and no late ones
// closes: those ending at or before the last event time minus the delay.
func expectedWindows(n int, bad bool) []string {
	type key struct {
		dev   int
		start int64
	}
	type acc struct{ n, p, o, m, red, orange, green int }
	accs := map[key]*acc{}
	var last time.Time
	for i := range n {
		r := readingOf(i)
		if r.at.After(last) {
			last = r.at
		}
		if !matched(r.dev) || malformed(i, bad) {
			continue
		}
		for s := r.at.Truncate(testSlide); s.After(r.at.Add(-testWindow)); s = s.Add(-testSlide) {
			k := key{r.dev, s.UnixMicro()}
			a := accs[k]
			if a == nil {
				a = &acc{}
				accs[k] = a
			}
			a.n++
			a.p += r.p
			a.o += r.o
			a.m += r.m
			switch wantStatus(i) {
			case "RED":
				a.red++
			case "ORANGE":
				a.orange++
			default:
				a.green++
			}
		}
	}
	wm := last.Add(-testDelay).UnixMicro()
	var out []string
	for k, a := range accs {
		end := k.start + testWindow.Microseconds()
		if end > wm {
			continue
		}
		f := func(sum int) string { return fmt.Sprint(float64(sum) / float64(a.n)) }
		out = append(out, fmt.Sprintf("%d %d-%d p=%s o=%s m=%s n=%d red=%d orange=%d green=%d", k.dev, k.start, end,
			f(a.p), f(a.o), f(a.m), a.n, a.red, a.orange, a.green))
	}
	slices.Sort(out)
	return out
}

// malformed reports whether ventilator(i, bad) is malformed.
func malformed(i int, bad bool) bool { return bad && (i%10 == 7 || i%10 == 3) }

// checkAggregate fails unless the joined output, the windows and the dead
// letter are those of readings 0..h.n-1 (every tenth malformed when bad),
// each once.
func (h *harness) checkAggregate(bad bool) {
	h.t.Helper()
	seen := map[string]int{}
	for _, m := range parquetRows(h.t, filepath.Join(h.dir, "out")) {
		sn := m["serialnumber"]
		seen[sn]++
		var i int
		if _, err := fmt.Sscanf(sn, "SN-%d", &i); err != nil {
			h.t.Fatalf("serialnumber %q: %v", sn, err)
		}
		if got, want := m["status"], wantStatus(i); got != want {
			h.t.Errorf("%s: status %s, want %s", sn, got, want)
		}
	}
	dead := map[string]int{}
	for _, d := range deadLetters(h.t, filepath.Join(h.dir, "dlq")) {
		dead[d.SequenceNumber]++
		if !strings.HasPrefix(d.Error, "aggregate: unmatched: no reference row for ventilatorid") && !strings.Contains(d.Error, "ventilatorid") && !strings.Contains(d.Error, "JSON") {
			h.t.Errorf("dead letter %s: error %q, want an unmatched or malformed reading", d.SequenceNumber, d.Error)
		}
	}
	left := 0
	for i := range h.n {
		want := 1
		if !matched(readingOf(i).dev) || malformed(i, bad) {
			want = 0
			left++
		}
		if sn := fmt.Sprintf("SN-%06d", i); seen[sn] != want {
			h.t.Errorf("%s: in the joined output %d times, want %d", sn, seen[sn], want)
		}
	}
	if len(dead) != left {
		h.t.Errorf("dead letter has %d distinct records, want the %d unmatched or malformed", len(dead), left)
	}
	for seq, n := range dead {
		if n != 1 {
			h.t.Errorf("dead letter %s appears %d times, want 1", seq, n)
		}
	}
	got, want := windowRows(h.t, filepath.Join(h.dir, "windows")), expectedWindows(h.n, bad)
	if len(want) == 0 {
		h.t.Fatalf("the test's data closes no window")
	}
	if !slices.Equal(got, want) {
		h.t.Errorf("windows differ:\n got %d: %s\nwant %d: %s", len(got), strings.Join(got, "\n     "), len(want), strings.Join(want, "\n     "))
	}
}

func TestAggregateJoinsAndWindows(t *testing.T) {
	h := newHarness(t, 4)
	h.put(480, 4, true)
	if err := h.run(h.aggregateJob()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.checkAggregate(true)
	statuses := map[string]int{}
	for _, s := range column(t, filepath.Join(h.dir, "out"), "status") {
		statuses[s]++
	}
	for _, s := range []string{"RED", "ORANGE", "GREEN"} {
		if statuses[s] == 0 {
			t.Errorf("no %s reading in the output (%v); the test should cover every level", s, statuses)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, "cp", "state", "0", "aggregate")); err != nil {
		t.Errorf("state of batch 0: %v", err)
	}
}

// TestCheckAggregateRejectsWrongWindows shows the checker failing on a
// window counted twice and on a wrong status.
func TestCheckAggregateRejectsWrongWindows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spoil  func(t *testing.T, h *harness)
		reject string
	}{
		{"window counted twice", func(t *testing.T, h *harness) {
			dir := filepath.Join(h.dir, "windows")
			fs := files(t, dir)
			for name, b := range fs {
				if err := os.WriteFile(filepath.Join(dir, "copy-"+filepath.Base(name)), b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
		}, "windows differ"},
		{"windows of another grading", func(t *testing.T, h *harness) {
			writeRangesWith(t, filepath.Join(h.dir, "ranges.csv"), 30)
		}, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.put(480, 4, false)
			j := h.aggregateJob()
			if tc.reject == "status" {
				tc.spoil(t, h)
			}
			if err := h.run(j); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if tc.reject != "status" {
				tc.spoil(t, h)
			}
			rec := &recorder{TB: t}
			h.t = rec
			h.checkAggregate(false)
			if !rec.failed {
				t.Errorf("checkAggregate accepted %s", tc.name)
			}
		})
	}
}

// writeRangesWith writes a table whose pressure maximum is pMax for all.
func writeRangesWith(t *testing.T, path string, pMax int) {
	var b strings.Builder
	b.WriteString("ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max\n")
	for d := 1; d <= refDevices; d++ {
		fmt.Fprintf(&b, "%d,5,%d,92,100,4,8\n", d, pMax-10)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAggregateCrashPointsThenRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		cp   engine.CrashPoint
	}{
		{"after-plan", engine.CrashAfterPlan(1)},
		{"in-sink:0", engine.CrashInSinkAfter(1, 0)},
		{"in-sink:1 (joined rows written)", engine.CrashInSinkAfter(1, 1)},
		{"in-sink:2 (windows written)", engine.CrashInSinkAfter(1, 2)},
		{"after-sink (state written, no commit)", engine.CrashAfterSink(1)},
		{"after-commit", engine.CrashAfterCommit(1)},
		{"after-sink of the first batch", engine.CrashAfterSink(-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.put(480, 4, false)
			err := h.run(h.aggregateJob(), engine.WithCrashPoint(tc.cp))
			if !errors.Is(err, engine.ErrCrashed) {
				t.Fatalf("first run: got %v, want ErrCrashed", err)
			}
			// Batch 1 closes windows, so every crash point falls around
			// the windows object: joined rows, windows, dead letters.
			for _, p := range h.plans() {
				if p.BatchID == 1 && (len(p.Objects) != 1 || len(p.WindowsObjects) != 1 || !strings.Contains(p.WindowsObjects[0], "windows") || len(p.DeadLetterObjects) != 1) {
					t.Fatalf("plan of batch 1: objects %v, windows %v, dead letters %v; want one of each", p.Objects, p.WindowsObjects, p.DeadLetterObjects)
				}
			}
			before := files(t, filepath.Join(h.dir, "windows"))
			h.put(160, 4, false) // more arrives while the engine is down
			if err := h.run(h.aggregateJob()); err != nil {
				t.Fatalf("restart: %v", err)
			}
			h.checkAggregate(false)
			checkUnchanged(t, filepath.Join(h.dir, "windows"), before)
		})
	}
}

func TestAggregateRestartNeedsTheCommittedState(t *testing.T) {
	h := newHarness(t, 4)
	h.put(320, 4, false)
	if err := h.run(h.aggregateJob()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(h.dir, "cp", "commits"))
	last := len(ents) - 1
	key := filepath.Join(h.dir, "cp", "state", fmt.Sprint(last), "aggregate")
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	h.put(160, 4, false)
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	autoAdvance(t, clk) // the batch retries' backoff passes at once
	err := h.run(h.aggregateJob(), engine.WithClock(clk))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("state/%d/aggregate", last)) {
		t.Fatalf("restart without state: %v, want an error naming state/%d/aggregate", err, last)
	}
}

func TestValidateAggregate(t *testing.T) {
	h := newHarness(t, 1)
	tests := []struct {
		name  string
		edit  func(j *engine.Job)
		field string // "" for valid
	}{
		{"valid", func(j *engine.Job) {}, ""},
		{"inferred schema cannot join", func(j *engine.Job) {
			j.Source.Columns, j.Transforms.ApplyMapping = nil, nil
			j.Source.InferSchema = true
		}, "source.inferSchema"},
		{"no columns", func(j *engine.Job) { j.Source.Columns, j.Transforms.ApplyMapping = nil, nil }, "source.columns"},
		{"no windowsPath", func(j *engine.Job) { j.Sink.WindowsPath = "" }, "sink.windowsPath"},
		{"windowsPath is the sink", func(j *engine.Job) { j.Sink.WindowsPath = j.Sink.Path }, "sink.windowsPath"},
		{"windowsPath without aggregate", func(j *engine.Job) { j.Aggregate = nil }, "sink.windowsPath"},
		{"no reference", func(j *engine.Job) { j.Aggregate.Reference.Path = "" }, "reference"},
		{"key not an output column", func(j *engine.Job) { j.Aggregate.KeyColumn = "deviceid" }, "keyColumn"},
		{"bad time mode", func(j *engine.Job) { j.Aggregate.TimeMode = "wall" }, "timeMode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			j := h.aggregateJob()
			tt.edit(j)
			err := j.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tt.field)
			}
		})
	}
}

func TestParseJobAggregateDefaults(t *testing.T) {
	j, err := engine.LoadJob("../examples/ventilator-alerts/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := j.Aggregate
	if a == nil {
		t.Fatal("no aggregate section")
	}
	if a.EventTimeFormat != aggregate.DefaultEventTimeFormat || time.Duration(a.WindowDuration) != 10*time.Minute || time.Duration(a.SlideDuration) != 5*time.Minute {
		t.Errorf("aggregate %+v: want the default event time format and 10-minute windows sliding 5", a)
	}
	// The example's reference table sits beside it: LoadJob resolves the
	// relative path against the job file, whatever the working directory.
	if _, err := os.Stat(a.Reference.Path); err != nil || filepath.Base(a.Reference.Path) != "normal_ranges.csv" {
		t.Errorf("reference.path = %q (stat: %v), want the example's normal_ranges.csv", a.Reference.Path, err)
	}
	if _, err := engine.ParseJob([]byte("aggregate:\n  keyColum: x\n")); err == nil || !strings.Contains(err.Error(), "keyColum") {
		t.Errorf("unknown aggregate key: %v, want an error naming it", err)
	}
}

// dynamoScan serves DynamoDB Scan (JSON 1.0) from one page of items.
type dynamoScan struct {
	table    string
	items    []map[string]any
	scans    int
	requests int
}

func (f *dynamoScan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests++
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	var in struct{ TableName string }
	if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.Scan" || json.NewDecoder(r.Body).Decode(&in) != nil || in.TableName != f.table {
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}) // the client sees a short body
		return
	}
	f.scans++
	_ = json.NewEncoder(w).Encode(map[string]any{"Items": f.items, "Count": len(f.items), "ScannedCount": len(f.items)}) // the client sees a short body
}

func TestAggregateDynamoDBReference(t *testing.T) {
	fake := &dynamoScan{table: "ventilator_normal_ranges"}
	n := func(v int) map[string]string { return map[string]string{"N": fmt.Sprint(v)} }
	for d := 1; d <= refDevices; d++ {
		p0, p1, o0, o1, m0, m1 := refBounds(d)
		fake.items = append(fake.items, map[string]any{"ventilatorid": n(d),
			"pressure_control_min": n(p0), "pressure_control_max": n(p1), "o2_stats_min": n(o0), "o2_stats_max": n(o1),
			"minute_volume_min": n(m0), "minute_volume_max": n(m1)})
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := newHarness(t, 4)
	h.put(480, 4, false)
	j := h.aggregateJob()
	j.Aggregate.Reference = aggregate.Reference{DynamoDBTable: fake.table, DynamoDBEndpoint: srv.URL}
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fake.scans == 0 {
		t.Fatalf("the DynamoDB table was never scanned")
	}
	h.checkAggregate(false)
}

// A reference table that does not exist fails the job at its first try,
// saying so, instead of after Glue's batch retries: no retry can make it.
func TestAggregateMissingTableFailsAtOnce(t *testing.T) {
	fake := &dynamoScan{table: "ventilator_normal_ranges"}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := newHarness(t, 4)
	h.put(480, 4, false)
	j := h.aggregateJob()
	j.Aggregate.Reference = aggregate.Reference{DynamoDBTable: "no_such_table", DynamoDBEndpoint: srv.URL}
	err := h.run(j)
	if err == nil || !strings.Contains(err.Error(), "the DynamoDB table does not exist, which no retry can change") {
		t.Fatalf("Run = %v, want the missing table named as permanent", err)
	}
	if fake.requests != 1 {
		t.Errorf("the missing table was asked for %d times, want 1 (no batch retries)", fake.requests)
	}
}

// A batch that fails after its windows were computed is retried from the
// committed state: its readings are not counted twice.
func TestAggregateRetriedBatchCountsOnce(t *testing.T) {
	h := newHarness(t, 4)
	h.cfg.RetryMaxAttempts = 1
	s3 := s3test.New(t)
	var failed atomic.Int64
	s3.FailPut = func(path string) bool {
		return strings.HasPrefix(path, "bucket/windows/") && failed.Add(1) <= 2
	}
	h.put(480, 4, false)
	j := h.aggregateJob()
	j.Sink.Endpoint = s3.URL()
	j.Sink.WindowsPath = "s3://bucket/windows"
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	autoAdvance(t, clk)
	if err := h.run(j, engine.WithClock(clk)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if failed.Load() < 2 {
		t.Fatalf("windows writes failed %d times, want the test to fail 2", failed.Load())
	}
	dir := filepath.Join(h.dir, "windows")
	for _, k := range s3.Keys("bucket", "windows/") {
		b, _ := s3.Object("bucket", k)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(k)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.checkAggregate(false)
}
