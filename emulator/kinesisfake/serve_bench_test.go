package kinesisfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("%s: status %d", op, w.status)
	}
	return w
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

func benchServer(b *testing.B) *Server {
	s, err := New(WithLimits(Limits{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	serveOnce(b, s, "CreateStream", []byte(`{"StreamName":"bench","ShardCount":4}`))
	return s
}

// BenchmarkServePutRecords is the server's own cost of PutRecords (500
// 200-byte records, 4 shards), without network or SDK: its capacity.
func BenchmarkServePutRecords(b *testing.B) {
	s := benchServer(b)
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
	s := benchServer(b)
	body := putRecordsBody(500)
	for i := 0; i < 100; i++ {
		serveOnce(b, s, "PutRecords", body)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`)))
	req.Header.Set("X-Amz-Target", targetPrefix+"GetShardIterator")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var it struct{ ShardIterator string }
	if err := json.Unmarshal(rec.Body.Bytes(), &it); err != nil {
		b.Fatal(err)
	}
	getBody := []byte(`{"ShardIterator":"` + it.ShardIterator + `"}`)
	perCall := s.streams["bench"].shards[0].recs
	n := 0
	for b.Loop() {
		serveOnce(b, s, "GetRecords", getBody)
		n += min(perCall.len(), 10000)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
