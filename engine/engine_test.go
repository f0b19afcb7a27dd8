package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/parquet-go/parquet-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/enginetest"
	"github.com/streamcheck/streamcheck/engine/enginetest/kinesistest"
	"github.com/streamcheck/streamcheck/engine/enginetest/parquetcheck"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
	"github.com/streamcheck/streamcheck/engine/sink"
)

const stream = "ventilatorstream"

// harness is a fake Kinesis (or a kfake Kafka cluster) plus local (or
// fake S3) output for one test.
type harness struct {
	t     testing.TB
	kin   *kinesistest.Fake
	kafka *kfake.Cluster
	prod  *kgo.Client
	dir   string
	cfg   aws.Config
	n     int // records put so far
}

// newKafkaHarness is newHarness over a kfake cluster whose topic has the
// stream's name and the given partitions.
func newKafkaHarness(t testing.TB, partitions int) *harness {
	t.Helper()
	return newKafkaHarnessWith(t, partitions, nil, nil)
}

// newKafkaHarnessWith is newKafkaHarness with options for the cluster and
// the test's producer (SASL, TLS).
func newKafkaHarnessWith(t testing.TB, partitions int, clusterOpts []kfake.Opt, prodOpts []kgo.Opt) *harness {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.SeedTopics(int32(partitions), stream)}, clusterOpts...)...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	prod, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner())}, prodOpts...)...)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	t.Cleanup(prod.Close)
	return &harness{t: t, kafka: c, prod: prod, dir: t.TempDir(), cfg: aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}}
}

// sources runs f against each kind of source, as subtests.
func sources(t *testing.T, shards int, f func(t *testing.T, h *harness)) {
	t.Run("kinesis", func(t *testing.T) { f(t, newHarness(t, shards)) })
	t.Run("kafka", func(t *testing.T) { f(t, newKafkaHarness(t, shards)) })
}

func newHarness(t testing.TB, shards int) *harness {
	t.Helper()
	h := &harness{t: t, kin: kinesistest.New(t, nil), dir: t.TempDir()}
	h.kin.CreateStream(stream, shards)
	h.cfg = aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(h.kin.URL()),
	}
	return h
}

// ventilator returns the i-th ventilator record; every 10th is malformed
// when bad is set.
func ventilator(i int, bad bool) []byte {
	if bad && i%10 == 7 {
		return []byte(fmt.Sprintf(`{"ventilatorid":"not-a-number","serialnumber":"SN-%06d"}`, i))
	}
	if bad && i%10 == 3 {
		return []byte(`{"ventilatorid": 12, "eventtime": `) // truncated JSON
	}
	return []byte(fmt.Sprintf(`{"ventilatorid":%d,"eventtime":"2026-11-22 13:%02d:%02d","serialnumber":"SN-%06d","pressurecontrol":%d,"o2stats":%d,"minutevolume":%d,"manufacturer":"%s"}`,
		i%50, i/60%60, i%60, i, 10+i%30, 90+i%10, 5+i%5, []string{"GE", "Vyaire", "Medtronic"}[i%3]))
}

// put adds n records round-robin over the shards.
func (h *harness) put(n, shards int, bad bool) {
	var recs []*kgo.Record
	for k := 0; k < n; k++ {
		i := h.n
		h.n++
		if h.kafka != nil {
			recs = append(recs, &kgo.Record{Topic: stream, Partition: int32(i % shards), Key: fmt.Appendf(nil, "pk-%d", i), Value: ventilator(i, bad)})
			continue
		}
		h.kin.Put(stream, i%shards, fmt.Sprintf("pk-%d", i), ventilator(i, bad))
	}
	if len(recs) > 0 {
		if err := h.prod.ProduceSync(h.t.Context(), recs...).FirstErr(); err != nil {
			h.t.Fatalf("produce: %v", err)
		}
	}
}

