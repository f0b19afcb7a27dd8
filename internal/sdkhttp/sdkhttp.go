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
package sdkhttp

import (
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
	return d.c.Do(wrapBody(req))
}

// Transport wraps base so that every request body hides io.WriterTo. A nil
// base means http.DefaultTransport.
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
	return t.base.RoundTrip(wrapBody(req))
}

func wrapBody(req *http.Request) *http.Request {
	if req.Body == nil || req.Body == http.NoBody {
		return req
	}
	if _, ok := req.Body.(readOnlyBody); ok {
		return req
	}
	req = req.Clone(req.Context())
	req.Body = readOnlyBody{req.Body}
	return req
}

// readOnlyBody exposes only Read and Close of a request body.
type readOnlyBody struct{ rc io.ReadCloser }

func (b readOnlyBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readOnlyBody) Close() error               { return b.rc.Close() }
