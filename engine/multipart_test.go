package engine_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

// multipartRecords is the number of records of the multipart tests: with
// bigRecord's payloads they make one Parquet object of about 12 MB, three
// parts of 5 MiB.
const multipartRecords = 12000

// bigRecord is the i-th record of the multipart tests: a ventilator record
// whose manufacturer is 1,000 pseudo-random hex digits, which neither the
// dictionary nor the codec shrinks.
func bigRecord(i int) []byte {
	r := rand.New(rand.NewPCG(7, uint64(i)))
	var b strings.Builder
	for b.Len() < 1000 {
		fmt.Fprintf(&b, "%016x", r.Uint64())
	}
	return fmt.Appendf(nil, `{"ventilatorid":%d,"eventtime":"2026-11-22 13:%02d:%02d","serialnumber":"SN-%06d","pressurecontrol":%d,"o2stats":%d,"minutevolume":%d,"manufacturer":"%s"}`,
		i%50, i/60%60, i%60, i, 10+i%30, 90+i%10, 5+i%5, b.String()[:1000])
}

// multipartHarness is a one-shard stream of multipartRecords big records
// and a fake S3.
func multipartHarness(t *testing.T) (*harness, *s3test.Fake) {
	t.Helper()
	h := newHarness(t, 1)
	for i := range multipartRecords {
		h.kin.Put(stream, 0, fmt.Sprintf("pk-%d", i), bigRecord(i))
	}
	return h, s3test.New(t)
}

// multipartJob reads the whole stream in one batch into s3://bucket/,
// uncompressed and unpartitioned (one object), uploading objects of
// threshold bytes or more in parts of 5 MiB, three at a time. A failed
// batch is not retried.
func (h *harness) multipartJob(s3 *s3test.Fake, bucket string, threshold int64) *engine.Job {
	j := h.job()
	j.Options.MaxFetchRecordsPerShard = multipartRecords
	j.Options.MaxRecordPerRead = 10000
	j.Options.MaxFetchTimeInMs = 60000
	j.ForEachBatch.BatchMaxRetries = 0
	inS3(j, s3.URL(), bucket)
	j.Sink.Compression = "none"
	j.Sink.Partitioning = engine.PartitionNone
	j.Sink.Multipart = engine.MultipartOptions{Threshold: threshold, Size: 5 << 20, ActiveBlocks: 3}
	return j
}

// s3Outputs returns the objects under out/ and dlq/ in bucket.
func s3Outputs(s3 *s3test.Fake, bucket string) map[string][]byte {
	out := map[string][]byte{}
	for _, prefix := range []string{"out/", "dlq/"} {
		for _, k := range s3.Keys(bucket, prefix) {
			out[k], _ = s3.Object(bucket, k)
		}
	}
	return out
}

// multipartReference runs the job with every object put whole (a
// threshold no object reaches) into bucket "reference" and returns its
// objects, checking that there is one big one.
func multipartReference(t *testing.T, h *harness, s3 *s3test.Fake) map[string][]byte {
	t.Helper()
	if err := h.run(h.multipartJob(s3, "reference", 1<<40), engine.WithInstanceID(determinismID)); err != nil {
		t.Fatalf("reference run: %v", err)
	}
	want := s3Outputs(s3, "reference")
	if len(want) != 1 {
		t.Fatalf("reference run wrote %d objects, want 1: %v", len(want), want)
	}
	for k, b := range want {
		if len(b) < 2*s3test.MinPartSize+1 {
			t.Fatalf("reference object %s: %d bytes, want more than two parts of 5 MiB", k, len(b))
		}
		if etag, _ := s3.ETag("reference", k); strings.Contains(etag, "-") {
			t.Fatalf("reference object %s: ETag %s, want one put whole", k, etag)
		}
	}
	return want
}

// multipartETag matches S3's ETag of an object a multipart upload made.
var multipartETag = regexp.MustCompile(`^"[0-9a-f]{32}-([0-9]+)"$`)

// checkUploadedInParts fails t unless etag is that of an object uploaded
// in parts parts.
func checkUploadedInParts(t testing.TB, what, etag string, parts int) {
	t.Helper()
	m := multipartETag.FindStringSubmatch(etag)
	if m == nil {
		t.Errorf("%s: ETag %s, want a multipart upload's (\"<md5>-<parts>\")", what, etag)
		return
	}
	if n, _ := strconv.Atoi(m[1]); n != parts {
		t.Errorf("%s: uploaded in %d parts, want %d", what, n, parts)
	}
}

// checkMultipartBucket fails t unless bucket holds want's objects byte for
// byte, each uploaded in three parts.
func checkMultipartBucket(t *testing.T, s3 *s3test.Fake, bucket string, want map[string][]byte) {
	t.Helper()
	sameObjects(t, bucket, s3Outputs(s3, bucket), want)
	for k := range want {
		etag, _ := s3.ETag(bucket, k)
		checkUploadedInParts(t, bucket+"/"+k, etag, 3)
	}
}

