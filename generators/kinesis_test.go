package generators

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamcheck/streamcheck/internal/kpl"
)

// fakeKinesis is a PutRecords endpoint that keeps what it accepted and
// refuses records or whole calls as a test scripts it.
type fakeKinesis struct {
	t        *testing.T
	mu       sync.Mutex
	seed     uint64
	throttle float64 // share of sends refused with ProvisionedThroughputExceededException
	// sends counts the sends of each record (by key and data). Whether a
	// send is throttled depends only on the record, its send number and the
	// seed, never on how producers interleave, so a test's outcome is fixed.
	sends map[string]int
	// callErr, when set, may answer call n (from 0) with an error; applied
	// says whether the records were stored first.
	callErr func(n int) (err error, applied bool)
	calls   int
	stored  []storedRecord
	seq     int
	// sameKeyInCall counts calls that carried two records of one key.
	sameKeyInCall int
}

type storedRecord struct {
	pk, sha, seq string
	data         []byte
}

func apiError(status int, code string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "scripted"},
	}
}

func (f *fakeKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.calls
	f.calls++
	size := 0
	keys := map[string]bool{}
	dup := false
	for _, e := range in.Records {
		size += len(e.Data) + len(*e.PartitionKey)
		if len(e.Data)+len(*e.PartitionKey) > KinesisMaxRecordBytes {
			return nil, apiError(400, "ValidationException")
		}
		dup = dup || keys[*e.PartitionKey]
		keys[*e.PartitionKey] = true
	}
	if dup {
		f.sameKeyInCall++
	}
	if len(in.Records) > KinesisMaxBatchRecords || size > KinesisMaxBatchBytes {
		f.t.Errorf("PutRecords with %d records, %d bytes: over the limits", len(in.Records), size)
		return nil, apiError(400, "InvalidArgumentException")
	}
	var callErr error
	applied := false
	if f.callErr != nil {
		callErr, applied = f.callErr(n)
		if callErr != nil && !applied {
			return nil, callErr
		}
	}
	out := &kinesis.PutRecordsOutput{}
	for _, e := range in.Records {
		if callErr == nil && f.throttled(e) {
			out.Records = append(out.Records, types.PutRecordsResultEntry{
				ErrorCode: aws.String("ProvisionedThroughputExceededException"), ErrorMessage: aws.String("Rate exceeded for shard")})
			out.FailedRecordCount = aws.Int32(aws.ToInt32(out.FailedRecordCount) + 1)
			continue
		}
		f.seq++
		sum := sha256.Sum256(e.Data)
		sn := strconv.Itoa(1000000 + f.seq)
		f.stored = append(f.stored, storedRecord{pk: *e.PartitionKey, sha: hex.EncodeToString(sum[:]), seq: sn, data: e.Data})
		out.Records = append(out.Records, types.PutRecordsResultEntry{ShardId: aws.String("shardId-000000000000"), SequenceNumber: aws.String(sn)})
	}
	if callErr != nil {
		return nil, callErr
	}
	return out, nil
}

// maxThrottles is how many sends of one record the fake throttles at most,
// well under DefaultMaxAttempts, so a record is always acknowledged in the
// end.
const maxThrottles = 4

// throttled decides whether this send of e is refused: a hash of the seed,
// the record and its send number, compared with the throttle share.
func (f *fakeKinesis) throttled(e types.PutRecordsRequestEntry) bool {
	if f.throttle == 0 {
		return false
	}
	if f.sends == nil {
		f.sends = map[string]int{}
	}
	id := *e.PartitionKey + "\x00" + string(e.Data)
	n := f.sends[id]
	f.sends[id]++
	if n >= maxThrottles {
		return false
	}
	h := fnv.New64a()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], f.seed)
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	h.Write(b[:])
	h.Write([]byte(id))
	return float64(h.Sum64()>>11)/(1<<53) < f.throttle
}

