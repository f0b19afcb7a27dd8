package s3fake

// PutObject, and the object headers and write preconditions that PutObject,
// CopyObject and CompleteMultipartUpload share.
//
// Matches AWS: ETag is the hex MD5 of the body, quoted; Content-Type defaults
// to binary/octet-stream; Content-Type, Content-Encoding (without
// aws-chunked), Content-Disposition, Content-Language, Cache-Control, Expires
// and x-amz-meta-* are stored and returned; If-None-Match: * answers 412
// PreconditionFailed when the key exists, If-Match answers 412 when the ETag
// differs and 404 NoSuchKey when there is no object; If-None-Match with
// anything but * is NotImplemented. The precondition is checked and the
// object replaced atomically, so of concurrent If-None-Match: * writes exactly
// one succeeds. The response carries the object's checksum and its type.
// Differs: concurrent conditional writes are ordered, never answered with 409
// ConditionalRequestConflict; tagging, ACL, SSE and object lock headers are
// ignored.
// Storage class: x-amz-storage-class (any of S3's classes; another value is
// InvalidStorageClass) is stored, echoed, returned by HEAD and GET when not
// STANDARD and shown in listings; GET of a GLACIER or DEEP_ARCHIVE object is
// 403 InvalidObjectState, as before a restore on S3 (there is no
// RestoreObject).

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, req *request) *Error {
	if !s.st.hasBucket(req.bucket) {
		return errNoSuchBucket.withBucket(req.bucket)
	}
	cond, e := writeConditions(r.Header, req.key)
	if e != nil {
		return e
	}
	class, e := storageClassOf(r.Header)
	if e != nil {
		return e
	}
	rc, e := s.readBody(r, false, "")
	if e != nil {
		return e
	}
	o := &object{objMeta: objMeta{
		Key: req.key, Size: rc.size, ETag: rc.etag(), LastModified: s.now(),
		Content: contentFromHeaders(r.Header), ChecksumAlgorithm: rc.alg,
		Checksum: rc.checksum, ChecksumType: "FULL_OBJECT", StorageClass: class,
	}}
	if e := s.st.commitObject(req.bucket, o, rc.blob, cond, nil); e != nil {
		return e
	}
	h := w.Header()
	h.Set("ETag", `"`+o.ETag+`"`)
	h.Set(checksumHeader(o.ChecksumAlgorithm), o.Checksum)
	h.Set("X-Amz-Checksum-Type", o.ChecksumType)
	if class != "" {
		h.Set("X-Amz-Storage-Class", class)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// now is the clock's time in UTC at millisecond precision, as S3 keeps it.
func (s *Server) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (st *store) hasBucket(name string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	_, ok := st.buckets[name]
	return ok
}

// writeConditions reads If-None-Match and If-Match of a write and returns the
// check to run, under the store's lock, against the object it replaces.
func writeConditions(h http.Header, key string) (func(old *object) *Error, *Error) {
	inm, im := h.Get("If-None-Match"), h.Get("If-Match")
	if inm == "" && im == "" {
		return nil, nil
	}
	if inm != "" && strings.TrimSpace(inm) != "*" {
		return nil, errNotImplemented.withMessage("A header you provided implies functionality that is not implemented").withHeader("If-None-Match")
	}
	return func(old *object) *Error {
		if inm != "" && old != nil {
			return errPreconditionFailed.withKey(key)
		}
		if im != "" {
			if old == nil {
				return errNoSuchKey.withKey(key)
			}
			if !etagMatches(im, old.ETag) {
				return errPreconditionFailed.withKey(key)
			}
		}
		return nil
	}, nil
}

// etagMatches reports whether the If-Match or If-None-Match value list
// names etag (or is *).
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == etag {
			return true
		}
	}
	return false
}

// storageClasses are the values x-amz-storage-class takes.
var storageClasses = []string{
	"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
	"FSX_OPENZFS", "FSX_ONTAP",
}

// storageClassOf reads x-amz-storage-class: "" for STANDARD (or none), the
// class otherwise, InvalidStorageClass for a value S3 does not have.
func storageClassOf(h http.Header) (string, *Error) {
	v := h.Get("X-Amz-Storage-Class")
	if v == "" || v == "STANDARD" {
		return "", nil
	}
	for _, c := range storageClasses {
		if v == c {
			return v, nil
		}
	}
	return "", errInvalidStorageClass
}

// storageClassName is the class as listings show it.
func storageClassName(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}

// archived reports whether objects of class c must be restored before GET.
func archived(c string) bool { return c == "GLACIER" || c == "DEEP_ARCHIVE" }

func contentFromHeaders(h http.Header) content {
	c := content{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    withoutToken(h.Get("Content-Encoding"), "aws-chunked"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	for k, v := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") && len(v) > 0 {
			if c.Meta == nil {
				c.Meta = map[string]string{}
			}
			c.Meta[strings.TrimPrefix(lk, "x-amz-meta-")] = strings.Join(v, ",")
		}
	}
	return c
}

// setContentHeaders writes an object's stored headers, with the
// response-* query overrides of GetObject.
func setContentHeaders(h http.Header, c content, q map[string][]string) {
	ct := c.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	set := func(name, v, override string) {
		if o := q[override]; len(o) > 0 && o[0] != "" {
			v = o[0]
		}
		if v != "" {
			h.Set(name, v)
		}
	}
	set("Content-Type", ct, "response-content-type")
	set("Content-Encoding", c.ContentEncoding, "response-content-encoding")
	set("Content-Disposition", c.ContentDisposition, "response-content-disposition")
	set("Content-Language", c.ContentLanguage, "response-content-language")
	set("Cache-Control", c.CacheControl, "response-cache-control")
	set("Expires", c.Expires, "response-expires")
	for k, v := range c.Meta {
		h["X-Amz-Meta-"+k] = []string{v}
	}
}

// commitObject stores o with the body in bl if cond (when not nil) accepts
// the object it replaces, then runs post (when not nil). The check, the
// replacement and post are one atomic step.
func (st *store) commitObject(bucket string, o *object, bl *blob, cond func(*object) *Error, post func(*bucket)) *Error {
	if err := bl.seal(o.objMeta); err != nil {
		bl.discard()
		return errInternal.withMessage("%v", err)
	}
	st.mu.Lock()
	b := st.buckets[bucket]
	if b == nil {
		st.mu.Unlock()
		bl.discard()
		return errNoSuchBucket.withBucket(bucket)
	}
	old := b.objects[o.Key]
	if cond != nil {
		if e := cond(old); e != nil {
			st.mu.Unlock()
			bl.discard()
			return e
		}
	}
	var dir string
	if st.dir != "" {
		p := st.objectPath(bucket, o.Key)
		if err := os.Rename(bl.name(), p); err != nil {
			st.mu.Unlock()
			bl.discard()
			return errInternal.withMessage("store object: %v", err)
		}
		o.path, dir = p, filepath.Dir(p)
	} else {
		o.data = bl.buf
	}
	b.objects[o.Key] = o
	if old == nil {
		b.sortedOK = false
	}
	if post != nil {
		post(b)
	}
	st.mu.Unlock()
	if dir != "" {
		if err := st.syncDir(dir); err != nil {
			return errInternal.withMessage("store object: %v", err)
		}
	}
	return nil
}