func (h *harness) job() *engine.Job {
	j := enginetest.VentilatorJob()
	j.Source.StreamName = stream
	j.Source.Columns[2].Required = true // serialnumber: a record without one is malformed
	j.Options.StartingPosition = "trim_horizon"
	j.Options.MaxFetchRecordsPerShard = 40
	j.Options.MaxRecordPerRead = 15
	j.ForEachBatch.WindowSize = engine.Duration(5 * time.Millisecond)
	j.ForEachBatch.CheckpointLocation = filepath.Join(h.dir, "cp")
	j.Sink.Path = filepath.Join(h.dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(h.dir, "dlq")
	if h.kafka != nil {
		kafkaJob(j, strings.Join(h.kafka.ListenAddrs(), ","))
		j.Options.MaxOffsetsPerTrigger = 160 // about 40 per partition, as for the shards
	}
	return j
}

// kafkaJob makes j read the stream's topic from brokers, from the earliest
// offsets, polling briefly.
func kafkaJob(j *engine.Job, brokers string) {
	j.Source.Kind, j.Source.StreamName = engine.KindKafka, ""
	j.Options.TopicName = stream
	j.Options.BootstrapServers = brokers
	j.Options.StartingOffsets = "earliest"
	j.Options.PollTimeoutMs = 50
	j.Options.RetryIntervalMs = 10
}

func (h *harness) run(j *engine.Job, opts ...engine.Option) error {
	h.t.Helper()
	opts = append([]engine.Option{engine.WithAWSConfig(h.cfg), engine.WithUntilIdle()}, opts...)
	e, err := engine.New(j, opts...)
	if err != nil {
		h.t.Fatalf("engine.New: %v", err)
	}
	return e.Run(h.t.Context())
}

// files returns the files under dir (relative, sorted) with their content.
func files(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	return out
}

// checkUnchanged fails t for every file of before (from files) whose content
// under dir differs now: a replay must overwrite objects in place with the
// same content, never change or add to them.
func checkUnchanged(t testing.TB, dir string, before map[string][]byte) {
	t.Helper()
	after := files(t, dir)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed on replay", filepath.Join(dir, name))
		}
	}
}

// column reads one column of every Parquet file under dir, as strings.
// Every file is first read by a second Parquet reader (Apache Arrow's, see
// parquetcheck), which must find nothing Spark's reader would reject.
func column(t testing.TB, dir, name string) []string {
	t.Helper()
	var vals []string
	for path, b := range files(t, dir) {
		if !strings.HasSuffix(path, ".parquet") {
			continue
		}
		rep, err := parquetcheck.Check(b)
		if err != nil {
			t.Fatalf("Arrow reader: %s: %v", path, err)
		}
		for _, p := range rep.Problems {
			t.Errorf("%s: %s", path, p)
		}
		f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		idx := -1
		for i, c := range f.Schema().Fields() {
			if c.Name() == name {
				idx = i
			}
		}
		if idx < 0 {
			t.Fatalf("%s has no column %q (schema %s)", path, name, f.Schema())
		}
		r := parquet.NewReader(f)
		rows := make([]parquet.Row, f.NumRows())
		n, err := r.ReadRows(rows)
		if err != nil && n != len(rows) {
			t.Fatalf("read %s: %v", path, err)
		}
		for _, row := range rows[:n] {
			vals = append(vals, row[idx].String())
		}
		r.Close()
	}
	return vals
}

func deadLetters(t testing.TB, dir string) []sink.DeadLetter {
	t.Helper()
	var out []sink.DeadLetter
	for _, b := range files(t, dir) {
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var d sink.DeadLetter
			if err := json.Unmarshal(line, &d); err != nil {
				t.Fatalf("dead letter line %q: %v", line, err)
			}
			out = append(out, d)
		}
	}
	return out
}

// checkOnce fails unless every well-formed record put so far is in the
// output exactly once and every malformed one in the dead letter once.
func (h *harness) checkOnce(bad bool) {
	h.t.Helper()
	got := map[string]int{}
	for _, v := range column(h.t, filepath.Join(h.dir, "out"), "serialnumber") {
		got[v]++
	}
	dead := map[string]int{}
	for _, d := range deadLetters(h.t, filepath.Join(h.dir, "dlq")) {
		pos := d.SequenceNumber
		if h.kafka != nil {
			pos = fmt.Sprintf("%d/%d", d.Partition, d.Offset)
		}
		dead[pos]++
		if d.Error == "" || d.PayloadSHA256 == "" || (d.ShardID == "" && d.Offset < 0) || d.Stream != stream {
			h.t.Errorf("dead letter %+v lacks its error or position", d)
		}
	}
	wantDead := 0
	for i := 0; i < h.n; i++ {
		if bad && (i%10 == 7 || i%10 == 3) {
			wantDead++
			continue
		}
		if k := fmt.Sprintf("SN-%06d", i); got[k] != 1 {
			h.t.Errorf("record %s: in output %d times, want 1", k, got[k])
		}
	}
	if len(got) != h.n-wantDead {
		h.t.Errorf("output has %d distinct keys, want %d", len(got), h.n-wantDead)
	}
	if len(dead) != wantDead {
		h.t.Errorf("dead letter has %d distinct records, want %d", len(dead), wantDead)
	}
	for seq, n := range dead {
		if n != 1 {
			h.t.Errorf("dead letter %s appears %d times, want 1", seq, n)
		}
	}
}

