package s3fake

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is an http.ResponseWriter that keeps only the status and
// the size of the body.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// serveBench sends one request with the headers the Go SDK sends (a
// well-formed, unverified SigV4 signature) to s.ServeHTTP.
func serveBench(b *testing.B, s *Server, method, path string, body []byte, hdr map[string]string) *discardWriter {
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, req)
	if w.status != 0 && w.status != http.StatusOK {
		b.Fatalf("%s %s: status %d", method, path, w.status)
	}
	return w
}

// BenchmarkServePutObject64KiB is the handler's cost of the PutObject that
// BenchmarkServerCPU sends (64 KiB with its CRC32 in a header, as the Go SDK
// sends it), without network or SDK: MD5 for the ETag is most of it.
func BenchmarkServePutObject64KiB(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(body))
	hdr := map[string]string{"Content-Type": "application/octet-stream", "X-Amz-Checksum-Crc32": base64.StdEncoding.EncodeToString(sum[:])}
	serveBench(b, s, http.MethodPut, "/bench", nil, nil)
	b.SetBytes(benchObjectSize)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serveBench(b, s, http.MethodPut, fmt.Sprintf("/bench/%04d", i%64), body, hdr)
		i++
	}
}

// BenchmarkServeGetObject64KiB is the handler's cost of the GetObject that
// BenchmarkServerCPU sends, without network or SDK.
func BenchmarkServeGetObject64KiB(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), benchObjectSize/16)
	serveBench(b, s, http.MethodPut, "/bench", nil, nil)
	for i := range 64 {
		serveBench(b, s, http.MethodPut, fmt.Sprintf("/bench/%04d", i), body, nil)
	}
	b.SetBytes(benchObjectSize)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := serveBench(b, s, http.MethodGet, fmt.Sprintf("/bench/%04d", i%64), nil, map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
		if w.n != benchObjectSize {
			b.Fatalf("GetObject: %d bytes, want %d", w.n, benchObjectSize)
		}
		i++
	}
}
