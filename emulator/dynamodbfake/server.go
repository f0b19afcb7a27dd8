package dynamodbfake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/framelog"
	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Server is an in-process DynamoDB endpoint. Create one with New; it is an
// http.Handler, and Start serves it on its own listener. It is safe for
// concurrent use: each table has its own lock.
type Server struct {
	cfg config

	mu        sync.RWMutex // guards tables
	tables    map[string]*table
	tableSeq  atomic.Uint64
	reqSerial atomic.Uint64

	tokMu  sync.Mutex
	tokens map[string]*idemToken // TransactWriteItems ClientRequestTokens

	wal  *framelog.Log
	life httpserve.Lifecycle
}

// New returns a Server configured by opts. With WithDataDir it replays the
// directory's log, so tables and items from a previous run are back.
func New(opts ...Option) (*Server, error) {
	cfg := config{Common: settings.Common{Addr: DefaultAddr, Region: DefaultRegion, AccountID: DefaultAccountID}}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("dynamodbfake: %w", err)
		}
	}
	cfg.Defaults()
	s := &Server{cfg: cfg, tables: make(map[string]*table), tokens: make(map[string]*idemToken)}
	if cfg.DataDir != "" {
		w, err := openWAL(cfg.DataDir, s)
		if err != nil {
			return nil, fmt.Errorf("dynamodbfake: open data dir %s: %w", cfg.DataDir, err)
		}
		s.wal = w
	}
	return s, nil
}

// Faults returns the injector every request is offered to.
func (s *Server) Faults() *fault.Injector { return s.cfg.Faults }

// Start listens on the configured address and serves HTTP/1.1 and cleartext
// HTTP/2 until Close.
func (s *Server) Start() error { return s.life.Start("dynamodbfake", s.cfg.Addr, s) }

// URL returns the endpoint, "http://127.0.0.1:PORT", or "" before Start.
func (s *Server) URL() string { return s.life.URL() }

// Addr returns the listener's address, or "" before Start.
func (s *Server) Addr() string { return s.life.Addr() }

// Close stops serving and closes the data log. It is idempotent.
func (s *Server) Close() error {
	first, err := s.life.Close()
	if !first {
		return nil
	}
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("dynamodbfake: close listener: %w", err))
	}
	if s.wal != nil {
		if err := s.wal.Close(); err != nil {
			errs = append(errs, fmt.Errorf("dynamodbfake: close data log: %w", err))
		}
	}
	return errors.Join(errs...)
}

// TargetPrefix starts the X-Amz-Target header of every DynamoDB request; a
// router in front of several emulators can dispatch on it.
const TargetPrefix = "DynamoDB_20120810."

const contentTypeJSON = "application/x-amz-json-1.0"

// maxBody is the largest request body read: a BatchWriteItem of 25 items of
// 400 KB fits, with room for JSON framing.
const maxBody = 16 << 20

// call is one request being served.
type call struct {
	op   string
	body []byte
	r    *http.Request
	now  time.Time
}

// ServeHTTP serves one DynamoDB API request. It can be mounted behind another
// router; the path is ignored, as AWS does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.writeError(w, newError(codeSerialization, "method %s: the DynamoDB API takes POST requests", r.Method))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	h := operations[op]
	if !ok || h == nil {
		s.writeError(w, newError(codeUnknownOperation, "Unknown operation %s: want %s<Operation>, such as %sGetItem", strconv.Quote(target), TargetPrefix, TargetPrefix))
		return
	}
	if r.ContentLength > maxBody {
		s.writeError(w, newError(codeRequestTooLarge, "Request entity of %d bytes exceeds the limit of %d bytes", r.ContentLength, maxBody))
		return
	}
	body, err := httpserve.ReadBody(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, newError(codeRequestTooLarge, "Request entity exceeds the limit of %d bytes", maxBody))
			return
		}
		s.writeError(w, newError(codeSerialization, "reading the request body: %v", err))
		return
	}
	c := &call{op: op, body: body, r: r, now: s.cfg.Clock.Now()}
	out, err := s.run(h, c)
	if err != nil {
		s.writeError(w, err)
		return
	}
	s.writeOK(w, out)
}

// run calls h, turning a panic other than an aborted connection into an
// InternalServerError rather than a dropped connection.
func (s *Server) run(h handler, c *call) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				panic(p)
			}
			err = newError(codeInternalServerError, "Internal server error (%s: %v)", c.op, p)
		}
	}()
	return h(s, c)
}

// requestID derives the next x-amzn-RequestId from the seed: 52 characters
// of [0-9A-Z], like AWS's.
func (s *Server) requestID() string {
	n := s.reqSerial.Add(1)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], n)
	sum := sha256.Sum256(b[:])
	return strings.ToUpper(hex.EncodeToString(sum[:26]))
}

// respPool recycles the buffers answers are built in.
var respPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledResponse = 1 << 20

// jsonAppender is an answer that writes its own JSON, for the hot paths.
type jsonAppender interface{ appendJSON(b []byte) []byte }

func (s *Server) writeOK(w http.ResponseWriter, out any) {
	bp := respPool.Get().(*[]byte)
	b := (*bp)[:0]
	switch o := out.(type) {
	case nil:
		b = append(b, "{}"...)
	case jsonAppender:
		b = o.appendJSON(b)
	default:
		enc, err := json.Marshal(o)
		if err != nil {
			s.writeError(w, newError(codeInternalServerError, "Internal server error (encoding the response: %v)", err))
			return
		}
		b = append(b, enc...)
	}
	s.writeBody(w, http.StatusOK, b)
	if cap(b) <= maxPooledResponse {
		*bp = b[:0]
		respPool.Put(bp)
	}
}

