package httpserve_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
)

func TestLifecycle(t *testing.T) {
	var l httpserve.Lifecycle
	if l.URL() != "" {
		t.Fatal("URL before Start should be empty")
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	if err := l.Start("test", "127.0.0.1:0", h); err != nil {
		t.Fatal(err)
	}
	if err := l.Start("test", "127.0.0.1:0", h); err == nil {
		t.Fatal("second Start should fail")
	}
	resp, err := http.Get(l.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("body = %q, want ok", body)
	}
	if first, err := l.Close(); !first || err != nil {
		t.Fatalf("Close() = %v, %v; want true, nil", first, err)
	}
	if first, _ := l.Close(); first {
		t.Fatal("second Close should report false")
	}
	if err := l.Start("test", "127.0.0.1:0", h); err == nil {
		t.Fatal("Start after Close should fail")
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		n       int64
		want    string
		wantErr bool
	}{
		{name: "exact length", body: "hello", n: 5, want: "hello"},
		{name: "unknown length", body: "hello", n: -1, want: "hello"},
		{name: "short body", body: "hel", n: 5, wantErr: true},
		{name: "longer than declared", body: "hello!", n: 5, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := httpserve.ReadBody(strings.NewReader(tt.body), tt.n)
			if (err != nil) != tt.wantErr || (err == nil && string(got) != tt.want) {
				t.Errorf("ReadBody(%q, %d) = %q, %v; want %q, error %v", tt.body, tt.n, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestReadBodyInto checks that a buffer with room is reused, a small one is
// not, and the checks of ReadBody hold either way.
func TestReadBodyInto(t *testing.T) {
	roomy := make([]byte, 0, 16)
	got, err := httpserve.ReadBodyInto(roomy, strings.NewReader("hello"), 5)
	if err != nil || string(got) != "hello" || &got[0] != &roomy[:1][0] {
		t.Errorf("ReadBodyInto(roomy) = %q, %v, reused %v; want hello in the same memory", got, err, err == nil && &got[0] == &roomy[:1][0])
	}
	small := make([]byte, 0, 2)
	if got, err := httpserve.ReadBodyInto(small, strings.NewReader("hello"), 5); err != nil || string(got) != "hello" {
		t.Errorf("ReadBodyInto(small) = %q, %v; want hello", got, err)
	}
	if _, err := httpserve.ReadBodyInto(roomy, strings.NewReader("hello!"), 5); err == nil {
		t.Error("ReadBodyInto of a body longer than declared: no error")
	}
	if _, err := httpserve.ReadBodyInto(roomy, strings.NewReader("hel"), 5); err == nil {
		t.Error("ReadBodyInto of a short body: no error")
	}
}
