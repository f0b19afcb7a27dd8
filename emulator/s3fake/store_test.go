package s3fake

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/streamcheck/streamcheck/clock"
)

// TestRestartKeepsEverything writes through one server, closes it, and reads
// everything back through a new server on the same directory.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 22, 13, 5, 9, 123e6, time.UTC)
	big := bytes.Repeat([]byte("p"), 5<<20)
	var etags = map[string]string{}
	var uploadID *string

	// Phase 1: write.
	{
		srv := startServer(t, WithDataDir(dir), WithClock(clock.NewFake(at)))
		c := newClient(srv.URL())
		ctx := t.Context()
		mustCreateBucket(t, c, "keep")
		mustCreateBucket(t, c, "gone")
		for _, k := range []string{"a", "b/c", "deleted"} {
			etags[k] = aws.ToString(mustPut(t, c, "keep", k, []byte("body of "+k)).ETag)
		}
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("meta"), Body: stringsReader("{}"),
			ContentType: aws.String("application/json"), Metadata: map[string]string{"x": "y"}})
		if err != nil {
			t.Fatalf("PutObject meta: %v", err)
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("keep"), Key: aws.String("deleted")}); err != nil {
			t.Fatalf("DeleteObject: %v", err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("mpu")})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		uploadID = cr.UploadId
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("keep"), Key: aws.String("mpu"), UploadId: uploadID,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(big)}); err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("second Close: got %v, want nil", err)
		}
	}

	// Phase 2: reopen and verify.
	{
		srv := startServer(t, WithDataDir(dir))
		c := newClient(srv.URL())
		ctx := t.Context()
		lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "keep" {
			t.Fatalf("ListBuckets after restart: got %+v, %v; want only keep", lb, err)
		}
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keep")})
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if !aws.ToTime(o.LastModified).Equal(at) {
				t.Errorf("%s LastModified: got %v, want %v", aws.ToString(o.Key), aws.ToTime(o.LastModified), at)
			}
		}
		if want := []string{"a", "b/c", "meta"}; !equal(keys, want) {
			t.Errorf("keys after restart: got %q, want %q", keys, want)
		}
		for _, k := range []string{"a", "b/c"} {
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String(k), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject %s: %v", k, err)
			}
			b, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || string(b) != "body of "+k || aws.ToString(get.ETag) != etags[k] {
				t.Errorf("GetObject %s: got %q ETag %s (%v), want the body and ETag %s", k, b, aws.ToString(get.ETag), err, etags[k])
			}
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("keep"), Key: aws.String("meta")})
		if err != nil || aws.ToString(h.ContentType) != "application/json" || h.Metadata["x"] != "y" {
			t.Errorf("HeadObject meta: got %+v, %v", h, err)
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("keep"), Key: aws.String("mpu"), UploadId: uploadID})
		if err != nil || len(lp.Parts) != 1 {
			t.Fatalf("ListParts after restart: got %+v, %v", lp, err)
		}
		// A part replaced after the restart wins over the one before it.
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("keep"), Key: aws.String("mpu"), UploadId: uploadID,
			PartNumber: aws.Int32(1), Body: stringsReader("replaced")})
		if err != nil {
			t.Fatalf("UploadPart after restart: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		srv = startServer(t, WithDataDir(dir))
		c = newClient(srv.URL())
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("mpu"), UploadId: uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}}); err != nil {
			t.Fatalf("CompleteMultipartUpload after two restarts: %v", err)
		}
		if got := string(mustGet(t, c, "keep", "mpu")); got != "replaced" {
			t.Errorf("completed object: got %q, want replaced", got)
		}
	}
}

// TestCorruptDataDirRefused shows that loading checks the files it reads.
func TestCorruptDataDirRefused(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, WithDataDir(dir))
	c := newClient(srv.URL())
	mustCreateBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "k", []byte("v"))
	srv.Close()
	objs, _ := filepath.Glob(filepath.Join(dir, "buckets", "bkt", "objects", "*"))
	if len(objs) != 1 {
		t.Fatalf("object files: got %d, want 1", len(objs))
	}
	if err := os.WriteFile(objs[0], []byte("garbage, not an object file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(WithDataDir(dir))
	if err == nil || !strings.Contains(err.Error(), objs[0]) {
		t.Fatalf("New on a corrupt dir: got %v, want an error naming %s", err, objs[0])
	}
}

// TestKeysCannotEscapeDataDir stores hostile keys and checks that every file
// the server wrote is inside its directory, named by a hash, and that each
// key reads back as itself.
func TestKeysCannotEscapeDataDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	srv := startServer(t, WithDataDir(dir))
	c := newClient(srv.URL())
	mustCreateBucket(t, c, "bkt")
	keys := []string{
		"../../escape", "../" + strings.Repeat("../", 20) + "etc/passwd", "/absolute/path", "..", ".", "./.",
		"%2e%2e/%2e%2e/x", "a/../../../b", "\x00nul\x00", "new\nline", `C:\windows\system32`, "dir//double",
		strings.Repeat("../", 341), strings.Repeat("x", 1024), "ünï/cødé/🙂", "trailing/",
	}
	for _, k := range keys {
		mustPut(t, c, "bkt", k, []byte("key:"+k))
	}
	for _, k := range keys {
		if got := string(mustGet(t, c, "bkt", k)); got != "key:"+k {
			t.Errorf("key %q: got body %q", k, got)
		}
	}
	// Raw requests, with paths no SDK would send.
	for _, p := range []string{"/bkt/../../raw", "/bkt/..%2f..%2fraw", "/bkt/%2e%2e/%2e%2e/raw", "/../../bkt/x", "/%2e%2e/x", "/..%2f..%2ftmp/x"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL()+p, strings.NewReader("raw"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("PUT %s: %v", p, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
			t.Errorf("PUT %s: got status %d, want 200 (stored under a hash) or 404 (no such bucket)", p, resp.StatusCode)
		}
	}
	for _, b := range []string{"..", "../x", ".", "a..b", "..."} {
		_, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)})
		if err == nil {
			t.Errorf("CreateBucket %q: got success, want an error", b)
		}
	}

	hashName := regexp.MustCompile(`^[0-9a-f]{64}$`)
	err := filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if p == parent {
			return nil
		}
		if strings.HasPrefix(rel, "..") {
			t.Errorf("file outside the data dir: %s", p)
			return nil
		}
		if !d.IsDir() && filepath.Dir(rel) == filepath.Join("buckets", "bkt", "objects") && !hashName.MatchString(d.Name()) {
			t.Errorf("object file not named by a hash: %s", rel)
		}
		if !d.IsDir() && rel != "LOCK" && !strings.HasPrefix(rel, filepath.Join("buckets", "bkt")+string(filepath.Separator)) {
			t.Errorf("file outside the bucket's directory: %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	// The three accepted raw PUTs all decode to the one key ../../raw.
	if got, want := len(out.Contents), len(keys)+1; got != want {
		t.Errorf("objects in bkt: got %d, want %d", got, want)
	}
	if got := string(mustGet(t, c, "bkt", "../../raw")); got != "raw" {
		t.Errorf("key ../../raw: got %q, want raw", got)
	}
}

func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	first, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := New(WithDataDir(dir)); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second New on the same dir: got %v, want ErrDataDirInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	again.Close()
}
