// Package s3test is a minimal S3 for the engine's tests: an httptest server
// serving path-style PutObject (with If-None-Match: * and If-Match),
// GetObject, HeadObject, DeleteObject, ListObjectsV2 and multipart uploads
// (see multipart.go) over an in-memory map. Buckets spring into being on
// first use. It does not check signatures, support versioning or ranges,
// or decode aws-chunked bodies (the engine sends plain ones).
package s3test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Fake is the fake S3. Create it with New.
type Fake struct {
	srv     *httptest.Server
	mu      sync.Mutex
	objects map[string][]byte // "bucket/key"
	// etags holds the ETags of objects made by a multipart upload; the
	// others' is their MD5.
	etags      map[string]string
	uploads    map[string]*upload // by upload ID
	nextUpload int
	// FailPut, if set, is called for every PutObject with "bucket/key"; a
	// true result fails it with 503 SlowDown.
	FailPut func(path string) bool
	// FailPart, if set, is called for every UploadPart with "bucket/key"
	// and the part number; a true result fails it with 503 SlowDown. It
	// runs without the Fake's lock, so it may call the Fake's methods.
	FailPart func(path string, part int) bool
	// FailAbort, if set, is called for every AbortMultipartUpload with
	// "bucket/key"; a true result fails it with 500 InternalError, leaving
	// the upload as a process that died mid-upload leaves it. It runs
	// without the Fake's lock.
	FailAbort func(path string) bool
}

// New starts a Fake on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := Start()
	t.Cleanup(f.Close)
	return f
}

// Start starts a Fake on 127.0.0.1 outside a test (a benchmark's server
// process); the caller closes it.
func Start() *Fake {
	f := &Fake{objects: map[string][]byte{}, etags: map[string]string{}, uploads: map[string]*upload{}}
	f.srv = httptest.NewServer(f)
	return f
}

// Close stops the server; it may be called more than once.
func (f *Fake) Close() { f.srv.Close() }

// URL returns the endpoint.
func (f *Fake) URL() string { return f.srv.URL }

// Object returns an object's content.
func (f *Fake) Object(bucket, key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[bucket+"/"+key]
	return b, ok
}

// Keys returns the keys in bucket with prefix, sorted.
func (f *Fake) Keys(bucket, prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, bucket+"/"+prefix) {
			keys = append(keys, strings.TrimPrefix(k, bucket+"/"))
		}
	}
	sort.Strings(keys)
	return keys
}

// etagOf returns the ETag of the object at path; f.mu is held.
func (f *Fake) etagOf(path string) string {
	if t, ok := f.etags[path]; ok {
		return t
	}
	return etag(f.objects[path])
}

func etag(b []byte) string { h := md5.Sum(b); return `"` + hex.EncodeToString(h[:]) + `"` }

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}

// ServeHTTP serves one path-style S3 request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if key == "" && r.Method == http.MethodGet {
		f.list(w, r, bucket)
		return
	}
	if isMultipart(r) {
		f.multipart(w, r, path)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, exists := f.objects[path]
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, 400, "IncompleteBody", err.Error())
			return
		}
		if f.FailPut != nil && f.FailPut(path) {
			fail(w, 503, "SlowDown", "Please reduce your request rate.")
			return
		}
		if r.Header.Get("If-None-Match") == "*" && exists {
			fail(w, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
			return
		}
		if m := r.Header.Get("If-Match"); m != "" && (!exists || m != f.etagOf(path)) {
			if !exists {
				fail(w, 404, "NoSuchKey", "The specified key does not exist.")
				return
			}
			fail(w, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
			return
		}
		f.objects[path] = body
		delete(f.etags, path)
		w.Header().Set("ETag", etag(body))
	case http.MethodGet, http.MethodHead:
		if !exists {
			fail(w, 404, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("ETag", f.etagOf(path))
		w.Header().Set("Content-Length", strconv.Itoa(len(cur)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(cur)
		}
	case http.MethodDelete:
		delete(f.objects, path)
		delete(f.etags, path)
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(w, 405, "MethodNotAllowed", r.Method)
	}
}

type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	KeyCount              int
	MaxKeys               int
	IsTruncated           bool
	NextContinuationToken string `xml:",omitempty"`
	Contents              []struct {
		Key  string
		Size int
		ETag string
	}
}

func (f *Fake) list(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix, after := q.Get("prefix"), q.Get("continuation-token")
	maxKeys := 1000
	if m, err := strconv.Atoi(q.Get("max-keys")); err == nil && m > 0 {
		maxKeys = m
	}
	keys := f.Keys(bucket, prefix)
	res := listResult{Name: bucket, Prefix: prefix, MaxKeys: maxKeys}
	f.mu.Lock()
	for _, k := range keys {
		if after != "" && k <= after {
			continue
		}
		if len(res.Contents) == maxKeys {
			res.IsTruncated = true
			res.NextContinuationToken = res.Contents[len(res.Contents)-1].Key
			break
		}
		b := f.objects[bucket+"/"+k]
		res.Contents = append(res.Contents, struct {
			Key  string
			Size int
			ETag string
		}{k, len(b), f.etagOf(bucket + "/" + k)})
	}
	f.mu.Unlock()
	res.KeyCount = len(res.Contents)
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(res)
}
