package dynamodbfake

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/streamcheck/streamcheck/internal/cputime"
)

// discardWriter is an http.ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func serveOnce(b *testing.B, s *Server, op string, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", TargetPrefix+op)
	req.Header.Set("Content-Type", contentTypeJSON)
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("%s: status %d", op, w.status)
	}
}

func benchServer(b *testing.B) *Server {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	serveOnce(b, s, "CreateTable", []byte(`{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],`+
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`))
	for i := 0; i < 10000; i++ {
		serveOnce(b, s, "PutItem", itemBody(i))
	}
	return s
}

func itemBody(i int) []byte {
	return fmt.Appendf(nil, `{"TableName":"bench","Item":{"pk":{"S":"user-%05d"},"sk":{"N":"%d"},"name":{"S":"some name"},"count":{"N":"0"},"payload":{"S":"0123456789abcdef0123456789abcdef"}}}`, i%1000, i)
}

// The BenchmarkServe* benchmarks are the server's own cost of an operation,
// without network or SDK: its capacity. Besides ns/op they report the CPU
// time per operation, which a busy machine inflates much less.

// loop runs op until the benchmark ends and reports CPU time per call.
func loop(b *testing.B, op func(i int)) {
	cpu0, _ := cputime.Process()
	i := 0
	for b.Loop() {
		op(i)
		i++
	}
	if cpu1, ok := cputime.Process(); ok {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	}
}

func BenchmarkServePutItem(b *testing.B) {
	s := benchServer(b)
	bodies := make([][]byte, 1000)
	for i := range bodies {
		bodies[i] = itemBody(i)
	}
	loop(b, func(i int) { serveOnce(b, s, "PutItem", bodies[i%len(bodies)]) })
}

func BenchmarkServeGetItem(b *testing.B) {
	s := benchServer(b)
	body := []byte(`{"TableName":"bench","Key":{"pk":{"S":"user-00007"},"sk":{"N":"7"}}}`)
	loop(b, func(int) { serveOnce(b, s, "GetItem", body) })
}

func BenchmarkServeQuery(b *testing.B) {
	s := benchServer(b)
	body := []byte(`{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"user-00007"}}}`)
	loop(b, func(int) { serveOnce(b, s, "Query", body) })
}

func BenchmarkServeConditionalUpdateItem(b *testing.B) {
	s := benchServer(b)
	body := []byte(`{"TableName":"bench","Key":{"pk":{"S":"user-00007"},"sk":{"N":"7"}},"UpdateExpression":"SET #c = #c + :one, #o = :me",` +
		`"ConditionExpression":"attribute_exists(pk) AND (attribute_not_exists(#o) OR #o = :me)","ExpressionAttributeNames":{"#c":"count","#o":"owner"},` +
		`"ExpressionAttributeValues":{":one":{"N":"1"},":me":{"S":"worker-1"}}}`)
	loop(b, func(int) { serveOnce(b, s, "UpdateItem", body) })
}
