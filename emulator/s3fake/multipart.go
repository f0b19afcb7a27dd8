package s3fake

// CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts and ListMultipartUploads.
//
// Matches AWS: part numbers 1 to 10000; a part uploaded again replaces the
// earlier one; Complete needs parts in ascending order (InvalidPartOrder),
// each uploaded and with its ETag (InvalidPart), every part but the last at
// least 5 MiB (EntityTooSmall); the object's ETag is the MD5 of the parts'
// binary MD5s followed by -N; checksums: x-amz-checksum-algorithm and
// x-amz-checksum-type on Create (COMPOSITE by default, FULL_OBJECT for
// CRC64NVME), every part checked against the upload's algorithm, a composite
// checksum being the checksum of the parts' checksums followed by -N and a
// full-object one computed over the whole object; an upload without an
// algorithm gets a full-object CRC64NVME, as S3's default; If-None-Match: *
// and If-Match on Complete, checked atomically with the object's creation;
// unknown or finished uploads answer NoSuchUpload; ListParts pages with
// max-parts and part-number-marker.
// An x-amz-checksum-<alg> header on Complete, as clients with trailing
// checksums send it, is compared with the object's checksum, full-object or
// composite (with or without its -N), and answered BadDigest when it differs;
// one of another algorithm than the upload's is InvalidRequest.
// x-amz-storage-class on Create (InvalidStorageClass for a class S3 does
// not have) is kept for the object and shown by ListParts and
// ListMultipartUploads. ListMultipartUploads filters by prefix, rolls keys up
// to CommonPrefixes at the delimiter, pages with max-uploads, key-marker and
// upload-id-marker (NextKeyMarker, NextUploadIdMarker) and url-encodes with
// encoding-type=url.
// Differs: UploadPartCopy is NotImplemented; Complete does not require part
// checksums in its body even when the upload has an algorithm (it checks
// those it is given).

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	minPartSize = 5 << 20
	maxParts    = 10000
)

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Server) createMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) *Error {
	alg, typ := "", ""
	if a := r.Header.Get("X-Amz-Checksum-Algorithm"); a != "" {
		if alg = normAlgorithm(a); alg == "" {
			return errInvalidRequest.withMessage("Checksum algorithm %q is not supported", a)
		}
		typ = strings.ToUpper(r.Header.Get("X-Amz-Checksum-Type"))
		switch {
		case typ == "" && alg == "CRC64NVME":
			typ = "FULL_OBJECT"
		case typ == "":
			typ = "COMPOSITE"
		case typ != "COMPOSITE" && typ != "FULL_OBJECT":
			return errInvalidRequest.withMessage("Value for x-amz-checksum-type header is invalid.")
		case typ == "COMPOSITE" && alg == "CRC64NVME", typ == "FULL_OBJECT" && (alg == "SHA1" || alg == "SHA256"):
			return errInvalidRequest.withMessage("The %s checksum type cannot be used with the %s checksum algorithm.", typ, strings.ToLower(alg))
		}
	}
	class, e := storageClassOf(r.Header)
	if e != nil {
		return e
	}
	u := &upload{Bucket: req.bucket, Key: req.key, Initiated: s.now(), Content: contentFromHeaders(r.Header),
		ChecksumAlgorithm: alg, ChecksumType: typ, StorageClass: class, parts: map[int]*part{}}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.buckets[req.bucket]
	if b == nil {
		return errNoSuchBucket.withBucket(req.bucket)
	}
	for u.ID == "" || b.uploads[u.ID] != nil {
		u.ID = fmt.Sprintf("%016x%016x", st.rng.Uint64(), st.rng.Uint64())
	}
	if st.dir != "" {
		dir := st.uploadDir(b.name, u.ID)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errInternal.withMessage("create upload directory: %v", err)
		}
		if err := st.writeJSON(filepath.Join(dir, "upload.json"), u); err != nil {
			return errInternal.withMessage("%v", err)
		}
	}
	b.uploads[u.ID] = u
	if alg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", alg)
		w.Header().Set("X-Amz-Checksum-Type", typ)
	}
	return writeXML(w, initiateResult{NS: s3NS, Bucket: req.bucket, Key: req.key, UploadID: u.ID})
}

