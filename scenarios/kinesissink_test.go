package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// TestKinesisSinkDuplicatesAfterCrash is the Kinesis sink's restart test in
// phases. Phase 1: the engine reads one stream and writes another through
// sink.kind kinesis (KPL aggregation on, Glue's default), and dies after
// batch 1's records are in the output stream but before its commit. Phase
// 2: a new engine replays batch 1 and goes on to the end. Verify, reading
// the output stream back with KPL aggregates unpacked, must find every
// record, and batch 1's records twice: at least once, as documented, with
// each duplicate an exact copy of the first (the replay is deterministic).
func TestKinesisSinkDuplicatesAfterCrash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stack, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithSeed(5))
	if err != nil {
		t.Fatalf("start stack: %v", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	kc := stack.KinesisClient()
	for _, s := range []string{"readings-in", "readings-out"} {
		if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(s), ShardCount: aws.Int32(2)}); err != nil {
			t.Fatalf("CreateStream %s: %v", s, err)
		}
		if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(s)}, 10*time.Second); err != nil {
			t.Fatalf("wait for %s: %v", s, err)
		}
	}
	const total = 400
	dir := t.TempDir()
	var ledger []string
	for from := 0; from < total; from += 100 {
		var entries []ktypes.PutRecordsRequestEntry
		for i := from; i < from+100; i++ {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)),
				Data: fmt.Appendf(nil, `{"ventilatorid":%d,"eventtime":"2026-11-22 13:00:00","serialnumber":"SN-%06d","pressurecontrol":%d,"o2stats":2,"minutevolume":3,"manufacturer":"GE"}`, i%50, i, i)})
			b, _ := json.Marshal(map[string]any{"seq": i, "key": fmt.Sprintf("SN-%06d", i), "partition_key": fmt.Sprint(i), "payload_sha256": "00",
				"duplicate_of": -1, "outcome": "ack", "attempts": 1, "partition": -1, "offset": -1, "acked_at_ms": time.Now().UnixMilli()})
			ledger = append(ledger, string(b))
		}
		if out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("readings-in"), Records: entries}); err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v", err)
		}
	}
	ledgerPath := filepath.Join(dir, "ledger.jsonl")
	if err := os.WriteFile(ledgerPath, []byte(strings.Join(ledger, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	j := enginetest.VentilatorJob()
	j.Name = "kinesis-sink"
	j.Source.StreamName = "readings-in"
	j.Options.StartingPosition = "trim_horizon"
	j.Options.MaxFetchRecordsPerShard = 40
	j.ForEachBatch.WindowSize = engine.Duration(50 * time.Millisecond)
	j.ForEachBatch.CheckpointLocation = filepath.Join(dir, "cp")
	j.Sink.Kind, j.Sink.Path = engine.SinkKinesis, ""
	j.Sink.Kinesis.StreamName = "readings-out"
	j.Sink.Kinesis.PartitionKey = "serialnumber"
	j.Sink.Kinesis.AggregationMaxCount = 25 // several aggregates per batch
	j.Sink.DeadLetterPath = filepath.Join(dir, "dlq")
	run := func(opts ...engine.Option) error {
		e, err := engine.New(j, append([]engine.Option{engine.WithAWSConfig(stack.AWSConfig)}, opts...)...)
		if err != nil {
			t.Fatalf("engine.New: %v", err)
		}
		return e.Run(ctx)
	}

	// Phase 1: die after batch 1's records are sent, before its commit.
	if err := run(engine.WithCrashPoint(engine.CrashAfterSink(1)), engine.WithUntilIdle()); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("phase 1 Run = %v, want ErrCrashed", err)
	}
	sentBeforeRestart := len(readUserRecords(t, kc, "readings-out"))
	// Phase 2: replay batch 1, then the rest.
	if err := run(engine.WithUntilIdle()); err != nil {
		t.Fatalf("phase 2 Run: %v", err)
	}

	rep, err := assertions.Verify(ctx, assertions.Config{Output: "kinesis://readings-out", Kinesis: kc, Ledger: ledgerPath,
		KeyColumn: "serialnumber", TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var d assertions.Result
	for _, r := range rep.Results {
		if r.Check == assertions.CheckDelivery {
			d = r
		}
	}
	batch1 := int64(sentBeforeRestart) - batch0Size(t, j.ForEachBatch.CheckpointLocation)
	if lost := d.Count("lost"); lost != 0 {
		t.Errorf("verify: %d records lost, want none", lost)
	}
	if dup := d.Count("duplicated"); dup == 0 || dup != batch1 {
		t.Errorf("verify: %d duplicated, want batch 1's %d records (sent before the crash and again by the replay)", dup, batch1)
	}
	if rep.OK {
		t.Errorf("verify passed, want it to report the duplicates")
	}
	t.Logf("the Kinesis sink after a crash: %d records, %d duplicated (batch 1), 0 lost", total, d.Count("duplicated"))

	// Every copy of a record is the same bytes: the replay sent what the
	// first attempt sent.
	copies := map[string]map[string]bool{}
	for _, r := range readUserRecords(t, kc, "readings-out") {
		var row struct{ Serialnumber string }
		if err := json.Unmarshal(r, &row); err != nil {
			t.Fatalf("output record %s: %v", r, err)
		}
		if copies[row.Serialnumber] == nil {
			copies[row.Serialnumber] = map[string]bool{}
		}
		copies[row.Serialnumber][string(r)] = true
	}
	for k, v := range copies {
		if len(v) != 1 {
			t.Errorf("record %s has %d different copies, want one (a deterministic replay)", k, len(v))
		}
	}
}

// batch0Size returns how many rows batch 0 committed.
func batch0Size(t *testing.T, cp string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cp, "commits", "0"))
	if err != nil {
		t.Fatalf("read commit of batch 0: %v", err)
	}
	var c struct {
		NumRecords int64 `json:"num_records"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("commit of batch 0 %q: %v", b, err)
	}
	return c.NumRecords
}

// readUserRecords reads every user record of a stream, aggregates unpacked.
func readUserRecords(t *testing.T, kc *kinesis.Client, stream string) [][]byte {
	t.Helper()
	shards, err := kc.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	var out [][]byte
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(t.Context(), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		iter := it.ShardIterator
		for iter != nil {
			res, err := kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			for _, r := range res.Records {
				if !kpl.IsAggregate(r.Data) {
					out = append(out, r.Data)
					continue
				}
				users, err := kpl.Deaggregate(r.Data)
				if err != nil {
					t.Fatalf("Deaggregate: %v", err)
				}
				for _, u := range users {
					out = append(out, u.Data)
				}
			}
			if len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0 {
				break
			}
			iter = res.NextShardIterator
		}
	}
	return out
}
