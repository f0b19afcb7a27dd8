package blob_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

// multipartStore is an S3 store on a fresh fake under s3://bucket/p with
// multipart uploads from 5 MiB in parts of 5 MiB.
func multipartStore(t *testing.T, concurrency int) (*s3test.Fake, *blob.S3) {
	t.Helper()
	fake := s3test.New(t)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		// A failed part fails at once: the tests count attempts.
		RetryMaxAttempts: 1})
	return fake, &blob.S3{Client: client, Bucket: "bucket", Prefix: "p",
		Multipart: blob.Multipart{Threshold: blob.MinPartSize, PartSize: blob.MinPartSize, Concurrency: concurrency}}
}

// randomBytes returns n bytes from a seeded source.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// multipartETag is S3's ETag of data uploaded in parts of size.
func multipartETag(data []byte, size int) string {
	sums := md5.New()
	n := 0
	for lo := 0; lo < len(data); lo += size {
		h := md5.Sum(data[lo:min(lo+size, len(data))])
		sums.Write(h[:])
		n++
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), n)
}

func TestMultipartPut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		size        int
		concurrency int
		cond        blob.Cond
		wantParts   int // 0: one PutObject
	}{
		{"below the threshold", blob.MinPartSize - 1, 4, blob.Cond{}, 0},
		{"at the threshold", blob.MinPartSize, 4, blob.Cond{}, 1},
		{"three parts, one at a time", 2*blob.MinPartSize + 12345, 1, blob.Cond{}, 3},
		{"three parts at once", 2*blob.MinPartSize + 12345, 3, blob.Cond{}, 3},
		{"conditional put stays whole", 2*blob.MinPartSize + 12345, 3, blob.Cond{IfAbsent: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, st := multipartStore(t, tc.concurrency)
			data := randomBytes(tc.size)
			etag, err := st.Put(t.Context(), "obj", data, tc.cond)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			got, ok := fake.Object("bucket", "p/obj")
			if !ok || !bytes.Equal(got, data) {
				t.Fatalf("object: %d bytes (present %v), want the %d bytes put", len(got), ok, len(data))
			}
			want := multipartETag(data, blob.MinPartSize)
			if tc.wantParts == 0 {
				h := md5.Sum(data)
				want = `"` + hex.EncodeToString(h[:]) + `"`
			}
			if etag != want {
				t.Errorf("Put returned ETag %s, want %s", etag, want)
			}
			if left := fake.Uploads("bucket"); len(left) != 0 {
				t.Errorf("uploads left open: %v, want none", left)
			}
		})
	}
}

// TestMultipartFailureAborts: a part that fails fails the Put, which aborts
// the upload; the object stays as it was.
func TestMultipartFailureAborts(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing=%v", existing), func(t *testing.T) {
			t.Parallel()
			fake, st := multipartStore(t, 2)
			old := []byte("the old content")
			if existing {
				if _, err := st.Put(t.Context(), "obj", old, blob.Cond{}); err != nil {
					t.Fatal(err)
				}
			}
			var visible atomic.Bool
			fake.FailPart = func(path string, part int) bool {
				if got, ok := fake.Object("bucket", "p/obj"); ok && !bytes.Equal(got, old) {
					visible.Store(true)
				}
				return part == 2
			}
			_, err := st.Put(t.Context(), "obj", randomBytes(3*blob.MinPartSize), blob.Cond{})
			if err == nil || !strings.Contains(err.Error(), "upload part 2 of 3") {
				t.Fatalf("Put: got %v, want the error of part 2", err)
			}
			if visible.Load() {
				t.Error("new content visible while the parts were uploading")
			}
			got, ok := fake.Object("bucket", "p/obj")
			if ok != existing || (existing && !bytes.Equal(got, old)) {
				t.Errorf("after the failed upload: object present %v with %q, want present %v with the old content", ok, got[:min(len(got), 20)], existing)
			}
			if left := fake.Uploads("bucket"); len(left) != 0 {
				t.Errorf("uploads left open: %v, want the failed one aborted", left)
			}
		})
	}
}

// TestMultipartAbortFailureIsReported: when the abort fails too, both
// errors are returned and the upload stays open (as a process that died
// mid-upload leaves it), never as an object.
func TestMultipartAbortFailureIsReported(t *testing.T) {
	t.Parallel()
	fake, st := multipartStore(t, 1)
	fake.FailPart = func(string, int) bool { return true }
	fake.FailAbort = func(string) bool { return true }
	_, err := st.Put(t.Context(), "obj", randomBytes(2*blob.MinPartSize), blob.Cond{})
	if err == nil || !strings.Contains(err.Error(), "upload part 1") || !strings.Contains(err.Error(), "abort multipart upload") {
		t.Fatalf("Put: got %v, want the part's error and the abort's", err)
	}
	if _, ok := fake.Object("bucket", "p/obj"); ok {
		t.Error("object present after a failed upload")
	}
	if left := fake.Uploads("bucket"); len(left) != 1 || left[0] != "p/obj" {
		t.Errorf("uploads left open: %v, want [p/obj]", left)
	}
}

func TestMultipartCancelled(t *testing.T) {
	t.Parallel()
	fake, st := multipartStore(t, 2)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	fake.FailPart = func(string, int) bool { cancel(); return false }
	_, err := st.Put(ctx, "obj", randomBytes(3*blob.MinPartSize), blob.Cond{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put: got %v, want context.Canceled", err)
	}
	if left := fake.Uploads("bucket"); len(left) != 0 {
		t.Errorf("uploads left open: %v, want the cancelled one aborted", left)
	}
}