func runFake(t *testing.T, f *fakeKinesis, src SourceConfig, count int64, ordered bool) (Summary, []LedgerRow) {
	t.Helper()
	s, err := NewSource(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := CreateLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	sink := &KinesisSink{Client: f, Stream: "s", Ordered: ordered, BaseBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, Seed: 1}
	sum, err := Run(t.Context(), RunConfig{Source: s, Sink: sink, Count: count, Ledger: l})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != count {
		t.Fatalf("ledger has %d rows, want %d", len(rows), count)
	}
	for i, r := range rows {
		if r.Seq != int64(i) {
			t.Fatalf("ledger row %d has seq %d: want rows in seq order", i, r.Seq)
		}
	}
	return sum, rows
}

// checkAcked reports the first ledger row that disagrees with what the
// stream stored: every ack row stored once under its sequence number with
// its payload, and nothing stored that no ack row or unknown row accounts for.
func checkAcked(rows []LedgerRow, stored []storedRecord) error {
	bySeq := map[string]storedRecord{}
	for _, s := range stored {
		bySeq[s.seq] = s
	}
	unknown := 0
	for _, r := range rows {
		switch r.Outcome {
		case OutcomeAck:
			s, ok := bySeq[r.SequenceNumber]
			if !ok || s.sha != r.PayloadSHA256 || s.pk != r.PartitionKey {
				return fmt.Errorf("seq %d acknowledged as %q, but the stream holds %+v", r.Seq, r.SequenceNumber, s)
			}
			delete(bySeq, r.SequenceNumber)
		case OutcomeUnknown:
			unknown++
		}
	}
	if len(bySeq) > unknown {
		return fmt.Errorf("the stream holds %d records no ack row accounts for (and %d unknown rows)", len(bySeq), unknown)
	}
	return nil
}

func TestCheckAckedRejects(t *testing.T) {
	rows := []LedgerRow{{Seq: 0, Outcome: OutcomeAck, SequenceNumber: "1", PayloadSHA256: "a", PartitionKey: "k"}}
	if err := checkAcked(rows, []storedRecord{{pk: "k", sha: "a", seq: "1"}}); err != nil {
		t.Errorf("checkAcked of a matching ledger: %v", err)
	}
	for name, stored := range map[string][]storedRecord{
		"missing":   nil,
		"other sha": {{pk: "k", sha: "b", seq: "1"}},
		"extra":     {{pk: "k", sha: "a", seq: "1"}, {pk: "k", sha: "a", seq: "2"}},
	} {
		if err := checkAcked(rows, stored); err == nil {
			t.Errorf("checkAcked accepted a stream with a record %s", name)
		}
	}
}

func TestKinesisSinkRetriesThrottled(t *testing.T) {
	f := &fakeKinesis{t: t, seed: 1, throttle: 0.3}
	sum, rows := runFake(t, f, SourceConfig{Dataset: Ventilator(), Seed: 1, Producers: 2}, 3000, false)
	if sum.Acked != 3000 || sum.Failed != 0 || sum.Unknown != 0 {
		t.Errorf("summary %+v: want all 3000 acknowledged", sum)
	}
	if sum.Throttled == 0 || sum.Retries == 0 {
		t.Errorf("throttled %d, retries %d: want both above 0 with 30%% of sends refused", sum.Throttled, sum.Retries)
	}
	retried := 0
	for _, r := range rows {
		if r.Attempts > 1 {
			retried++
		}
		if r.SentAtMs == 0 || r.AckedAtMs < r.SentAtMs || r.Target != "kinesis://s" || r.Partition != -1 || r.Offset != -1 {
			t.Fatalf("row %+v: want sent and acked times, target kinesis://s, partition and offset -1", r)
		}
	}
	if retried == 0 {
		t.Error("no row took more than one attempt")
	}
	if err := checkAcked(rows, f.stored); err != nil {
		t.Error(err)
	}
}

func TestKinesisSinkOrderedPerKey(t *testing.T) {
	inversions := func(rows []LedgerRow, stored []storedRecord) int {
		pos := map[string]int{}
		for i, s := range stored {
			pos[s.seq] = i
		}
		last := map[string]int{}
		n := 0
		for _, r := range rows {
			p := pos[r.SequenceNumber]
			if l, ok := last[r.PartitionKey]; ok && p < l {
				n++
			}
			last[r.PartitionKey] = p
		}
		return n
	}
	src := SourceConfig{Dataset: Ventilator(), Seed: 2}
	f := &fakeKinesis{t: t, seed: 3, throttle: 0.3}
	_, rows := runFake(t, f, src, 2000, true)
	if n := inversions(rows, f.stored); n != 0 || f.sameKeyInCall != 0 {
		t.Errorf("ordered: %d records stored before an earlier one of their key, %d calls with two records of one key; want 0 and 0", n, f.sameKeyInCall)
	}
	if err := checkAcked(rows, f.stored); err != nil {
		t.Error(err)
	}
	// Without ordering, the same throttling reorders keys: the check above
	// can fail.
	f = &fakeKinesis{t: t, seed: 3, throttle: 0.3}
	_, rows = runFake(t, f, src, 2000, false)
	if n := inversions(rows, f.stored); n == 0 {
		t.Error("unordered: no key out of order; the ordering check cannot fail")
	}
}

func TestKinesisSinkOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		callErr  func(n int) (error, bool)
		outcome  string
		attempts int32
		errHas   string
	}{
		{"5xx then success", func(n int) (error, bool) {
			if n < 2 {
				return apiError(503, "ServiceUnavailable"), false
			}
			return nil, false
		}, OutcomeAck, 3, ""},
		{"throttled request then success", func(n int) (error, bool) {
			if n == 0 {
				return apiError(400, "ProvisionedThroughputExceededException"), false
			}
			return nil, false
		}, OutcomeAck, 2, ""},
		{"validation error is final", func(int) (error, bool) { return apiError(400, "ValidationException"), false }, OutcomeFailed, 1, "ValidationException"},
		{"throttled until giving up", func(int) (error, bool) {
			return apiError(400, "ProvisionedThroughputExceededException"), false
		}, OutcomeFailed, 3, "gave up after 3 attempts"},
		{"no answer after applying", func(int) (error, bool) {
			return &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}, true
		}, OutcomeUnknown, 1, "connection reset"},
		{"timeout", func(int) (error, bool) { return context.DeadlineExceeded, false }, OutcomeUnknown, 1, "deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeKinesis{t: t, callErr: tc.callErr}
			sink := &KinesisSink{Client: f, Stream: "s", MaxAttempts: 3, BaseBackoff: time.Millisecond, Seed: 1}
			s, _ := NewSource(SourceConfig{Dataset: Ventilator()})
			batch := make([]*Attempt, 10)
			w := s.NewWorker()
			for i := range batch {
				r, _ := w.Record(int64(i))
				batch[i] = &Attempt{Record: r}
			}
			if err := sink.Send(t.Context(), batch, &Stats{}); err != nil {
				t.Fatal(err)
			}
			for _, a := range batch {
				if a.Row.Outcome != tc.outcome || a.Row.Attempts != tc.attempts || !strings.Contains(a.Row.Error, tc.errHas) {
					t.Fatalf("record %d: outcome %q, attempts %d, error %q; want %q, %d, error containing %q",
						a.Seq, a.Row.Outcome, a.Row.Attempts, a.Row.Error, tc.outcome, tc.attempts, tc.errHas)
				}
			}
		})
	}
}

