package httpserve

// The lean path's connection: read a request head, decide whether it is
// plain, call the handler, answer, and go round again.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
)

const (
	// maxLeanHead is the largest request head the lean path parses; a
	// larger one goes to net/http (whose limit is 1 MiB).
	maxLeanHead = 16 << 10
	// maxDrain is how much of a body the handler did not read is read and
	// dropped to keep the connection; a larger rest closes it.
	maxDrain = 256 << 10
)

// conn is one client connection on the lean path.
type conn struct {
	srv *Server
	nc  net.Conn
	br  *bufio.Reader

	ctx    context.Context // the requests' context: canceled when the connection ends
	cancel context.CancelFunc
	remote string

	res response // reused from request to request
}

func (c *conn) serve() {
	defer c.srv.untrack(c)
	c.ctx, c.cancel = context.WithCancel(c.srv.ctx)
	defer c.cancel()
	c.remote = c.nc.RemoteAddr().String()
	c.br = bufio.NewReaderSize(c.nc, maxLeanHead)
	c.res.conn = c
	for {
		n, ok, err := c.peekHead()
		if err != nil {
			_ = c.nc.Close()
			return
		}
		var h head
		if ok {
			h, ok = parseHead(c.peeked(n))
		}
		if !ok {
			c.srv.handOff(c.nc, c.br)
			return
		}
		_, _ = c.br.Discard(n)
		if !c.serveRequest(&h) {
			_ = c.nc.Close()
			return
		}
	}
}

func (c *conn) peeked(n int) []byte {
	b, _ := c.br.Peek(n)
	return b
}

// peekHead waits for a whole request head in the buffer and returns its
// length. ok is false when the head is not one the lean path parses: larger
// than maxLeanHead, or not ended by CRLF CRLF. err is set when the
// connection ended (between requests: the client closed it).
func (c *conn) peekHead() (n int, ok bool, err error) {
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		if end, strict := headEnd(buf); end > 0 {
			return end, strict, nil
		}
		if len(buf) == maxLeanHead {
			return 0, false, nil
		}
		if _, err := c.br.Peek(len(buf) + 1); err != nil {
			if c.br.Buffered() > 0 {
				// Part of a request and then an error: net/http answers.
				return 0, false, nil
			}
			return 0, false, err
		}
	}
}

// headEnd finds the blank line that ends a request head in b: the length of
// the head with it, or 0 when it is not there yet. strict is false when a
// line ends in a bare LF, which the lean path leaves to net/http.
func headEnd(b []byte) (end int, strict bool) {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		j := i + 1
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			// The head ends at j; strict when every line ended in CRLF.
			strict = bytes.Count(b[:j+1], []byte("\n")) == bytes.Count(b[:j+1], []byte("\r\n"))
			return j + 1, strict
		}
	}
	return 0, false
}

// head is a parsed request head of the plain kind.
type head struct {
	method, uri, host string
	header            http.Header
	contentLength     int64
	close             bool // Connection: close
}

// parseHead parses a request head (up to and including its blank line). ok
// is false when the request is not plain: not HTTP/1.1, not origin-form,
// with Transfer-Encoding, Expect, Upgrade or a Connection: upgrade, without a
// Host or with two, with a Content-Length that is not one decimal number, or
// with a line net/http would refuse or treat specially. net/http serves
// those, and answers the malformed ones as it always has. Every value is a
// string of its own, as net/http makes them: a handler may keep one (an
// object's Content-Type) without keeping the whole head alive.
func parseHead(raw []byte) (h head, ok bool) {
	line, rest, _ := bytes.Cut(raw, crlf)
	method, line, ok1 := bytes.Cut(line, sp)
	uri, proto, ok2 := bytes.Cut(line, sp)
	if !ok1 || !ok2 || string(proto) != "HTTP/1.1" || !isToken(method) || len(uri) == 0 || uri[0] != '/' || !validURI(uri) {
		return h, false
	}
	h.method = internMethod(method)
	if h.method == "CONNECT" || h.method == "PRI" {
		return h, false
	}
	h.uri = string(uri)
	h.header = make(http.Header, 12)
	for {
		line, rest, _ = bytes.Cut(rest, crlf)
		if len(line) == 0 {
			break
		}
		name, v, found := bytes.Cut(line, colon)
		if !found || !isToken(name) {
			return h, false
		}
		v = bytes.Trim(v, " \t")
		if !validValue(v) {
			return h, false
		}
		key := canonicalKey(name)
		value := string(v)
		switch key {
		case "Host":
			if h.host != "" || !validHost(value) {
				return h, false
			}
			h.host = value
			continue // net/http keeps Host out of the header map too
		case "Content-Length":
			if h.header[key] != nil || value == "" || value[0] == '+' {
				return h, false
			}
			n, err := strconv.ParseUint(value, 10, 63)
			if err != nil {
				return h, false
			}
			h.contentLength = int64(n)
		case "Transfer-Encoding", "Expect", "Upgrade", "Http2-Settings":
			return h, false
		case "Connection":
			for tok := range strings.SplitSeq(value, ",") {
				switch strings.ToLower(strings.TrimSpace(tok)) {
				case "close":
					h.close = true
				case "upgrade":
					return h, false
				}
			}
		}
		h.header[key] = append(h.header[key], value)
	}
	if h.host == "" {
		return h, false
	}
	return h, true
}

