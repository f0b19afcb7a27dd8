package assertions

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// dirBucket serves a local directory as one S3 bucket, path style: just
// ListObjectsV2 (two keys a page, to exercise pagination) and GetObject.
type dirBucket struct {
	bucket, root string
}

func (d dirBucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket != d.bucket || r.Method != http.MethodGet {
		http.Error(w, "NoSuchBucket", http.StatusNotFound)
		return
	}
	if key != "" {
		http.ServeFile(w, r, filepath.Join(d.root, filepath.FromSlash(key)))
		return
	}
	prefix := r.URL.Query().Get("prefix")
	var keys []string
	_ = filepath.WalkDir(d.root, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(d.root, p)
			if k := filepath.ToSlash(rel); strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		return nil
	})
	sort.Strings(keys)
	after := r.URL.Query().Get("continuation-token")
	type object struct {
		Key string `xml:"Key"`
	}
	res := struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		Name                  string   `xml:"Name"`
		Prefix                string   `xml:"Prefix"`
		IsTruncated           bool     `xml:"IsTruncated"`
		NextContinuationToken string   `xml:"NextContinuationToken,omitempty"`
		Contents              []object `xml:"Contents"`
	}{Name: d.bucket, Prefix: prefix}
	for _, k := range keys {
		if after != "" && k <= after {
			continue
		}
		if len(res.Contents) == 2 {
			res.IsTruncated, res.NextContinuationToken = true, res.Contents[1].Key
			break
		}
		res.Contents = append(res.Contents, object{k})
	}
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(res)
}

func TestVerifyFromS3(t *testing.T) {
	f := cleanFixture()
	rows := f.batches[0].files[1].rows
	f.batches[0].files[1].rows = slices.Delete(slices.Clone(rows), 2, 3) // lose k007
	p := f.write(t)
	srv := httptest.NewServer(dirBucket{bucket: "lake", root: p.root})
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	cfg := p.config()
	cfg.S3 = client
	cfg.Output, cfg.DeadLetter, cfg.Checkpoint, cfg.Ledger = "s3://lake/out", "s3://lake/dlq/", "s3://lake/checkpoint", "s3://lake/ledger.jsonl"
	cfg.TempDir = t.TempDir()
	rep, err := Verify(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for _, r := range rep.Results {
		want := Pass
		if r.Check == CheckDelivery {
			want = Fail
		}
		if r.Status != want {
			t.Errorf("%s = %s, want %s (%+v)", r.Check, r.Status, want, r)
		}
	}
	if got := rep.Result(CheckDelivery).Count("lost"); got != 1 {
		t.Errorf("lost = %d, want 1", got)
	}
	if got := rep.Result(CheckLayout).Count("files"); got != 5 {
		t.Errorf("layout files = %d, want 5", got)
	}
	entries, err := os.ReadDir(cfg.TempDir)
	if err != nil || len(entries) != 0 {
		t.Errorf("temporary copies left behind: %v %v", entries, err)
	}
}
