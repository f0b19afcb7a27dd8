package compact_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/enginetest/kinesistest"
)

const stream = "ventilatorstream"

// fixture is a job's output, dead letter and checkpoint in local
// directories, written by the real engine from a fake Kinesis, with a
// ledger of every record put.
type fixture struct {
	t      testing.TB
	kin    *kinesistest.Fake
	dir    string
	shards int
	n      int
	mu     sync.Mutex
	ledger []map[string]any
	job    *engine.Job
	s3     *s3.Client // for s3:// locations
}

func newFixture(t testing.TB, shards int, partitioning string) *fixture {
	t.Helper()
	f := &fixture{t: t, kin: kinesistest.New(t, nil), dir: t.TempDir(), shards: shards}
	f.kin.CreateStream(stream, shards)
	j := engine.DefaultJob()
	j.Name = "ventilator"
	j.Source.StreamName = stream
	j.Source.Columns = []engine.Column{
		{Name: "ventilatorid", Type: "int"}, {Name: "serialnumber", Type: "string", Required: true},
		{Name: "pressurecontrol", Type: "int"}, {Name: "manufacturer", Type: "string"},
	}
	j.Options.StartingPosition = "trim_horizon"
	j.Options.MaxFetchRecordsPerShard = 20
	j.Options.MaxRecordPerRead = 10
	j.ForEachBatch.WindowSize = engine.Duration(5 * time.Millisecond)
	j.ForEachBatch.CheckpointLocation = filepath.Join(f.dir, "cp")
	j.Sink.Path = filepath.Join(f.dir, "out")
	j.Sink.DeadLetterPath = filepath.Join(f.dir, "dlq")
	j.Sink.Partitioning = partitioning
	if partitioning == engine.PartitionByColumns {
		j.Sink.PartitionKeys = []string{"manufacturer"}
	}
	f.job = j
	return f
}

// put adds n records round-robin over the shards and notes them in the
// ledger.
func (f *fixture) put(n int) {
	for k := 0; k < n; k++ {
		f.mu.Lock()
		i := f.n
		f.n++
		f.mu.Unlock()
		key := fmt.Sprintf("SN-%06d", i)
		payload := fmt.Appendf(nil, `{"ventilatorid":%d,"serialnumber":"%s","pressurecontrol":%d,"manufacturer":"%s"}`,
			i%50, key, 10+i%30, []string{"GE", "Vyaire", "Medtronic"}[i%3])
		sum := sha256.Sum256(payload)
		shard := i % f.shards
		seq := f.kin.Put(stream, shard, fmt.Sprintf("pk-%d", i), payload)
		f.mu.Lock()
		f.ledger = append(f.ledger, map[string]any{
			"seq": i, "producer": 0, "key": key, "partition_key": fmt.Sprintf("pk-%d", i),
			"payload_sha256": hex.EncodeToString(sum[:]), "size": len(payload), "malformed": "", "duplicate_of": -1,
			"event_time_ms": 0, "outcome": "ack", "attempts": 1, "error": "", "target": "kinesis://" + stream,
			"shard_id": fmt.Sprintf("shardId-%012d", shard), "sequence_number": seq, "partition": -1, "offset": -1,
			"sent_at_ms": 1, "acked_at_ms": 1,
		})
		f.mu.Unlock()
	}
}

// run runs the engine until the stream is drained.
func (f *fixture) run(ctx context.Context) error {
	e, err := engine.New(f.job, engine.WithAWSConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(f.kin.URL()),
	}), engine.WithUntilIdle())
	if err != nil {
		return err
	}
	return e.Run(ctx)
}

func (f *fixture) stores() (out, cp blob.Store) {
	f.t.Helper()
	out, err := blob.Open(f.job.Sink.Path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	cp, err = blob.Open(f.job.ForEachBatch.CheckpointLocation, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return out, cp
}

// verify runs the assertions package's checks over the fixture.
func (f *fixture) verify() *assertions.Report {
	f.t.Helper()
	p := filepath.Join(f.dir, "ledger.jsonl")
	var b strings.Builder
	f.mu.Lock()
	for _, row := range f.ledger {
		line, _ := json.Marshal(row)
		b.Write(line)
		b.WriteByte('\n')
	}
	f.mu.Unlock()
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		f.t.Fatal(err)
	}
	cfg := assertions.Config{
		Output: f.job.Sink.Path, DeadLetter: f.job.Sink.DeadLetterPath, Checkpoint: f.job.ForEachBatch.CheckpointLocation,
		Ledger: p, KeyColumn: "serialnumber", TempDir: f.t.TempDir(), S3: f.s3,
	}
	cfg.Schema = []assertions.Column{{Name: "ventilatorid", Type: "int", Nullable: true}, {Name: "serialnumber", Type: "string", Nullable: true},
		{Name: "pressurecontrol", Type: "int", Nullable: true}}
	if f.job.Sink.Partitioning == engine.PartitionByColumns {
		cfg.PartitionBy = f.job.Sink.PartitionKeys
	} else {
		cfg.IngestTimePartitioning = true
		cfg.Schema = append(cfg.Schema, assertions.Column{Name: "manufacturer", Type: "string", Nullable: true})
	}
	rep, err := assertions.Verify(context.Background(), cfg)
	if err != nil {
		f.t.Fatalf("Verify: %v", err)
	}
	return rep
}

// mustPass fails the test unless every check passed.
func mustPass(t testing.TB, rep *assertions.Report, when string) {
	t.Helper()
	if rep.OK {
		return
	}
	for _, r := range rep.Results {
		if r.Status == assertions.Fail {
			t.Errorf("%s: check %s failed: %+v %+v", when, r.Check, r.Counts, r.Examples)
		}
	}
}

// parquetFiles returns the Parquet files under dir, relative.
func parquetFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readRows returns the rows of the Parquet files under dir, file by file in
// name order, as text.
func readRows(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for _, rel := range parquetFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		r := parquet.NewReader(f)
		buf := make([]parquet.Row, 64)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				out = append(out, fmt.Sprint(row))
			}
			if err != nil {
				break
			}
		}
		r.Close()
	}
	return out
}

// errCrash is what a crashing store returns once its budget is spent.
var errCrash = errors.New("store crashed")

// crashing wraps stores so that all of them fail after a shared budget of
// writes and deletes, as a compactor killed half-way leaves them.
type crashing struct {
	blob.Store
	budget *int
	mu     *sync.Mutex
}

func crashAfter(k int, stores ...blob.Store) []blob.Store {
	budget, mu := k, &sync.Mutex{}
	out := make([]blob.Store, len(stores))
	for i, s := range stores {
		out[i] = crashing{Store: s, budget: &budget, mu: mu}
	}
	return out
}

func (c crashing) spend() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *c.budget <= 0 {
		return errCrash
	}
	*c.budget--
	return nil
}

func (c crashing) Put(ctx context.Context, key string, data []byte, cond blob.Cond) (string, error) {
	if err := c.spend(); err != nil {
		return "", err
	}
	return c.Store.Put(ctx, key, data, cond)
}

func (c crashing) Delete(ctx context.Context, key string) error {
	if err := c.spend(); err != nil {
		return err
	}
	return c.Store.Delete(ctx, key)
}
