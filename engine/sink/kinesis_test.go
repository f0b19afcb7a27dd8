package sink_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// fakeKinesis records PutRecords calls; fail decides, per call and entry,
// the error code of an entry ("" accepts it).
type fakeKinesis struct {
	mu     sync.Mutex
	shards int
	calls  [][]ktypes.PutRecordsRequestEntry
	fail   func(call, entry int) string
	err    func(call int) error
	stored []ktypes.PutRecordsRequestEntry
}

func (f *fakeKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := len(f.calls)
	f.calls = append(f.calls, in.Records)
	if f.err != nil {
		if err := f.err(call); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{}
	failed := int32(0)
	for i, e := range in.Records {
		code := ""
		if f.fail != nil {
			code = f.fail(call, i)
		}
		if code != "" {
			failed++
			out.Records = append(out.Records, ktypes.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("Rate exceeded for shard")})
			continue
		}
		f.stored = append(f.stored, e)
		out.Records = append(out.Records, ktypes.PutRecordsResultEntry{SequenceNumber: aws.String(fmt.Sprint(len(f.stored))), ShardId: aws.String("shardId-000000000000")})
	}
	out.FailedRecordCount = aws.Int32(failed)
	return out, nil
}

func (f *fakeKinesis) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	out := &kinesis.ListShardsOutput{}
	for i := range max(f.shards, 1) {
		out.Shards = append(out.Shards, ktypes.Shard{ShardId: aws.String(fmt.Sprintf("shardId-%012d", i)), SequenceNumberRange: &ktypes.SequenceNumberRange{StartingSequenceNumber: aws.String("0")}})
	}
	return out, nil
}

// userRecords unpacks what the fake stored, in order.
func (f *fakeKinesis) userRecords(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, e := range f.stored {
		if !kpl.IsAggregate(e.Data) {
			out = append(out, string(e.Data))
			continue
		}
		recs, err := kpl.Deaggregate(e.Data)
		if err != nil {
			t.Fatalf("Deaggregate: %v", err)
		}
		for _, r := range recs {
			out = append(out, string(r.Data))
		}
	}
	return out
}

func records(n, size int) []sink.KinesisRecord {
	recs := make([]sink.KinesisRecord, n)
	for i := range recs {
		d := fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", size))
		recs[i] = sink.KinesisRecord{PartitionKey: sink.DerivedPartitionKey("part-00000", i), Data: []byte(d)}
	}
	return recs
}

func newSink(t *testing.T, api sink.KinesisAPI, clk clock.Clock, change func(*sink.KinesisConfig)) *sink.Kinesis {
	t.Helper()
	cfg := sink.DefaultKinesisConfig()
	cfg.StreamName = "out"
	cfg.RetryInterval, cfg.MaxRetryInterval = time.Millisecond, time.Millisecond
	if change != nil {
		change(&cfg)
	}
	k, err := sink.NewKinesis(api, cfg, clk)
	if err != nil {
		t.Fatalf("NewKinesis: %v", err)
	}
	return k
}

