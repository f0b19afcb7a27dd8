package s3fake

// The server: options, lifecycle, addressing and the one dispatch switch that
// maps a request to an S3 operation after offering it to the fault injector.
//
// Matches AWS: path-style (http://host/bucket/key) and virtual-hosted-style
// (http://bucket.<suffix>/key) addressing, with the host suffixes listed in
// DefaultHostSuffixes() or given with WithHostSuffixes, plus any host of the form
// bucket.s3.<anything>; the x-amz-request-id and x-amz-id-2 headers.
// Differs: requests are not authenticated (SigV4 signatures are accepted
// unchecked, as by LocalStack), and every bucket belongs to one owner in one
// region. Sub-resources other than those listed in doc.go answer
// NotImplemented naming the S3 operation asked for ("GetBucketVersioning is
// not implemented by this emulator."), and a header S3 features need that
// is not emulated names itself in the error's <Header>.

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
)

// Defaults for the options.
const (
	DefaultAddr   = "127.0.0.1:0"
	DefaultRegion = "us-east-1"
)

// DefaultHostSuffixes returns the host names under which a request's Host
// bucket.<suffix> is read as virtual-hosted-style addressing of bucket. Hosts
// of the form bucket.s3.<anything> are recognised as well.
func DefaultHostSuffixes() []string {
	return []string{
		"s3.localhost.localstack.cloud",
		"localhost.localstack.cloud",
		"s3.localhost",
		"localhost",
		"s3.amazonaws.com",
	}
}

// Option configures a Server in New. An invalid option makes New return its
// error.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	settings.Common
	suffixes []string
	noSync   bool
}

// WithClock sets the clock that stamps Last-Modified and that fault delays
// sleep on. The default is clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *config) error { return o.SetClock(c) })
}

// WithFaults shares a fault injector with other emulators. The default is a
// new injector seeded with the server's seed.
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(o *config) error { return o.SetFaults(in) })
}

// WithSeed sets the seed of request IDs, upload IDs and the default fault
// injector. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *config) error { return o.SetSeed(seed) })
}

// WithDataDir keeps buckets and objects in dir, which survives Close: a new
// Server on the same dir serves everything the old one held. The directory is
// created if missing. The default is to keep everything in memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(o *config) error { return o.SetDataDir(dir) })
}

// WithAddr sets the address Start listens on, host:port. The default is
// DefaultAddr.
func WithAddr(addr string) Option {
	return optionFunc(func(o *config) error { return o.SetAddr(addr) })
}

// WithRegion sets the region the server reports for its buckets. The default
// is DefaultRegion.
func WithRegion(r string) Option {
	return optionFunc(func(o *config) error { return o.SetRegion(r) })
}

// WithHostSuffixes replaces DefaultHostSuffixes(): a request whose Host is
// bucket.<suffix> (port ignored) addresses bucket virtual-hosted style.
func WithHostSuffixes(suffixes ...string) Option {
	return optionFunc(func(o *config) error {
		for i, suf := range suffixes {
			if suf == "" || strings.HasPrefix(suf, ".") {
				return fmt.Errorf("WithHostSuffixes: suffix %d is %q: want a host name such as s3.localhost", i, suf)
			}
		}
		o.suffixes = append([]string(nil), suffixes...)
		return nil
	})
}

// WithoutFsync skips the fsync calls of a data directory's writes (they are
// still temp file + rename, so a crash of the process loses nothing, but a
// crash of the machine may). The default is to fsync every write.
func WithoutFsync() Option {
	return optionFunc(func(o *config) error { o.noSync = true; return nil })
}

// Server is an in-process S3 endpoint. Use it as an http.Handler, or call
// Start to serve it on its own listener. It is safe for concurrent use.
type Server struct {
	cfg    config
	clock  clock.Clock
	faults *fault.Injector
	st     *store
	reqSeq atomic.Uint64

	life httpserve.Lifecycle
}

// New returns a Server configured by opts. With WithDataDir it loads what the
// directory holds; an error names the file it could not read.
func New(opts ...Option) (*Server, error) {
	cfg := config{Common: settings.Common{Addr: DefaultAddr, Region: DefaultRegion}, suffixes: DefaultHostSuffixes()}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("s3fake: %w", err)
		}
	}
	cfg.Defaults()
	st, err := newStore(cfg.DataDir, cfg.Seed, !cfg.noSync)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, clock: cfg.Clock, faults: cfg.Faults, st: st}, nil
}

// Start listens on the configured address and serves HTTP/1.1 and cleartext
// HTTP/2 until Close.
func (s *Server) Start() error { return s.life.Start("s3fake", s.cfg.Addr, s) }

