package s3test

// Multipart uploads: CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload and AbortMultipartUpload, path-style. They match
// AWS in what the engine relies on: an upload's parts are invisible until
// CompleteMultipartUpload, which assembles the listed parts in order and
// replaces any object under the key; parts must be listed in ascending
// order with their ETags (InvalidPartOrder, InvalidPart), every part but
// the last must hold at least 5 MiB (EntityTooSmall), and an unknown or
// aborted upload is NoSuchUpload. The object's ETag is the MD5 of the
// parts' MD5s with "-N" (N parts), as S3 forms it. Not supported:
// UploadPartCopy, ListParts, ListMultipartUploads over HTTP (Uploads
// answers in Go), checksums, conditional completes.

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// MinPartSize is S3's smallest part but the last: 5 MiB.
const MinPartSize = 5 << 20

// upload is a multipart upload under way.
type upload struct {
	path  string // "bucket/key"
	parts map[int][]byte
}

// isMultipart reports whether r is a multipart upload request.
func isMultipart(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("uploads") || q.Has("uploadId")
}

// multipart serves the multipart request r on "bucket/key" path.
func (f *Fake) multipart(w http.ResponseWriter, r *http.Request, path string) {
	q := r.URL.Query()
	bucket, key, _ := strings.Cut(path, "/")
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		f.mu.Lock()
		f.nextUpload++
		id := fmt.Sprintf("upload-%d", f.nextUpload)
		f.uploads[id] = &upload{path: path, parts: map[int][]byte{}}
		f.mu.Unlock()
		writeXML(w, struct {
			XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
			Bucket   string
			Key      string
			UploadID string `xml:"UploadId"`
		}{Bucket: bucket, Key: key, UploadID: id})
	case r.Method == http.MethodPut:
		f.uploadPart(w, r, path, q.Get("uploadId"), q.Get("partNumber"))
	case r.Method == http.MethodPost:
		f.complete(w, r, path, q.Get("uploadId"))
	case r.Method == http.MethodDelete:
		if f.FailAbort != nil && f.FailAbort(path) {
			fail(w, 500, "InternalError", "We encountered an internal error. Please try again.")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if u, ok := f.uploads[q.Get("uploadId")]; !ok || u.path != path {
			noSuchUpload(w)
			return
		}
		delete(f.uploads, q.Get("uploadId"))
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(w, 405, "MethodNotAllowed", r.Method)
	}
}

func noSuchUpload(w http.ResponseWriter) {
	fail(w, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func (f *Fake) uploadPart(w http.ResponseWriter, r *http.Request, path, id, number string) {
	n, err := strconv.Atoi(number)
	if err != nil || n < 1 || n > 10000 {
		fail(w, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
		return
	}
	body, err := io.ReadAll(r.Body) // before the lock: parts arrive concurrently
	if err != nil {
		fail(w, 400, "IncompleteBody", err.Error())
		return
	}
	if f.FailPart != nil && f.FailPart(path, n) {
		fail(w, 503, "SlowDown", "Please reduce your request rate.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	if !ok || u.path != path {
		noSuchUpload(w)
		return
	}
	u.parts[n] = body
	w.Header().Set("ETag", etag(body))
}

func (f *Fake) complete(w http.ResponseWriter, r *http.Request, path, id string) {
	var req struct {
		Parts []struct {
			PartNumber int
			ETag       string
		} `xml:"Part"`
	}
	if err := xml.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Parts) == 0 {
		fail(w, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	if !ok || u.path != path {
		noSuchUpload(w)
		return
	}
	var obj []byte
	sums := md5.New()
	for i, p := range req.Parts {
		if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
			fail(w, 400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
			return
		}
		data, ok := u.parts[p.PartNumber]
		if !ok || p.ETag != etag(data) {
			fail(w, 400, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
			return
		}
		if i < len(req.Parts)-1 && len(data) < MinPartSize {
			fail(w, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
			return
		}
		h := md5.Sum(data)
		sums.Write(h[:])
		obj = append(obj, data...)
	}
	delete(f.uploads, id)
	f.objects[path] = obj
	tag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(req.Parts))
	f.etags[path] = tag
	bucket, key, _ := strings.Cut(path, "/")
	writeXML(w, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		Location string
		Bucket   string
		Key      string
		ETag     string
	}{Location: f.srv.URL + "/" + path, Bucket: bucket, Key: key, ETag: tag})
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(v)
}

// ETag returns an object's ETag: its MD5, or for one a multipart upload
// made, S3's form "<MD5 of the parts' MD5s>-<parts>".
func (f *Fake) ETag(bucket, key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.objects[bucket+"/"+key]; !ok {
		return "", false
	}
	return f.etagOf(bucket + "/" + key), true
}

// Uploads returns the keys in bucket of the multipart uploads started and
// neither completed nor aborted, sorted (a key once per upload).
func (f *Fake) Uploads(bucket string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for _, u := range f.uploads {
		if b, k, _ := strings.Cut(u.path, "/"); b == bucket {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
