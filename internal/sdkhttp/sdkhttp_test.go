package sdkhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// writerToBody is a request body that, like the SDK's, also implements
// io.WriterTo.
type writerToBody struct{ io.Reader }

func (writerToBody) Close() error { return nil }
func (b writerToBody) WriteTo(w io.Writer) (int64, error) {
	panic("WriteTo must be hidden from the transport")
}

func TestTransportHidesWriteTo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	defer srv.Close()

	c := sdkhttp.Client()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, writerToBody{strings.NewReader("hello")})
	req.ContentLength = 5
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if string(got) != "hello" {
		t.Fatalf("echo = %q, want %q", got, "hello")
	}
}

func TestWrapArbitraryClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	defer srv.Close()

	// A plain *http.Client would call WriteTo and panic; wrapped, it must not.
	c := sdkhttp.Wrap(&http.Client{})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, writerToBody{strings.NewReader("abc")})
	req.ContentLength = 3
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if again := sdkhttp.Wrap(c); again != c {
		t.Fatal("Wrap of a wrapped client should return it unchanged")
	}
}

func TestTransportIsIdempotent(t *testing.T) {
	once := sdkhttp.Transport(nil)
	if twice := sdkhttp.Transport(once); twice != once {
		t.Fatal("wrapping a wrapped transport should return it unchanged")
	}
}

// roundTripFunc is a base transport that records what it is handed.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// closeTracker is a streamed request body that records its Close.
type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestTransportBuffersSmallBodies(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		buffered bool
	}{
		{name: "small", size: 100, buffered: true},
		{name: "at the limit", size: sdkhttp.MaxBufferedBody, buffered: true},
		{name: "over the limit", size: sdkhttp.MaxBufferedBody + 1, buffered: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := strings.Repeat("x", tt.size)
			var got *http.Request
			tr := sdkhttp.Transport(roundTripFunc(func(req *http.Request) (*http.Response, error) {
				got = req
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
			}))
			orig := &closeTracker{Reader: strings.NewReader(payload)}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:1/", orig)
			req.ContentLength = int64(tt.size)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if gotBuffered := got.GetBody != nil; gotBuffered != tt.buffered {
				t.Fatalf("body buffered = %v, want %v", gotBuffered, tt.buffered)
			}
			if tt.buffered && !orig.closed {
				t.Error("the buffered request's own body was not closed")
			}
			if _, ok := got.Body.(io.WriterTo); ok && !tt.buffered {
				t.Error("a streamed body still offers WriteTo")
			}
			b, _ := io.ReadAll(got.Body)
			if string(b) != payload {
				t.Fatalf("body sent = %d bytes, want the %d given", len(b), tt.size)
			}
			if tt.buffered {
				again, _ := got.GetBody()
				if b, _ := io.ReadAll(again); string(b) != payload {
					t.Fatalf("GetBody = %d bytes, want the %d given", len(b), tt.size)
				}
			}
		})
	}
}

func TestTransportRejectsShortBody(t *testing.T) {
	tr := sdkhttp.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("a request with a short body was sent")
		return nil, nil
	}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:1/", io.NopCloser(strings.NewReader("short")))
	req.ContentLength = 10
	resp, err := tr.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("RoundTrip of a 5-byte body declared as 10 bytes: got no error, want one")
	}
}
