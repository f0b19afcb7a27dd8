package scenarios

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestTripwiresUpstreamCutsAnswer: an upstream that declares a body and
// drops the connection halfway through it (a GetRecords page cut short)
// must reach the pipeline as a 502, which every SDK retries, never as a 200
// whose body ends early ("unexpected EOF" in the SDK's decoder). The proxy
// streamed the answer: the status and length went out before the body
// failed, and the client got a truncated 200.
func TestTripwiresUpstreamCutsAnswer(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", strconv.Itoa(4<<20))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte("r"), 1<<20))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // the connection is dropped mid-body
	}))
	t.Cleanup(up.Close)
	tw, err := newTripwires(up.URL, "lake", "out", nil, func() {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tw.Close() })
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tw.URL()+"/", strings.NewReader(`{"ShardIterator":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.GetRecords")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the proxy did not answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d with %d bytes of body (read error %v), want 502 Bad Gateway", resp.StatusCode, len(body), err)
	}
}

// TestTripwiresPassBodiesWhole sends large bodies both ways through the
// proxy, many at once, with a DynamoDB tripwire armed (which reads the
// requests it may count): each arrives whole.
func TestTripwiresPassBodiesWhole(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(b)
		w.Header().Set("X-Got", fmt.Sprintf("%d/%x", len(b), sum[:8]))
		n, _ := strconv.Atoi(r.URL.Query().Get("answer"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(bytes.Repeat([]byte{'a'}, n))
	}))
	t.Cleanup(up.Close)
	tw, err := newTripwires(up.URL, "lake", "out", []Tripwire{{At: TripInSink, Object: 1000, Table: "leases"}}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tw.Close() })
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent := bytes.Repeat([]byte{byte('a' + i%26)}, (i%4+1)<<20) // 1 to 4 MiB, a DynamoDB item's limit well passed
			answer := (i%3 + 1) << 20
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, fmt.Sprintf("%s/?answer=%d", tw.URL(), answer), bytes.NewReader(sent))
			if err != nil {
				errs <- err
				return
			}
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			sum := sha256.Sum256(sent)
			switch want := fmt.Sprintf("%d/%x", len(sent), sum[:8]); {
			case err != nil || resp.StatusCode != http.StatusOK:
				errs <- fmt.Errorf("request %d: status %d, read error %v", i, resp.StatusCode, err)
			case resp.Header.Get("X-Got") != want:
				errs <- fmt.Errorf("request %d: upstream got %s, want %s", i, resp.Header.Get("X-Got"), want)
			case len(got) != answer:
				errs <- fmt.Errorf("request %d: answer of %d bytes, want %d", i, len(got), answer)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		t.Error(err)
	}
}
