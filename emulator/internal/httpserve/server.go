package httpserve

// Server: the accept loop, the hand-off of connections to net/http, and
// Close.
//
// Why a server of its own: an emulator's request is small and cheap (a
// conditional UpdateItem is ~25 µs of handler work), so the HTTP server around
// it decides what a request costs. net/http spends most of its per-request
// CPU on things an emulator does not need on the common path: a second
// goroutine per request that reads in the background to notice a client
// going away, the deadlines that stop it, a header map built through
// textproto and a buffered writer that writes headers and body apart. The
// lean path serves plain HTTP/1.1 requests (a Content-Length body or none)
// on one goroutine per connection and answers each with one write; every
// other kind of request — cleartext HTTP/2, a chunked body, Expect:
// 100-continue, an upgrade, anything malformed or unusual — is served by
// net/http, which then keeps that connection.

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server serves an http.Handler on a listener. Create one with NewServer,
// run it with Serve, stop it with Close.
type Server struct {
	handler http.Handler
	// slow serves the connections handed off to net/http.
	slow   *http.Server
	handed *handoffListener

	ctx    context.Context // canceled by Close: the requests' contexts derive from it
	cancel context.CancelFunc

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewServer returns a server for h that answers HTTP/1.1 and cleartext
// HTTP/2.
func NewServer(h http.Handler) *Server {
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetUnencryptedHTTP2(true)
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		handler: h,
		slow:    &http.Server{Handler: h, Protocols: &protos, ReadHeaderTimeout: 30 * time.Second},
		handed:  newHandoffListener(),
		ctx:     ctx,
		cancel:  cancel,
		conns:   make(map[*conn]struct{}),
	}
}

// Serve accepts connections on ln until Close, and returns nil then; it
// returns the listener's error if the listener fails first. It closes ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	if s.ln != nil {
		s.mu.Unlock()
		return errors.New("httpserve: Serve called twice")
	}
	s.ln = ln
	s.handed.addr = ln.Addr()
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		_ = s.slow.Serve(s.handed)
	}()

	backoff := time.Duration(0)
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait and try again, as
			// net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		cn := &conn{srv: s, nc: c}
		if !s.track(cn) {
			_ = c.Close()
			return nil
		}
		go cn.serve()
	}
}

// Close stops the server: it closes the listener and every connection,
// cancels the contexts of requests in flight and waits for their handlers to
// return. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for c := range s.conns {
		_ = c.nc.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.handed.close()
	if e := s.slow.Close(); e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	s.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// track registers a new connection; false when the server is closed.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// handOff gives the rest of a connection to net/http: what br has buffered
// is read first, so net/http sees the request the lean path declined from
// its first byte.
func (s *Server) handOff(nc net.Conn, br *bufio.Reader) {
	s.handed.offer(&handedConn{Conn: nc, r: br})
}

// handedConn is a connection whose first bytes wait in a bufio.Reader.
type handedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *handedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// handoffListener is the listener net/http serves: it "accepts" the
// connections the lean path hands off.
type handoffListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func newHandoffListener() *handoffListener {
	return &handoffListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) offer(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		_ = c.Close()
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) close() { l.once.Do(func() { close(l.done) }) }

func (l *handoffListener) Close() error { l.close(); return nil }

func (l *handoffListener) Addr() net.Addr { return l.addr }
