package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TripAt is the moment, seen at the emulators, at which a tripwire kills
// the pipeline.
type TripAt string

// The tripwires' moments.
const (
	// TripBeforeSink kills the pipeline while its Nth write is on its
	// way: the request never reaches the emulator, nothing is stored. At
	// a checkpoint write this is the kill between writing the output and
	// recording it: an at-least-once pipeline writes those records again.
	TripBeforeSink TripAt = "before-sink"
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
// runner watches the pipeline's requests and kills it (SIGKILL of its
// process group) at the moment At of its Object-th write (counted from 1
// over the whole run, restarts included), then restarts it. The writes
// counted are the output objects, or with Prefix the objects under a
// checkpoint prefix, or with Table the items written to a DynamoDB table.
type Tripwire struct {
	At     TripAt
	Object int
	// Prefix, when set, is the key prefix in the output's bucket whose
	// writes the tripwire counts instead of the output's: a checkpoint
	// prefix ("job/checkpoint/commits/") kills the pipeline at its Nth
	// checkpoint write, stored and unanswered (in-sink) or just answered
	// (after-sink).
	Prefix string
	// Table, when set, is a DynamoDB table whose writes (PutItem and
	// UpdateItem that succeed) the tripwire counts instead of S3 objects:
	// the lease or checkpoint table of a KCL application, a Flink or Spark
	// Kinesis connector, a consumer library's DynamoDB store.
	// BatchWriteItem and TransactWriteItems are not counted.
	Table string
	// Attribute, with Table, counts only the writes that set this
	// attribute to a value the table has not been given before in the
	// run: checkpoint advances, not lease takes and renewals that carry
	// the last checkpoint along. An UpdateItem whose expression sets the
	// attribute to anything but a plain :value counts every time.
	Attribute string
	// OffsetCommit, when set, makes the tripwire count the pipeline's
	// Kafka OffsetCommit requests that carry the source topic instead of
	// S3 objects, seen at the embedded Kafka emulator: before-sink kills
	// the pipeline with its Nth commit never stored, in-sink with it
	// stored but never answered. After-sink is not offered.
	OffsetCommit bool
}

func (t Tripwire) String() string {
	switch {
	case t.OffsetCommit:
		return fmt.Sprintf("%s of Kafka offset commit %d", t.At, t.Object)
	case t.Table != "" && t.Attribute != "":
		return fmt.Sprintf("%s of write %d of a new %s to DynamoDB table %s", t.At, t.Object, t.Attribute, t.Table)
	case t.Table != "":
		return fmt.Sprintf("%s of write %d to DynamoDB table %s", t.At, t.Object, t.Table)
	case t.Prefix != "":
		return fmt.Sprintf("%s of write %d under %s", t.At, t.Object, t.Prefix)
	}
	return fmt.Sprintf("%s of output object %d", t.At, t.Object)
}

// Validate reports a tripwire that cannot fire.
func (t Tripwire) Validate() error {
	switch t.At {
	case TripBeforeSink, TripInSink, TripAfterSink:
	default:
		return fmt.Errorf("tripwire at %q: want %q, %q or %q", t.At, TripBeforeSink, TripInSink, TripAfterSink)
	}
	if t.Object < 1 {
		return fmt.Errorf("tripwire object %d: want 1 or more", t.Object)
	}
	if t.Table != "" && t.Prefix != "" {
		return fmt.Errorf("tripwire prefix %q: want none with a table (%s)", t.Prefix, t.Table)
	}
	if t.Attribute != "" && t.Table == "" {
		return fmt.Errorf("tripwire attribute %q: want a table too", t.Attribute)
	}
	if t.OffsetCommit && (t.Table != "" || t.Prefix != "") {
		return fmt.Errorf("tripwire on offset commits: want no prefix (%q) nor table (%q)", t.Prefix, t.Table)
	}
	if t.OffsetCommit && t.At == TripAfterSink {
		return fmt.Errorf("tripwire on offset commits at %q: want %q or %q", t.At, TripBeforeSink, TripInSink)
	}
	return nil
}

// tripwires is the proxy in front of the stack's endpoint that a Command
// pipeline is given: it passes every request through, counts the writes the
// tripwires watch (output objects, objects under a checkpoint prefix, items
// written to a DynamoDB table), and at a tripwire calls kill and waits for
// it before it forwards the request (before-sink), before it answers
// (after-sink) or instead of answering (in-sink).
type tripwires struct {
	upstream *url.URL
	bucket   string
	prefix   string
	kill     func()

	mu      sync.Mutex
	counts  map[string]int  // writes seen, by what they were counted under
	values  map[string]bool // table, attribute and value of each DynamoDB write seen
	pending []Tripwire      // in object order
	fired   []string        // labels not yet taken by the runner

	srv       *http.Server
	ln        net.Listener
	transport *http.Transport
}

type tripKey struct{}

// tripState is what a request's handler and its response hook share.
type tripState struct {
	write *write    // the write the request makes, nil for any other
	after *Tripwire // the tripwire to fire once the answer is sent
}

// write is a request that stores something a tripwire may count.
type write struct {
	key    string            // S3: the object's key in the bucket
	table  string            // DynamoDB: the table
	values map[string]string // DynamoDB: watched attribute -> value written ("" when unknown)
}

var errTripped = errors.New("tripwire: the pipeline was killed before the answer")

// maxBufferedBody bounds the request and response bodies the proxy holds
// whole in memory (a GetRecords answer is at most 10 MiB, a DynamoDB item
// 400 KB); larger bodies, and bodies of unknown length, stream through.
const maxBufferedBody = 64 << 20

func newTripwires(upstream, bucket, prefix string, wires []Tripwire, kill func()) (*tripwires, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("tripwires: upstream %q: %w", upstream, err)
	}
	t := &tripwires{upstream: u, bucket: bucket, prefix: prefix, kill: kill, pending: slices.Clone(wires),
		counts: map[string]int{}, values: map[string]bool{}}
	slices.SortFunc(t.pending, func(a, b Tripwire) int { return a.Object - b.Object })
	rp := httputil.NewSingleHostReverseProxy(u)
	// A transport of its own: no proxy from the environment, no
	// compression asked for on the pipeline's behalf, idle connections
	// enough for a pipeline's concurrency, all closed with the proxy.
	t.transport = &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
	rp.Transport = t.transport
	rp.ModifyResponse = t.onResponse
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if errors.Is(err, errTripped) {
			panic(http.ErrAbortHandler) // the connection is cut, nothing answered
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := bufferRequest(r); err != nil {
			panic(http.ErrAbortHandler) // the pipeline went away mid-request
		}
		st := &tripState{}
		if wr, ok := t.writeOf(r); ok {
			st.write = &wr
			if due := t.dueBefore(wr); due != nil {
				t.trip(*due)
				panic(http.ErrAbortHandler) // never forwarded, nothing stored
			}
		}
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

func (t *tripwires) Close() error {
	err := t.srv.Close()
	t.transport.CloseIdleConnections()
	return err
}

// bufferRequest reads a request body of known length, up to
// maxBufferedBody, into memory before anything is forwarded: the tripwires
// read DynamoDB writes whole, and the upstream request is sent from a
// buffer that the server's own handling of the pipeline's request body
// cannot close or drain under it. The Expect: 100-continue the pipeline
// sent has been answered by reading the body; it is not passed on.
func bufferRequest(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > maxBufferedBody {
		return nil
	}
	body := make([]byte, r.ContentLength)
	_, err := io.ReadFull(r.Body, body)
	r.Body.Close()
	if err != nil {
		return fmt.Errorf("tripwires: read the %d-byte request body: %w", r.ContentLength, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.Header.Del("Expect")
	return nil
}

// bufferResponse reads an answer of known length, up to maxBufferedBody,
// whole before any of it is passed on: an upstream that fails halfway
// through a body then reaches the pipeline as a 502, which its SDK
// retries, instead of a 200 whose body ends early.
func bufferResponse(resp *http.Response) error {
	if resp.Body == nil || resp.Body == http.NoBody || resp.ContentLength < 0 || resp.ContentLength > maxBufferedBody {
		return nil
	}
	body := make([]byte, resp.ContentLength)
	_, err := io.ReadFull(resp.Body, body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("tripwires: read the %d-byte answer: %w", resp.ContentLength, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// dueBefore takes the before-sink tripwire that wr, once stored, would
// make due, if any.
func (t *tripwires) dueBefore(wr write) *Tripwire {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, w := range t.pending {
		if w.At == TripBeforeSink && t.counts[t.watched(w)]+1 >= w.Object && t.matches(w, wr) {
			t.pending = slices.Delete(t.pending, i, i+1)
			return &w
		}
	}
	return nil
}

// onResponse counts a stored write under each watched target and fires the
// tripwire due.
func (t *tripwires) onResponse(resp *http.Response) error {
	if err := bufferResponse(resp); err != nil {
		return err
	}
	st, ok := resp.Request.Context().Value(tripKey{}).(*tripState)
	if !ok || st.write == nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	wr := *st.write
	t.mu.Lock()
	seen := map[string]bool{}
	for _, w := range t.pending {
		id := t.watched(w)
		if !seen[id] && t.matches(w, wr) {
			seen[id] = true
			t.counts[id]++
		}
	}
	for attr, v := range wr.values {
		if v != "" {
			t.values[valueID(wr.table, attr, v)] = true
		}
	}
	var due *Tripwire
	for i, w := range t.pending {
		if seen[t.watched(w)] && t.counts[t.watched(w)] >= w.Object {
			due = &w
			t.pending = slices.Delete(t.pending, i, i+1)
			break
		}
	}
	t.mu.Unlock()
	switch {
	case due == nil:
		return nil
	case due.At != TripInSink:
		st.after = due
		return nil
	}
	// In-sink: the write is stored; the answer is read and dropped.
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

// watched names what a tripwire counts writes under: a key prefix, or a
// table and attribute.
func (t *tripwires) watched(w Tripwire) string {
	switch {
	case w.OffsetCommit:
		return "kafka:offset-commit"
	case w.Table != "":
		return "dynamodb:" + w.Table + "/" + w.Attribute
	case w.Prefix != "":
		return "s3:" + strings.Trim(w.Prefix, "/")
	}
	return "s3:" + t.prefix
}

// matches reports whether the tripwire w counts wr; the caller holds mu.
func (t *tripwires) matches(w Tripwire, wr write) bool {
	if w.OffsetCommit {
		return false
	}
	if w.Table == "" {
		if wr.table != "" {
			return false
		}
		p := t.prefix
		if w.Prefix != "" {
			p = strings.Trim(w.Prefix, "/")
		}
		return underPrefix(wr.key, p)
	}
	if wr.table != w.Table {
		return false
	}
	if w.Attribute == "" {
		return true
	}
	v, ok := wr.values[w.Attribute]
	return ok && (v == "" || !t.values[valueID(wr.table, w.Attribute, v)])
}

func valueID(table, attr, v string) string { return table + "\x00" + attr + "\x00" + v }

// writeOf returns the write r makes that a tripwire may count: an S3
// object in the bucket, or, while a tripwire watches a DynamoDB table, a
// PutItem or UpdateItem.
func (t *tripwires) writeOf(r *http.Request) (write, bool) {
	if key, ok := t.writtenKey(r); ok {
		return write{key: key}, true
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	if !ok || (op != "PutItem" && op != "UpdateItem") {
		return write{}, false
	}
	t.mu.Lock()
	attrs := map[string][]string{} // table -> attributes watched
	for _, w := range t.pending {
		if w.Table != "" {
			attrs[w.Table] = append(attrs[w.Table], w.Attribute)
		}
	}
	t.mu.Unlock()
	if len(attrs) == 0 || r.GetBody == nil {
		return write{}, false // no body, or one too large for an item
	}
	rc, err := r.GetBody()
	if err != nil {
		return write{}, false
	}
	body, err := io.ReadAll(rc)
	if err != nil {
		return write{}, false
	}
	var req itemWrite
	if err := json.Unmarshal(body, &req); err != nil {
		return write{}, false
	}
	watched, ok := attrs[req.TableName]
	if !ok {
		return write{}, false
	}
	wr := write{table: req.TableName, values: map[string]string{}}
	for _, a := range watched {
		if a == "" {
			continue
		}
		if v, ok := req.valueOf(a); ok {
			wr.values[a] = v
		}
	}
	return wr, true
}

// itemWrite is what the tripwires read of a PutItem or UpdateItem request.
type itemWrite struct {
	TableName                 string
	Item                      map[string]json.RawMessage
	UpdateExpression          string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
	AttributeUpdates          map[string]struct {
		Action string
		Value  json.RawMessage
	}
}

// setClause finds the assignments of an UpdateExpression: a name or #name,
// =, and what follows up to the next comma or clause.
var setClause = regexp.MustCompile(`(#?[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(:[A-Za-z0-9_]+\b)?`)

// valueOf returns the value the request writes to attribute a, as compact
// JSON, "" when the request sets it by an expression other than a plain
// :value; ok is false when the request does not write a.
func (w *itemWrite) valueOf(a string) (string, bool) {
	if w.Item != nil {
		v, ok := w.Item[a]
		return compactJSON(v), ok
	}
	if u, ok := w.AttributeUpdates[a]; ok && (u.Action == "" || strings.EqualFold(u.Action, "PUT")) {
		return compactJSON(u.Value), true
	}
	for _, m := range setClause.FindAllStringSubmatch(w.UpdateExpression, -1) {
		name := m[1]
		if n, ok := w.ExpressionAttributeNames[name]; ok {
			name = n
		}
		if name != a {
			continue
		}
		if m[2] == "" {
			return "", true
		}
		return compactJSON(w.ExpressionAttributeValues[m[2]]), true
	}
	return "", false
}

func compactJSON(v json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return string(v)
	}
	return b.String()
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

// watchOffsetCommits fires the offset-commit tripwires at the embedded
// Kafka cluster: a control function, run in the cluster's loop, sees each
// OffsetCommit request that carries topic, and at a tripwire kills the
// pipeline before the request is handled, then drops the connection
// (before-sink: nothing stored) or lets the cluster store the offsets and
// answer a dead connection (in-sink).
func (t *tripwires) watchOffsetCommits(c *kfake.Cluster, topic string) {
	c.ControlKey(int16(kmsg.OffsetCommit), func(req kmsg.Request) (kmsg.Response, error, bool) { //nolint:revive // kfake's control signature
		c.KeepControl()
		oc, ok := req.(*kmsg.OffsetCommitRequest)
		if !ok || !slices.ContainsFunc(oc.Topics, func(rt kmsg.OffsetCommitRequestTopic) bool {
			if rt.TopicID != ([16]byte{}) { // v10+ names topics by ID
				ti := c.TopicIDInfo(rt.TopicID)
				return ti != nil && ti.Topic == topic
			}
			return rt.Topic == topic
		}) {
			return nil, nil, false
		}
		t.mu.Lock()
		const id = "kafka:offset-commit"
		t.counts[id]++
		var due *Tripwire
		for i, w := range t.pending {
			if w.OffsetCommit && t.counts[id] >= w.Object {
				due = &w
				t.pending = slices.Delete(t.pending, i, i+1)
				break
			}
		}
		t.mu.Unlock()
		if due == nil {
			return nil, nil, false
		}
		t.trip(*due)
		if due.At == TripBeforeSink {
			return nil, errTripped, true // the connection is closed, nothing stored
		}
		return nil, nil, false
	})
}

// hasOffsetCommit reports whether a tripwire counts Kafka offset commits.
func hasOffsetCommit(wires []Tripwire) bool {
	return slices.ContainsFunc(wires, func(w Tripwire) bool { return w.OffsetCommit })
}
