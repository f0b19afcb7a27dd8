package s3fake

// CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation.
//
// Matches AWS: bucket naming rules (3-63 characters of lower-case letters,
// digits, '.' and '-', starting and ending with a letter or digit, no "..",
// not an IP address, no "xn--", "sthree-" or "amzn-s3-demo-" prefix, no
// "-s3alias" or "--ol-s3" suffix) answered with InvalidBucketName;
// BucketAlreadyOwnedByYou (409) when a bucket is created twice, except in
// us-east-1 where AWS answers 200 for legacy reasons; BucketNotEmpty (409);
// x-amz-bucket-region on HeadBucket; ListBuckets lists every bucket in name
// order.
// Differs: one owner and one region for all buckets, so BucketAlreadyExists
// never occurs and a LocationConstraint is accepted whatever it says;
// ListBuckets ignores max-buckets and continuation tokens and returns all;
// DeleteBucket discards multipart uploads in progress.

import (
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// validBucketName reports whether name follows S3's general purpose bucket
// naming rules.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// writeXML answers 200 with v as an S3 XML document.
func writeXML(w http.ResponseWriter, v any) *Error {
	body, err := xml.Marshal(v)
	if err != nil {
		return errInternal.withMessage("encode response: %v", err)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(xml.Header)+len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(body)
	return nil
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

var theOwner = owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "streamcheck"}

func (s *Server) createBucket(w http.ResponseWriter, r *http.Request, req *request) *Error {
	if !validBucketName(req.bucket) {
		return errInvalidBucketName.withBucket(req.bucket)
	}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			return errIncompleteBody
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			var cfg struct {
				LocationConstraint string `xml:"LocationConstraint"`
			}
			if err := xml.Unmarshal(body, &cfg); err != nil {
				return errMalformedXML
			}
		}
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.buckets[req.bucket]; ok {
		if s.cfg.Region == "us-east-1" {
			w.Header().Set("Location", "/"+req.bucket)
			w.WriteHeader(http.StatusOK)
			return nil
		}
		return errBucketAlreadyOwnedByYou.withBucket(req.bucket)
	}
	b := &bucket{name: req.bucket, created: s.clock.Now().UTC().Truncate(1e6),
		objects: map[string]*object{}, uploads: map[string]*upload{}}
	if st.dir != "" {
		dir := st.bucketDir(b.name)
		for _, d := range []string{"objects", "uploads"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				return errInternal.withMessage("create bucket directory: %v", err)
			}
		}
		if err := st.writeJSON(filepath.Join(dir, "bucket.json"), bucketFile{Name: b.name, Created: b.created}); err != nil {
			return errInternal.withMessage("%v", err)
		}
	}
	st.buckets[b.name] = b
	w.Header().Set("Location", "/"+req.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) headBucket(w http.ResponseWriter, req *request) *Error {
	s.st.mu.RLock()
	_, ok := s.st.buckets[req.bucket]
	s.st.mu.RUnlock()
	if !ok {
		return errNoSuchBucket.withBucket(req.bucket)
	}
	w.Header().Set("X-Amz-Bucket-Region", s.cfg.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getBucketLocation(w http.ResponseWriter, req *request) *Error {
	s.st.mu.RLock()
	_, ok := s.st.buckets[req.bucket]
	s.st.mu.RUnlock()
	if !ok {
		return errNoSuchBucket.withBucket(req.bucket)
	}
	loc := s.cfg.Region
	if loc == "us-east-1" {
		loc = "" // as AWS answers for us-east-1
	}
	return writeXML(w, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}{NS: s3NS, Value: loc})
}

func (s *Server) deleteBucket(w http.ResponseWriter, req *request) *Error {
	st := s.st
	st.mu.Lock()
	b, ok := st.buckets[req.bucket]
	if !ok {
		st.mu.Unlock()
		return errNoSuchBucket.withBucket(req.bucket)
	}
	if len(b.objects) > 0 {
		st.mu.Unlock()
		return errBucketNotEmpty.withBucket(req.bucket)
	}
	var doomed string
	if st.dir != "" {
		dir := st.bucketDir(b.name)
		doomed = filepath.Join(st.dir, "tmp", fmt.Sprintf("deleted-%016x", st.tmpSeq.Add(1)))
		if err := os.Rename(dir, doomed); err != nil {
			st.mu.Unlock()
			return errInternal.withMessage("remove bucket directory: %v", err)
		}
	}
	delete(st.buckets, b.name)
	st.mu.Unlock()
	if doomed != "" {
		err := st.syncDir(filepath.Join(st.dir, "buckets"))
		_ = os.RemoveAll(doomed)
		if err != nil {
			return errInternal.withMessage("remove bucket directory: %v", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type listBucketsResult struct {
	XMLName xml.Name      `xml:"ListAllMyBucketsResult"`
	NS      string        `xml:"xmlns,attr"`
	Owner   owner         `xml:"Owner"`
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

func (s *Server) listBuckets(w http.ResponseWriter) *Error {
	s.st.mu.RLock()
	out := listBucketsResult{NS: s3NS, Owner: theOwner, Buckets: []bucketEntry{}}
	for _, b := range s.st.buckets {
		out.Buckets = append(out.Buckets, bucketEntry{Name: b.name, CreationDate: xmlTime(b.created), BucketRegion: s.cfg.Region})
	}
	s.st.mu.RUnlock()
	slices.SortFunc(out.Buckets, func(a, b bucketEntry) int { return strings.Compare(a.Name, b.Name) })
	return writeXML(w, out)
}
