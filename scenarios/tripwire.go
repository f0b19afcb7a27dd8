package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// TripAt is the moment, seen at the S3 emulator, at which a tripwire kills
// the pipeline.
type TripAt string

// The tripwires' moments.
const (
	// TripInSink kills the pipeline while its Nth output object is being
	// written: the object is stored, but the answer to the PutObject (or
	// CompleteMultipartUpload) never reaches the pipeline. A pipeline that
	// names its objects deterministically overwrites it after the restart;
	// one that does not writes its records again.
	TripInSink TripAt = "in-sink"
	// TripAfterSink kills the pipeline right after its Nth output object
	// was acknowledged, before it can record its progress (a checkpoint, a
	// Kafka offset commit).
	TripAfterSink TripAt = "after-sink"
)

// Tripwire is an emulator-observed crash point of a Command pipeline: the
// runner watches the pipeline's S3 requests and kills it (SIGKILL of its
// process group) at the moment At of its Object-th output object (counted
// from 1 over the whole run, restarts included), then restarts it.
type Tripwire struct {
	At     TripAt
	Object int
	// Prefix, when set, is the key prefix in the output's bucket whose
	// writes the tripwire counts instead of the output's: a checkpoint
	// prefix ("job/checkpoint/commits/") kills the pipeline at its Nth
	// checkpoint write, stored and unanswered (in-sink) or just answered
	// (after-sink).
	Prefix string
}

func (t Tripwire) String() string {
	if t.Prefix != "" {
		return fmt.Sprintf("%s of write %d under %s", t.At, t.Object, t.Prefix)
	}
	return fmt.Sprintf("%s of output object %d", t.At, t.Object)
}

// Validate reports a tripwire that cannot fire.
func (t Tripwire) Validate() error {
	switch t.At {
	case TripInSink, TripAfterSink:
	default:
		return fmt.Errorf("tripwire at %q: want %q or %q", t.At, TripInSink, TripAfterSink)
	}
	if t.Object < 1 {
		return fmt.Errorf("tripwire object %d: want 1 or more", t.Object)
	}
	return nil
}

// tripwires is the proxy in front of the stack's endpoint that a Command
// pipeline is given: it passes every request through, counts the output
// objects written under the output prefix, and at a tripwire calls kill and
// waits for it before it answers (after-sink) or instead of answering
// (in-sink).
type tripwires struct {
	upstream *url.URL
	bucket   string
	prefix   string
	kill     func()

	mu      sync.Mutex
	counts  map[string]int // writes seen, by the prefix they were counted under
	pending []Tripwire     // in object order
	fired   []string       // labels not yet taken by the runner

	srv *http.Server
	ln  net.Listener
}

type tripKey struct{}

// tripState is what a request's response hook tells its handler.
type tripState struct{ after *Tripwire }

var errTripped = errors.New("tripwire: the pipeline was killed before the answer")

func newTripwires(upstream, bucket, prefix string, wires []Tripwire, kill func()) (*tripwires, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("tripwires: upstream %q: %w", upstream, err)
	}
	t := &tripwires{upstream: u, bucket: bucket, prefix: prefix, kill: kill, pending: slices.Clone(wires), counts: map[string]int{}}
	slices.SortFunc(t.pending, func(a, b Tripwire) int { return a.Object - b.Object })
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = t.onResponse
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if errors.Is(err, errTripped) {
			panic(http.ErrAbortHandler) // the connection is cut, nothing answered
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &tripState{}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tripKey{}, st)))
		if st.after != nil {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			t.trip(*st.after)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tripwires: listen: %w", err)
	}
	t.ln = ln
	t.srv = &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = t.srv.Serve(ln) }()
	return t, nil
}

// URL is the endpoint to give the pipeline.
func (t *tripwires) URL() string { return "http://" + t.ln.Addr().String() }

func (t *tripwires) Close() error { return t.srv.Close() }

// onResponse counts a stored object under each watched prefix and fires the
// tripwire due.
func (t *tripwires) onResponse(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	key, ok := t.writtenKey(resp.Request)
	if !ok {
		return nil
	}
	t.mu.Lock()
	seen := map[string]bool{}
	for _, w := range t.pending {
		p := t.watched(w)
		if !seen[p] && underPrefix(key, p) {
			seen[p] = true
			t.counts[p]++
		}
	}
	var due *Tripwire
	for i, w := range t.pending {
		p := t.watched(w)
		if seen[p] && t.counts[p] >= w.Object {
			due = &w
			t.pending = slices.Delete(t.pending, i, i+1)
			break
		}
	}
	t.mu.Unlock()
	if due == nil {
		return nil
	}
	if due.At == TripAfterSink {
		if st, ok := resp.Request.Context().Value(tripKey{}).(*tripState); ok {
			st.after = due
		}
		return nil
	}
	// In-sink: the object is stored; the answer is read and dropped.
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.trip(*due)
	return errTripped
}

func (t *tripwires) trip(w Tripwire) {
	t.mu.Lock()
	t.fired = append(t.fired, w.String())
	t.mu.Unlock()
	t.kill()
}

// takeFired returns the tripwires fired since the last call.
func (t *tripwires) takeFired() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.fired
	t.fired = nil
	return out
}

// left returns the tripwires that never fired.
func (t *tripwires) left() []Tripwire {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.pending)
}

// watched is the key prefix a tripwire counts writes under.
func (t *tripwires) watched(w Tripwire) string {
	if w.Prefix != "" {
		return strings.Trim(w.Prefix, "/")
	}
	return t.prefix
}

// writtenKey returns the key r stores in the bucket: a PutObject (not a
// part, not a copy) or a CompleteMultipartUpload, path-style or
// virtual-hosted.
func (t *tripwires) writtenKey(r *http.Request) (string, bool) {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPut && !q.Has("partNumber") && !q.Has("uploadId") && r.Header.Get("X-Amz-Copy-Source") == "":
	case r.Method == http.MethodPost && q.Has("uploadId"):
	default:
		return "", false
	}
	bucket, key := "", strings.TrimPrefix(r.URL.Path, "/")
	if host, _, _ := strings.Cut(r.Host, ":"); strings.HasPrefix(host, t.bucket+".") {
		bucket = t.bucket
	} else {
		bucket, key, _ = strings.Cut(key, "/")
	}
	if bucket != t.bucket || key == "" || strings.HasSuffix(key, "/") {
		return "", false
	}
	return key, true
}

// underPrefix reports whether key lies under the key prefix p ("" is the
// whole bucket).
func underPrefix(key, p string) bool {
	return p == "" || key == p || strings.HasPrefix(key, p+"/")
}

// hasFired reports whether a tripwire fired that the runner has not taken.
func (t *tripwires) hasFired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.fired) > 0
}