func TestRunWritesEveryRecordOnce(t *testing.T) { sources(t, 4, testRunWritesEveryRecordOnce) }

func testRunWritesEveryRecordOnce(t *testing.T, h *harness) {
	h.put(400, 4, true)
	if err := h.run(h.job()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.checkOnce(true)
	// The output is partitioned by ingest hour, named by batch and
	// checkpoint.
	tok := h.token()
	for path := range files(t, filepath.Join(h.dir, "out")) {
		n, ok := sink.ParseObjectName(filepath.Base(path))
		if !strings.HasPrefix(path, "ingest_year=") || !strings.Contains(path, "/ingest_hour=") || !ok || n.Index != 0 || n.Token != tok || n.Ext != "snappy.parquet" {
			t.Errorf("output object %s: want ingest_year=.../ingest_hour=HH/part-NNNNNNNN-00000-%s.snappy.parquet", path, tok)
		}
	}
}

// namedCrashPoint is a crash point with a name for a subtest.
type namedCrashPoint struct {
	name string
	cp   engine.CrashPoint
}

// crashPoints are the crash points of batch 1, in the order a batch meets
// them.
var crashPoints = []namedCrashPoint{
	{"after-plan", engine.CrashAfterPlan(1)},
	{"in-sink:0", engine.CrashInSinkAfter(1, 0)},
	{"in-sink:1", engine.CrashInSinkAfter(1, 1)},
	{"after-sink", engine.CrashAfterSink(1)},
	{"after-commit", engine.CrashAfterCommit(1)},
}

// crashThenRestart puts 300 records, runs j until it crashes at cp (opts
// apply to that run), puts 100 more and runs j again: every record must
// be written once, and no object of the first run changed.
func (h *harness) crashThenRestart(t *testing.T, j *engine.Job, cp engine.CrashPoint, opts ...engine.Option) {
	t.Helper()
	h.put(300, 4, true)
	err := h.run(j, append([]engine.Option{engine.WithCrashPoint(cp)}, opts...)...)
	if !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: got %v, want ErrCrashed", err)
	}
	before := files(t, filepath.Join(h.dir, "out"))
	h.put(100, 4, true) // more arrives while the engine is down
	if err := h.run(j); err != nil {
		t.Fatalf("restart: %v", err)
	}
	h.checkOnce(true)
	checkUnchanged(t, filepath.Join(h.dir, "out"), before)
}

func TestCrashPointsThenRestartYieldEachRecordOnce(t *testing.T) {
	for _, tc := range append(crashPoints[:len(crashPoints):len(crashPoints)], namedCrashPoint{"after-plan of the first batch", engine.CrashAfterPlan(-1)}) {
		t.Run(tc.name, func(t *testing.T) {
			sources(t, 4, func(t *testing.T, h *harness) { h.crashThenRestart(t, h.job(), tc.cp) })
		})
	}
}