// findUpload returns the upload req names; the caller holds st.mu.
func (st *store) findUpload(req *request) (*bucket, *upload, *Error) {
	b := st.buckets[req.bucket]
	if b == nil {
		return nil, nil, errNoSuchBucket.withBucket(req.bucket)
	}
	u := b.uploads[req.query.Get("uploadId")]
	if u == nil || u.Key != req.key {
		return nil, nil, errNoSuchUpload
	}
	return b, u, nil
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, req *request) *Error {
	n, err := strconv.Atoi(req.query.Get("partNumber"))
	if err != nil || n < 1 || n > maxParts {
		return errInvalidArgument.withMessage("Part number must be an integer between 1 and 10000, inclusive")
	}
	st := s.st
	st.mu.RLock()
	_, u, e := st.findUpload(req)
	st.mu.RUnlock()
	if e != nil {
		return e
	}
	rc, e := s.readBody(r, false, u.ChecksumAlgorithm)
	if e != nil {
		return e
	}
	p := &part{partMeta: partMeta{Number: n, Size: rc.size, ETag: rc.etag(), LastModified: s.now(),
		Checksum: rc.checksum, ChecksumAlg: rc.alg}}
	if err := rc.blob.seal(p.partMeta); err != nil {
		rc.blob.discard()
		return errInternal.withMessage("%v", err)
	}
	st.mu.Lock()
	_, u, e = st.findUpload(req)
	if e != nil {
		st.mu.Unlock()
		rc.blob.discard()
		return e
	}
	old := u.parts[n]
	if st.dir != "" {
		p.path = filepath.Join(st.uploadDir(u.Bucket, u.ID), st.partFileName(n))
		if err := os.Rename(rc.blob.name(), p.path); err != nil {
			st.mu.Unlock()
			rc.blob.discard()
			return errInternal.withMessage("store part: %v", err)
		}
		if old != nil {
			_ = os.Remove(old.path)
		}
	} else {
		p.data = rc.blob.buf
	}
	u.parts[n] = p
	st.mu.Unlock()
	if p.path != "" {
		if err := st.syncDir(filepath.Dir(p.path)); err != nil {
			return errInternal.withMessage("store part: %v", err)
		}
	}
	w.Header().Set("ETag", `"`+p.ETag+`"`)
	w.Header().Set(checksumHeader(p.ChecksumAlg), p.Checksum)
	w.WriteHeader(http.StatusOK)
	return nil
}

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
		checksums
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksums
}

