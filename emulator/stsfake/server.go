package stsfake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
)

// Namespace is the XML namespace of every STS answer.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// APIVersion is the Version every request must name.
const APIVersion = "2011-06-15"

// maxBody bounds a request body; STS's largest inputs (session policies,
// tags) are a few kilobytes.
const maxBody = 1 << 20

// Server is the STS emulator. Create it with New.
type Server struct {
	cfg  config
	life httpserve.Lifecycle

	reqSerial atomic.Uint64
	keySerial atomic.Uint64

	mu       sync.Mutex
	sessions map[string]*session // by access key ID
	calls    map[string]int      // by action
}

// session is one set of credentials AssumeRole issued.
type session struct {
	accessKeyID, secret, token string
	account, role, name        string
	roleID                     string
	expires                    time.Time
}

// arn returns the session's assumed-role ARN.
func (s *session) arn() string {
	return "arn:aws:sts::" + s.account + ":assumed-role/" + s.role + "/" + s.name
}

// handler serves one action; caller is the session the request was signed
// with, nil for long-term credentials.
type handler func(s *Server, form url.Values, caller *session, now time.Time) (any, *Error)

// actions maps each Action to its handler; one file each.
var actions = map[string]handler{
	"AssumeRole":        assumeRole,
	"GetCallerIdentity": getCallerIdentity,
}

// New returns a Server configured by opts.
func New(opts ...Option) (*Server, error) {
	cfg := config{Common: settings.Common{Addr: DefaultAddr, AccountID: DefaultAccountID}, maxSession: DefaultMaxSessionDuration}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("stsfake: %w", err)
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	return &Server{cfg: cfg, sessions: map[string]*session{}, calls: map[string]int{}}, nil
}

// Start listens on the configured address and serves HTTP/1.1 and cleartext
// HTTP/2 until Close.
func (s *Server) Start() error { return s.life.Start("stsfake", s.cfg.Addr, s) }

// URL returns the endpoint, "http://127.0.0.1:PORT", or "" before Start.
func (s *Server) URL() string { return s.life.URL() }

// Addr returns the listener's address, or "" before Start.
func (s *Server) Addr() string { return s.life.Addr() }

// Close stops serving. It is idempotent.
func (s *Server) Close() error {
	if _, err := s.life.Close(); err != nil {
		return fmt.Errorf("stsfake: close listener: %w", err)
	}
	return nil
}

// Calls returns how many requests named action have been answered,
// successfully or not.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Expired reports whether accessKeyID belongs to credentials this server
// issued that have expired on its clock. Keys it did not issue (long-term
// credentials such as "test") never expire.
func (s *Server) Expired(accessKeyID string) bool {
	s.mu.Lock()
	sess := s.sessions[accessKeyID]
	s.mu.Unlock()
	return sess != nil && !s.cfg.Clock.Now().Before(sess.expires)
}

// ServeHTTP implements http.Handler: the Query protocol, by POST with a
// form-encoded body or by GET with the parameters in the query string.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := s.requestID()
	form, e := readForm(w, r)
	action := form.Get("Action")
	s.mu.Lock()
	s.calls[action]++
	s.mu.Unlock()
	if e != nil {
		writeError(w, e, rid)
		return
	}
	caller, e := s.authenticate(r)
	if e != nil {
		writeError(w, e, rid)
		return
	}
	h := actions[action]
	switch {
	case action == "":
		writeError(w, newError(codeMissingAction, "Missing Action"), rid)
		return
	case h == nil || form.Get("Version") != APIVersion:
		writeError(w, newError(codeInvalidAction, "Could not find operation %s for version %s", action, form.Get("Version")), rid)
		return
	}
	out, e := s.run(h, form, caller)
	if e != nil {
		writeError(w, e, rid)
		return
	}
	writeResult(w, action, out, rid)
}

// run calls h, turning a panic other than an aborted connection into an
// InternalFailure rather than a dropped connection.
func (s *Server) run(h handler, form url.Values, caller *session) (out any, e *Error) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			out, e = nil, newError(codeInternalFailure, "An internal error occurred (%s: %v)", form.Get("Action"), p)
		}
	}()
	return h(s, form, caller, s.cfg.Clock.Now())
}

// readForm returns the request's parameters: the form-encoded body of a POST
// merged over the query string.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *Error) {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		return q, nil
	case http.MethodPost:
	default:
		return q, newError(codeInvalidAction, "Method %s is not supported; use POST or GET", r.Method)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return q, newError(codeValidation, "Could not read the request body: %v", err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return q, newError(codeValidation, "The request body is not form-encoded: %v", err)
	}
	for k, v := range q {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	return form, nil
}

// authenticate checks that r is signed, in the header or the query string,
// and returns the issued session it was signed with (nil for long-term
// keys). Signatures are not verified.
func (s *Server) authenticate(r *http.Request) (*session, *Error) {
	var akid string
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, cred, ok := strings.Cut(auth, "Credential=")
		if !ok || !strings.Contains(auth, "Signature=") || !strings.Contains(auth, "SignedHeaders=") {
			return nil, newError(codeIncompleteSignature, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
		}
		akid, _, _ = strings.Cut(cred, "/")
	} else if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		akid, _, _ = strings.Cut(c, "/")
	} else {
		return nil, newError(codeMissingAuthToken, "Request is missing Authentication Token")
	}
	s.mu.Lock()
	sess := s.sessions[akid]
	s.mu.Unlock()
	if sess != nil && !s.cfg.Clock.Now().Before(sess.expires) {
		return nil, newError(codeExpiredToken, ExpiredTokenMessage)
	}
	return sess, nil
}

// responseMetadata carries the request ID of every answer.
type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeResult renders an answer as AWS does:
// <ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>.
func writeResult(w http.ResponseWriter, action string, result any, rid string) {
	doc := struct {
		XMLName  xml.Name
		Xmlns    string           `xml:"xmlns,attr"`
		Result   any              `xml:",omitempty"`
		Metadata responseMetadata `xml:"ResponseMetadata"`
	}{XMLName: xml.Name{Local: action + "Response"}, Xmlns: Namespace, Result: result, Metadata: responseMetadata{rid}}
	b, err := xml.Marshal(doc)
	if err != nil {
		writeError(w, newError(codeInternalFailure, "An internal error occurred (encode %s: %v)", action, err), rid)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// requestID derives the next request ID from the seed, shaped like AWS's
// (a UUID).
func (s *Server) requestID() string {
	b := s.derive("request", s.reqSerial.Add(1))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// derive returns 32 bytes from the seed, a purpose and a serial number.
func (s *Server) derive(purpose string, n uint64) [32]byte {
	h := sha256.New()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], n)
	h.Write(b[:])
	h.Write([]byte(purpose))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
