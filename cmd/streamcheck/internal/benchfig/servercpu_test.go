package benchfig

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeChild runs a server process's loop in process: it prints a URL,
// then answers each "cpu" line with nanoseconds, or "unmeasured" when its
// CPU time is not to be reported.
func TestServeChild(t *testing.T) {
	tests := []struct {
		name    string
		svc     string
		noCPU   bool
		want    func(line string) bool
		wantErr bool
	}{
		{name: "kinesis", svc: "kinesis", want: func(l string) bool { n, err := strconv.ParseInt(l, 10, 64); return err == nil && n > 0 }},
		{name: "s3 without CPU", svc: "s3", noCPU: true, want: func(l string) bool { return l == "unmeasured" }},
		{name: "unknown service", svc: "sqs", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- serveChild(tt.svc, tt.noCPU, inR, outW); outW.Close() }()
			out := bufio.NewReader(outR)
			url, err := out.ReadString('\n')
			if tt.wantErr {
				if err == nil {
					t.Fatalf("serve %s printed %q, want an error", tt.svc, url)
				}
				if err := <-done; err == nil {
					t.Fatalf("serve %s: no error, want one", tt.svc)
				}
				return
			}
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("first line = %q, want the server's URL", url)
			}
			if _, err := io.WriteString(inW, "cpu\n"); err != nil {
				t.Fatal(err)
			}
			line, err := out.ReadString('\n')
			if err != nil || !tt.want(strings.TrimSpace(line)) {
				t.Errorf("answer to cpu = %q, %v", line, err)
			}
			inW.Close()
			if err := <-done; err != nil {
				t.Errorf("serve %s: %v", tt.svc, err)
			}
		})
	}
}

// TestPerOpCPURejects: a server whose CPU time does not grow, or answers
// something else than a time, gives no figure.
func TestPerOpCPURejects(t *testing.T) {
	tests := []struct {
		name    string
		answers string
	}{
		{"unmeasured", "unmeasured\n"},
		{"garbage", "lots\n"},
		{"negative", "-5\n"},
		{"no growth", "1000\n1000\n"},
		{"hung up", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &serverChild{in: nopWriteCloser{io.Discard}, out: bufio.NewReader(strings.NewReader(tt.answers))}
			calls := 0
			v, err := perOpCPU(t.Context(), c, time.Millisecond, func(_ context.Context, _ int) error { calls++; return nil })
			if err == nil {
				t.Fatalf("perOpCPU = %v after %d calls, want an error", v, calls)
			}
		})
	}
	c := &serverChild{in: nopWriteCloser{io.Discard}, out: bufio.NewReader(strings.NewReader("1000\n21000\n"))}
	v, err := perOpCPU(t.Context(), c, 0, func(_ context.Context, _ int) error { return nil })
	if err != nil || v != 1 { // 20 µs over the 20 calls it makes at least
		t.Errorf("perOpCPU = %v, %v; want 1 µs per call", v, err)
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
