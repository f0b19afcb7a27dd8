package compact_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/compact"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// TestCompactOverS3 compacts output and checkpoint kept in (fake) S3, where
// the plan's objects are s3:// URLs and the conditional writes are
// If-None-Match and If-Match headers, then verifies the bucket.
func TestCompactOverS3(t *testing.T) {
	fake := s3test.New(t)
	f := newFixture(t, 2, engine.PartitionByIngestTime)
	f.job.Sink.Endpoint = fake.URL()
	f.job.Sink.Path = "s3://ventilator-output/out"
	f.job.Sink.DeadLetterPath = "s3://ventilator-output/dlq"
	f.job.ForEachBatch.CheckpointLocation = "s3://ventilator-output/cp"
	f.put(120)
	if err := f.run(t.Context()); err != nil {
		t.Fatalf("engine: %v", err)
	}
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  sdkhttp.Wrap(nil),
	})
	out, err := blob.Open(f.job.Sink.Path, client)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := blob.Open(f.job.ForEachBatch.CheckpointLocation, client)
	if err != nil {
		t.Fatal(err)
	}
	before := len(fake.Keys("ventilator-output", "out/"))
	if before < 3 {
		t.Fatalf("the engine wrote %d objects, want several batches' worth", before)
	}
	sum, err := run(t, out, cp, config(compact.PartitionByIngestTime), later())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if in, o, _, _, rows := sum.Totals(); in != before || o != 1 || rows != 120 {
		t.Errorf("compacted %d files into %d with %d rows, want %d into 1 with 120", in, o, rows, before)
	}
	if got := fake.Keys("ventilator-output", "out/"); len(got) != 1 {
		t.Errorf("objects after compaction: %v, want one", got)
	}
	f.s3 = client
	rep := f.verify()
	mustPass(t, rep, "after compaction over S3")
	if got := rep.Result("layout").Count("compacted_files"); got != 1 {
		t.Errorf("compacted_files = %d, want 1", got)
	}
}
