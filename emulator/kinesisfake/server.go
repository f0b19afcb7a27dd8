package kinesisfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/framelog"
	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Server is an in-process Kinesis Data Streams endpoint. Create one with New;
// it is an http.Handler, and Start serves it on its own listener. It is safe
// for concurrent use.
type Server struct {
	cfg     config
	hmacKey []byte
	macs    sync.Pool // of hash.Hash: HMAC-SHA256 keyed with hmacKey

	mu          sync.RWMutex
	streams     map[string]*stream
	policies    map[string]string // resource ARN -> policy document
	channels    map[string]*channel
	billing     *billingCommitment
	reqSerial   atomic.Uint64
	lastCreated atomic.Int64

	wal *framelog.Log

	life httpserve.Lifecycle
	done chan struct{} // closed by Close, ending open subscriptions
}

// New returns a Server configured by opts. With WithDataDir it replays the
// directory's log, so streams and records from a previous run are back.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		Common:      settings.Common{Addr: DefaultAddr, Region: DefaultRegion, AccountID: DefaultAccountID},
		limits:      DefaultLimits(),
		iteratorTTL: DefaultIteratorTTL,
	}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("kinesisfake: %w", err)
		}
	}
	cfg.Defaults()
	var seedBytes [8]byte
	binary.BigEndian.PutUint64(seedBytes[:], cfg.Seed)
	key := sha256.Sum256(append([]byte("kinesisfake iterator key "), seedBytes[:]...))
	s := &Server{
		cfg:      cfg,
		hmacKey:  key[:],
		streams:  make(map[string]*stream),
		policies: make(map[string]string),
		channels: make(map[string]*channel),
		done:     make(chan struct{}),
	}
	if cfg.DataDir != "" {
		w, err := openWAL(cfg.DataDir, s)
		if err != nil {
			return nil, fmt.Errorf("kinesisfake: open data dir %s: %w", cfg.DataDir, err)
		}
		s.wal = w
	}
	return s, nil
}

// Faults returns the injector every request is offered to.
func (s *Server) Faults() *fault.Injector { return s.cfg.Faults }

// Start listens on the configured address and serves HTTP/1.1 and cleartext
// HTTP/2 until Close.
func (s *Server) Start() error { return s.life.Start("kinesisfake", s.cfg.Addr, s) }

// URL returns the endpoint, "http://127.0.0.1:PORT", or "" before Start.
func (s *Server) URL() string { return s.life.URL() }

// Addr returns the listener's address, or "" before Start.
func (s *Server) Addr() string { return s.life.Addr() }

// Close stops serving, ends open subscriptions and closes the data log. It
// is idempotent.
func (s *Server) Close() error {
	first, err := s.life.Close()
	if !first {
		return nil
	}
	close(s.done)
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("kinesisfake: close listener: %w", err))
	}
	if s.wal != nil {
		if err := s.wal.Close(); err != nil {
			errs = append(errs, fmt.Errorf("kinesisfake: close data log: %w", err))
		}
	}
	return errors.Join(errs...)
}

const targetPrefix = "Kinesis_20131202."

// call is one request being served.
type call struct {
	op     string
	format wireFormat
	body   []byte
	w      http.ResponseWriter
	r      *http.Request
	now    time.Time
}

// errWritten is returned by a handler that wrote its own response.
var errWritten = errors.New("kinesisfake: response written by handler")

// ServeHTTP serves one Kinesis API request. It can be mounted behind another
// router; the path is ignored, as AWS does. The checks run in AWS's order:
// CORS, method and content type (403 XML answers), operation, body size,
// body syntax, credentials, then the operation's own validation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" && s.cors(w, r) {
		return
	}
	format, known := formatOf(r.Header.Get("Content-Type"))
	if r.Method == http.MethodDelete {
		// AWS hangs up on a DELETE without answering.
		panic(http.ErrAbortHandler)
	}
	if r.Method != http.MethodPost || !known {
		s.writeXMLDenied(w, r)
		return
	}
	if format == formatLegacyJSON {
		s.writeLegacyJSON(w, r)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	h := operations[op]
	if !ok || h == nil {
		s.writeError(w, format, errUnknownOperation)
		return
	}
	limit := s.cfg.limits.maxBodyBytes()
	if r.ContentLength > limit {
		s.writeError(w, format, newError(codeRequestEntityTooLarge, "Request body of %d bytes exceeds the limit of %d bytes.", r.ContentLength, limit))
		return
	}
	var reuse *[]byte
	if format == formatJSON && r.ContentLength > 0 && r.ContentLength <= maxPooledBody {
		// JSON decoding copies what it keeps (strings, base64-decoded
		// data), so the body's memory can serve the next request; CBOR
		// decoding may keep slices of it.
		reuse = bodyPool.Get().(*[]byte)
		defer bodyPool.Put(reuse)
	}
	var into []byte
	if reuse != nil {
		into = *reuse
	}
	body, err := httpserve.ReadBodyInto(into, http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if reuse != nil && cap(body) > cap(*reuse) {
		*reuse = body[:0]
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, format, newError(codeRequestEntityTooLarge, "Request body exceeds the limit of %d bytes.", limit))
			return
		}
		s.writeError(w, format, errSerialization(""))
		return
	}
	c := &call{op: op, format: format, body: body, w: w, r: r, now: s.cfg.Clock.Now()}
	out, err := s.run(h, c)
	if errors.Is(err, errWritten) {
		return
	}
	if err != nil {
		s.writeError(w, format, err)
		return
	}
	s.writeOK(w, format, out)
}

