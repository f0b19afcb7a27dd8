package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var out lockedBuffer
	env := map[string]string{"STREAMCHECK_HOST": "127.0.0.1", "STREAMCHECK_DATA_DIR": t.TempDir()}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--port", "0", "--kafka-port", "0"}, &out, func(k string) string { return env[k] })
	}()

	re := regexp.MustCompile(`on (http://\S+), Kafka on (\S+)\nReady\.`)
	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m = re.FindStringSubmatch(out.String()); m == nil; m = re.FindStringSubmatch(out.String()) {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run returned %v before Ready", err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no Ready line in 20s; output: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get(m[1] + "/_localstack/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health = %d, want 200", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel = %v, want nil", err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--port", "x"}, &out, func(string) string { return "" }); err == nil {
		t.Error("run --port x = nil error, want a flag error")
	}
}
