package generators

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

// kinesisRun starts an emulator, creates a stream and runs src into it.
func kinesisRun(t *testing.T, src SourceConfig, count int64, ledgerName string, opts []kinesisfake.Option, rules ...fault.Rule) (*kinesisfake.Server, *kinesis.Client, Summary, []LedgerRow) {
	t.Helper()
	srv, cfg := kinesisfaketest.NewServer(t, opts...)
	client := NewKinesisClient(cfg, srv.URL())
	if err := CreateKinesisStream(t.Context(), client, nil, "ventilatorstream", 2); err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if _, err := srv.Faults().Add(r); err != nil {
			t.Fatal(err)
		}
	}
	s, err := NewSource(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ledgerName)
	l, err := CreateLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	sink := &KinesisSink{Client: client, Stream: "ventilatorstream", BaseBackoff: 20 * time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 20, Seed: src.Seed}
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
	return srv, client, sum, rows
}

// readStream reads every record of every shard from the start.
func readStream(t *testing.T, client *kinesis.Client, stream string) []storedRecord {
	t.Helper()
	ctx := t.Context()
	shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []storedRecord
	for _, sh := range shards.Shards {
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			got, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got.Records {
				sum := sha256.Sum256(r.Data)
				out = append(out, storedRecord{pk: aws.ToString(r.PartitionKey), sha: hex.EncodeToString(sum[:]), seq: aws.ToString(r.SequenceNumber)})
			}
			if len(got.Records) == 0 && aws.ToInt64(got.MillisBehindLatest) == 0 {
				break
			}
			iter = got.NextShardIterator
		}
	}
	return out
}

func TestKinesisEmulatorThrottlingAndDrops(t *testing.T) {
	// The emulator's own per-shard limits (1,000 records/s) throttle
	// single records; the rules add refused and dropped requests.
	limits := kinesisfake.DefaultLimits()
	limits.ShardReadCallsPerSecond = 0
	_, client, sum, rows := kinesisRun(t, SourceConfig{Dataset: Ventilator(), Seed: 8, Producers: 2, Malformed: 0.02, Duplicates: 0.02}, 3000, "ledger.parquet",
		[]kinesisfake.Option{kinesisfake.WithLimits(limits)},
		fault.Rule{Service: fault.ServiceKinesis, Operation: "PutRecords", Skip: 2, Times: 1, Action: fault.ActionDrop},
		fault.Rule{Service: fault.ServiceKinesis, Operation: "PutRecords", Probability: 0.2, Action: fault.ActionError, Code: "ProvisionedThroughputExceededException", Status: 400})
	if len(rows) != 3000 {
		t.Fatalf("ledger has %d rows, want 3000", len(rows))
	}
	if sum.Throttled == 0 || sum.Unknown == 0 || sum.Acked+sum.Unknown+sum.Failed != 3000 {
		t.Errorf("summary %+v: want throttling and some unknown from the dropped request", sum)
	}
	for _, r := range rows {
		if r.Outcome == OutcomeFailed && (r.Malformed != MalformedOversize || !strings.Contains(r.Error, "ValidationException")) {
			t.Errorf("row %d failed with %q: only oversize records may fail, with ValidationException", r.Seq, r.Error)
		}
		if r.Outcome == OutcomeAck && (!strings.HasPrefix(r.ShardID, "shardId-") || r.SequenceNumber == "") {
			t.Fatalf("ack row %+v lacks shard or sequence number", r)
		}
	}
	if err := checkAcked(rows, readStream(t, client, "ventilatorstream")); err != nil {
		t.Error(err)
	}
}

// stripStream blanks what the stream and the timing decide.
func stripStream(rows []LedgerRow) []LedgerRow {
	out := make([]LedgerRow, len(rows))
	for i, r := range rows {
		r.ShardID, r.SequenceNumber, r.SentAtMs, r.AckedAtMs, r.Attempts = "", "", 0, 0, 0
		r.Partition, r.Offset = -1, -1
		out[i] = r
	}
	return out
}

func TestDeterministicRunsBySeed(t *testing.T) {
	src := SourceConfig{Dataset: Payments(), Seed: 99, Producers: 3, Malformed: 0.05, Duplicates: 0.05, Late: 0.1, OversizeBytes: 8192,
		MalformedOnly: []string{MalformedInvalidJSON, MalformedWrongType, MalformedMissing, MalformedInvalidUTF8}}
	opts := []kinesisfake.Option{kinesisfake.WithLimits(kinesisfake.Limits{})}
	_, c1, _, a := kinesisRun(t, src, 2000, "a.jsonl", opts)
	_, c2, _, b := kinesisRun(t, src, 2000, "b.jsonl", opts)
	sa, sb := stripStream(a), stripStream(b)
	for i := range sa {
		if sa[i] != sb[i] {
			t.Fatalf("row %d differs between two runs with seed 99:\n%+v\n%+v", i, sa[i], sb[i])
		}
	}
	// The stored payloads are the same bytes too, in the same per-key order.
	pa, pb := readStream(t, c1, "ventilatorstream"), readStream(t, c2, "ventilatorstream")
	if len(pa) != 2000 || len(pb) != 2000 {
		t.Fatalf("streams hold %d and %d records, want 2000", len(pa), len(pb))
	}
	count := map[string]int{}
	for i := range pa {
		count[pa[i].sha]++
		count[pb[i].sha]--
	}
	for sha, n := range count {
		if n != 0 {
			t.Fatalf("payload %s appears %+d more times in the first run's stream", sha, n)
		}
	}
	// A different seed gives different rows: the comparison can fail.
	src.Seed = 100
	_, _, _, c := kinesisRun(t, src, 10, "c.jsonl", opts)
	if stripStream(c)[0] == sa[0] {
		t.Error("seeds 99 and 100 gave the same first row")
	}
}

func TestKafkaEmulator(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "payments"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	cl, err := NewKafkaClient(cluster.ListenAddrs(), "payments")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	src := SourceConfig{Dataset: Payments(), Seed: 6, Producers: 2, Duplicates: 0.02, Malformed: 0.02,
		MalformedOnly: []string{MalformedInvalidJSON, MalformedWrongType, MalformedMissing, MalformedInvalidUTF8}}
	s, err := NewSource(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := CreateLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(t.Context(), RunConfig{Source: s, Sink: &KafkaSink{Client: cl, Topic: "payments"}, Count: 2000, Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if sum.Acked != 2000 {
		t.Fatalf("summary %+v: want 2000 acknowledged", sum)
	}
	rows, err := ReadLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	type pos struct {
		p int32
		o int64
	}
	want := map[pos]LedgerRow{}
	for _, r := range rows {
		if r.Outcome != OutcomeAck || r.Offset < 0 || r.Partition < 0 || r.Target != "kafka://payments" {
			t.Fatalf("row %+v: want ack with partition, offset and target", r)
		}
		want[pos{r.Partition, r.Offset}] = r
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("payments"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	got := 0
	for got < 2000 {
		fetches := consumer.PollFetches(t.Context())
		if err := fetches.Err(); err != nil {
			t.Fatal(err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			got++
			row, ok := want[pos{r.Partition, r.Offset}]
			sum := sha256.Sum256(r.Value)
			if !ok || row.PayloadSHA256 != hex.EncodeToString(sum[:]) || row.PartitionKey != string(r.Key) {
				t.Fatalf("record at %d/%d does not match its ledger row %+v", r.Partition, r.Offset, row)
			}
		})
	}
}