func TestKinesisSinkDefaultsAreGlues(t *testing.T) {
	t.Parallel()
	c := sink.DefaultKinesisConfig()
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"aggregationEnabled", c.AggregationEnabled, true},
		{"aggregationMaxSize", c.AggregationMaxSize, 51200},
		{"aggregationMaxCount", c.AggregationMaxCount, int64(4294967295)},
		{"recordMaxBufferedTime", c.RecordMaxBufferedTime, time.Second},
		{"producerRateLimit", c.ProducerRateLimit, 150},
		{"collectionMaxCount", c.CollectionMaxCount, 500},
		{"collectionMaxSize", c.CollectionMaxSize, 5242880},
	} {
		if tt.got != tt.want {
			t.Errorf("default %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestKinesisSinkWrites(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		n, size    int
		change     func(*sink.KinesisConfig)
		fail       func(call, entry int) string
		wantCalls  int
		wantMaxLen int // entries in the largest request
	}{
		{"aggregated", 1000, 100, nil, nil, 1, 3},
		{"not aggregated, collection count", 1200, 10, func(c *sink.KinesisConfig) { c.AggregationEnabled = false }, nil, 3, 500},
		{"collection size", 100, 1000, func(c *sink.KinesisConfig) { c.AggregationEnabled = false; c.CollectionMaxSize = 10_000 }, nil, 12, 9},
		{"aggregation count", 100, 10, func(c *sink.KinesisConfig) { c.AggregationMaxCount = 10 }, nil, 1, 10},
		{"partial failures retried in order", 50, 10, func(c *sink.KinesisConfig) { c.AggregationEnabled = false },
			func(call, entry int) string {
				if call < 2 && entry%3 == 1 {
					return "ProvisionedThroughputExceededException"
				}
				return ""
			}, 3, 50},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeKinesis{fail: tt.fail}
			k := newSink(t, f, clock.Real(), tt.change)
			if err := k.Write(t.Context(), records(tt.n, tt.size)); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if len(f.calls) != tt.wantCalls {
				t.Errorf("PutRecords calls = %d, want %d", len(f.calls), tt.wantCalls)
			}
			longest := 0
			for _, c := range f.calls {
				longest = max(longest, len(c))
			}
			if longest != tt.wantMaxLen {
				t.Errorf("largest request = %d entries, want %d", longest, tt.wantMaxLen)
			}
			got := f.userRecords(t)
			if len(got) != tt.n {
				t.Fatalf("stream holds %d user records, want %d", len(got), tt.n)
			}
			if tt.fail == nil {
				for i, d := range got {
					if !strings.HasPrefix(d, fmt.Sprintf(`{"i":%d,`, i)) {
						t.Fatalf("user record %d = %.20s, want record %d (order kept)", i, d, i)
					}
				}
			}
		})
	}
}

func TestKinesisSinkGivesUp(t *testing.T) {
	t.Parallel()
	f := &fakeKinesis{fail: func(int, int) string { return "InternalFailure" }}
	k := newSink(t, f, clock.Real(), func(c *sink.KinesisConfig) { c.PutAttempts = 3 })
	err := k.Write(t.Context(), records(5, 1))
	if err == nil || !strings.Contains(err.Error(), "1 of 1 records not written after 3 attempts") {
		t.Errorf("Write = %v, want an error after 3 attempts", err)
	}
	f = &fakeKinesis{err: func(int) error {
		return &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream out not found"}
	}}
	k = newSink(t, f, clock.Real(), nil)
	if err := k.Write(t.Context(), records(5, 1)); err == nil || !errors.As(err, new(smithy.APIError)) || len(f.calls) != 1 {
		t.Errorf("Write = %v after %d calls, want the API error at once", err, len(f.calls))
	}
}

// TestKinesisSinkRateLimit: at producerRateLimit 100 % over one shard, 3,000
// plain records take at least two seconds of the sink's clock.
func TestKinesisSinkRateLimit(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	start := clk.Now()
	f := &fakeKinesis{shards: 1}
	k := newSink(t, f, clk, func(c *sink.KinesisConfig) { c.AggregationEnabled = false; c.ProducerRateLimit = 100 })
	done := make(chan error, 1)
	go func() { done <- k.Write(context.Background(), records(3000, 1)) }()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := clk.Now().Sub(start); got < 2*time.Second {
				t.Errorf("3000 records at 1000/s took %v of the clock, want at least 2s", got)
			}
			return
		default:
			if clk.Waiters() > 0 {
				clk.Advance(100 * time.Millisecond)
			} else {
				time.Sleep(time.Millisecond)
			}
		}
	}
}

func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	cols := []record.Column{{Name: "id", Type: record.Bigint}, {Name: "name", Type: record.String}, {Name: "gone", Type: record.Double}}
	row := []record.Value{{Type: record.Bigint, I: 7}, {Type: record.String, S: `a "b"`}, {}}
	if got, want := string(sink.EncodeJSON(nil, cols, row)), `{"id":7,"name":"a \"b\"","gone":null}`; got != want {
		t.Errorf("EncodeJSON = %s, want %s", got, want)
	}
	if a, b := sink.DerivedPartitionKey("x", 1), sink.DerivedPartitionKey("x", 1); a != b || a == sink.DerivedPartitionKey("x", 2) {
		t.Errorf("DerivedPartitionKey: %q, %q; want stable per row and different across rows", a, b)
	}
}
