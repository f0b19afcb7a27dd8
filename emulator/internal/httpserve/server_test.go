package httpserve_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
)

// serve starts a Server for h on a free port and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserve.NewServer(h)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// echo answers with the request's method, body length and one header, and
// with what the query asks for: ?status=, ?size= (a body of that many bytes),
// ?declare=1 (with a Content-Length), ?late=1 (a header set after
// WriteHeader, which must not be sent).
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Body", fmt.Sprint(len(body)))
	w.Header().Set("X-Target", r.Header.Get("X-Amz-Target"))
	w.Header().Set("X-Host", r.Host)
	size := 0
	_, _ = fmt.Sscan(q.Get("size"), &size)
	if q.Get("declare") == "1" {
		w.Header().Set("Content-Length", fmt.Sprint(size))
	}
	if q.Get("type") == "" {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	status := http.StatusOK
	_, _ = fmt.Sscan(q.Get("status"), &status)
	w.WriteHeader(status)
	if q.Get("late") == "1" {
		w.Header().Set("X-Late", "1")
	}
	if size > 0 {
		_, _ = w.Write(bytes.Repeat([]byte("x"), size))
	}
})

func TestServerAnswers(t *testing.T) {
	t.Parallel()
	url := serve(t, echo)
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantLen                  int64 // the Content-Length the client saw; -1: chunked
		wantBody                 int
		wantHeader               map[string]string
	}{
		{name: "get", method: "GET", path: "/", wantStatus: 200, wantLen: 0, wantHeader: map[string]string{"X-Method": "GET", "X-Body": "0"}},
		{name: "post with body and target", method: "POST", path: "/", body: `{"TableName":"t"}`, header: map[string]string{"x-amz-target": "DynamoDB_20120810.GetItem"},
			wantStatus: 200, wantLen: 0, wantHeader: map[string]string{"X-Body": "17", "X-Target": "DynamoDB_20120810.GetItem"}},
		{name: "small body buffered", method: "GET", path: "/?size=100", wantStatus: 200, wantLen: 100, wantBody: 100},
		{name: "declared body sent at once", method: "GET", path: "/?size=200000&declare=1", wantStatus: 200, wantLen: 200000, wantBody: 200000},
		{name: "large undeclared body goes chunked", method: "GET", path: "/?size=3000000", wantStatus: 200, wantLen: -1, wantBody: 3000000},
		{name: "head keeps the declared length", method: "HEAD", path: "/?size=5&declare=1", wantStatus: 200, wantLen: 5},
		{name: "no content", method: "GET", path: "/?status=204", wantStatus: 204, wantLen: 0},
		{name: "error status", method: "PUT", path: "/?status=503&size=3", body: "abc", wantStatus: 503, wantLen: 3, wantBody: 3,
			wantHeader: map[string]string{"X-Body": "3"}},
		{name: "header after WriteHeader not sent", method: "GET", path: "/?late=1", wantStatus: 200, wantLen: 0, wantHeader: map[string]string{"X-Late": ""}},
		{name: "content type sniffed", method: "GET", path: "/?type=sniff&size=10", wantStatus: 200, wantLen: 10, wantBody: 10,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tt.method, url+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body == "" {
				req.Body = http.NoBody
			}
			for k, v := range tt.header {
				req.Header[k] = []string{v} // as sent, not canonicalized
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.ContentLength != tt.wantLen || len(got) != tt.wantBody {
				t.Errorf("status %d, Content-Length %d, body %d bytes; want %d, %d, %d",
					resp.StatusCode, resp.ContentLength, len(got), tt.wantStatus, tt.wantLen, tt.wantBody)
			}
			for k, want := range tt.wantHeader {
				if g := resp.Header.Get(k); g != want {
					t.Errorf("header %s = %q, want %q", k, g, want)
				}
			}
			if resp.Header.Get("Date") == "" {
				t.Error("no Date header")
			}
		})
	}
}

// TestServerKeepsConnections checks that requests reuse one connection,
// also after a body the handler did not read, and that Connection: close
// ends it.
func TestServerKeepsConnections(t *testing.T) {
	t.Parallel()
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, "ok") // never reads the body
	}))
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	var conns atomic.Int32
	do := func(path, body string) {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			if !i.Reused {
				conns.Add(1)
			}
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), "POST", url+path, strings.NewReader(body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "ok" {
			t.Fatalf("body %q, want ok", b)
		}
	}
	for range 5 {
		do("/", strings.Repeat("b", 1000))
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections for 5 requests, want 1", got)
	}
	do("/close", "")
	do("/", "")
	if got := conns.Load(); got != 2 {
		t.Errorf("%d connections after Connection: close, want 2", got)
	}
}

