package scenarios

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/dynamodbfaketest"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// The windows table's guard, evaluated by the DynamoDB emulator's
// expression engine: a write of an earlier batch that arrives after a
// later one loses the race and leaves the later window in place; the same
// stale write without the condition regresses it.
func TestWindowsTableGuardLosesRace(t *testing.T) {
	t.Parallel()
	srv, _ := dynamodbfaketest.NewServer(t)
	c := dynamodbfaketest.NewClient(srv.URL())
	ctx := t.Context()
	if err := createWindowsTable(ctx, c, WindowsTable); err != nil {
		t.Fatal(err)
	}
	cols := []record.Column{{Name: "ventilatorid", Type: record.Int}, {Name: "window_start", Type: record.Timestamp}, {Name: "window_end", Type: record.Timestamp},
		{Name: "avg_pressurecontrol", Type: record.Double}, {Name: "avg_o2stats", Type: record.Double}, {Name: "avg_minutevolume", Type: record.Double},
		{Name: "count", Type: record.Bigint}, {Name: "red_count", Type: record.Bigint}, {Name: "orange_count", Type: record.Bigint}, {Name: "green_count", Type: record.Bigint}}
	wt, err := sink.NewWindowTable(c, sink.WindowTableConfig{TableName: WindowsTable}, sink.WindowTableParams{Columns: cols, DefaultPartitionKey: "ventilatorid"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC)
	window := func(n int64) []record.Value {
		return []record.Value{{Type: record.Int, I: 3}, {Type: record.Timestamp, I: start.UnixMicro()}, {Type: record.Timestamp, I: start.Add(aggWindow).UnixMicro()},
			record.FloatValue(record.Double, 10), record.FloatValue(record.Double, 95), record.FloatValue(record.Double, 6),
			{Type: record.Bigint, I: n}, {}, {}, {Type: record.Bigint, I: n}}
	}
	write := func(batch, n int64) sink.WriteStats {
		t.Helper()
		items, err := wt.Items(batch, "tok", window(n), nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := wt.Write(ctx, batch, "tok", items)
		if err != nil {
			t.Fatalf("write batch %d: %v", batch, err)
		}
		return st
	}
	stored := func() (batch, count string) {
		t.Helper()
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(WindowsTable), ConsistentRead: aws.Bool(true),
			Key: map[string]dtypes.AttributeValue{"ventilatorid": &dtypes.AttributeValueMemberN{Value: "3"}, "start": &dtypes.AttributeValueMemberS{Value: "2026-12-04 13:00:00"}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item[sink.AttrBatchID].(*dtypes.AttributeValueMemberN).Value, out.Item["count"].(*dtypes.AttributeValueMemberN).Value
	}
	write(7, 70)
	if st := write(7, 70); st.Written != 1 {
		t.Errorf("replay of batch 7: %+v, want its item rewritten", st)
	}
	if st := write(6, 60); st.Stale != 1 || st.Written != 0 {
		t.Errorf("batch 6 after batch 7: %+v, want the race lost (1 stale)", st)
	}
	if b, n := stored(); b != "7" || n != "70" {
		t.Errorf("after the lost race: batch %s count %s, want batch 7's 70", b, n)
	}
	// Must reject: the same stale write without the guard regresses it.
	items, _ := wt.Items(6, "tok", window(60), nil)
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(WindowsTable), Item: items[0].Item}); err != nil {
		t.Fatal(err)
	}
	if b, n := stored(); b == "7" || n == "70" {
		t.Errorf("an unguarded stale write left batch 7's window: the test shows nothing")
	}
}

// BenchmarkWindowsTableWrite writes a batch of 400 window items (200
// ventilators, 2 windows each) through the SDK to the DynamoDB emulator,
// with 1 and with 8 writes in flight; each item is a conditional PutItem.
func BenchmarkWindowsTableWrite(b *testing.B) {
	srv, _ := dynamodbfaketest.NewServer(b)
	c := dynamodbfaketest.NewClient(srv.URL())
	ctx := b.Context()
	if err := createWindowsTable(ctx, c, WindowsTable); err != nil {
		b.Fatal(err)
	}
	cols := []record.Column{{Name: "ventilatorid", Type: record.Int}, {Name: "window_start", Type: record.Timestamp}, {Name: "window_end", Type: record.Timestamp},
		{Name: "avg_pressurecontrol", Type: record.Double}, {Name: "avg_o2stats", Type: record.Double}, {Name: "avg_minutevolume", Type: record.Double},
		{Name: "count", Type: record.Bigint}, {Name: "red_count", Type: record.Bigint}, {Name: "orange_count", Type: record.Bigint}, {Name: "green_count", Type: record.Bigint}}
	start := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC)
	var rows []record.Value
	for d := range int64(200) {
		for w := range int64(2) {
			s := start.Add(time.Duration(w) * aggSlide)
			rows = append(rows, record.Value{Type: record.Int, I: d}, record.Value{Type: record.Timestamp, I: s.UnixMicro()}, record.Value{Type: record.Timestamp, I: s.Add(aggWindow).UnixMicro()},
				record.FloatValue(record.Double, 10.5), record.FloatValue(record.Double, 95.25), record.FloatValue(record.Double, 6),
				record.Value{Type: record.Bigint, I: 12}, record.Value{Type: record.Bigint, I: 1}, record.Value{Type: record.Bigint, I: 2}, record.Value{Type: record.Bigint, I: 9})
		}
	}
	for _, tasks := range []int{1, 8} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			wt, err := sink.NewWindowTable(c, sink.WindowTableConfig{TableName: WindowsTable, ParallelTasks: tasks}, sink.WindowTableParams{Columns: cols, DefaultPartitionKey: "ventilatorid"})
			if err != nil {
				b.Fatal(err)
			}
			batch := int64(0)
			for b.Loop() {
				items, err := wt.Items(batch, "tok", rows, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := wt.Write(ctx, batch, "tok", items); err != nil {
					b.Fatal(err)
				}
				batch++
			}
			b.ReportMetric(float64(b.N*400)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