func TestReplayWritesThePlannedObjects(t *testing.T) {
	h := newHarness(t, 2)
	h.put(100, 2, true)
	if err := h.run(h.job(), engine.WithCrashPoint(engine.CrashAfterPlan(0))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: got %v, want ErrCrashed", err)
	}
	var plan checkpoint.Offsets
	b, err := os.ReadFile(filepath.Join(h.dir, "cp", "offsets", "0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Objects) != 1 || len(plan.DeadLetterObjects) != 1 {
		t.Fatalf("plan has objects %v and dead letters %v, want one of each", plan.Objects, plan.DeadLetterObjects)
	}
	if got := files(t, filepath.Join(h.dir, "out")); len(got) != 0 {
		t.Fatalf("output after a crash after planning: %v, want none", got)
	}
	if err := h.run(h.job()); err != nil {
		t.Fatalf("restart: %v", err)
	}
	for _, o := range append(plan.Objects, plan.DeadLetterObjects...) {
		if _, err := os.Stat(o); err != nil {
			t.Errorf("planned object %s: %v", o, err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, "cp", "commits", "0")); err != nil {
		t.Errorf("commit of the replayed batch: %v", err)
	}
	h.checkOnce(true)
}

func TestAtLeastOnceDuplicatesAfterSinkCrash(t *testing.T) {
	h := newHarness(t, 2)
	h.put(100, 2, false)
	j := h.job()
	j.Delivery = engine.AtLeastOnce
	if err := h.run(j, engine.WithCrashPoint(engine.CrashAfterSink(0))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: got %v, want ErrCrashed", err)
	}
	if err := h.run(j); err != nil {
		t.Fatalf("restart: %v", err)
	}
	got := map[string]int{}
	for _, v := range column(t, filepath.Join(h.dir, "out"), "serialnumber") {
		got[v]++
	}
	dups := 0
	for _, n := range got {
		if n > 1 {
			dups++
		}
	}
	if dups == 0 {
		t.Errorf("at-least-once after a crash after the sink: no duplicates, want the first batch twice")
	}
	if len(got) != 100 {
		t.Errorf("distinct records %d, want 100", len(got))
	}
	for path := range files(t, filepath.Join(h.dir, "out")) {
		if base := filepath.Base(path); len(base) != len("part-00000000-0000-0000-0000-000000000000.snappy.parquet") {
			t.Errorf("at-least-once object %s: want part-<uuid>.snappy.parquet", base)
		}
	}
}

func TestSecondEngineIsRefused(t *testing.T) {
	h := newHarness(t, 1)
	h.put(10, 1, false)
	j := h.job()
	j.ForEachBatch.WindowSize = engine.Duration(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	first, err := engine.New(j, engine.WithAWSConfig(h.cfg))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(h.dir, "cp", "commits", "0")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first engine committed no batch")
		}
		time.Sleep(5 * time.Millisecond)
	}
	err = h.run(j)
	if !errors.Is(err, checkpoint.ErrLocked) {
		t.Errorf("second engine: got %v, want checkpoint.ErrLocked", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("first engine: %v", err)
	}
	// After a clean shutdown the lease is released: the next engine starts.
	h.put(10, 1, false)
	if err := h.run(j); err != nil {
		t.Fatalf("engine after a clean shutdown: %v", err)
	}
	h.checkOnce(false)
}

func TestReshardingDrainsParentsFirst(t *testing.T) {
	h := newHarness(t, 1)
	h.put(60, 1, false)
	a, b := h.kin.Split(stream, "shardId-000000000000")
	for i := 0; i < 60; i++ {
		id := a
		if i%2 == 1 {
			id = b
		}
		h.kin.PutShard(stream, id, "k", ventilator(h.n, false))
		h.n++
	}
	h.kin.PageSize = 1 // exercise ListShards pagination
	j := h.job()
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.checkOnce(false)
	// The parent's last records are in an earlier batch than any child's.
	parentEnd, childStart := int64(-1), int64(1<<62)
	for name, data := range files(t, filepath.Join(h.dir, "cp", "offsets")) {
		var o checkpoint.Offsets
		if err := json.Unmarshal(data, &o); err != nil {
			t.Fatalf("offsets/%s: %v", name, err)
		}
		for _, s := range o.Shards {
			if s.Records == 0 {
				continue
			}
			if s.ShardID == "shardId-000000000000" {
				parentEnd = max(parentEnd, o.BatchID)
			} else {
				childStart = min(childStart, o.BatchID)
			}
		}
	}
	if parentEnd < 0 || childStart <= parentEnd {
		t.Errorf("parent read up to batch %d, children from batch %d: want children strictly after", parentEnd, childStart)
	}
}

func TestThrottlingAndExpiredIteratorsAreRetried(t *testing.T) {
	h := newHarness(t, 2)
	h.put(100, 2, false)
	h.kin.Throttle(2)
	j := h.job()
	j.Options.RetryIntervalMs = 1
	j.Options.MaxRetryIntervalMs = 2
	if err := h.run(j, engine.WithCrashPoint(engine.CrashAfterCommit(0))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: %v", err)
	}
	h.kin.ExpireIterators()
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.checkOnce(false)
}

// inS3 points j's output, dead letters and checkpoint at out/, dlq/ and
// cp/ in bucket on the S3 endpoint url.
func inS3(j *engine.Job, url, bucket string) {
	j.Sink.Endpoint = url
	j.Sink.Path = "s3://" + bucket + "/out"
	j.Sink.DeadLetterPath = "s3://" + bucket + "/dlq"
	j.ForEachBatch.CheckpointLocation = "s3://" + bucket + "/cp"
}

func TestS3Sink(t *testing.T) { sources(t, 2, testS3Sink) }

func testS3Sink(t *testing.T, h *harness) {
	s3 := s3test.New(t)
	h.put(120, 2, true)
	j := h.job()
	j.Sink.Endpoint = s3.URL()
	j.Sink.Path = "s3://ventilator-output/ventilator_metrics"
	j.Sink.DeadLetterPath = "s3://ventilator-output/deadletter"
	j.ForEachBatch.CheckpointLocation = "s3://ventilator-output/cp"
	if err := h.run(j, engine.WithCrashPoint(engine.CrashInSinkAfter(1, 1))); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first run: %v", err)
	}
	if err := h.run(j); err != nil {
		t.Fatalf("restart: %v", err)
	}
	// Mirror the bucket to disk and check it as for local output.
	for _, k := range s3.Keys("ventilator-output", "") {
		b, _ := s3.Object("ventilator-output", k)
		dst := filepath.Join(h.dir, strings.Replace(strings.Replace(k, "ventilator_metrics", "out", 1), "deadletter", "dlq", 1))
		_ = os.MkdirAll(filepath.Dir(dst), 0o755)
		_ = os.WriteFile(dst, b, 0o644)
	}
	h.checkOnce(true)
	if keys := s3.Keys("ventilator-output", "cp/commits/"); len(keys) == 0 {
		t.Errorf("no commits in the S3 checkpoint")
	}
}

func TestPartitionByColumns(t *testing.T) {
	h := newHarness(t, 1)
	h.put(30, 1, false)
	j := h.job()
	j.Sink.Partitioning = engine.PartitionByColumns
	j.Sink.PartitionKeys = []string{"manufacturer"}
	j.Options.MaxFetchRecordsPerShard = 1000
	if err := h.run(j, engine.WithInstanceID("0badcafe-0000-4000-8000-000000000000")); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []string
	for path := range files(t, filepath.Join(h.dir, "out")) {
		got = append(got, path)
	}
	sort.Strings(got)
	want := []string{
		"manufacturer=GE/part-00000000-00000-0badcafe.snappy.parquet",
		"manufacturer=Medtronic/part-00000000-00001-0badcafe.snappy.parquet",
		"manufacturer=Vyaire/part-00000000-00002-0badcafe.snappy.parquet",
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("objects:\n got %v\nwant %v", got, want)
	}
}

// TestPartitionByTwoColumns: by a string and an integer column, each of
// the 150 paths holds exactly the two records whose values it names.
func TestPartitionByTwoColumns(t *testing.T) {
	h := newHarness(t, 2)
	h.put(300, 2, false)
	j := h.job()
	j.Sink.Partitioning = engine.PartitionByColumns
	j.Sink.PartitionKeys = []string{"manufacturer", "ventilatorid"}
	j.Options.MaxFetchRecordsPerShard = 1000
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	out := filepath.Join(h.dir, "out")
	dirs := map[string]bool{}
	for path := range files(t, out) {
		dirs[filepath.Dir(path)] = true
	}
	if len(dirs) != 150 {
		t.Errorf("got %d partition paths, want 150 (3 manufacturers × 50 ventilators, as the records pair them)", len(dirs))
	}
	for dir := range dirs {
		var maker string
		var id int
		if _, err := fmt.Sscanf(strings.Replace(dir, "/", " ", 1), "manufacturer=%s ventilatorid=%d", &maker, &id); err != nil {
			t.Fatalf("path %q: %v", dir, err)
		}
		sns := column(t, filepath.Join(out, dir), "serialnumber")
		if len(sns) != 2 {
			t.Errorf("%s: %d records, want 2", dir, len(sns))
		}
		for _, sn := range sns {
			var i int
			if _, err := fmt.Sscanf(sn, "SN-%d", &i); err != nil {
				t.Fatalf("%s: serial number %q: %v", dir, sn, err)
			}
			if got := fmt.Sprintf("manufacturer=%s/ventilatorid=%d", []string{"GE", "Vyaire", "Medtronic"}[i%3], i%50); got != dir {
				t.Errorf("record %s is under %s, want %s", sn, dir, got)
			}
		}
	}
	h.checkOnce(false)
}

// recorder is a testing.TB that records failures instead of reporting them,
// to show that a checker rejects a bad case.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(string, ...any)     { r.failed = true }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = true; r.TB.Fatalf(f, a...) }

func TestCheckOnceRejectsDuplicatesAndLosses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(first, dlq string) error
	}{
		{"duplicate object", func(first, _ string) error {
			b, _ := os.ReadFile(first)
			return os.WriteFile(filepath.Join(filepath.Dir(first), "part-duplicate.snappy.parquet"), b, 0o644)
		}},
		{"lost object", func(first, _ string) error { return os.Remove(first) }},
		{"lost dead letter", func(_, dlq string) error { return os.RemoveAll(dlq) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 1)
			h.put(30, 1, true)
			if err := h.run(h.job()); err != nil {
				t.Fatal(err)
			}
			h.checkOnce(true) // the real output passes
			out := filepath.Join(h.dir, "out")
			var first string
			for name := range files(t, out) {
				first = filepath.Join(out, name)
			}
			if err := tc.spoil(first, filepath.Join(h.dir, "dlq")); err != nil {
				t.Fatal(err)
			}
			r := &recorder{TB: t}
			bad := *h
			bad.t = r
			bad.checkOnce(true)
			if !r.failed {
				t.Errorf("checkOnce accepted output with a %s", tc.name)
			}
		})
	}
}

