package s3fake

// GetObject and HeadObject.
//
// Matches AWS: one byte range (bytes=a-b, bytes=a-, bytes=-n) answered 206
// with Content-Range; a range that starts past the end answered 416
// InvalidRange with Content-Range: bytes */size; a Range header that does not
// parse, or names several ranges, is ignored and the whole object sent.
// Conditions as S3 evaluates them: If-Match false (or, without If-Match,
// If-Unmodified-Since false) answers 412 PreconditionFailed; If-None-Match
// matching (or, without If-None-Match, If-Modified-Since not modified)
// answers 304 Not Modified; dates compare at one-second precision.
// With x-amz-checksum-mode: ENABLED, a whole-object response carries the
// stored checksum (x-amz-checksum-<alg>, x-amz-checksum-type); composite
// multipart checksums end in -N, which the SDK does not validate, as from AWS.
// partNumber=N answers part N of a multipart object (206, Content-Range,
// x-amz-mp-parts-count), and the whole of any other object for N=1;
// InvalidPartNumber (416) past the last part; with a Range header it is
// InvalidRequest.
// The response-* query parameters override the stored headers. An object's
// storage class other than STANDARD is sent as x-amz-storage-class (S3 sends
// none for STANDARD); GET of a GLACIER or DEEP_ARCHIVE object is 403
// InvalidObjectState (HEAD answers).
// Differs: no versions; part responses carry no checksum headers.

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, req *request) *Error {
	partNumber := 0
	if v, ok := req.query["partNumber"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxParts {
			return errInvalidArgument.withMessage("Part number must be an integer between 1 and 10000, inclusive")
		}
		if r.Header.Get("Range") != "" {
			return errInvalidRequest.withMessage("Cannot specify both Range header and partNumber query parameter")
		}
		partNumber = n
	}
	st := s.st
	st.mu.RLock()
	b := st.buckets[req.bucket]
	if b == nil {
		st.mu.RUnlock()
		return errNoSuchBucket.withBucket(req.bucket)
	}
	o := b.objects[req.key]
	if o == nil {
		st.mu.RUnlock()
		return errNoSuchKey.withKey(req.key)
	}
	m := o.objMeta
	data := o.data
	var bd body
	var err error
	if r.Method != http.MethodHead {
		bd, err = openBody(o.data, o.path)
	}
	st.mu.RUnlock()
	if err != nil {
		return errInternal.withMessage("%v", err)
	}
	defer bd.Close()

	if r.Method == http.MethodGet && archived(m.StorageClass) {
		return errInvalidObjectState
	}
	h := w.Header()
	h.Set("ETag", `"`+m.ETag+`"`)
	if m.StorageClass != "" {
		h.Set("X-Amz-Storage-Class", m.StorageClass)
	}
	h.Set("Last-Modified", m.LastModified.UTC().Format(http.TimeFormat))
	switch readConditions(r.Header, &m) {
	case http.StatusPreconditionFailed:
		return errPreconditionFailed.withKey(req.key)
	case http.StatusNotModified:
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	setContentHeaders(h, m.Content, req.query)
	h.Set("Accept-Ranges", "bytes")

	start, length := int64(0), m.Size
	status := http.StatusOK
	if partNumber > 0 {
		sizes := m.PartSizes
		if len(sizes) == 0 {
			sizes = []int64{m.Size}
		} else {
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(sizes)))
		}
		if partNumber > len(sizes) {
			return errInvalidPartNumber
		}
		for _, sz := range sizes[:partNumber-1] {
			start += sz
		}
		length, status = sizes[partNumber-1], http.StatusPartialContent
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+length-1, 10)+"/"+strconv.FormatInt(m.Size, 10))
	} else if rg := r.Header.Get("Range"); rg != "" {
		a, n, ok, e := parseRange(rg, m.Size)
		if e != nil {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(m.Size, 10))
			return e
		}
		if ok {
			start, length, status = a, n, http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(a, 10)+"-"+strconv.FormatInt(a+n-1, 10)+"/"+strconv.FormatInt(m.Size, 10))
		}
	}
	if status == http.StatusOK && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && m.Checksum != "" {
		h.Set(checksumHeader(m.ChecksumAlgorithm), m.Checksum)
		h.Set("X-Amz-Checksum-Type", m.ChecksumType)
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead || length == 0 {
		return nil
	}
	if bd.f == nil {
		_, _ = w.Write(data[start : start+length])
		return nil
	}
	// A file limited by an io.LimitedReader lets the server use sendfile.
	if _, err := bd.f.Seek(start, io.SeekStart); err != nil {
		return nil // headers are out; the client sees a short body
	}
	_, _ = io.Copy(w, io.LimitReader(bd.f, length))
	return nil
}

// readConditions evaluates the conditional headers of a GET or HEAD against
// m and returns 412, 304 or 0 to go on.
func readConditions(h http.Header, m *objMeta) int {
	lm := m.LastModified.Truncate(time.Second)
	im, inm := h.Get("If-Match"), h.Get("If-None-Match")
	if im != "" {
		if !etagMatches(im, m.ETag) {
			return http.StatusPreconditionFailed
		}
	} else if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && lm.After(t) {
		return http.StatusPreconditionFailed
	}
	if inm != "" {
		if etagMatches(inm, m.ETag) {
			return http.StatusNotModified
		}
	} else if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !lm.After(t) {
		return http.StatusNotModified
	}
	return 0
}

// parseRange parses a Range header against an object of size bytes. ok is
// false when the header is to be ignored; e is InvalidRange when the range
// cannot be satisfied.
func parseRange(rg string, size int64) (start, length int64, ok bool, e *Error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(rg), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" { // suffix: the last b bytes
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, nil //nolint:nilerr // S3 ignores a Range that does not parse
		}
		if n == 0 || size == 0 {
			return 0, 0, false, errInvalidRange
		}
		n = min(n, size)
		return size - n, n, true, nil
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return 0, 0, false, nil //nolint:nilerr // S3 ignores a Range that does not parse
	}
	last := size - 1
	if b != "" {
		if last, err = strconv.ParseInt(b, 10, 64); err != nil || last < first {
			return 0, 0, false, nil //nolint:nilerr // S3 ignores a Range that does not parse
		}
		last = min(last, size-1)
	}
	if first >= size {
		return 0, 0, false, errInvalidRange
	}
	return first, last - first + 1, true, nil
}