// TestMultipartOutputIsTheSame: an object uploaded in parts has the name
// and the bytes of the same object put whole, at any core count.
func TestMultipartOutputIsTheSame(t *testing.T) {
	h, s3 := multipartHarness(t)
	want := multipartReference(t, h, s3)
	for _, procs := range coreCounts() {
		setProcs(t, procs)
		bucket := fmt.Sprintf("procs-%d", procs)
		if err := h.run(h.multipartJob(s3, bucket, 5<<20), engine.WithInstanceID(determinismID)); err != nil {
			t.Fatalf("GOMAXPROCS %d: Run: %v", procs, err)
		}
		checkMultipartBucket(t, s3, bucket, want)
		if left := s3.Uploads(bucket); len(left) != 0 {
			t.Errorf("GOMAXPROCS %d: uploads left open: %v", procs, left)
		}
	}
}

// TestMultipartCrashPointsThenRestart: at every crash point of the batch,
// a restart leaves the objects the plan named, uploaded in parts, byte for
// byte as if nothing had happened.
func TestMultipartCrashPointsThenRestart(t *testing.T) {
	h, s3 := multipartHarness(t)
	want := multipartReference(t, h, s3)
	for _, cp := range []engine.CrashPoint{engine.CrashAfterPlan(-1), engine.CrashInSinkAfter(-1, 0), engine.CrashInSinkAfter(-1, 1), engine.CrashAfterSink(-1)} {
		bucket := "crash-" + strings.ReplaceAll(cp.String(), ":", "-")
		j := h.multipartJob(s3, bucket, 5<<20)
		if err := h.run(j, engine.WithInstanceID(determinismID), engine.WithCrashPoint(cp)); !errors.Is(err, engine.ErrCrashed) {
			t.Fatalf("%s: crashing run: got %v, want ErrCrashed", cp, err)
		}
		if err := h.run(j, engine.WithInstanceID(determinismID)); err != nil {
			t.Fatalf("%s: restart: %v", cp, err)
		}
		checkMultipartBucket(t, s3, bucket, want)
	}
}

// TestMultipartCrashBetweenParts: the engine dies while an object's parts
// are uploading (part 2 fails; with the abort failing too, nothing is
// cleaned up, as after a kill). No object is visible meanwhile or after;
// the batch stays planned, and the restart uploads the object again, byte
// for byte the same. With the abort working, no upload is left open.
func TestMultipartCrashBetweenParts(t *testing.T) {
	h, s3 := multipartHarness(t)
	want := multipartReference(t, h, s3)
	for _, tc := range []struct {
		name      string
		killed    bool // the abort fails, as a dead process never sends it
		wantAfter int  // uploads left open after the restart
	}{
		{"killed between parts", true, 1},
		{"part failed, upload aborted", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket := strings.ReplaceAll(tc.name, " ", "-")
			bucket = strings.ReplaceAll(bucket, ",", "")
			var visible atomic.Bool
			s3.FailPart = func(path string, part int) bool {
				if b, _, ok := strings.Cut(path, "/"); ok && b == bucket && len(s3.Keys(bucket, "out/")) > 0 {
					visible.Store(true)
				}
				return strings.HasPrefix(path, bucket+"/") && part == 2
			}
			s3.FailAbort = func(path string) bool { return tc.killed && strings.HasPrefix(path, bucket+"/") }
			j := h.multipartJob(s3, bucket, 5<<20)
			err := h.run(j, engine.WithInstanceID(determinismID))
			if err == nil || !strings.Contains(err.Error(), "upload part 2 of 3") {
				t.Fatalf("first run: got %v, want the failure of part 2", err)
			}
			if visible.Load() || len(s3.Keys(bucket, "out/")) > 0 {
				t.Errorf("an object was visible during or after the failed upload: %v", s3.Keys(bucket, "out/"))
			}
			if got := len(s3.Uploads(bucket)); got != map[bool]int{true: 1, false: 0}[tc.killed] {
				t.Errorf("uploads left open after the first run: %v", s3.Uploads(bucket))
			}
			if plans, commits := s3.Keys(bucket, "cp/offsets/"), s3.Keys(bucket, "cp/commits/"); len(plans) != 1 || len(commits) != 0 {
				t.Errorf("checkpoint after the first run: plans %v, commits %v; want one plan, no commit", plans, commits)
			}
			s3.FailPart, s3.FailAbort = nil, nil
			if err := h.run(j, engine.WithInstanceID(determinismID)); err != nil {
				t.Fatalf("restart: %v", err)
			}
			checkMultipartBucket(t, s3, bucket, want)
			if got := s3.Uploads(bucket); len(got) != tc.wantAfter {
				t.Errorf("uploads left open after the restart: %v, want %d", got, tc.wantAfter)
			}
		})
	}
}

// TestCheckUploadedInPartsRejects shows that checkUploadedInParts fails an
// object put whole and one uploaded in another number of parts.
func TestCheckUploadedInPartsRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		etag string
		ok   bool
	}{
		{"three parts", `"0123456789abcdef0123456789abcdef-3"`, true},
		{"put whole", `"0123456789abcdef0123456789abcdef"`, false},
		{"two parts", `"0123456789abcdef0123456789abcdef-2"`, false},
		{"not an ETag", `-3`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{TB: t}
			checkUploadedInParts(r, tc.name, tc.etag, 3)
			if r.failed == tc.ok {
				t.Errorf("checkUploadedInParts(%s, 3): failed %v, want %v", tc.etag, r.failed, !tc.ok)
			}
		})
	}
}
