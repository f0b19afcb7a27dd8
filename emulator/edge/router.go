package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

// Paths a Router serves itself.
const (
	HealthPath = "/_localstack/health"
	FaultsPath = "/_streamcheck/faults"
)

// kinesisTargetPrefix is the X-Amz-Target prefix of every Kinesis operation.
const kinesisTargetPrefix = "Kinesis_20131202."

// dynamodbTargetPrefix is the X-Amz-Target prefix of every DynamoDB operation.
const dynamodbTargetPrefix = "DynamoDB_20120810."

// Router is an http.Handler that dispatches to Kinesis and S3 handlers and
// serves the health and fault endpoints. Create it with New.
type Router struct {
	kinesis  http.Handler
	s3       http.Handler
	dynamodb http.Handler // nil: not served
	sts      http.Handler // nil: not served
	// expired reports an access key whose temporary credentials have
	// expired (WithSTS); nil: none are checked.
	expired  func(accessKeyID string) bool
	faults   *fault.Injector
	validate func(fault.Rule) error
	kafka    KafkaControls
	version  string
	extra    map[string]string
}

// Option configures a Router in New. An invalid option makes New return its
// error.
type Option interface{ apply(*Router) error }

type optionFunc func(*Router) error

func (f optionFunc) apply(r *Router) error { return f(r) }

// WithFaults serves in through the fault API. Without it the fault API
// answers 501 Not Implemented.
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(r *Router) error { r.faults = in; return nil })
}

// WithValidator checks rules posted to the fault API in addition to
// fault.Rule.Validate, e.g. that a Kafka rule names a Kafka error. A rule it
// rejects is answered with 400 and the error's text.
func WithValidator(fn func(fault.Rule) error) Option {
	return optionFunc(func(r *Router) error { r.validate = fn; return nil })
}

// WithVersion sets the version the health endpoint reports. The default is
// "dev".
func WithVersion(v string) Option {
	return optionFunc(func(r *Router) error { r.version = v; return nil })
}

// WithHealthInfo adds name: value pairs to the health response's top level,
// e.g. the Kafka brokers ("kafka": "127.0.0.1:9092"). The names "services",
// "edition" and "version" are the health document's own and are refused.
func WithHealthInfo(name, value string) Option {
	return optionFunc(func(r *Router) error {
		switch name {
		case "services", "edition", "version", "":
			return fmt.Errorf("edge: WithHealthInfo(%q): the name is reserved by the health document", name)
		}
		if r.extra == nil {
			r.extra = make(map[string]string)
		}
		r.extra[name] = value
		return nil
	})
}

// WithDynamoDB routes DynamoDB requests (an X-Amz-Target for
// DynamoDB_20120810, or a SigV4 credential scope naming dynamodb) to h, such
// as a dynamodbfake.Server, and reports DynamoDB running in the health
// document. Without it DynamoDB requests reach the S3 handler, which refuses
// them.
func WithDynamoDB(h http.Handler) Option {
	return optionFunc(func(r *Router) error {
		if h == nil {
			return errors.New("edge: WithDynamoDB: handler is nil")
		}
		r.dynamodb = h
		return nil
	})
}

// New returns a Router over the given Kinesis and S3 handlers, such as a
// kinesisfake.Server and an s3fake.Server. Neither may be nil.
func New(kinesis, s3 http.Handler, opts ...Option) (*Router, error) {
	if kinesis == nil || s3 == nil {
		return nil, errors.New("edge: New needs both a Kinesis and an S3 handler")
	}
	r := &Router{kinesis: kinesis, s3: s3, version: "dev"}
	for _, o := range opts {
		if err := o.apply(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ServeHTTP implements http.Handler.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch p := req.URL.Path; {
	case p == HealthPath || p == HealthPath+"/" || p == "/health":
		r.serveHealth(w, req)
	case p == FaultsPath || strings.HasPrefix(p, FaultsPath+"/"):
		r.serveFaults(w, req)
	case strings.HasPrefix(p, KafkaPath):
		r.serveKafka(w, req)
	case r.sts != nil && IsSTS(req):
		r.sts.ServeHTTP(w, req)
	case IsKinesis(req):
		if !r.refuseExpired(w, req, "kinesis") {
			r.kinesis.ServeHTTP(w, req)
		}
	case r.dynamodb != nil && IsDynamoDB(req):
		if !r.refuseExpired(w, req, "dynamodb") {
			r.dynamodb.ServeHTTP(w, req)
		}
	default:
		if !r.refuseExpired(w, req, "s3") {
			r.s3.ServeHTTP(w, req)
		}
	}
}

// IsKinesis reports whether req is a Kinesis request: an X-Amz-Target for
// Kinesis_20131202, a CBOR body (only Kinesis, of the services served here,
// speaks CBOR), a SigV4 credential scope naming kinesis, or a CORS preflight
// for a request with an X-Amz-Target.
func IsKinesis(req *http.Request) bool {
	if strings.HasPrefix(req.Header.Get("X-Amz-Target"), kinesisTargetPrefix) {
		return true
	}
	if isTargetPreflight(req) {
		// A browser SDK's CORS preflight carries no target, only the
		// headers it will send; S3 requests send no X-Amz-Target. Kinesis
		// answers the preflight the way every JSON-protocol service does.
		return true
	}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-amz-cbor") {
		return true
	}
	return signingService(req.Header.Get("Authorization")) == "kinesis"
}

// isTargetPreflight reports a CORS preflight for a request that will carry
// an X-Amz-Target header, that is, for a JSON-protocol service.
func isTargetPreflight(req *http.Request) bool {
	if req.Method != http.MethodOptions {
		return false
	}
	for _, h := range strings.Split(req.Header.Get("Access-Control-Request-Headers"), ",") {
		if strings.EqualFold(strings.TrimSpace(h), "x-amz-target") {
			return true
		}
	}
	return false
}

// IsDynamoDB reports whether req is a DynamoDB request: an X-Amz-Target for
// DynamoDB_20120810 or a SigV4 credential scope naming dynamodb.
func IsDynamoDB(req *http.Request) bool {
	return strings.HasPrefix(req.Header.Get("X-Amz-Target"), dynamodbTargetPrefix) ||
		signingService(req.Header.Get("Authorization")) == "dynamodb"
}

// signingService returns the service of a SigV4 Authorization header's
// credential scope (AKID/date/region/service/aws4_request), or "".
func signingService(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

func (r *Router) serveHealth(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "use GET "+HealthPath)
		return
	}
	services := map[string]string{"kinesis": "running", "s3": "running"}
	if r.dynamodb != nil {
		services["dynamodb"] = "running"
	}
	if r.sts != nil {
		services["sts"] = "running"
	}
	doc := map[string]any{
		"services": services,
		"edition":  "community",
		"version":  r.version,
	}
	for k, v := range r.extra {
		doc[k] = v
	}
	writeJSON(w, http.StatusOK, doc)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
