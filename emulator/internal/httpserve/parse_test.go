package httpserve

import (
	"bufio"
	"bytes"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// FuzzParseHead checks the lean path's parser against net/http's: every
// head the lean path accepts, net/http reads to the same request (method,
// target, host, headers, Content-Length, Connection: close), or refuses for
// its target, which the lean path answers 400 as well.
func FuzzParseHead(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /?x=1 HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nContent-Length: 17\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\ncontent-type: application/x-amz-json-1.0\r\n\r\n",
		"PUT /bucket/key HTTP/1.1\r\nHost: [::1]:9000\r\nx-amz-meta-a:  b \r\nX-Amz-Meta-A: c\r\nConnection: keep-alive, close\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, strict := headEnd(b)
		if end == 0 || !strict {
			return
		}
		raw := b[:end]
		h, ok := parseHead(raw)
		if !ok {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			if _, uerr := url.ParseRequestURI(h.uri); uerr == nil {
				t.Fatalf("lean path accepts %q, net/http refuses it: %v", raw, err)
			}
			return
		}
		if req.Method != h.method || req.RequestURI != h.uri || req.Host != h.host || req.ContentLength != h.contentLength || req.Close != h.close {
			t.Fatalf("%q: lean %s %s host %q length %d close %v; net/http %s %s host %q length %d close %v", raw,
				h.method, h.uri, h.host, h.contentLength, h.close, req.Method, req.RequestURI, req.Host, req.ContentLength, req.Close)
		}
		if !maps.EqualFunc(req.Header, h.header, slices.Equal) {
			t.Fatalf("%q: lean headers %v, net/http %v", raw, h.header, req.Header)
		}
	})
}
