// Package httpserve runs an emulator's http.Handler on a TCP listener, the
// way httptest does: Start on an address (127.0.0.1:0 for a free port), URL
// and Addr once started, and an idempotent Close that waits for the server to
// stop. Every emulator serves HTTP/1.1 and cleartext HTTP/2 (the JavaScript
// SDK v3 and SubscribeToShard clients use HTTP/2).
//
// Underneath is Server, which serves plain HTTP/1.1 requests on a lean path
// of its own and hands everything else to net/http (see server.go for why).
// What a handler sees differs from net/http in one way: a request's context
// is canceled when its connection closes only for answers the handler has
// flushed (streams such as SubscribeToShard) and when the server closes;
// an ordinary request is not watched for a client going away, because
// that watch is most of what net/http spends per request.
package httpserve

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// Lifecycle is the listening half of an emulator. Its zero value is ready to
// Start. It is safe for concurrent use.
type Lifecycle struct {
	mu     sync.Mutex
	ln     net.Listener
	srv    *Server
	closed bool
	wg     sync.WaitGroup
}

// Start listens on addr and serves h until Close. name prefixes errors
// ("kinesisfake: listen on ...").
func (l *Lifecycle) Start(name, addr string, h http.Handler) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return fmt.Errorf("%s: start: server is closed", name)
	case l.ln != nil:
		return fmt.Errorf("%s: start: already started", name)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	l.ln = ln
	l.srv = NewServer(h)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		_ = l.srv.Serve(ln)
	}()
	return nil
}

// Addr returns the listener's host:port, or "" before Start.
func (l *Lifecycle) Addr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return ""
	}
	return l.ln.Addr().String()
}

// URL returns "http://" + Addr(), or "" before Start.
func (l *Lifecycle) URL() string {
	if a := l.Addr(); a != "" {
		return "http://" + a
	}
	return ""
}

// Close stops the server, closing open connections, and waits for it to
// return. It reports whether this call closed it (false when it was closed
// already), so the owner can release its own resources exactly once.
func (l *Lifecycle) Close() (first bool, err error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false, nil
	}
	l.closed = true
	srv := l.srv
	l.mu.Unlock()
	if srv == nil {
		return true, nil
	}
	err = srv.Close()
	l.wg.Wait()
	return true, err
}

// ReadBody reads a request body of declared length n (n <= 0: unknown, read
// to the end). A body that ends early, or goes on past n, is an error, so a
// truncated or padded request is refused rather than half-read. Wrap r in
// http.MaxBytesReader to bound an unknown length.
func ReadBody(r io.Reader, n int64) ([]byte, error) { return ReadBodyInto(nil, r, n) }

// ReadBodyInto is ReadBody into buf's memory where it has room for n bytes:
// for a caller that reuses buffers and keeps nothing of the body.
func ReadBodyInto(buf []byte, r io.Reader, n int64) ([]byte, error) {
	if n <= 0 {
		return io.ReadAll(r)
	}
	if int64(cap(buf)) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	// Make sure nothing follows (and hit a MaxBytesReader's limit if it does).
	var one [1]byte
	if m, err := r.Read(one[:]); m > 0 || (err != nil && !errors.Is(err, io.EOF)) {
		if err == nil {
			err = errors.New("body longer than its Content-Length")
		}
		return nil, err
	}
	return buf, nil
}
