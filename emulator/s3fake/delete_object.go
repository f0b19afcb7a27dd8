package s3fake

// DeleteObject and DeleteObjects.
//
// Matches AWS: deleting a key that does not exist succeeds (204); a missing
// bucket is NoSuchBucket; DeleteObjects takes up to 1000 keys, reports each
// as Deleted (unless Quiet) or as an Error entry, and verifies the body's
// Content-MD5 or checksum.
// Differs: no versions, so VersionId is ignored and no delete markers are
// made; conditional deletes (If-Match) are not supported.

import (
	"encoding/xml"
	"net/http"
	"os"
)

func (s *Server) deleteObject(w http.ResponseWriter, req *request) *Error {
	if e := s.st.deleteKey(req.bucket, req.key); e != nil {
		return e
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (st *store) deleteKey(bucket, key string) *Error {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.buckets[bucket]
	if b == nil {
		return errNoSuchBucket.withBucket(bucket)
	}
	o := b.objects[key]
	if o == nil {
		return nil
	}
	if o.path != "" {
		if err := os.Remove(o.path); err != nil && !os.IsNotExist(err) {
			return errInternal.withMessage("delete object: %v", err)
		}
	}
	delete(b.objects, key)
	b.sortedOK = false
	return nil
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	NS      string          `xml:"xmlns,attr"`
	Deleted []deletedEntry  `xml:"Deleted"`
	Errors  []deleteFailure `xml:"Error"`
}

type deletedEntry struct {
	Key string `xml:"Key"`
}

type deleteFailure struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, req *request) *Error {
	if !s.st.hasBucket(req.bucket) {
		return errNoSuchBucket.withBucket(req.bucket)
	}
	rc, e := s.readBody(r, true, "")
	if e != nil {
		return e
	}
	var dr deleteRequest
	if err := xml.Unmarshal(rc.blob.buf, &dr); err != nil || len(dr.Objects) == 0 || len(dr.Objects) > 1000 {
		return errMalformedXML
	}
	out := deleteResult{NS: s3NS}
	for _, o := range dr.Objects {
		if len(o.Key) > maxKeyLen {
			out.Errors = append(out.Errors, deleteFailure{Key: o.Key, Code: errKeyTooLong.Code, Message: errKeyTooLong.Message})
			continue
		}
		if e := s.st.deleteKey(req.bucket, o.Key); e != nil {
			out.Errors = append(out.Errors, deleteFailure{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if !dr.Quiet {
			out.Deleted = append(out.Deleted, deletedEntry{Key: o.Key})
		}
	}
	return writeXML(w, out)
}
