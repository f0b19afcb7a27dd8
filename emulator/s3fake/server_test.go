package s3fake

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCleartextHTTP2(t *testing.T) {
	srv, c := setup(t)
	mustCreateBucket(t, c, "h2c")
	mustPut(t, c, "h2c", "k", []byte("over h2c"))
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: &protos}}
	resp, err := hc.Get(srv.URL() + "/h2c/k")
	if err != nil {
		t.Fatalf("GET over h2c: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 2 || string(body) != "over h2c" {
		t.Errorf("GET over h2c: got %s %q, want HTTP/2 and the body", resp.Proto, body)
	}
}

func TestErrorBodiesAndUnsupported(t *testing.T) {
	srv, c := setup(t)
	mustCreateBucket(t, c, "errs")
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
	}{
		{"GET", "/errs/missing", 404, "NoSuchKey"},
		{"GET", "/nobucket/k", 404, "NoSuchBucket"},
		{"GET", "/errs?versioning", 501, "NotImplemented"},
		{"PUT", "/errs/k?tagging", 501, "NotImplemented"},
		{"POST", "/", 405, "MethodNotAllowed"},
		{"DELETE", "/errs/k?uploadId=00000000000000000000000000000000", 404, "NoSuchUpload"},
		{"HEAD", "/errs/missing", 404, ""}, // HEAD: status only
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL()+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantCode == "" {
				if len(body) != 0 {
					t.Errorf("HEAD body: got %q, want none", body)
				}
				return
			}
			if !strings.Contains(string(body), "<Code>"+tt.wantCode+"</Code>") || !strings.Contains(string(body), "<RequestId>"+resp.Header.Get("X-Amz-Request-Id")+"</RequestId>") {
				t.Errorf("body: got %s, want code %s and the request ID", body, tt.wantCode)
			}
		})
	}
}
