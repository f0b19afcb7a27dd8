package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// dynamoItems serves DynamoDB PutItem and GetItem (JSON 1.0) for one table
// keyed by ventilatorid and start. It evaluates the windows table's guard
// (the only condition the engine sends) and answers the first fail
// PutItems with the errors in fail.
type dynamoItems struct {
	mu    sync.Mutex
	table string
	items map[string]map[string]map[string]any // "id start" → item
	fail  []dynamoError
	puts  int
}

type dynamoError struct {
	status int
	code   string
}

func newDynamoItems(t *testing.T, table string) (*dynamoItems, string) {
	f := &dynamoItems{table: table, items: map[string]map[string]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *dynamoItems) answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client sees a short body
}

func (f *dynamoItems) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TableName                 string
		Item, Key                 map[string]map[string]any
		ConditionExpression       string
		ExpressionAttributeValues map[string]map[string]any
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.TableName != f.table {
		f.answer(w, 400, map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Header.Get("X-Amz-Target") {
	case "DynamoDB_20120810.PutItem":
		f.puts++
		if len(f.fail) > 0 {
			e := f.fail[0]
			f.fail = f.fail[1:]
			f.answer(w, e.status, map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + e.code, "message": e.code})
			return
		}
		if in.ConditionExpression != "attribute_not_exists(#b) OR #c <> :c OR #b <= :b" {
			f.answer(w, 400, map[string]string{"__type": "com.amazon.coral.validate#ValidationException", "message": "unexpected condition " + in.ConditionExpression})
			return
		}
		k := itemKey(in.Item)
		if old, ok := f.items[k]; ok && old[sink.AttrCheckpoint]["S"] == in.ExpressionAttributeValues[":c"]["S"] &&
			atoi(old[sink.AttrBatchID]["N"]) > atoi(in.ExpressionAttributeValues[":b"]["N"]) {
			f.answer(w, 400, map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "The conditional request failed", "Item": old})
			return
		}
		f.items[k] = in.Item
		f.answer(w, 200, map[string]any{})
	case "DynamoDB_20120810.GetItem":
		out := map[string]any{}
		if it, ok := f.items[itemKey(in.Key)]; ok {
			out["Item"] = it
		}
		f.answer(w, 200, out)
	default:
		f.answer(w, 400, map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException", "message": "unknown"})
	}
}

func itemKey(item map[string]map[string]any) string {
	return fmt.Sprint(item["ventilatorid"]["N"], " ", item["start"]["S"])
}

func atoi(v any) int64 {
	n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n
}

// rows renders the table's items one per line, sorted: the key, the
// values and the final flag (not the batch id or checkpoint, which differ
// from run to run).
func (f *dynamoItems) rows() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k, it := range f.items {
		out = append(out, fmt.Sprintf("%s-%s p=%v o=%v m=%v n=%v red=%v orange=%v green=%v final=%v", k, it["end"]["S"],
			it["avg_pressurecontrol"]["N"], it["avg_o2stats"]["N"], it["avg_minutevolume"]["N"],
			it["count"]["N"], it["red_count"]["N"], it["orange_count"]["N"], it["green_count"]["N"], it["final"]["BOOL"]))
	}
	slices.Sort(out)
	return out
}