// TestServerHandsOff sends what the lean path leaves to net/http and
// checks it is answered as net/http answers it.
func TestServerHandsOff(t *testing.T) {
	t.Parallel()
	url := serve(t, echo)
	addr := strings.TrimPrefix(url, "http://")
	tests := []struct {
		name, raw  string
		wantStatus string
		wantBody   string // a header line or body text that must appear
	}{
		{name: "chunked body", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", wantStatus: "200", wantBody: "X-Body: 3"},
		{name: "expect continue", raw: "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab", wantStatus: "200", wantBody: "X-Body: 2"},
		{name: "bare LF lines", raw: "GET / HTTP/1.1\nHost: h\n\n", wantStatus: "200", wantBody: "X-Method: GET"},
		{name: "HTTP/1.0", raw: "GET / HTTP/1.0\r\nHost: h\r\n\r\n", wantStatus: "200", wantBody: "X-Method: GET"},
		{name: "no host", raw: "GET / HTTP/1.1\r\n\r\n", wantStatus: "400"},
		{name: "two content lengths", raw: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", wantStatus: "400"},
		{name: "bad header name", raw: "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", wantStatus: "400"},
		{name: "huge head", raw: "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 40000) + "\r\n\r\n", wantStatus: "200", wantBody: "X-Method: GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, tt.raw); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(c)
			var line string
			for line == "" || strings.HasPrefix(line, "HTTP/1.1 1") { // skip 100 Continue and its blank line
				if line, err = br.ReadString('\n'); err != nil {
					t.Fatalf("read status line: %v", err)
				}
				if line == "\r\n" {
					line = ""
				}
			}
			if f := strings.Fields(line); len(f) < 2 || f[1] != tt.wantStatus {
				t.Fatalf("status line %q, want status %s", line, tt.wantStatus)
			}
			if tt.wantBody == "" {
				return
			}
			rest := make([]byte, 4096)
			n, _ := io.ReadAtLeast(br, rest, 1)
			for n < len(rest) && !bytes.Contains(rest[:n], []byte("\r\n\r\n")) {
				m, err := br.Read(rest[n:])
				if err != nil {
					break
				}
				n += m
			}
			if !bytes.Contains(rest[:n], []byte(tt.wantBody)) {
				t.Errorf("answer %q does not contain %q", rest[:n], tt.wantBody)
			}
		})
	}
}

// TestServerPipelined sends two requests in one write; both are answered
// in order on the lean path.
func TestServerPipelined(t *testing.T) {
	t.Parallel()
	addr := strings.TrimPrefix(serve(t, echo), "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c, "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b?size=4 HTTP/1.1\r\nHost: h\r\n\r\n")
	br := bufio.NewReader(c)
	for i, want := range []struct{ body string }{{""}, {"xxxx"}} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != want.body {
			t.Errorf("answer %d body %q, want %q", i, b, want.body)
		}
	}
}

// TestServerH2C checks cleartext HTTP/2 with prior knowledge, which the
// JavaScript SDK v3 and SubscribeToShard clients use.
func TestServerH2C(t *testing.T) {
	t.Parallel()
	url := serve(t, echo)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: &protos}}
	resp, err := client.Post(url+"/?size=7", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 2 || len(b) != 7 || resp.Header.Get("X-Body") != "2" {
		t.Errorf("proto %s, body %d bytes, X-Body %q; want HTTP/2, 7, 2", resp.Proto, len(b), resp.Header.Get("X-Body"))
	}
}

// TestServerStreams checks that a flushed answer reaches the client before
// the handler returns, and that the request's context ends when the client
// goes away.
func TestServerStreams(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the watch starts once the body is read
		_, _ = io.WriteString(w, "event-1\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			ended <- r.Context().Err()
		case <-time.After(20 * time.Second):
			ended <- errors.New("context not canceled after the client left")
		}
	}))
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "event-1\n" {
		t.Fatalf("first event %q, %v; want event-1", line, err)
	}
	if resp.ContentLength != -1 {
		t.Errorf("Content-Length %d, want chunked", resp.ContentLength)
	}
	cancel() // closes the connection
	resp.Body.Close()
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("handler saw %v, want context.Canceled", err)
	}
}

// TestServerPanics checks that a handler's panic closes its connection and
// leaves the server serving.
func TestServerPanics(t *testing.T) {
	t.Parallel()
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/abort" {
			panic(http.ErrAbortHandler)
		}
		_, _ = io.WriteString(w, "ok")
	}))
	if resp, err := http.Get(url + "/abort"); err == nil {
		resp.Body.Close()
		t.Error("aborted request answered, want a connection error")
	}
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatalf("after the abort: %v", err)
	}
	resp.Body.Close()
}

// TestServerShortBody checks that an answer shorter than its declared
// Content-Length closes the connection, so the client sees an error
// instead of waiting.
func TestServerShortBody(t *testing.T) {
	t.Parallel()
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "abc")
		if _, err := io.WriteString(w, strings.Repeat("d", 20)); !errors.Is(err, http.ErrContentLength) {
			panic(fmt.Sprintf("write past Content-Length: %v, want ErrContentLength", err))
		}
	}))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a short body: %v, want unexpected EOF", err)
	}
}

// TestServerBodyIntact sends random bodies of many sizes and checks each
// arrives byte for byte.
func TestServerBodyIntact(t *testing.T) {
	t.Parallel()
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write(b)
	}))
	for _, n := range []int{1, 100, 16 << 10, 64 << 10, 65<<10 + 7, 1 << 20, 1<<20 + 1, 5 << 20} {
		body := make([]byte, n)
		_, _ = rand.Read(body)
		resp, err := http.Post(url, "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%d bytes: echoed %d bytes, equal %v, err %v", n, len(got), bytes.Equal(got, body), err)
		}
	}
}

// TestServerCloseEndsHandlers checks that Close cancels a waiting handler's
// context and returns.
func TestServerCloseEndsHandlers(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := httpserve.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String()); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