func (s *Server) completeMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) *Error {
	cond, e := writeConditions(r.Header, req.key)
	if e != nil {
		return e
	}
	// An x-amz-checksum-<alg> header on Complete is the object's checksum
	// (full-object or composite), not the XML body's: take it out before
	// the body is read and compare it with the object below.
	hdrAlg, hdrSum := "", ""
	for _, a := range checksumAlgorithms {
		if v := r.Header.Get(checksumHeader(a)); v != "" {
			hdrAlg, hdrSum = a, v
			r.Header.Del(checksumHeader(a))
		}
	}
	rc, e := s.readBody(r, true, "")
	if e != nil {
		return e
	}
	var cr completeRequest
	if err := xml.Unmarshal(rc.blob.buf, &cr); err != nil || len(cr.Parts) == 0 {
		return errMalformedXML
	}
	uploadID := req.query.Get("uploadId")

	// Take the parts and open their bodies under the lock, so that a part
	// replaced meanwhile does not change what is assembled.
	st := s.st
	st.mu.RLock()
	_, u, e := st.findUpload(req)
	if e != nil {
		st.mu.RUnlock()
		return e
	}
	parts := make([]*part, len(cr.Parts))
	bodies := make([]body, 0, len(cr.Parts))
	defer func() {
		for _, b := range bodies {
			_ = b.Close()
		}
	}()
	for i, cp := range cr.Parts {
		if i > 0 && cp.PartNumber <= cr.Parts[i-1].PartNumber {
			st.mu.RUnlock()
			return errInvalidPartOrder
		}
		p := u.parts[cp.PartNumber]
		if p == nil || strings.Trim(cp.ETag, `" `) != p.ETag {
			st.mu.RUnlock()
			return errInvalidPart
		}
		if v := checksumIn(cp.checksums, u.ChecksumAlgorithm); v != "" && v != p.Checksum {
			st.mu.RUnlock()
			return errInvalidPart
		}
		bd, err := openBody(p.data, p.path)
		if err != nil {
			st.mu.RUnlock()
			return errInternal.withMessage("%v", err)
		}
		parts[i] = p
		bodies = append(bodies, bd)
	}
	st.mu.RUnlock()
	for _, p := range parts[:len(parts)-1] {
		if p.Size < minPartSize {
			return errEntityTooSmall
		}
	}

	alg, typ := u.ChecksumAlgorithm, u.ChecksumType
	if hdrAlg != "" && alg != "" && hdrAlg != alg {
		return errInvalidRequest.withMessage("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(alg), strings.ToLower(hdrAlg))
	}
	if alg == "" {
		alg, typ = "CRC64NVME", "FULL_OBJECT"
	}
	// An upload created without an algorithm is checked against a header of
	// any algorithm, computed over the whole object.
	var extra hash.Hash
	if hdrAlg != "" && hdrAlg != alg {
		extra = newChecksum(hdrAlg)
	}
	var size int64
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		size += p.Size
		sizes[i] = p.Size
	}
	bl, err := st.newBlob(size)
	if err != nil {
		return errInternal.withMessage("%v", err)
	}
	etags, full := md5.New(), newChecksum(alg)
	var composite []byte
	var dst io.Writer = bl
	switch {
	case typ == "FULL_OBJECT" && extra != nil:
		dst = io.MultiWriter(bl, full, extra)
	case typ == "FULL_OBJECT":
		dst = io.MultiWriter(bl, full)
	}
	for i, p := range parts {
		raw, _ := hex.DecodeString(p.ETag)
		etags.Write(raw)
		if typ == "COMPOSITE" {
			c, _ := base64.StdEncoding.DecodeString(p.Checksum)
			composite = append(composite, c...)
		}
		if _, err := io.Copy(dst, io.NewSectionReader(bodies[i].r, 0, p.Size)); err != nil {
			bl.discard()
			return errInternal.withMessage("assemble part %d: %v", p.Number, err)
		}
	}
	o := &object{objMeta: objMeta{Key: req.key, Size: size, LastModified: s.now(), Content: u.Content,
		ETag: fmt.Sprintf("%x-%d", etags.Sum(nil), len(parts)), ChecksumAlgorithm: alg, ChecksumType: typ,
		PartsCount: len(parts), PartSizes: sizes, StorageClass: u.StorageClass}}
	if typ == "COMPOSITE" {
		full.Write(composite)
		o.Checksum = fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(full.Sum(nil)), len(parts))
	} else {
		o.Checksum = base64.StdEncoding.EncodeToString(full.Sum(nil))
	}
	if hdrSum != "" {
		want := o.Checksum
		if extra != nil {
			want = base64.StdEncoding.EncodeToString(extra.Sum(nil))
		}
		// A composite checksum is accepted with or without its -N suffix.
		if hdrSum != want && hdrSum+"-"+strconv.Itoa(len(parts)) != want {
			bl.discard()
			return errBadDigest.withMessage("The %s you specified did not match the calculated checksum.", strings.ToLower(hdrAlg))
		}
	}

	gone := false
	check := func(old *object) *Error {
		if b := st.buckets[req.bucket]; b == nil || b.uploads[uploadID] != u {
			return errNoSuchUpload
		}
		if cond != nil {
			return cond(old)
		}
		return nil
	}
	if e := st.commitObject(req.bucket, o, bl, check, func(b *bucket) { delete(b.uploads, uploadID); gone = true }); e != nil {
		return e
	}
	if gone && st.dir != "" {
		_ = os.RemoveAll(st.uploadDir(req.bucket, uploadID))
	}
	return writeXML(w, completeResult{NS: s3NS, Location: "/" + req.bucket + "/" + req.key, Bucket: req.bucket,
		Key: req.key, ETag: `"` + o.ETag + `"`, checksums: checksumsOf(o.ChecksumAlgorithm, o.Checksum, o.ChecksumType)})
}

// checksumIn returns the value for alg among c.
func checksumIn(c checksums, alg string) string {
	switch alg {
	case "CRC32":
		return c.ChecksumCRC32
	case "CRC32C":
		return c.ChecksumCRC32C
	case "CRC64NVME":
		return c.ChecksumCRC64NVME
	case "SHA1":
		return c.ChecksumSHA1
	case "SHA256":
		return c.ChecksumSHA256
	}
	return ""
}