// URL returns the base URL of a started server, such as
// http://127.0.0.1:39123, or "" before Start.
func (s *Server) URL() string { return s.life.URL() }

// Close stops serving, closes open connections and releases the data
// directory. It is idempotent.
func (s *Server) Close() error {
	first, err := s.life.Close()
	if !first {
		return nil
	}
	if cerr := s.st.close(); err == nil {
		err = cerr
	}
	return err
}

// Faults returns the server's fault injector.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Region returns the region the server reports.
func (s *Server) Region() string { return s.cfg.Region }

// request is one parsed S3 request.
type request struct {
	op     string
	bucket string
	key    string
	query  url.Values
}

// ServeHTTP serves one S3 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	id := s.requestID()
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", base64.StdEncoding.EncodeToString([]byte(id+id)))
	h.Set("Server", "AmazonS3")

	bucket, key := s.address(r)
	q := r.URL.Query()
	op := operation(r.Method, bucket, key, q, r.Header)
	req := &request{op: op, bucket: bucket, key: key, query: q}

	if eff, ok := s.faults.Match(fault.Request{Service: fault.ServiceS3, Operation: op, Resource: bucket, Key: key}); ok {
		if eff.Delay > 0 {
			if err := s.clock.Sleep(r.Context(), eff.Delay); err != nil {
				return
			}
		}
		switch eff.Action {
		case fault.ActionError:
			writeError(w, r, &Error{Code: eff.Code, Status: eff.Status, Message: eff.Message, BucketName: bucket, Key: key})
			return
		case fault.ActionDrop:
			// Take part of the body first, so that a drop looks like a
			// connection lost mid-upload.
			switch {
			case r.ContentLength > 0:
				_ = ioCopyN(r.Body, r.ContentLength/2)
			case r.ContentLength < 0: // length unknown: take up to 32 KiB
				_ = ioCopyN(r.Body, 32<<10)
			}
			fault.AbortConnection()
		}
	}

	if key != "" && len(key) > maxKeyLen {
		writeError(w, r, errKeyTooLong.withKey(key))
		return
	}
	var err *Error
	switch op {
	case "ListBuckets":
		err = s.listBuckets(w)
	case "CreateBucket":
		err = s.createBucket(w, r, req)
	case "HeadBucket":
		err = s.headBucket(w, req)
	case "DeleteBucket":
		err = s.deleteBucket(w, req)
	case "GetBucketLocation":
		err = s.getBucketLocation(w, req)
	case "ListObjectsV2", "ListObjects":
		err = s.listObjects(w, req)
	case "ListMultipartUploads":
		err = s.listMultipartUploads(w, req)
	case "DeleteObjects":
		err = s.deleteObjects(w, r, req)
	case "PutObject":
		err = s.putObject(w, r, req)
	case "CopyObject":
		err = s.copyObject(w, r, req)
	case "GetObject", "HeadObject":
		err = s.getObject(w, r, req)
	case "DeleteObject":
		err = s.deleteObject(w, req)
	case "CreateMultipartUpload":
		err = s.createMultipartUpload(w, r, req)
	case "UploadPart":
		err = s.uploadPart(w, r, req)
	case "CompleteMultipartUpload":
		err = s.completeMultipartUpload(w, r, req)
	case "AbortMultipartUpload":
		err = s.abortMultipartUpload(w, req)
	case "ListParts":
		err = s.listParts(w, req)
	case "MethodNotAllowed":
		err = errMethodNotAllowed
	default:
		err = errNotImplemented.withMessage("%s is not implemented by this emulator.", op)
	}
	if err != nil {
		writeError(w, r, err)
	}
}

