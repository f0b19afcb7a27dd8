package httpserve

// The lean path's http.ResponseWriter. A body is buffered (up to
// maxBuffered) and sent with its head in one write when the handler returns,
// with a Content-Length; a body whose declared Content-Length is reached is
// sent at once, head and body together, without copying it; a longer body,
// or one the handler flushes, goes out chunked. As in net/http: Date is set,
// Content-Type is sniffed when the handler set none, a Content-Length the
// handler declared is kept to (more is http.ErrContentLength, less closes the
// connection), HEAD and 1xx/204/304 answers carry no body, headers changed
// after WriteHeader are not sent, and Connection: close is honoured both
// ways.

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxBuffered is the largest body held back to be sent with a
// Content-Length; beyond it an undeclared body is sent chunked.
const maxBuffered = 1 << 20

// errConnWrite is what Write answers once writing to the connection failed.
var errConnWrite = errors.New("httpserve: connection write failed")

type response struct {
	conn *conn
	req  *http.Request
	body *requestBody

	header      http.Header
	status      int
	wroteHeader bool
	head        []byte // the answer's head, built at WriteHeader
	committed   bool   // the head is on the wire
	chunked     bool
	declared    int64 // the handler's Content-Length, -1 when it set none
	written     int64
	buf         []byte // body bytes not yet sent
	out         []byte // what send gathers small writes into
	closeAfter  bool
	failed      bool

	watchDone chan struct{} // set while a disconnect watcher runs
}

func (w *response) reset(req *http.Request) {
	if w.header == nil {
		w.header = make(http.Header, 8)
	} else {
		clear(w.header)
	}
	w.req = req
	w.body, _ = req.Body.(*requestBody)
	w.status, w.wroteHeader, w.committed, w.chunked = 0, false, false, false
	w.declared, w.written = -1, 0
	w.head, w.buf = w.head[:0], w.buf[:0]
	if cap(w.buf) > 64<<10 {
		w.buf = nil // a large answer's buffer is not kept for the connection's life
	}
	w.closeAfter, w.failed = req.Close, false
	w.watchDone = nil
}

// Header returns the header map the answer is sent with.
func (w *response) Header() http.Header { return w.header }

// WriteHeader records the status and the head to send with it. A 1xx
// status other than 101 is sent at once as an informational answer.
func (w *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic("httpserve: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.send(w.appendStatus(nil, code, true))
		return
	}
	w.wroteHeader, w.status = true, code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v >= 0 {
			w.declared = v
		} else {
			w.header.Del("Content-Length")
		}
	}
	if w.header.Get("Connection") == "close" {
		w.closeAfter = true
	}
	w.head = w.appendStatus(w.head[:0], code, false)
}

// appendStatus appends the status line and the handler's headers in sorted
// order, without the framing headers this writer decides
// (Transfer-Encoding, Connection). An informational head is complete (it
// ends with its blank line and has no Content-Length); a final one is
// completed by commit.
func (w *response) appendStatus(b []byte, code int, informational bool) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	if text := http.StatusText(code); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(code), 10)
	}
	b = append(b, "\r\n"...)
	var arr [24]string
	keys := arr[:0]
	for k := range w.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !isToken(k) || k == "Transfer-Encoding" || k == "Connection" || informational && k == "Content-Length" {
			continue
		}
		for _, v := range w.header[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	if informational {
		b = append(b, "\r\n"...)
	}
	return b
}

// appendValue appends a header value with CR and LF turned into spaces, as
// net/http sends them.
func appendValue(b []byte, v string) []byte {
	if !strings.ContainsAny(v, "\r\n") {
		return append(b, v...)
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch == '\r' || ch == '\n' {
			ch = ' '
		}
		b = append(b, ch)
	}
	return b
}

// Write sends or buffers body bytes.
func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if w.req.Method == http.MethodHead {
		return len(p), nil
	}
	if w.failed {
		return 0, errConnWrite
	}
	switch {
	case w.committed:
		w.sendBody(p)
	case w.declared >= 0 && w.written == w.declared:
		// The body is complete: head, what was buffered and p in one go.
		w.commit(p, false)
	case len(w.buf)+len(p) <= maxBuffered:
		w.buf = append(w.buf, p...)
	default:
		w.commit(p, false)
	}
	if w.failed {
		return 0, errConnWrite
	}
	return len(p), nil
}

// Flush sends what is buffered (the head at least) and, for a streaming
// answer, starts watching the connection so the request's context ends
// when the client goes away.
func (w *response) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(nil, false)
	}
	w.watch()
}