// The Kinesis source asks for GetRecords in CBOR unless told otherwise,
// and reads in JSON for good, after a warning, once an endpoint answers in
// a CBOR that is not AWS's (kinesalite's Data as base64 text). The output
// is the same every way.
func TestGetRecordsWireFormats(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []engine.Option
		env        string // AWS_CBOR_DISABLE
		dataAsText bool
		cbor, json bool // GetRecords calls in CBOR, in JSON
		warn       bool
	}{
		{name: "CBOR by default", cbor: true},
		{name: "JSON by option", opts: []engine.Option{engine.WithGetRecordsJSON()}, json: true},
		{name: "JSON by AWS_CBOR_DISABLE", env: "true", json: true},
		{name: "AWS_CBOR_DISABLE=false", env: "false", cbor: true},
		{name: "a CBOR not AWS's falls back to JSON", dataAsText: true, cbor: true, json: true, warn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_CBOR_DISABLE", tc.env) // "" as if unset, whatever the environment says
			h := newHarness(t, 2)
			h.kin.CBORDataAsText = tc.dataAsText
			h.put(100, 2, true)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			if err := h.run(h.job(), append(tc.opts, engine.WithLogger(log))...); err != nil {
				t.Fatalf("Run: %v", err)
			}
			h.checkOnce(true)
			all, inCBOR := h.kin.Calls("GetRecords"), h.kin.CBORCalls("GetRecords")
			if gotCBOR, gotJSON := inCBOR > 0, all > inCBOR; gotCBOR != tc.cbor || gotJSON != tc.json {
				t.Errorf("GetRecords calls: %d in CBOR, %d in JSON; want CBOR %v, JSON %v", inCBOR, all-inCBOR, tc.cbor, tc.json)
			}
			if tc.dataAsText && inCBOR > 2 {
				t.Errorf("%d GetRecords calls in CBOR after the endpoint's CBOR failed; want at most one a shard", inCBOR)
			}
			warned := strings.Contains(logs.String(), "not AWS's; reading in JSON from now on")
			if warned != tc.warn || strings.Count(logs.String(), "not AWS's") > 1 {
				t.Errorf("warnings %q; want one about the fallback: %v", logs.String(), tc.warn)
			}
		})
	}
}
