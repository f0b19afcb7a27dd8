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
