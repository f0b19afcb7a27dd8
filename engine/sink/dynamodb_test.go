package sink_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// windowCols are the windows' columns of the blog's pipeline.
var windowCols = []record.Column{
	{Name: "ventilatorid", Type: record.Int},
	{Name: "window_start", Type: record.Timestamp},
	{Name: "window_end", Type: record.Timestamp},
	{Name: "avg_pressurecontrol", Type: record.Double},
	{Name: "avg_o2stats", Type: record.Double},
	{Name: "avg_minutevolume", Type: record.Double},
	{Name: "count", Type: record.Bigint},
	{Name: "red_count", Type: record.Bigint},
	{Name: "orange_count", Type: record.Bigint},
	{Name: "green_count", Type: record.Bigint},
}

var start = time.Date(2026, 12, 4, 13, 5, 0, 0, time.UTC)

// windowRow is one window of device id starting at start+at.
func windowRow(id int64, at time.Duration, n, red, orange int64, avg float64) []record.Value {
	s := start.Add(at)
	avgV := record.FloatValue(record.Double, avg)
	return []record.Value{
		{Type: record.Int, I: id}, {Type: record.Timestamp, I: s.UnixMicro()}, {Type: record.Timestamp, I: s.Add(10 * time.Minute).UnixMicro()},
		avgV, {}, avgV,
		{Type: record.Bigint, I: n}, {Type: record.Bigint, I: red}, {Type: record.Bigint, I: orange}, {Type: record.Bigint, I: n - red - orange},
	}
}

// sleeps is a clock that records the waits and returns at once.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Now() time.Time { return start }
func (s *sleeps) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- start
	return ch
}
func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

// statusError is an API error with an HTTP status, as the SDK's are.
type statusError struct {
	smithy.GenericAPIError
	status int
}

func (e *statusError) HTTPStatusCode() int { return e.status }

// table is an in-memory DynamoDB table for the writer's two calls: it
// evaluates the writer's guard (absent, other checkpoint, or batch not
// later) the way the condition expression reads, and answers with
// injected errors first.
type table struct {
	mu     sync.Mutex
	items  map[string]map[string]types.AttributeValue
	inject []error // answered to the next PutItems, in order
	puts   int
	gets   int
	// guard false stores every write, as a sink without a condition would.
	guard bool
}

func newTable() *table {
	return &table{items: map[string]map[string]types.AttributeValue{}, guard: true}
}

func keyOf(item map[string]types.AttributeValue) string {
	return item["ventilatorid"].(*types.AttributeValueMemberN).Value + "/" + item["start"].(*types.AttributeValueMemberS).Value
}

func num(v types.AttributeValue) int64 {
	n, _ := strconv.ParseInt(v.(*types.AttributeValueMemberN).Value, 10, 64)
	return n
}

func (f *table) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if len(f.inject) > 0 {
		err := f.inject[0]
		f.inject = f.inject[1:]
		return nil, err
	}
	if *in.ConditionExpression != "attribute_not_exists(#b) OR #c <> :c OR #b <= :b" {
		return nil, fmt.Errorf("condition %q: the fake knows another", *in.ConditionExpression)
	}
	k := keyOf(in.Item)
	old, ok := f.items[k]
	if f.guard && ok && old[sink.AttrCheckpoint].(*types.AttributeValueMemberS).Value == in.ExpressionAttributeValues[":c"].(*types.AttributeValueMemberS).Value &&
		num(old[sink.AttrBatchID]) > num(in.ExpressionAttributeValues[":b"]) {
		return nil, &types.ConditionalCheckFailedException{Message: new("The conditional request failed"), Item: old}
	}
	f.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *table) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	return &dynamodb.GetItemOutput{Item: f.items[keyOf(in.Key)]}, nil
}