// expectedTable computes, from readings 0..n-1 and without the engine's
// code, the items of the windows table in update output mode after an
// engine has read them all: every window of a matched reading with all
// its readings, final once the last event time less the delay has passed
// its end.
func expectedTable(n int) []string {
	type key struct {
		dev   int
		start time.Time
	}
	type acc struct{ n, p, o, m, red, orange, green int }
	accs := map[key]*acc{}
	var last time.Time
	for i := range n {
		r := readingOf(i)
		if r.at.After(last) {
			last = r.at
		}
		if !matched(r.dev) {
			continue
		}
		for s := r.at.Truncate(testSlide); s.After(r.at.Add(-testWindow)); s = s.Add(-testSlide) {
			k := key{r.dev, s}
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
	wm := last.Add(-testDelay)
	var out []string
	for k, a := range accs {
		end := k.start.Add(testWindow)
		f := func(sum int) string { return strconv.FormatFloat(float64(sum)/float64(a.n), 'f', -1, 64) }
		out = append(out, fmt.Sprintf("%d %s-%s p=%s o=%s m=%s n=%d red=%d orange=%d green=%d final=%v", k.dev, k.start.Format(time.DateTime), end.Format(time.DateTime),
			f(a.p), f(a.o), f(a.m), a.n, a.red, a.orange, a.green, !end.After(wm)))
	}
	slices.Sort(out)
	return out
}

// checkTable reports the first difference between the table's rows and
// the expected ones: a window missing, one too many, or one with other
// values (counted twice shows as another count).
func checkTable(got, want []string) error {
	g, w := map[string]string{}, map[string]string{}
	var errs []error
	for _, r := range got {
		k := rowKey(r)
		if _, dup := g[k]; dup {
			errs = append(errs, fmt.Errorf("window %s twice", k))
		}
		g[k] = r
	}
	for _, r := range want {
		w[rowKey(r)] = r
	}
	for _, k := range slices.Sorted(maps.Keys(w)) {
		switch gr, ok := g[k]; {
		case !ok:
			errs = append(errs, fmt.Errorf("window %s missing", k))
		case gr != w[k]:
			errs = append(errs, fmt.Errorf("window %s: got %s, want %s", k, gr, w[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(g)) {
		if _, ok := w[k]; !ok {
			errs = append(errs, fmt.Errorf("window %s unexpected: %s", k, g[k]))
		}
	}
	if len(errs) > 3 {
		errs = append(errs[:3], fmt.Errorf("and %d more", len(errs)-3))
	}
	return errors.Join(errs...)
}

// rowKey is a row's device and window start: "7 2026-11-22 13:00:00".
func rowKey(r string) string {
	f := strings.Fields(r)
	if len(f) < 3 || len(f[2]) < 8 {
		return r
	}
	return f[0] + " " + f[1] + " " + f[2][:8]
}

func (h *harness) windowsTableJob(endpoint string) *engine.Job {
	j := h.aggregateJob()
	j.Sink.WindowsPath = "" // the table only
	j.Sink.WindowsTable = &sink.WindowTableConfig{TableName: "ventilator_windows", Endpoint: endpoint}
	return j
}

// The windows table holds every window once with all its readings, and a
// throttled or failing write is retried; the check rejects a table with a
// window lost, counted twice, not yet final or left over.
func TestWindowsTable(t *testing.T) {
	h := newHarness(t, 4)
	h.put(480, 4, false)
	f, url := newDynamoItems(t, "ventilator_windows")
	f.fail = []dynamoError{{400, "ProvisionedThroughputExceededException"}, {500, "InternalServerError"}, {503, "ServiceUnavailable"}}
	if err := h.run(h.windowsTableJob(url)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(f.fail) > 0 {
		t.Fatalf("%d injected errors left: the table was written less than expected", len(f.fail))
	}
	got, want := f.rows(), expectedTable(480)
	if err := checkTable(got, want); err != nil {
		t.Fatalf("windows table:\n%v", err)
	}
	final := 0
	for _, r := range want {
		if strings.HasSuffix(r, "final=true") {
			final++
		}
	}
	if final == 0 || final == len(want) {
		t.Fatalf("%d of %d windows final: want both final and open ones to check", final, len(want))
	}

	spoil := []struct {
		name string
		edit func(rows []string) []string
	}{
		{"a window lost", func(rows []string) []string { return rows[1:] }},
		{"a window counted twice", func(rows []string) []string {
			rows[0] = strings.Replace(rows[0], " n=", " n=1", 1)
			return rows
		}},
		{"an open window marked final", func(rows []string) []string {
			for i, r := range rows {
				if strings.HasSuffix(r, "final=false") {
					rows[i] = strings.TrimSuffix(r, "false") + "true"
					break
				}
			}
			return rows
		}},
		{"a window left over", func(rows []string) []string { return append(rows, "99 2026-11-22 13:00:00-2026-11-22 13:02:00 n=1") }},
	}
	for _, s := range spoil {
		if err := checkTable(s.edit(slices.Clone(got)), want); err == nil {
			t.Errorf("checkTable accepted a table with %s", s.name)
		}
	}
}

// A crash at every point of a batch, then a restart: the table ends as
// without the crash, no window lost or counted twice.
func TestWindowsTableCrashPoints(t *testing.T) {
	want := expectedTable(480)
	// Each batch writes its output object and its dead letters first, so
	// in-sink:2 falls before the first item and 3 and 20 between two.
	points := []engine.CrashPoint{
		engine.CrashAfterPlan(1), engine.CrashInSinkAfter(1, 0), engine.CrashInSinkAfter(1, 2), engine.CrashInSinkAfter(1, 3),
		engine.CrashInSinkAfter(1, 20), engine.CrashAfterSink(1), engine.CrashAfterCommit(1), engine.CrashInSinkAfter(2, 30),
	}
	for _, cp := range points {
		t.Run(fmt.Sprintf("%s-batch-%d", cp, cp.Batch), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 4)
			h.put(480, 4, false)
			f, url := newDynamoItems(t, "ventilator_windows")
			j := h.windowsTableJob(url)
			if err := h.run(j, engine.WithCrashPoint(cp)); !errors.Is(err, engine.ErrCrashed) {
				t.Fatalf("Run with crash point %s: %v, want ErrCrashed", cp, err)
			}
			before := f.puts
			if err := h.run(j); err != nil {
				t.Fatalf("Run after the crash: %v", err)
			}
			if err := checkTable(f.rows(), want); err != nil {
				t.Fatalf("windows table after a crash at %s of batch %d and a restart (%d puts before the crash):\n%v", cp, cp.Batch, before, err)
			}
		})
	}
}

func TestParseJobWindowsTable(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 1)
	j := h.aggregateJob()
	j.Sink.WindowsPath = ""
	j.Sink.WindowsTable = &sink.WindowTableConfig{TableName: "ventilator_windows"}
	if err := j.Validate(); err != nil {
		t.Errorf("a windows table instead of windowsPath: %v", err)
	}
	j.Sink.WindowsTable.OutputMode = "complete"
	if err := j.Validate(); err == nil || !strings.Contains(err.Error(), "sink.windowsTable.outputMode") {
		t.Errorf("output mode complete: %v, want an error naming sink.windowsTable.outputMode", err)
	}
	j.Sink.WindowsTable.OutputMode = ""
	j.Sink.WindowsTable.SortKey = "count"
	if err := j.Validate(); err == nil || !strings.Contains(err.Error(), `"count"`) {
		t.Errorf("sort key named as a value attribute: %v, want an error naming it", err)
	}
	j.Sink.WindowsTable.SortKey = ""
	j.Aggregate = nil
	if err := j.Validate(); err == nil || !strings.Contains(err.Error(), "sink.windowsTable") {
		t.Errorf("a windows table without aggregate: %v, want an error naming sink.windowsTable", err)
	}
	y := `
name: alerts
source: {streamName: s, columns: [{name: ventilatorid, type: int}, {name: eventtime, type: timestamp}, {name: pressurecontrol, type: int}, {name: o2stats, type: int}, {name: minutevolume, type: int}]}
forEachBatch: {checkpointLocation: /tmp/cp}
aggregate: {reference: {dynamodb.input.tableName: ventilator_normal_ranges}}
sink:
  path: /tmp/out
  deadLetterPath: /tmp/dlq
  windowsTable:
    dynamodb.output.tableName: ventilator_windows
    dynamodb.endpoint: http://127.0.0.1:4566
    dynamodb.output.retry: 3
    outputMode: append
`
	pj, err := engine.ParseJob([]byte(y))
	if err != nil {
		t.Fatalf("ParseJob: %v", err)
	}
	if wt := pj.Sink.WindowsTable; wt == nil || wt.TableName != "ventilator_windows" || wt.Retry != 3 || wt.OutputMode != "append" || wt.Endpoint != "http://127.0.0.1:4566" {
		t.Errorf("windowsTable = %+v", pj.Sink.WindowsTable)
	}
	if _, err := engine.ParseJob([]byte(strings.Replace(y, "outputMode", "outputMod", 1))); err == nil || !strings.Contains(err.Error(), "outputMod") {
		t.Errorf("unknown windowsTable key: %v, want an error naming it", err)
	}
}