var (
	sp    = []byte(" ")
	colon = []byte(":")
)

// internMethod returns a common method without allocating.
func internMethod(m []byte) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodHead:
		return http.MethodHead
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodOptions:
		return http.MethodOptions
	}
	return string(m)
}

// serveRequest runs the handler for one request and answers it. It reports
// whether the connection can serve another.
func (c *conn) serveRequest(h *head) (keep bool) {
	u, err := url.ParseRequestURI(h.uri)
	if err != nil {
		// validURI let it through; answer as net/http would.
		c.writeRaw("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request")
		return false
	}
	body := &requestBody{br: c.br, n: h.contentLength}
	req := &http.Request{
		Method:        h.method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h.header,
		Body:          http.NoBody,
		ContentLength: h.contentLength,
		Host:          h.host,
		RemoteAddr:    c.remote,
		RequestURI:    h.uri,
		Close:         h.close,
	}
	if h.contentLength > 0 {
		req.Body = body
	}
	req = req.WithContext(c.ctx)
	w := &c.res
	w.reset(req)
	if !c.callHandler(w, req) {
		return false
	}
	if !w.finish() {
		return false
	}
	if h.close || w.closeAfter {
		return false
	}
	// Keep the connection only when the rest of the body can be skipped.
	if body.n > 0 {
		if body.n > maxDrain {
			return false
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return false
		}
	}
	return true
}

// callHandler calls the handler, turning a panic into a closed connection
// as net/http does (http.ErrAbortHandler silently, anything else logged with
// its stack).
func (c *conn) callHandler(w *response, req *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = false
			if v != http.ErrAbortHandler { //nolint:errorlint // net/http compares the panic value the same way
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				log.Printf("http: panic serving %v: %v\n%s", c.remote, v, buf)
			}
		}
	}()
	c.srv.handler.ServeHTTP(w, req)
	return true
}

func (c *conn) writeRaw(s string) { _, _ = io.WriteString(c.nc, s) }

// requestBody is a request body of known length read from the connection.
type requestBody struct {
	br     *bufio.Reader
	n      int64 // bytes left
	closed bool
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.br.Read(p)
	b.n -= int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return n, fmt.Errorf("read request body: %w", err)
	}
	return n, nil
}

func (b *requestBody) Close() error { b.closed = true; return nil }

// canonicalKey is http.CanonicalHeaderKey, without an allocation for the
// header names clients send most.
func canonicalKey(name []byte) string {
	if k, ok := commonKeys[string(name)]; ok {
		return k
	}
	return http.CanonicalHeaderKey(string(name))
}

// commonKeys maps the header names AWS SDKs, the AWS CLI and Kafka's HTTP
// tools send, as sent and in lower case, to their canonical form.
var commonKeys = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"Accept", "Accept-Encoding", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "Authorization",
		"Cache-Control", "Connection", "Content-Disposition", "Content-Encoding", "Content-Language",
		"Content-Length", "Content-Md5", "Content-Type", "Expires", "Host", "If-Match", "If-None-Match",
		"Range", "User-Agent", "X-Amz-Checksum-Crc32", "X-Amz-Checksum-Crc32c", "X-Amz-Checksum-Crc64nvme",
		"X-Amz-Checksum-Sha1", "X-Amz-Checksum-Sha256", "X-Amz-Content-Sha256", "X-Amz-Date",
		"X-Amz-Decoded-Content-Length", "X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Security-Token",
		"X-Amz-Storage-Class", "X-Amz-Target", "X-Amz-Trailer", "X-Amz-User-Agent", "X-Amzn-Query-Mode",
	} {
		m[k] = k
		m[strings.ToLower(k)] = k
	}
	return m
}()

// isToken reports whether s is a non-empty HTTP token (RFC 9110 5.6.2).
func isToken[T string | []byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 0x80 || !tokenChar[ch] {
			return false
		}
	}
	return true
}

var tokenChar = func() (t [128]bool) {
	for ch := '0'; ch <= '9'; ch++ {
		t[ch] = true
	}
	for ch := 'a'; ch <= 'z'; ch++ {
		t[ch], t[ch-'a'+'A'] = true, true
	}
	for _, ch := range "!#$%&'*+-.^_`|~" {
		t[ch] = true
	}
	return t
}()

// validValue reports whether a header value has no control characters
// other than tab (net/http refuses those).
func validValue(v []byte) bool {
	for i := 0; i < len(v); i++ {
		if ch := v[i]; ch < ' ' && ch != '\t' || ch == 0x7f {
			return false
		}
	}
	return true
}

// validURI reports whether a request target is printable ASCII without
// spaces; anything else goes to net/http.
func validURI(u []byte) bool {
	for i := 0; i < len(u); i++ {
		if ch := u[i]; ch <= ' ' || ch >= 0x7f {
			return false
		}
	}
	return true
}

// validHost accepts the host forms clients send (name, IPv4, [IPv6], with a
// port); anything else goes to net/http, which decides.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		ch := h[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']' || ch == '_':
		default:
			return false
		}
	}
	return true
}