// bodyPool holds request bodies' memory for reuse (see ServeHTTP), up to
// maxPooledBody bytes each: on a machine where touching a fresh page is
// dear, a PutRecords body in new memory costs more than decoding it.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBody = 1 << 20

// cors adds the CORS headers AWS sends to a request with an Origin and
// answers a preflight (an OPTIONS request), reporting whether it did.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodOptions {
		h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date")
		return false
	}
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
		h.Set("Access-Control-Allow-Methods", v)
	}
	h.Set("Access-Control-Max-Age", "172800")
	h.Set("X-Amzn-Requestid", s.requestID())
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}

// writeXMLDenied answers a request AWS cannot map to an operation (a method
// other than POST, a content type it does not serve) as AWS does: 403 with
// an XML body, MissingAuthenticationTokenException when the request is not
// signed and AccessDeniedException when it is.
func (s *Server) writeXMLDenied(w http.ResponseWriter, r *http.Request) {
	code, msg := codeAccessDenied, "Unable to determine service/operation name to be authorized"
	if !signed(r) {
		code, msg = codeMissingAuthenticationTok, "Missing Authentication Token"
	}
	body := "<" + code + ">\n  <Message>" + msg + "</Message>\n</" + code + ">\n"
	h := w.Header()
	h.Del("Content-Type")
	h.Set("X-Amzn-Requestid", s.requestID())
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, body)
}

// writeLegacyJSON answers a request sent as application/json, the content
// type of AWS's old JSON protocol, which Kinesis does not serve: a 200 whose
// body wraps the error, as AWS answers it.
func (s *Server) writeLegacyJSON(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	inner := `{"__type":"com.amazon.coral.service#UnknownOperationException","message":null}`
	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		inner = `{"__type":"com.amazon.coral.service#SerializationException","Message":null}`
	}
	out := `{"Output":` + inner + `,"Version":"1.0"}`
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", s.requestID())
	h.Set("Content-Length", itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, out)
}

// run calls h, turning a panic other than an aborted connection into an
// InternalFailure rather than a dropped connection.
func (s *Server) run(h handler, c *call) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			err = newError(codeInternalFailure, "%s: internal error: %v", c.op, p)
		}
	}()
	return h(s, c)
}

func (s *Server) requestID() string {
	n := s.reqSerial.Add(1)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], n)
	sum := sha256.Sum256(b[:])
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func contentType(f wireFormat) string {
	if f == formatCBOR {
		return contentTypeCBOR
	}
	return contentTypeJSON
}

// respPool recycles the buffers of hand-written JSON and CBOR answers,
// which for GetRecords run to megabytes.
var respPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledResponse = 16 << 20

