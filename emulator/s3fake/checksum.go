package s3fake

// Request bodies: aws-chunked decoding, Content-MD5 and the flexible
// checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) in a header or in an
// aws-chunked trailer.
//
// Matches AWS: a body whose checksum or Content-MD5 differs is refused with
// BadDigest; a malformed Content-MD5 with InvalidDigest; a body shorter or
// longer than its declared length with IncompleteBody; an object uploaded
// without a checksum gets a CRC64NVME one, as S3 has done since 2025, and is
// answered with it when checksum mode is enabled.
// Differs: chunk and trailer signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
// are parsed but not verified, and neither is x-amz-content-sha256.

import (
	"bufio"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// maxKeyLen is S3's limit on a key's length in bytes.
const maxKeyLen = 1024

// maxPutSize is the largest object a single PUT may carry (5 GiB).
const maxPutSize = 5 << 30

var (
	crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)
	crc32cTable    = crc32.MakeTable(crc32.Castagnoli)
)

// checksumAlgorithms are the algorithms S3 accepts, in AWS's spelling.
var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable)
	case "CRC64NVME":
		return newCRC64NVME()
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// checksumHeader is the header that carries alg's value.
func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// normAlgorithm returns alg in AWS's spelling, or "" if it is not one.
func normAlgorithm(alg string) string {
	alg = strings.ToUpper(strings.TrimSpace(alg))
	for _, a := range checksumAlgorithms {
		if a == alg {
			return a
		}
	}
	return ""
}

// received is a request body read in full and verified.
type received struct {
	blob     *blob
	size     int64
	md5      [md5.Size]byte
	alg      string // the checksum algorithm
	checksum string // its base64 value
}

func (rc *received) etag() string { return hex.EncodeToString(rc.md5[:]) }

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readBody reads r's body into a new blob, decoding aws-chunked, and checks
// its length, Content-MD5 and checksum. The caller seals or discards the blob.
// With mem the blob is kept in memory even with a data directory (for small
// XML request bodies). defAlg is the algorithm to compute when the request
// names none ("" for CRC64NVME); a request naming another one is refused.
func (s *Server) readBody(r *http.Request, mem bool, defAlg string) (*received, *Error) {
	h := r.Header
	chunked := strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-") ||
		hasToken(h.Get("Content-Encoding"), "aws-chunked")
	var src io.Reader = r.Body
	if r.Body == nil {
		src = strings.NewReader("")
	}
	want := r.ContentLength
	var cr *awsChunkedReader
	if chunked {
		cr = &awsChunkedReader{r: bufio.NewReaderSize(src, 32<<10)}
		src = cr
		want = -1
		if d := h.Get("X-Amz-Decoded-Content-Length"); d != "" {
			n, err := strconv.ParseInt(d, 10, 64)
			if err != nil || n < 0 {
				return nil, errInvalidArgument.withMessage("x-amz-decoded-content-length %q is not a byte count", d)
			}
			want = n
		}
	}
	if want > maxPutSize {
		return nil, errEntityTooLarge
	}

	// The checksum: a header with its value, or a trailer named by
	// x-amz-trailer, or CRC64NVME computed for the object's own sake.
	alg, given, trailer := "", "", ""
	for _, a := range checksumAlgorithms {
		if v := h.Get(checksumHeader(a)); v != "" {
			alg, given = a, v
			break
		}
	}
	if alg == "" {
		if t := strings.ToLower(strings.TrimSpace(h.Get("X-Amz-Trailer"))); strings.HasPrefix(t, "x-amz-checksum-") {
			alg = normAlgorithm(strings.TrimPrefix(t, "x-amz-checksum-"))
			if alg == "" {
				return nil, errInvalidRequest.withMessage("The value specified in the x-amz-trailer header is not supported")
			}
			if cr == nil {
				return nil, errInvalidRequest.withMessage("x-amz-trailer needs an aws-chunked body")
			}
			trailer = t
		}
	}
	switch {
	case alg != "" && defAlg != "" && alg != defAlg:
		return nil, errInvalidRequest.withMessage("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(defAlg), strings.ToLower(alg))
	case alg == "" && defAlg != "":
		alg = defAlg
	case alg == "":
		alg = "CRC64NVME"
	}
	var md5want []byte
	if v := h.Get("Content-Md5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return nil, errInvalidDigest
		}
		md5want = b
	}

	bl := &blob{st: s.st}
	if !mem {
		var err error
		if bl, err = s.st.newBlob(want); err != nil {
			return nil, errInternal.withMessage("%v", err)
		}
	}
	mh, ch := md5.New(), newChecksum(alg)
	var n int64
	var err error
	if bl.f == nil && want >= 0 && want <= 64<<20 {
		// In memory with a known length: read straight into the object's
		// buffer, hashing it as it arrives, saving a copy.
		n, err = readHashing(src, bl, want, mh, ch)
	} else {
		bufp := copyBufs.Get().(*[]byte)
		n, err = io.CopyBuffer(io.MultiWriter(bl, mh, ch), src, *bufp)
		copyBufs.Put(bufp)
	}
	fail := func(e *Error) (*received, *Error) { bl.discard(); return nil, e }
	if err != nil {
		var me *Error
		if errors.As(err, &me) {
			return fail(me)
		}
		return fail(errIncompleteBody)
	}
	if want >= 0 && n != want {
		return fail(errIncompleteBody)
	}
	rc := &received{blob: bl, size: n, alg: alg}
	mh.Sum(rc.md5[:0])
	rc.checksum = base64.StdEncoding.EncodeToString(ch.Sum(nil))
	if md5want != nil && string(md5want) != string(rc.md5[:]) {
		return fail(errBadDigest)
	}
	if trailer != "" {
		given = cr.trailers[trailer]
		if given == "" {
			return fail(errInvalidRequest.withMessage("The trailer %s declared in x-amz-trailer was not sent", trailer))
		}
	}
	if given != "" && given != rc.checksum {
		return fail(errBadDigest.withMessage("The %s you specified did not match the calculated checksum.", alg))
	}
	return rc, nil
}