func newWindowTable(t *testing.T, api sink.DynamoDBAPI, cfg sink.WindowTableConfig, clk *sleeps) *sink.WindowTable {
	t.Helper()
	if cfg.TableName == "" {
		cfg.TableName = "ventilator_windows"
	}
	wt, err := sink.NewWindowTable(api, cfg, sink.WindowTableParams{Columns: windowCols, DefaultPartitionKey: "ventilatorid", Clock: clk})
	if err != nil {
		t.Fatalf("NewWindowTable: %v", err)
	}
	return wt
}

func flat(rows ...[]record.Value) []record.Value {
	var out []record.Value
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestWindowTableItems(t *testing.T) {
	t.Parallel()
	wt := newWindowTable(t, newTable(), sink.WindowTableConfig{}, &sleeps{})
	updated := flat(windowRow(7, 5*time.Minute, 3, 0, 1, 12.5))
	closed := flat(windowRow(7, 0, 4, 1, 1, 11))
	items, err := wt.Items(3, "ab12cd34", updated, closed)
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2 (one updated, one closed)", len(items))
	}
	want := map[string]types.AttributeValue{
		"ventilatorid": &types.AttributeValueMemberN{Value: "7"}, "start": &types.AttributeValueMemberS{Value: "2026-12-04 13:05:00"},
		"end": &types.AttributeValueMemberS{Value: "2026-12-04 13:15:00"}, "avg_pressurecontrol": &types.AttributeValueMemberN{Value: "11"},
		"avg_o2stats": &types.AttributeValueMemberNULL{Value: true}, "avg_minutevolume": &types.AttributeValueMemberN{Value: "11"},
		"count": &types.AttributeValueMemberN{Value: "4"}, "red_count": &types.AttributeValueMemberN{Value: "1"},
		"orange_count": &types.AttributeValueMemberN{Value: "1"}, "green_count": &types.AttributeValueMemberN{Value: "2"},
		"status": &types.AttributeValueMemberS{Value: "RED"}, "final": &types.AttributeValueMemberBOOL{Value: true},
		"batch_id": &types.AttributeValueMemberN{Value: "3"}, "checkpoint": &types.AttributeValueMemberS{Value: "ab12cd34"},
	}
	if !reflect.DeepEqual(items[1].Item, want) {
		t.Errorf("closed window item\n got %#v\nwant %#v", items[1].Item, want)
	}
	if got := items[0].Item; got["final"].(*types.AttributeValueMemberBOOL).Value || got["status"].(*types.AttributeValueMemberS).Value != "ORANGE" ||
		got["avg_pressurecontrol"].(*types.AttributeValueMemberN).Value != "12.5" || got["start"].(*types.AttributeValueMemberS).Value != "2026-12-04 13:10:00" {
		t.Errorf("updated window item %#v: want final false, status ORANGE, avg 12.5, start 13:10", got)
	}
	if len(items[0].Key) != 2 || items[0].Key["start"] == nil || items[0].Key["ventilatorid"] == nil {
		t.Errorf("key %#v: want ventilatorid and start", items[0].Key)
	}
	again, _ := wt.Items(3, "ab12cd34", updated, closed)
	if !reflect.DeepEqual(again, items) {
		t.Errorf("Items is not deterministic: a replay would write other items")
	}
	app := newWindowTable(t, newTable(), sink.WindowTableConfig{OutputMode: sink.OutputAppend}, &sleeps{})
	if items, _ := app.Items(3, "ab12cd34", updated, closed); len(items) != 1 || !items[0].Item["final"].(*types.AttributeValueMemberBOOL).Value {
		t.Errorf("append mode: %d items, want the closed window only", len(items))
	}
	if _, err := wt.Items(3, "", updated[:4], nil); err == nil {
		t.Errorf("Items accepted a partial row")
	}
}

func TestWindowTableConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   sink.WindowTableConfig
		field string // "" when valid
	}{
		{"defaults", sink.WindowTableConfig{TableName: "ventilator_windows"}, ""},
		{"every option", sink.WindowTableConfig{TableName: "w.1", Endpoint: "http://127.0.0.1:4566", Region: "us-east-1", Retry: -1, ParallelTasks: 4, OutputMode: "append", PartitionKey: "id", SortKey: "window"}, ""},
		{"no table", sink.WindowTableConfig{}, "dynamodb.output.tableName"},
		{"bad table name", sink.WindowTableConfig{TableName: "a b"}, "dynamodb.output.tableName"},
		{"negative retry", sink.WindowTableConfig{TableName: "abc", Retry: -2}, "dynamodb.output.retry"},
		{"too many tasks", sink.WindowTableConfig{TableName: "abc", ParallelTasks: 1000}, "numParallelTasks"},
		{"complete mode", sink.WindowTableConfig{TableName: "abc", OutputMode: "complete"}, "outputMode"},
		{"endpoint without scheme", sink.WindowTableConfig{TableName: "abc", Endpoint: "localhost:4566"}, "dynamodb.endpoint"},
		{"keys the same", sink.WindowTableConfig{TableName: "abc", PartitionKey: "k", SortKey: "k"}, "sortKey"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tt.name, err)
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field) || !errors.Is(err, sink.ErrWindowTable)):
			t.Errorf("%s: Validate = %v, want an ErrWindowTable naming %s", tt.name, err, tt.field)
		}
	}
	if _, err := sink.NewWindowTable(newTable(), sink.WindowTableConfig{TableName: "abc", SortKey: "count"}, sink.WindowTableParams{Columns: windowCols, DefaultPartitionKey: "ventilatorid"}); err == nil || !strings.Contains(err.Error(), `"count"`) {
		t.Errorf("sort key named as a value attribute: %v, want an error naming it", err)
	}
}

// Throttling and 5xx answers are retried with backoff; a ValidationException
// is not; retries that run out fail the write.
func TestWindowTableRetries(t *testing.T) {
	t.Parallel()
	throttle := &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "The level of configured provisioned throughput for the table was exceeded."}
	internal := &statusError{GenericAPIError: smithy.GenericAPIError{Code: "InternalServerError", Message: "Internal server error"}, status: 500}
	invalid := &smithy.GenericAPIError{Code: "ValidationException", Message: "One or more parameter values were invalid"}
	tests := []struct {
		name    string
		retry   int
		inject  []error
		wantErr string
		sleeps  []time.Duration
	}{
		{"throttled twice, then a 500", 0, []error{throttle, throttle, internal}, "", []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"not retryable", 0, []error{invalid}, "ValidationException", nil},
		{"retries run out", 2, []error{throttle, throttle, throttle}, "3 attempts", []time.Duration{50 * time.Millisecond, 100 * time.Millisecond}},
		{"no retry", -1, []error{internal}, "1 attempts", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, clk := newTable(), &sleeps{}
			f.inject = tt.inject
			wt := newWindowTable(t, f, sink.WindowTableConfig{Retry: tt.retry, ParallelTasks: 1}, clk)
			items, err := wt.Items(1, "tok", nil, windowRow(1, 0, 1, 0, 0, 10))
			if err != nil {
				t.Fatal(err)
			}
			st, err := wt.Write(t.Context(), 1, "tok", items)
			if tt.wantErr == "" {
				if err != nil || st.Written != 1 || st.Retries != int64(len(tt.inject)) {
					t.Errorf("Write = %+v, %v; want 1 written after %d retries", st, err, len(tt.inject))
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "window 1 2026-12-04 13:05:00") {
				t.Errorf("Write error %v, want one naming the window and %q", err, tt.wantErr)
			}
			if !reflect.DeepEqual(clk.d, tt.sleeps) {
				t.Errorf("backoff %v, want %v", clk.d, tt.sleeps)
			}
		})
	}
}

