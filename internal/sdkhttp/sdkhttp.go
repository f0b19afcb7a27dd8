// Package sdkhttp gives aws-sdk-go-v2 clients an HTTP client that is safe
// against endpoints that answer within microseconds, such as streamcheck's
// emulators or LocalStack on loopback.
//
// The SDK closes a request body as soon as the response headers arrive, and
// the body's WriteTo then returns io.EOF. net/http's final copy ("is there
// anything after Content-Length?") can hit that when the response comes back
// before the request has been fully handed over; it takes the EOF for a write
// failure and closes the connection under the response still being read, so a
// large GetRecords page fails with "use of closed network connection". Hiding
// WriteTo makes net/http read the body through Read, where the closed body is
// a clean end of input. Over real networks the race cannot happen, and the
// wrapper costs one allocation per request.
//
// A body of known length up to MaxBufferedBody bytes is instead read into
// memory before the request is sent. net/http sends the headers and a body
// it knows to be in memory in one write; any other body (the SDK's are
// streams) gets its headers flushed in a packet of their own, which costs
// the client a second write and the server a second read and wake-up for
// every request. The copy cannot be closed under the transport, so the race
// above cannot happen either.
package sdkhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Client returns the SDK's default HTTP client (its transport settings and
// timeouts) with request bodies wrapped as the package comment explains.
func Client() *http.Client {
	return &http.Client{Transport: Transport(awshttp.NewBuildableClient().GetTransport())}
}

// Wrap returns an aws.HTTPClient that sends through c with request bodies
// wrapped as the package comment explains; a nil c means Client(). Wrapping
// twice is harmless. Use it where an aws.Config is handed in from outside:
// cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient).
func Wrap(c aws.HTTPClient) aws.HTTPClient {
	switch c := c.(type) {
	case nil:
		return Client()
	case doer:
		return c
	case *http.Client:
		if _, ok := c.Transport.(bodyTransport); ok {
			return c
		}
	}
	return doer{c}
}

// doer wraps request bodies before handing requests to an arbitrary client.
type doer struct{ c aws.HTTPClient }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	req, err := wrapBody(req)
	if err != nil {
		return nil, err
	}
	return d.c.Do(req)
}

// Transport wraps base so that every request body is sent from memory (up
// to MaxBufferedBody bytes) or hides io.WriterTo, as the package comment
// explains. A nil base means http.DefaultTransport.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if t, ok := base.(bodyTransport); ok {
		return t
	}
	return bodyTransport{base: base}
}

type bodyTransport struct{ base http.RoundTripper }

func (t bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req, err := wrapBody(req)
	if err != nil {
		return nil, err
	}
	return t.base.RoundTrip(req)
}

// MaxBufferedBody is the largest request body, in bytes, read into memory
// before it is sent (see the package comment); larger bodies, and bodies of
// unknown length, are streamed.
const MaxBufferedBody = 64 << 10

func wrapBody(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if _, ok := req.Body.(readOnlyBody); ok {
		return req, nil
	}
	if n := req.ContentLength; n > 0 && n <= MaxBufferedBody {
		buf := make([]byte, n)
		_, err := io.ReadFull(req.Body, buf)
		closeErr := req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("sdkhttp: read the %d-byte request body: %w", n, err)
		}
		if closeErr != nil {
			return nil, fmt.Errorf("sdkhttp: close the request body: %w", closeErr)
		}
		req = req.Clone(req.Context())
		// net/http knows an io.NopCloser around a *bytes.Reader to be in
		// memory, and sends it with the headers.
		req.Body = io.NopCloser(bytes.NewReader(buf))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		return req, nil
	}
	req = req.Clone(req.Context())
	req.Body = readOnlyBody{req.Body}
	return req, nil
}

// readOnlyBody exposes only Read and Close of a request body.
type readOnlyBody struct{ rc io.ReadCloser }

func (b readOnlyBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readOnlyBody) Close() error               { return b.rc.Close() }