func (s *Server) abortMultipartUpload(w http.ResponseWriter, req *request) *Error {
	st := s.st
	st.mu.Lock()
	b, u, e := st.findUpload(req)
	if e != nil {
		st.mu.Unlock()
		return e
	}
	delete(b.uploads, u.ID)
	st.mu.Unlock()
	if st.dir != "" {
		_ = os.RemoveAll(st.uploadDir(u.Bucket, u.ID))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	NS                   string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	Parts                []partEntry `xml:"Part"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string      `xml:"ChecksumType,omitempty"`
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksums
}

func (s *Server) listParts(w http.ResponseWriter, req *request) *Error {
	maxP, marker := 1000, 0
	if v := req.query.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument.withMessage("Argument max-parts must be an integer between 0 and 2147483647")
		}
		maxP = min(n, 1000)
	}
	if v := req.query.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument.withMessage("Argument part-number-marker must be an integer between 0 and 2147483647")
		}
		marker = n
	}
	st := s.st
	st.mu.RLock()
	_, u, e := st.findUpload(req)
	if e != nil {
		st.mu.RUnlock()
		return e
	}
	out := listPartsResult{NS: s3NS, Bucket: req.bucket, Key: req.key, UploadID: u.ID, PartNumberMarker: marker,
		MaxParts: maxP, Initiator: theOwner, Owner: theOwner, StorageClass: storageClassName(u.StorageClass),
		ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType}
	nums := make([]int, 0, len(u.parts))
	for n := range u.parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	for _, n := range nums {
		if len(out.Parts) == maxP {
			out.IsTruncated = true
			break
		}
		p := u.parts[n]
		typ := ""
		if u.ChecksumAlgorithm != "" {
			typ = u.ChecksumType
		}
		c := checksums{}
		if u.ChecksumAlgorithm != "" {
			c = checksumsOf(p.ChecksumAlg, p.Checksum, typ)
			c.ChecksumType = ""
		}
		out.Parts = append(out.Parts, partEntry{PartNumber: n, LastModified: xmlTime(p.LastModified),
			ETag: `"` + p.ETag + `"`, Size: p.Size, checksums: c})
		out.NextPartNumberMarker = n
	}
	st.mu.RUnlock()
	return writeXML(w, out)
}

type listUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	NS                 string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker,omitempty"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type uploadEntry struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

func (s *Server) listMultipartUploads(w http.ResponseWriter, req *request) *Error {
	q := req.query
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	if keyMarker == "" {
		idMarker = "" // S3 ignores an upload-id-marker without a key-marker
	}
	maxUploads := 1000
	if v := q.Get("max-uploads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 2147483647 {
			return errInvalidArgument.withMessage("Argument max-uploads must be an integer between 0 and 2147483647")
		}
		maxUploads = min(n, 1000)
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument.withMessage("Invalid Encoding Method specified in Request")
	}
	esc := func(s string) string {
		if enc == "url" {
			return url.QueryEscape(s)
		}
		return s
	}
	st := s.st
	st.mu.RLock()
	b := st.buckets[req.bucket]
	if b == nil {
		st.mu.RUnlock()
		return errNoSuchBucket.withBucket(req.bucket)
	}
	ups := make([]*upload, 0, len(b.uploads))
	for _, u := range b.uploads {
		if strings.HasPrefix(u.Key, prefix) {
			ups = append(ups, u)
		}
	}
	st.mu.RUnlock()
	// S3 lists by key, then by initiation time.
	slices.SortFunc(ups, func(a, b *upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := listUploadsResult{NS: s3NS, Bucket: req.bucket, KeyMarker: esc(keyMarker), UploadIDMarker: idMarker,
		Prefix: esc(prefix), Delimiter: esc(delim), MaxUploads: maxUploads, EncodingType: enc}
	// Skip what the markers say was listed: keys before the key marker, and
	// at the key marker the uploads up to the upload ID marker (all of them
	// without one).
	start := 0
	if keyMarker != "" {
		start = len(ups)
		for i, u := range ups {
			if u.Key > keyMarker {
				start = i
				break
			}
			if u.Key == keyMarker && idMarker != "" && u.ID == idMarker {
				start = i + 1
				break
			}
		}
	}
	n, lastKey, lastID := 0, "", ""
	for i := start; i < len(ups); i++ {
		u := ups[i]
		if delim != "" {
			if j := strings.Index(u.Key[len(prefix):], delim); j >= 0 {
				cp := u.Key[:len(prefix)+j+len(delim)]
				if cp <= keyMarker || cp == lastKey {
					continue // listed on an earlier page, or just now
				}
				if n == maxUploads {
					out.IsTruncated = true
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: esc(cp)})
				n, lastKey, lastID = n+1, cp, ""
				continue
			}
		}
		if n == maxUploads {
			out.IsTruncated = true
			break
		}
		out.Uploads = append(out.Uploads, uploadEntry{Key: esc(u.Key), UploadID: u.ID, Initiator: theOwner,
			Owner: theOwner, StorageClass: storageClassName(u.StorageClass), Initiated: xmlTime(u.Initiated),
			ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType})
		n, lastKey, lastID = n+1, u.Key, u.ID
	}
	if out.IsTruncated {
		out.NextKeyMarker, out.NextUploadIDMarker = esc(lastKey), lastID
	}
	return writeXML(w, out)
}
