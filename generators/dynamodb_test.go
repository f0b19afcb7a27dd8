package generators

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator"
)

// jumpClock is a clock whose Sleep returns at once, moving it on by the
// duration slept; it records the sleeps.
type jumpClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *jumpClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *jumpClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now().Add(d)
	return ch
}

func (c *jumpClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

func TestWriteReferenceToEmulator(t *testing.T) {
	t.Parallel()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	c := st.DynamoDBClient()
	if err := CreateTable(t.Context(), c, nil, "ranges", ReferenceKeyColumn, types.ScalarAttributeTypeN); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	// Creating it again keeps it.
	if err := CreateTable(t.Context(), c, nil, "ranges", ReferenceKeyColumn, types.ScalarAttributeTypeN); err != nil {
		t.Fatalf("CreateTable of an existing table: %v", err)
	}
	ledgerPath := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := CreateLedger(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	items := VentilatorReference()
	stats, err := WriteItems(t.Context(), c, "ranges", items, WithWriteLedger(l, ReferenceKeyColumn))
	if err != nil {
		t.Fatalf("WriteItems: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ids := VentilatorIDs()
	want := int64(ids.Max - ids.Min + 1)
	if stats.Items != want || stats.Requests != (want+24)/25 {
		t.Errorf("stats %+v, want %d items in %d requests", stats, want, (want+24)/25)
	}
	got := map[string]map[string]types.AttributeValue{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("ranges"), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			got[it[ReferenceKeyColumn].(*types.AttributeValueMemberN).Value] = it
		}
	}
	if int64(len(got)) != want {
		t.Fatalf("table holds %d items, want %d", len(got), want)
	}
	pc := NormalPressureControl()
	for id := ids.Min; id <= ids.Max; id++ {
		it, ok := got[strconv.Itoa(id)]
		if !ok {
			t.Fatalf("ventilatorid %d: not in the table", id)
		}
		lo := it["pressure_control_min"].(*types.AttributeValueMemberN).Value
		hi := it["pressure_control_max"].(*types.AttributeValueMemberN).Value
		if lo != strconv.Itoa(pc.Min) || hi != strconv.Itoa(pc.Max) {
			t.Errorf("ventilatorid %d: pressure control %s..%s, want %d..%d", id, lo, hi, pc.Min, pc.Max)
		}
	}
	rows, err := ReadLedger(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != want {
		t.Fatalf("ledger has %d rows, want %d", len(rows), want)
	}
	for i, r := range rows {
		if r.Outcome != OutcomeAck || r.Key != strconv.Itoa(ids.Min+i) || r.Target != "dynamodb://ranges" || len(r.PayloadSHA256) != 64 {
			t.Errorf("ledger row %d = %+v, want an ack of key %d to dynamodb://ranges", i, r, ids.Min+i)
		}
	}
}

// stingyWriter processes at most take items of each BatchWriteItem request
// (take < 0: all) and returns the rest unprocessed.
type stingyWriter struct {
	take     int
	requests int
	stored   map[string]int // times each key was stored
}

func (w *stingyWriter) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	w.requests++
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	for table, reqs := range in.RequestItems {
		for i, r := range reqs {
			if w.take >= 0 && i >= w.take {
				out.UnprocessedItems[table] = append(out.UnprocessedItems[table], r)
				continue
			}
			w.stored[r.PutRequest.Item[ReferenceKeyColumn].(*types.AttributeValueMemberN).Value]++
		}
	}
	return out, nil
}

func TestWriteItemsRetriesUnprocessed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		take       int
		attempts   int
		wantErr    bool
		wantStored int
	}{
		{name: "all processed", take: -1, attempts: 3, wantStored: 50},
		{name: "ten a request, retried", take: 10, attempts: 3, wantStored: 50},
		{name: "none processed", take: 0, attempts: 4, wantErr: true, wantStored: 0},
		{name: "too few attempts", take: 10, attempts: 2, wantErr: true, wantStored: 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := &stingyWriter{take: tc.take, stored: map[string]int{}}
			clk := &jumpClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			stats, err := WriteItems(t.Context(), w, "ranges", VentilatorReference(), WithWriteClock(clk), WithWriteAttempts(tc.attempts),
				WithWriteBackoff(10*time.Millisecond, 40*time.Millisecond))
			if gotErr := err != nil; gotErr != tc.wantErr || err != nil && !errors.Is(err, ErrUnprocessed) {
				t.Fatalf("WriteItems error %v, want an ErrUnprocessed error: %v", err, tc.wantErr)
			}
			if len(w.stored) != tc.wantStored || stats.Items != int64(tc.wantStored) {
				t.Errorf("stored %d keys, stats %+v; want %d", len(w.stored), stats, tc.wantStored)
			}
			for k, n := range w.stored {
				if n != 1 {
					t.Errorf("key %s stored %d times, want once", k, n)
				}
			}
			for _, d := range clk.sleeps {
				if d <= 0 || d > 40*time.Millisecond+1 {
					t.Errorf("backoff %v outside (0, 40ms]", d)
				}
			}
			if tc.take != -1 && len(clk.sleeps) == 0 {
				t.Error("no backoff before a retry")
			}
		})
	}
	if _, err := WriteItems(t.Context(), &stingyWriter{}, "t", nil, WithWriteAttempts(0)); err == nil {
		t.Error("WithWriteAttempts(0): want an error")
	}
}

func TestRecordItem(t *testing.T) {
	t.Parallel()
	got, err := RecordItem(Record{Payload: []byte(`{"id":"a","n":12.50,"ok":true,"z":null,"l":[1,"x"],"m":{"k":2}}`)})
	if err != nil {
		t.Fatalf("RecordItem: %v", err)
	}
	want := `{"M":{"id":{"S":"a"},"l":{"L":[{"N":"1"},{"S":"x"}]},"m":{"M":{"k":{"N":"2"}}},"n":{"N":"12.50"},"ok":{"BOOL":true},"z":{"NULL":true}}}`
	if c := string(canonicalItem(got)); c != want {
		t.Errorf("item %s, want %s", c, want)
	}
	for _, tc := range []struct {
		name string
		r    Record
	}{
		{"malformed", Record{Malformed: "invalid_json", Payload: []byte(`{"id":`)}},
		{"not an object", Record{Payload: []byte(`[1]`)}},
	} {
		if _, err := RecordItem(tc.r); err == nil {
			t.Errorf("%s: want an error", tc.name)
		}
	}
}

// failingWriter answers the first request and fails the others.
type failingWriter struct{ requests int }

func (w *failingWriter) BatchWriteItem(_ context.Context, _ *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	w.requests++
	if w.requests > 1 {
		return nil, errors.New("connection reset")
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func TestWriteItemsRequestErrorLedger(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := CreateLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = WriteItems(t.Context(), &failingWriter{}, "ranges", VentilatorReference(), WithWriteLedger(l, ReferenceKeyColumn))
	if err == nil {
		t.Fatal("WriteItems: want the request's error")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 50 {
		t.Fatalf("ledger has %d rows, want 50 (two requests of 25)", len(rows))
	}
	for i, r := range rows {
		want := OutcomeAck
		if i >= 25 {
			want = OutcomeUnknown
		}
		if r.Outcome != want {
			t.Errorf("row %d outcome %q, want %q", i, r.Outcome, want)
		}
	}
}