func (s *Server) writeOK(w http.ResponseWriter, f wireFormat, out any) {
	if _, void := out.(struct{}); void || out == nil {
		// Operations without output answer an empty body, as AWS does.
		h := w.Header()
		h.Set("Content-Type", contentType(f))
		h.Set("X-Amzn-Requestid", s.requestID())
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	bp := respPool.Get().(*[]byte)
	b, err := appendResponse((*bp)[:0], f, out)
	if r, ok := out.(interface{ release() }); ok {
		r.release() // rendered: what it borrowed goes back
	}
	defer func() {
		if cap(b) <= maxPooledResponse {
			*bp = b[:0]
			respPool.Put(bp)
		}
	}()
	if err != nil {
		s.writeError(w, f, newError(codeInternalFailure, "encoding the response: %v", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(f))
	h.Set("X-Amzn-Requestid", s.requestID())
	h.Set("Content-Length", itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// writeError renders err as AWS does: status, X-Amzn-ErrorType header and a
// body with __type and the message under the key AWS uses for the code
// ("message", but "Message" for SerializationException), or no message
// where AWS sends none.
func (s *Server) writeError(w http.ResponseWriter, f wireFormat, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = newError(codeInternalFailure, "%v", err)
	}
	key := "message"
	if ae.Code == codeSerialization {
		key = "Message"
	}
	var b []byte
	if f == formatCBOR {
		body := map[string]string{"__type": ae.Code}
		if !ae.noMessage {
			body[key] = ae.Message
		}
		b, _ = cborEnc.Marshal(body)
	} else {
		b = jsontext.AppendString(append(make([]byte, 0, 64+len(ae.Message)), `{"__type":`...), ae.Code)
		if !ae.noMessage {
			b = append(append(append(b, `,"`...), key...), `":`...)
			b = jsontext.AppendString(b, ae.Message)
		}
		b = append(b, '}')
	}
	h := w.Header()
	h.Set("Content-Type", contentType(f))
	h.Set("X-Amzn-Errortype", ae.Code)
	h.Set("X-Amzn-Requestid", s.requestID())
	h.Set("Content-Length", itoa(len(b)))
	w.WriteHeader(ae.Status)
	_, _ = w.Write(b)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// handler serves one operation.
type handler func(s *Server, c *call) (any, error)

// targeted inputs name the stream and shard a request is about, for fault
// matching.
type targeted interface {
	target(s *Server) (stream, shard string)
}

// validated inputs check their model constraints, all of them, before the
// operation looks anything up.
type validated interface {
	validate(v *violations)
}

// handle adapts a typed operation: decode the input, offer the request to the
// fault injector, then serve it.
func handle[T any, PT interface {
	*T
	targeted
}](f func(*Server, *call, PT) (any, error)) handler {
	return func(s *Server, c *call) (any, error) {
		in := PT(new(T))
		fd, fast := any(in).(fastDecoder)
		if !fast || c.format != formatJSON || !fd.decodeFastJSON(c.body) {
			if err := decodeRequest(c.format, c.body, in); err != nil {
				return nil, err
			}
		}
		if err := checkAuth(c.r); err != nil {
			return nil, err
		}
		if vi, ok := any(in).(validated); ok {
			var v violations
			vi.validate(&v)
			if err := v.err(); err != nil {
				return nil, err
			}
		}
		streamName, shardID := in.target(s)
		if err := s.applyFaults(c, streamName, shardID); err != nil {
			return nil, err
		}
		return f(s, c, in)
	}
}

// applyFaults offers the request to the injector and carries out its effect.
func (s *Server) applyFaults(c *call, streamName, shardID string) error {
	eff, ok := s.cfg.Faults.Match(fault.Request{Service: fault.ServiceKinesis, Operation: c.op, Resource: streamName, Shard: shardID})
	if !ok {
		return nil
	}
	if eff.Delay > 0 {
		// A delay is network latency: real time, not the injected clock.
		t := time.NewTimer(eff.Delay)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
			fault.AbortConnection()
		}
	}
	switch eff.Action {
	case fault.ActionError:
		return &apiError{Code: eff.Code, Status: eff.Status, Message: eff.Message}
	case fault.ActionDrop:
		fault.AbortConnection()
	}
	// A delay-only rule: AWS then answers normally. Refresh the time.
	c.now = s.cfg.Clock.Now()
	return nil
}

// streamARN is the ARN of a stream in this server's region and account.
func (s *Server) streamARN(name string) string {
	return "arn:aws:kinesis:" + s.cfg.Region + ":" + s.cfg.AccountID + ":stream/" + name
}

// nameFromARN returns the stream named by a stream ARN (or by a consumer ARN,
// which starts with one).
func (s *Server) nameFromARN(arn string) (string, *apiError) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return "", errValidation("streamARN", "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", arn)
	}
	res, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok || res == "" {
		return "", errValidation("streamARN", "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", arn)
	}
	name, _, _ := strings.Cut(res, "/")
	if parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return "", errStreamNotFound(name, parts[4])
	}
	return name, nil
}

// streamName resolves the name from a StreamName and/or StreamARN pair
// without looking the stream up.
func (s *Server) streamName(name, arn string) (string, *apiError) {
	if arn != "" {
		n, err := s.nameFromARN(arn)
		if err != nil {
			return "", err
		}
		if name != "" && name != n {
			return "", errInvalid("StreamName %s and StreamARN %s name different streams.", name, arn)
		}
		return n, nil
	}
	if name == "" {
		return "", newError(codeValidation, "Either StreamName or StreamARN should be provided.")
	}
	if err := validStreamName("streamName", name); err != nil {
		return "", err
	}
	return name, nil
}

// lookup finds a live stream by name or ARN.
func (s *Server) lookup(name, arn string) (*stream, *apiError) {
	n, err := s.streamName(name, arn)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	st := s.streams[n]
	s.mu.RUnlock()
	if st == nil {
		return nil, errStreamNotFound(n, s.cfg.AccountID)
	}
	return st, nil
}

// lookupActive is lookup for the data path: a stream still CREATING is not
// found yet, as on AWS.
func (s *Server) lookupActive(c *call, name, arn string) (*stream, *apiError) {
	st, err := s.lookup(name, arn)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	creating := st.status(c.now) == "CREATING"
	st.mu.Unlock()
	if creating {
		return nil, errStreamNotFound(st.name, s.cfg.AccountID)
	}
	return st, nil
}

// targetOf names a stream for fault matching without validating it.
func (s *Server) targetOf(name, arn string) string {
	if name != "" {
		return name
	}
	if arn != "" {
		if n, err := s.nameFromARN(arn); err == nil {
			return n
		}
	}
	return ""
}

func validStreamName(member, name string) *apiError {
	var v violations
	v.str(member, &name, true, patternStreamName, isStreamName, 1, 128)
	return v.err()
}

// retentionCutoff is the arrival time before which records are gone.
func (st *stream) retentionCutoff(now time.Time) int64 {
	return now.Add(-time.Duration(st.retentionHours) * time.Hour).UnixMilli()
}