// writeBody sends b with the headers DynamoDB sends: the content type, the
// request ID and the body's CRC-32 (IEEE), which the SDKs verify.
func (s *Server) writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentTypeJSON}
	h["X-Amzn-Requestid"] = []string{s.requestID()}
	h["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10)}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError renders err as DynamoDB does: the status, and a body with the
// namespaced __type, the message and any members the error carries.
func (s *Server) writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = newError(codeInternalServerError, "Internal server error (%v)", err)
	}
	b := make([]byte, 0, 128+len(ae.Message))
	b = append(b, `{"__type":`...)
	b = jsontext.AppendString(b, errorNamespace+ae.Code)
	if capitalMessage[ae.Code] {
		b = append(b, `,"Message":`...)
	} else {
		b = append(b, `,"message":`...)
	}
	b = jsontext.AppendString(b, ae.Message)
	if ae.Item != nil {
		b = append(b, `,"Item":`...)
		b = appendItem(b, ae.Item)
	}
	if ae.Reasons != nil {
		b = append(b, `,"CancellationReasons":[`...)
		for i, r := range ae.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"Code":`...)
			b = jsontext.AppendString(b, r.Code)
			if r.Message != "" {
				b = append(b, `,"Message":`...)
				b = jsontext.AppendString(b, r.Message)
			}
			if r.Item != nil {
				b = append(b, `,"Item":`...)
				b = appendItem(b, r.Item)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	s.writeBody(w, ae.Status, b)
}

// handler serves one operation.
type handler func(s *Server, c *call) (any, error)

// targeted inputs name the table a request is about, for fault matching.
type targeted interface{ target() string }

// handle adapts a typed operation: decode the input, offer the request to the
// fault injector, then serve it.
func handle[T any, PT interface {
	*T
	targeted
}](f func(*Server, *call, PT) (any, error)) handler {
	return func(s *Server, c *call) (any, error) {
		in := PT(new(T))
		if fd, ok := any(in).(fastDecoder); !ok || !fd.decodeFast(c.body) {
			*in = *new(T)
			if err := decodeRequest(c.body, in); err != nil {
				return nil, err
			}
		}
		if err := s.applyFaults(c, in.target()); err != nil {
			return nil, err
		}
		return f(s, c, in)
	}
}

// decodeRequest decodes a JSON request body. Malformed JSON or a member of
// the wrong JSON type is a SerializationException; an attribute value that
// breaks DynamoDB's rules is a ValidationException with AWS's message.
func decodeRequest(body []byte, in any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	err := json.Unmarshal(body, in)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return newError(codeSerialization, "Malformed JSON at offset %d: %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field != "" {
			return newError(codeSerialization, "Unexpected %s value for member %s, which is a %s", te.Value, te.Field, jsonKind(te.Type.Kind().String()))
		}
		return newError(codeSerialization, "Unexpected %s value where a %s was expected", te.Value, jsonKind(te.Type.Kind().String()))
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ser *expr.SerializationError
	if errors.As(err, &ser) {
		return newError(codeSerialization, "%s", ser.Message)
	}
	if strings.HasPrefix(err.Error(), "json: ") {
		return newError(codeSerialization, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return errInvalid(err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "structure"
	case "slice":
		return "list"
	case "int", "int32", "int64", "float64":
		return "number"
	}
	return k
}

// applyFaults offers the request to the injector and carries out its effect.
func (s *Server) applyFaults(c *call, tableName string) error {
	eff, ok := s.cfg.Faults.Match(fault.Request{Service: fault.ServiceDynamoDB, Operation: c.op, Resource: tableName})
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
	c.now = s.cfg.Clock.Now()
	return nil
}

// tableARN is the ARN of a table in this server's region and account.
func (s *Server) tableARN(name string) string {
	return "arn:aws:dynamodb:" + s.cfg.Region + ":" + s.cfg.AccountID + ":table/" + name
}

// tableNameOf resolves TableName, which may be a table's name or its ARN.
func (s *Server) tableNameOf(member, name string) (string, *apiError) {
	if strings.HasPrefix(name, "arn:") {
		parts := strings.SplitN(name, ":", 6)
		if len(parts) != 6 || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
			return "", errInvalidf("Invalid TableArn: Invalid ResourceArn provided as input %s", name)
		}
		n := strings.TrimPrefix(parts[5], "table/")
		if parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
			return "", errTableNotFound()
		}
		return n, validTableName(member, n)
	}
	return name, validTableName(member, name)
}

func validTableName(member, name string) *apiError {
	if name == "" {
		return errMissing(member)
	}
	if len(name) < 3 || len(name) > 255 {
		return errValidation(member, "Member must have length between 3 and 255", name)
	}
	if !validName(name) {
		return errValidation(member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	return nil
}

func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// lookup returns the table for a control-plane operation, in any status.
func (s *Server) lookup(name string) (*table, *apiError) {
	n, err := s.tableNameOf("tableName", name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	t := s.tables[n]
	s.mu.RUnlock()
	if t == nil {
		return nil, errNoTable(n)
	}
	return t, nil
}

// lookupData returns the table for a data-plane operation: one still
// CREATING is not found yet, as on AWS.
func (s *Server) lookupData(member, name string, now time.Time) (*table, *apiError) {
	n, err := s.tableNameOf(member, name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	t := s.tables[n]
	s.mu.RUnlock()
	if t == nil || now.Before(t.activeAt) {
		return nil, errTableNotFound()
	}
	return t, nil
}

// sortedTables returns the tables sorted by name.
func (s *Server) sortedTables() []*table {
	s.mu.RLock()
	out := make([]*table, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