func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// withoutToken removes tok from a comma-separated header value.
func withoutToken(list, tok string) string {
	var out []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, tok) {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// awsChunkedReader decodes the aws-chunked content encoding:
//
//	<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0[;...]\r\n<trailer>:<value>\r\n...\r\n
//
// and collects the trailers, with lower-case names.
type awsChunkedReader struct {
	r        *bufio.Reader
	left     int64 // bytes left in the current chunk
	needCRLF bool
	eof      bool
	trailers map[string]string
}

var errChunk = errInvalidRequest.withMessage("The aws-chunked body is malformed")

func (c *awsChunkedReader) Read(p []byte) (int, error) {
	if c.eof {
		return 0, io.EOF
	}
	if c.left == 0 {
		if c.needCRLF {
			line, err := c.line()
			if err != nil || line != "" {
				return 0, errChunk
			}
		}
		line, err := c.line()
		if err != nil {
			return 0, errChunk
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return 0, errChunk
		}
		if n == 0 {
			c.eof = true
			return 0, c.readTrailers()
		}
		c.left, c.needCRLF = n, true
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err == io.EOF {
		if c.left > 0 {
			return n, io.ErrUnexpectedEOF
		}
		err = nil
	}
	return n, err
}

func (c *awsChunkedReader) readTrailers() error {
	c.trailers = map[string]string{}
	for {
		line, err := c.line()
		if errors.Is(err, io.EOF) || (err == nil && line == "") {
			return io.EOF
		}
		if err != nil {
			return errChunk
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return errChunk
		}
		c.trailers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
}

// line reads one CRLF- (or LF-) terminated line without its terminator.
func (c *awsChunkedReader) line() (string, error) {
	s, err := c.r.ReadString('\n')
	if err != nil {
		if err == io.EOF && s != "" {
			return strings.TrimRight(s, "\r"), nil
		}
		return "", err
	}
	if len(s) > 4096 {
		return "", errChunk
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// Hashing a body as it arrives: bodies of hashAsideMin bytes or more are
// read in hashChunk pieces, and each hash runs over them in a goroutine of
// its own, behind the reading. A large PUT then costs about its slowest
// hash (MD5, about 0.7 GB/s) rather than the receive plus every hash in
// turn; smaller bodies are hashed in place once read.
const (
	hashAsideMin = 1 << 20
	hashChunk    = 256 << 10
)

// readHashing reads a body of want bytes into bl's buffer, writing what it
// read to each of hs. A shorter body is kept short, with no error; a longer
// one reads one byte past want (the caller's length check refuses it).
func readHashing(src io.Reader, bl *blob, want int64, hs ...hash.Hash) (int64, error) {
	if int64(cap(bl.buf)) >= want {
		bl.buf = bl.buf[:want] // the buffer newBlob sized for the body
	} else {
		bl.buf = make([]byte, want)
	}
	var n int
	var err error
	if want < hashAsideMin {
		n, err = io.ReadFull(src, bl.buf)
		for _, h := range hs {
			h.Write(bl.buf[:n])
		}
	} else {
		n, err = readHashingAside(src, bl.buf, hs)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		bl.buf = bl.buf[:n]
		return int64(n), nil
	}
	if err != nil {
		return int64(n), err
	}
	var one [1]byte
	m, err := io.ReadFull(src, one[:])
	if errors.Is(err, io.EOF) {
		err = nil
	}
	bl.size = int64(n)
	return int64(n + m), err
}

// readHashingAside fills buf from src as io.ReadFull does, a hashChunk at a
// time, while a goroutine per hash writes each piece read to its hash. It
// returns once every hash has taken everything read.
func readHashingAside(src io.Reader, buf []byte, hs []hash.Hash) (int, error) {
	pieces := make([]chan []byte, len(hs))
	var wg sync.WaitGroup
	for i, h := range hs {
		// Room for every piece: the reading never waits for a hash.
		pieces[i] = make(chan []byte, len(buf)/hashChunk+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range pieces[i] {
				h.Write(p)
			}
		}()
	}
	n := 0
	var err error
	for n < len(buf) && err == nil {
		var m int
		m, err = io.ReadFull(src, buf[n:min(n+hashChunk, len(buf))])
		for _, c := range pieces {
			c <- buf[n : n+m]
		}
		n += m
	}
	for _, c := range pieces {
		close(c)
	}
	wg.Wait()
	return n, err
}

// ioCopyN discards n bytes of r.
func ioCopyN(r io.Reader, n int64) error {
	if r == nil {
		return nil
	}
	_, err := io.CopyN(io.Discard, r, n)
	return err
}
