package httpserve_test

// The per-request floor: a handler that does nothing but answer a fixed
// JSON body, served by net/http and by Server, each in a child process so
// its CPU is measured apart from the client's. What an emulator's operation
// costs beyond this floor is its own work.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/internal/childbench"
)

const (
	serveLeanEnv    = "HTTPSERVE_LEAN_FOR_BENCHMARK"
	serveNetHTTPEnv = "HTTPSERVE_NETHTTP_FOR_BENCHMARK"
)

func TestMain(m *testing.M) {
	childbench.ServeIfChild(serveLeanEnv, func() (string, func() error, error) {
		var l httpserve.Lifecycle
		if err := l.Start("floor", "127.0.0.1:0", fixedAnswer); err != nil {
			return "", nil, err
		}
		return l.URL(), func() error { _, err := l.Close(); return err }, nil
	})
	childbench.ServeIfChild(serveNetHTTPEnv, func() (string, func() error, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, err
		}
		hs := &http.Server{Handler: fixedAnswer, ReadHeaderTimeout: 30 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		return "http://" + ln.Addr().String(), func() error {
			if err := hs.Shutdown(context.Background()); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, nil
	})
	os.Exit(m.Run())
}

// fixedAnswer reads the body and answers as a small AWS JSON operation does.
var fixedAnswer = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := httpserve.ReadBody(r.Body, r.ContentLength); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	_, _ = io.WriteString(w, `{"Item":{"pk":{"S":"user-00001"},"sk":{"S":"0001"},"n":{"N":"1"}}}`)
})

// BenchmarkServerFloor measures the server CPU of one request that does no
// work, sent as the Go SDK sends a DynamoDB call (a POST with a JSON body and
// SigV4-sized headers) one at a time, on net/http and on Server.
func BenchmarkServerFloor(b *testing.B) {
	for _, srv := range []struct{ name, env string }{{"net-http", serveNetHTTPEnv}, {"httpserve", serveLeanEnv}} {
		b.Run(srv.name, func(b *testing.B) {
			child := childbench.Start(b, srv.env)
			body := `{"TableName":"bench","Key":{"pk":{"S":"user-00001"},"sk":{"S":"0001"}}}`
			send := func() {
				req, _ := http.NewRequestWithContext(b.Context(), "POST", child.URL, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-amz-json-1.0")
				req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
				req.Header.Set("X-Amz-Date", "20261204T213000Z")
				req.Header.Set("Amz-Sdk-Invocation-Id", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
				req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
				req.Header.Set("User-Agent", "aws-sdk-go-v2/1.36.0 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.44.0 m/E")
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=accept-encoding;amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			send()
			before := child.CPU(b)
			b.ResetTimer()
			for range b.N {
				send()
			}
			b.StopTimer()
			child.ReportPerOp(b, before)
		})
	}
}
