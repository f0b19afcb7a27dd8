package s3fake

// CopyObject.
//
// Matches AWS: x-amz-copy-source as bucket/key or /bucket/key, URL-encoded;
// x-amz-metadata-directive COPY (the default) or REPLACE; copying an object
// onto itself without REPLACE is refused with InvalidRequest; the
// x-amz-copy-source-if-* conditions answer 412 PreconditionFailed; the
// destination's If-None-Match / If-Match are checked as for PutObject. The
// copy gets the MD5 ETag of its bytes (so a copy of a multipart object has a
// plain ETag) and a full-object checksum with the algorithm of
// x-amz-checksum-algorithm, else the source's.
// The copy's storage class is x-amz-storage-class, STANDARD when absent
// (it is not copied from the source), as on S3.
// Differs: no versionId in the source; UploadPartCopy is NotImplemented;
// tagging directives are ignored.

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	NS           string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksums
}

// checksums are the Checksum* elements of S3's XML answers.
type checksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

func checksumsOf(alg, value, typ string) checksums {
	var c checksums
	switch alg {
	case "CRC32":
		c.ChecksumCRC32 = value
	case "CRC32C":
		c.ChecksumCRC32C = value
	case "CRC64NVME":
		c.ChecksumCRC64NVME = value
	case "SHA1":
		c.ChecksumSHA1 = value
	case "SHA256":
		c.ChecksumSHA256 = value
	default:
		return c
	}
	c.ChecksumType = typ
	return c
}

func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, req *request) *Error {
	srcBucket, srcKey, e := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if e != nil {
		return e
	}
	directive := strings.ToUpper(r.Header.Get("X-Amz-Metadata-Directive"))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return errInvalidArgument.withMessage("Unknown metadata directive.")
	}
	if srcBucket == req.bucket && srcKey == req.key && directive != "REPLACE" {
		return errInvalidRequest.withMessage("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	alg := ""
	if a := r.Header.Get("X-Amz-Checksum-Algorithm"); a != "" {
		if alg = normAlgorithm(a); alg == "" {
			return errInvalidRequest.withMessage("Checksum algorithm %q is not supported", a)
		}
	}
	cond, e := writeConditions(r.Header, req.key)
	if e != nil {
		return e
	}

	st := s.st
	st.mu.RLock()
	sb, db := st.buckets[srcBucket], st.buckets[req.bucket]
	if sb == nil || db == nil {
		st.mu.RUnlock()
		if sb == nil {
			return errNoSuchBucket.withBucket(srcBucket)
		}
		return errNoSuchBucket.withBucket(req.bucket)
	}
	so := sb.objects[srcKey]
	if so == nil {
		st.mu.RUnlock()
		return errNoSuchKey.withKey(srcKey)
	}
	m := so.objMeta
	bd, err := openBody(so.data, so.path)
	st.mu.RUnlock()
	if err != nil {
		return errInternal.withMessage("%v", err)
	}
	defer bd.Close()
	if !copySourceConditions(r.Header, &m) {
		return errPreconditionFailed
	}
	if alg == "" {
		alg = m.ChecksumAlgorithm
	}
	if alg == "" {
		alg = "CRC64NVME"
	}

	bl, err := st.newBlob(m.Size)
	if err != nil {
		return errInternal.withMessage("%v", err)
	}
	mh, ch := md5.New(), newChecksum(alg)
	if _, err := io.Copy(io.MultiWriter(bl, mh, ch), io.NewSectionReader(bd.r, 0, m.Size)); err != nil {
		bl.discard()
		return errInternal.withMessage("copy object: %v", err)
	}
	c := m.Content
	if directive == "REPLACE" {
		c = contentFromHeaders(r.Header)
	}
	class, e := storageClassOf(r.Header) // not copied: STANDARD unless given
	if e != nil {
		bl.discard()
		return e
	}
	o := &object{objMeta: objMeta{
		Key: req.key, Size: m.Size, ETag: fmt.Sprintf("%x", mh.Sum(nil)), LastModified: s.now(),
		Content: c, ChecksumAlgorithm: alg, Checksum: base64.StdEncoding.EncodeToString(ch.Sum(nil)),
		ChecksumType: "FULL_OBJECT", StorageClass: class,
	}}
	if e := st.commitObject(req.bucket, o, bl, cond, nil); e != nil {
		return e
	}
	return writeXML(w, copyObjectResult{NS: s3NS, ETag: `"` + o.ETag + `"`, LastModified: xmlTime(o.LastModified),
		checksums: checksumsOf(o.ChecksumAlgorithm, o.Checksum, o.ChecksumType)})
}

// parseCopySource splits x-amz-copy-source into bucket and key.
func parseCopySource(v string) (bucket, key string, e *Error) {
	bad := errInvalidArgument.withMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	if v == "" {
		return "", "", bad
	}
	p, q, _ := strings.Cut(v, "?")
	if q != "" {
		return "", "", errNotImplemented.withMessage("x-amz-copy-source with a version is not implemented by this emulator")
	}
	p, err := url.PathUnescape(p)
	if err != nil {
		return "", "", bad
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	return bucket, key, nil
}

// copySourceConditions evaluates the x-amz-copy-source-if-* headers.
func copySourceConditions(h http.Header, m *objMeta) bool {
	lm := m.LastModified.Truncate(time.Second)
	if v := h.Get("X-Amz-Copy-Source-If-Match"); v != "" && !etagMatches(v, m.ETag) {
		return false
	}
	if v := h.Get("X-Amz-Copy-Source-If-None-Match"); v != "" && etagMatches(v, m.ETag) {
		return false
	}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Unmodified-Since")); err == nil && lm.After(t) &&
		h.Get("X-Amz-Copy-Source-If-Match") == "" {
		return false
	}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Modified-Since")); err == nil && !lm.After(t) &&
		h.Get("X-Amz-Copy-Source-If-None-Match") == "" {
		return false
	}
	return true
}