// A replay rewrites its own items; a write of an earlier batch loses to
// the later one and leaves it (a sink without the guard regresses the
// window, which the check below must see); a condition failed with no
// later item (an injected answer) is read back and tried again; a new
// checkpoint overwrites the old one's items.
func TestWindowTableGuard(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	write := func(t *testing.T, wt *sink.WindowTable, batch int64, token string, n int64) sink.WriteStats {
		t.Helper()
		items, err := wt.Items(batch, token, windowRow(1, 0, n, 0, 0, float64(n)), nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := wt.Write(ctx, batch, token, items)
		if err != nil {
			t.Fatalf("Write batch %d: %v", batch, err)
		}
		return st
	}
	stored := func(f *table) (batch, count int64) {
		for _, it := range f.items {
			return num(it[sink.AttrBatchID]), num(it["count"])
		}
		return -1, -1
	}
	// check fails unless the window holds batch 5's count, as the
	// guarded sink must leave it.
	check := func(f *table) error {
		if b, n := stored(f); b != 5 || n != 50 {
			return fmt.Errorf("window holds batch %d's count %d, want batch 5's 50", b, n)
		}
		return nil
	}

	f := newTable()
	wt := newWindowTable(t, f, sink.WindowTableConfig{}, &sleeps{})
	write(t, wt, 5, "tok", 50)
	if st := write(t, wt, 5, "tok", 50); st.Written != 1 {
		t.Errorf("replay of batch 5: %+v, want its item rewritten", st)
	}
	if st := write(t, wt, 4, "tok", 40); st.Stale != 1 || st.Written != 0 {
		t.Errorf("stale batch 4: %+v, want 1 stale, 0 written", st)
	}
	if err := check(f); err != nil {
		t.Errorf("with the guard: %v", err)
	}

	// Must reject: without the guard the stale write regresses the window.
	bare := newTable()
	bare.guard = false
	wtBare := newWindowTable(t, bare, sink.WindowTableConfig{}, &sleeps{})
	write(t, wtBare, 5, "tok", 50)
	write(t, wtBare, 4, "tok", 40)
	if err := check(bare); err == nil {
		t.Errorf("the check accepted a window a stale write regressed")
	}

	// A failed condition with no later item behind it is tried again.
	f.inject = []error{&types.ConditionalCheckFailedException{Message: new("The conditional request failed")}}
	if st := write(t, wt, 6, "tok", 60); st.Written != 1 || st.Retries != 1 || f.gets != 1 {
		t.Errorf("spurious condition failure: %+v after %d reads, want 1 written after 1 retry and 1 read", st, f.gets)
	}
	// A new checkpoint counts batches from 0 again and overwrites.
	if st := write(t, wt, 0, "new", 7); st.Written != 1 {
		t.Errorf("batch 0 of a new checkpoint: %+v, want written", st)
	}
	if b, n := stored(f); b != 0 || n != 7 {
		t.Errorf("after the new checkpoint's batch 0: batch %d count %d, want 0 and 7", b, n)
	}
}

// Items are written ParallelTasks at a time; the first error stops the
// rest.
func TestWindowTableWriteMany(t *testing.T) {
	t.Parallel()
	f := newTable()
	wt := newWindowTable(t, f, sink.WindowTableConfig{ParallelTasks: 4}, &sleeps{})
	var rows []record.Value
	for d := range int64(100) {
		rows = append(rows, windowRow(d, 0, 2, 0, 0, 3)...)
	}
	items, err := wt.Items(2, "tok", nil, rows)
	if err != nil {
		t.Fatal(err)
	}
	st, err := wt.Write(t.Context(), 2, "tok", items)
	if err != nil || st.Written != 100 || len(f.items) != 100 {
		t.Fatalf("Write = %+v, %v with %d items stored; want 100", st, err, len(f.items))
	}
	f2 := newTable()
	f2.inject = []error{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"}}
	wt2 := newWindowTable(t, f2, sink.WindowTableConfig{ParallelTasks: 4}, &sleeps{})
	if _, err := wt2.Write(t.Context(), 2, "tok", items); err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Errorf("Write = %v, want the AccessDeniedException", err)
	}
	if f2.puts == 101 {
		t.Errorf("every item was tried after the first error")
	}
}