// commit sends the head, the buffered body and extra. final means the
// handler has returned, so an undeclared body is exactly what is buffered.
func (w *response) commit(extra []byte, final bool) {
	w.committed = true
	b := w.head
	if _, ok := w.header["Date"]; !ok {
		b = append(b, "Date: "...)
		b = append(b, httpDate()...)
		b = append(b, "\r\n"...)
	}
	sendsBody := bodyAllowed(w.status) && w.req.Method != http.MethodHead
	if _, ok := w.header["Content-Type"]; !ok && sendsBody && w.header.Get("Content-Encoding") == "" {
		if first := firstBytes(w.buf, extra); len(first) > 0 {
			b = append(b, "Content-Type: "...)
			b = append(b, http.DetectContentType(first)...)
			b = append(b, "\r\n"...)
		}
	}
	if w.declared < 0 && bodyAllowed(w.status) {
		switch {
		case final && (sendsBody || w.written > 0):
			b = append(b, "Content-Length: "...)
			b = strconv.AppendInt(b, w.written, 10)
			b = append(b, "\r\n"...)
		case !final && sendsBody:
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
			w.chunked = true
		}
	}
	if w.closeAfter {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	w.head = b
	if n := len(w.buf) + len(extra); w.chunked && n > 0 {
		b = appendChunkHeader(b, n)
		w.send(b, w.buf, extra, crlf)
	} else {
		w.send(b, w.buf, extra)
	}
	w.buf = w.buf[:0]
}

var crlf = []byte("\r\n")

func (w *response) sendBody(p []byte) {
	if w.chunked && len(p) > 0 {
		var hdr [20]byte
		w.send(appendChunkHeader(hdr[:0], len(p)), p, crlf)
		return
	}
	w.send(p)
}

// appendChunkHeader appends the size line of a chunk of n > 0 bytes (a
// zero-size chunk ends the body).
func appendChunkHeader(b []byte, n int) []byte {
	b = strconv.AppendInt(b, int64(n), 16)
	return append(b, "\r\n"...)
}

// send writes the parts to the connection: small ones gathered into one
// buffer, large ones with one vectored write.
func (w *response) send(parts ...[]byte) {
	if w.failed {
		return
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	if total == 0 {
		return
	}
	var err error
	if total <= 64<<10 {
		out := w.out[:0]
		for _, p := range parts {
			out = append(out, p...)
		}
		w.out = out
		_, err = w.conn.nc.Write(out)
	} else {
		bufs := append(make(net.Buffers, 0, len(parts)), parts...)
		_, err = bufs.WriteTo(w.conn.nc)
	}
	if err != nil {
		w.failed = true
	}
}

// finish completes the answer after the handler returned. It reports
// whether the connection is still good.
func (w *response) finish() bool {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case !w.committed:
		w.commit(nil, true)
	case w.chunked:
		w.send([]byte("0\r\n\r\n"))
	}
	w.unwatch()
	if w.declared >= 0 && w.written < w.declared && bodyAllowed(w.status) && w.req.Method != http.MethodHead {
		w.closeAfter = true // the client waits for bytes that will not come
	}
	return !w.failed && w.conn.ctx.Err() == nil
}

// watch starts a read on the connection that ends the requests' context
// when the client closes it, the way net/http notices a client going away.
// It runs only for flushed (streaming) answers and only once the request
// body is read, so the read cannot take body bytes.
func (w *response) watch() {
	if w.watchDone != nil || w.body != nil && w.body.n > 0 {
		return
	}
	done := make(chan struct{})
	w.watchDone = done
	c := w.conn
	go func() {
		defer close(done)
		if _, err := c.br.Peek(1); err != nil && !isTimeout(err) {
			c.cancel()
		}
	}()
}

// unwatch stops the watcher, if one runs, and waits for it.
func (w *response) unwatch() {
	if w.watchDone == nil {
		return
	}
	_ = w.conn.nc.SetReadDeadline(time.Unix(1, 0))
	<-w.watchDone
	_ = w.conn.nc.SetReadDeadline(time.Time{})
	w.watchDone = nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// firstBytes returns up to 512 leading body bytes for content sniffing.
func firstBytes(a, b []byte) []byte {
	if len(a) == 0 {
		a = b
	}
	return a[:min(len(a), 512)]
}

// httpDate returns the Date header's value, formatted once a second.
func httpDate() string {
	now := time.Now()
	if d := cachedDate.Load(); d != nil && d.sec == now.Unix() {
		return d.text
	}
	d := &dateText{sec: now.Unix(), text: now.UTC().Format(http.TimeFormat)}
	cachedDate.Store(d)
	return d.text
}

type dateText struct {
	sec  int64
	text string
}

var cachedDate atomic.Pointer[dateText]