// requestID returns a request ID that depends only on the seed and the
// request's position, as AWS's are 16 upper-case hex digits.
func (s *Server) requestID() string {
	n := s.reqSeq.Add(1)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], mix(s.cfg.Seed^n))
	return strings.ToUpper(fmt.Sprintf("%x", b[:]))
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// address returns the bucket and key a request names, virtual-hosted style
// when the Host has a bucket label in front of a known suffix, else path
// style.
func (s *Server) address(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	p := r.URL.Path
	if b := s.hostBucket(host); b != "" {
		return b, strings.TrimPrefix(p, "/")
	}
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

func (s *Server) hostBucket(host string) string {
	for _, suf := range s.cfg.suffixes {
		if host == suf {
			return "" // the service's own name: path style
		}
	}
	for _, suf := range s.cfg.suffixes {
		if b, ok := strings.CutSuffix(host, "."+suf); ok && b != "" {
			return b
		}
	}
	if i := strings.LastIndex(host, ".s3."); i > 0 {
		return host[:i]
	}
	if b, ok := strings.CutSuffix(host, ".s3"); ok && b != "" {
		return b
	}
	return ""
}

// operation names the AWS operation a request calls, or "MethodNotAllowed",
// or the sub-resource a request needs that is not implemented.
func operation(method, bucket, key string, q url.Values, h http.Header) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	if bucket == "" {
		if method == http.MethodGet {
			return "ListBuckets"
		}
		return "MethodNotAllowed"
	}
	for _, sub := range unsupportedSubresources {
		if has(sub) {
			return subresourceOperation(method, sub, key == "")
		}
	}
	if key == "" {
		switch method {
		case http.MethodPut:
			return "CreateBucket"
		case http.MethodHead:
			return "HeadBucket"
		case http.MethodDelete:
			return "DeleteBucket"
		case http.MethodPost:
			if has("delete") {
				return "DeleteObjects"
			}
		case http.MethodGet:
			switch {
			case has("location"):
				return "GetBucketLocation"
			case has("uploads"):
				return "ListMultipartUploads"
			case q.Get("list-type") == "2":
				return "ListObjectsV2"
			default:
				return "ListObjects"
			}
		}
		return "MethodNotAllowed"
	}
	switch method {
	case http.MethodPut:
		if h.Get("X-Amz-Copy-Source") != "" {
			if has("uploadId") {
				return "UploadPartCopy"
			}
			return "CopyObject"
		}
		if has("uploadId") {
			return "UploadPart"
		}
		return "PutObject"
	case http.MethodGet:
		if has("uploadId") {
			return "ListParts"
		}
		return "GetObject"
	case http.MethodHead:
		return "HeadObject"
	case http.MethodDelete:
		if has("uploadId") {
			return "AbortMultipartUpload"
		}
		return "DeleteObject"
	case http.MethodPost:
		if has("uploads") {
			return "CreateMultipartUpload"
		}
		if has("uploadId") {
			return "CompleteMultipartUpload"
		}
	}
	return "MethodNotAllowed"
}

// subresourceOperation names the S3 operation a request for sub-resource sub
// calls, such as GetBucketVersioning or PutObjectTagging, so that a
// NotImplemented answer names the feature.
func subresourceOperation(method, sub string, onBucket bool) string {
	verb := map[string]string{http.MethodGet: "Get", http.MethodHead: "Get", http.MethodPut: "Put", http.MethodDelete: "Delete", http.MethodPost: "Post"}[method]
	switch sub {
	case "versions":
		return "ListObjectVersions"
	case "select":
		return "SelectObjectContent"
	case "restore":
		return "RestoreObject"
	case "object-lock":
		return verb + "ObjectLockConfiguration"
	case "retention":
		return verb + "ObjectRetention"
	case "legal-hold":
		return verb + "ObjectLegalHold"
	case "attributes":
		return "GetObjectAttributes"
	case "torrent":
		return "GetObjectTorrent"
	case "acl", "tagging":
		target := "Object"
		if onBucket {
			target = "Bucket"
		}
		return verb + target + map[string]string{"acl": "Acl", "tagging": "Tagging"}[sub]
	}
	name := map[string]string{
		"policy": "Policy", "versioning": "Versioning", "lifecycle": "LifecycleConfiguration", "cors": "Cors",
		"website": "Website", "notification": "NotificationConfiguration", "replication": "Replication",
		"encryption": "Encryption", "logging": "Logging", "accelerate": "AccelerateConfiguration",
		"requestPayment": "RequestPayment", "inventory": "InventoryConfiguration", "analytics": "AnalyticsConfiguration",
		"metrics": "MetricsConfiguration", "intelligent-tiering": "IntelligentTieringConfiguration",
		"ownershipControls": "OwnershipControls", "publicAccessBlock": "PublicAccessBlock", "policyStatus": "PolicyStatus",
	}[sub]
	if name == "" {
		name = sub
	}
	return verb + "Bucket" + name
}

// unsupportedSubresources are query parameters that select S3 features this
// emulator does not have.
var unsupportedSubresources = []string{
	"acl", "policy", "tagging", "versioning", "versions", "lifecycle", "cors", "website",
	"notification", "replication", "encryption", "object-lock", "retention", "legal-hold",
	"logging", "accelerate", "requestPayment", "select", "restore", "torrent", "attributes",
	"inventory", "analytics", "metrics", "intelligent-tiering", "ownershipControls",
	"publicAccessBlock", "policyStatus",
}