func TestKinesisSinkOversizeGoesAlone(t *testing.T) {
	f := &fakeKinesis{t: t}
	src := SourceConfig{Dataset: Ventilator(), Seed: 4, Malformed: 0.05, MalformedOnly: []string{MalformedOversize}}
	sum, rows := runFake(t, f, src, 400, false)
	over := 0
	for _, r := range rows {
		if r.Malformed == MalformedOversize {
			over++
			if r.Outcome != OutcomeFailed || !strings.Contains(r.Error, "ValidationException") {
				t.Errorf("oversize row %d: outcome %q error %q, want failed with ValidationException", r.Seq, r.Outcome, r.Error)
			}
		} else if r.Outcome != OutcomeAck {
			t.Errorf("row %d: outcome %q, want ack: an oversize record must not sink its batch", r.Seq, r.Outcome)
		}
	}
	if over == 0 || sum.Failed != int64(over) {
		t.Errorf("%d oversize rows, %d failed; want some, all of them failed", over, sum.Failed)
	}
}

// TestKinesisSinkKPLAggregate sends KPL aggregates of up to 10 records,
// with throttling: every Kinesis record is an aggregate, every ledger row
// names the aggregate that carried its record, and each record is in
// exactly one stored aggregate, in order.
func TestKinesisSinkKPLAggregate(t *testing.T) {
	t.Parallel()
	f := &fakeKinesis{t: t, seed: 3, throttle: 0.2}
	src, err := NewSource(SourceConfig{Dataset: Ventilator(), Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := CreateLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	sink := &KinesisSink{Client: f, Stream: "s", BaseBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, Seed: 1, Aggregate: 10}
	if _, err := Run(t.Context(), RunConfig{Source: src, Sink: sink, Count: 300, Ledger: l}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadLedger(path)
	if err != nil || len(rows) != 300 {
		t.Fatalf("ledger: %d rows, %v; want 300", len(rows), err)
	}
	inAggregate := map[string]map[string]int{} // sequence number -> payload sha -> count
	for _, s := range f.stored {
		recs, err := kpl.Deaggregate(s.data)
		if err != nil {
			t.Fatalf("stored record %s: %v", s.seq, err)
		}
		if len(recs) > 10 {
			t.Errorf("stored record %s holds %d user records, want at most 10", s.seq, len(recs))
		}
		inAggregate[s.seq] = map[string]int{}
		for _, r := range recs {
			sum := sha256.Sum256(r.Data)
			inAggregate[s.seq][hex.EncodeToString(sum[:])]++
		}
	}
	if len(f.stored) < 30 {
		t.Errorf("%d Kinesis records for 300 user records in aggregates of 10, want at least 30", len(f.stored))
	}
	for _, r := range rows {
		if r.Outcome != OutcomeAck {
			t.Fatalf("row %d: outcome %s (%s), want ack", r.Seq, r.Outcome, r.Error)
		}
		if inAggregate[r.SequenceNumber][r.PayloadSHA256] != 1 {
			t.Errorf("row %d: its payload is not in aggregate %s once", r.Seq, r.SequenceNumber)
		}
	}
}
