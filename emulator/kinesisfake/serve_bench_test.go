package kinesisfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// discardWriter is an http.ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func serveOnce(b *testing.B, s *Server, op string, body []byte) *discardWriter {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Set("Content-Type", contentTypeJSON)
	benchSign(req)
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("%s: status %d", op, w.status)
	}
	return w
}

// benchSign gives req the credential headers the Go SDK sends (a
// well-formed, unverified SigV4 signature).
func benchSign(req *http.Request) {
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
}

func putRecordsBody(n int) []byte {
	payload := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'p'}, 200))
	var buf bytes.Buffer
	buf.WriteString(`{"StreamName":"bench","Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"Data":"%s","PartitionKey":"key-%d"}`, payload, i)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func benchServer(b *testing.B, shards int) *Server {
	s, err := New(WithLimits(Limits{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	serveOnce(b, s, "CreateStream", []byte(`{"StreamName":"bench","ShardCount":`+strconv.Itoa(shards)+`}`))
	return s
}

// BenchmarkServePutRecords is the server's own cost of PutRecords (500
// 200-byte records, 4 shards), without network or SDK: its capacity.
func BenchmarkServePutRecords(b *testing.B) {
	s := benchServer(b, 4)
	body := putRecordsBody(500)
	n := 0
	for b.Loop() {
		serveOnce(b, s, "PutRecords", body)
		n += 500
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkServeGetRecords is the server's own cost of GetRecords pages of
// 10,000 200-byte records, without network or SDK.
func BenchmarkServeGetRecords(b *testing.B) {
	s := benchServer(b, 4)
	body := putRecordsBody(500)
	for i := 0; i < 100; i++ {
		serveOnce(b, s, "PutRecords", body)
	}
	it := firstIterator(b, s)
	getBody := []byte(`{"ShardIterator":"` + it + `"}`)
	perCall := s.streams["bench"].shards[0].recs
	n := 0
	for b.Loop() {
		serveOnce(b, s, "GetRecords", getBody)
		n += min(perCall.len(), 10000)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkServePutRecords100 is the handler's cost of the PutRecords that
// BenchmarkServerCPU sends (100 200-byte records, one shard), without
// network or SDK.
func BenchmarkServePutRecords100(b *testing.B) {
	s := benchServer(b, 1)
	body := putRecordsBody(100)
	b.ReportAllocs()
	for b.Loop() {
		serveOnce(b, s, "PutRecords", body)
	}
}

// BenchmarkServeGetRecords100 is the handler's cost of the GetRecords that
// BenchmarkServerCPU sends (Limit 100 of 200-byte records, one shard),
// without network or SDK.
func BenchmarkServeGetRecords100(b *testing.B) {
	s := benchServer(b, 1)
	body := putRecordsBody(100)
	for range 200 {
		serveOnce(b, s, "PutRecords", body)
	}
	it := firstIterator(b, s)
	b.ReportAllocs()
	for b.Loop() {
		w := serveOnce(b, s, "GetRecords", []byte(`{"ShardIterator":"`+it+`","Limit":100}`))
		if w.n < 100*200 {
			b.Fatalf("GetRecords answered %d bytes, want 100 records", w.n)
		}
	}
}

// firstIterator returns a TRIM_HORIZON iterator of the bench stream's first shard.
func firstIterator(b *testing.B, s *Server) string {
	b.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`)))
	req.Header.Set("X-Amz-Target", targetPrefix+"GetShardIterator")
	req.Header.Set("Content-Type", contentTypeJSON)
	benchSign(req)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var it struct{ ShardIterator string }
	if err := json.Unmarshal(rec.Body.Bytes(), &it); err != nil {
		b.Fatal(err)
	}
	return it.ShardIterator
}

// BenchmarkDecodePutRecords100 is the cost of reading the PutRecords body
// of BenchmarkServePutRecords100 alone.
func BenchmarkDecodePutRecords100(b *testing.B) {
	body := putRecordsBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var in putRecordsInput
		if !in.decodeFastJSON(body) {
			b.Fatal("the fast reader refused the body")
		}
		in.release()
	}
}
