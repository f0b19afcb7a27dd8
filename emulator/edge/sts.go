package edge

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
)

// stsAPIVersion is the Version of every STS Query-protocol request.
const stsAPIVersion = "2011-06-15"

// WithSTS routes STS requests (a SigV4 credential scope naming sts, or
// Action and Version=2011-06-15 in the query string) to h, such as an
// stsfake.Server, and reports STS running in the health document. expired,
// when not nil, is asked about the access key of every Kinesis, DynamoDB and
// S3 request: for a key it reports expired (temporary credentials past their
// Expiration, such as stsfake.Server.Expired reports) the router answers as
// those services do, with ExpiredTokenException (Kinesis, DynamoDB, in
// JSON) or ExpiredToken (S3, in XML), status 400. Kinesis requests in CBOR
// are not checked. Without WithSTS, STS requests reach the S3 handler, which
// refuses them.
func WithSTS(h http.Handler, expired func(accessKeyID string) bool) Option {
	return optionFunc(func(r *Router) error {
		if h == nil {
			return errors.New("edge: WithSTS: handler is nil")
		}
		r.sts, r.expired = h, expired
		return nil
	})
}

// IsSTS reports whether req is an STS request: a SigV4 credential scope
// naming sts, or the Query protocol's Action with STS's Version in the query
// string (a presigned or GET request).
func IsSTS(req *http.Request) bool {
	if signingService(req.Header.Get("Authorization")) == "sts" {
		return true
	}
	if req.URL.RawQuery == "" {
		return false
	}
	q := req.URL.Query()
	if c := q.Get("X-Amz-Credential"); c != "" {
		parts := strings.Split(c, "/")
		return len(parts) == 5 && parts[3] == "sts"
	}
	return q.Get("Action") != "" && q.Get("Version") == stsAPIVersion
}

// accessKeyID returns the access key a request is signed with, from the
// Authorization header or a presigned URL's X-Amz-Credential, or "".
func accessKeyID(req *http.Request) string {
	if _, cred, ok := strings.Cut(req.Header.Get("Authorization"), "Credential="); ok {
		akid, _, _ := strings.Cut(cred, "/")
		return strings.TrimSpace(akid)
	}
	if req.URL.RawQuery != "" {
		akid, _, _ := strings.Cut(req.URL.Query().Get("X-Amz-Credential"), "/")
		return akid
	}
	return ""
}

// The answers AWS gives a request signed with expired temporary credentials.
const (
	expiredTokenJSONMessage = "The security token included in the request is expired"
	expiredTokenS3Message   = "The provided token has expired."
)

// refuseExpired answers req, bound for service ("kinesis", "dynamodb" or
// "s3"), with that service's expired-token error when its access key has
// expired, and reports whether it did.
func (r *Router) refuseExpired(w http.ResponseWriter, req *http.Request, service string) bool {
	if r.expired == nil {
		return false
	}
	if service == "kinesis" && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-amz-cbor") {
		return false
	}
	akid := accessKeyID(req)
	if akid == "" || !r.expired(akid) {
		return false
	}
	switch service {
	case "s3":
		doc := struct {
			XMLName xml.Name `xml:"Error"`
			Code    string   `xml:"Code"`
			Message string   `xml:"Message"`
			Token   string   `xml:"Token-0,omitempty"`
		}{Code: "ExpiredToken", Message: expiredTokenS3Message, Token: req.Header.Get("X-Amz-Security-Token")}
		b, _ := xml.Marshal(doc)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(b)
	default:
		ct := "application/x-amz-json-1.1"
		if service == "dynamodb" {
			ct = "application/x-amz-json-1.0"
		}
		b, _ := json.Marshal(map[string]string{"__type": "ExpiredTokenException", "message": expiredTokenJSONMessage})
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(b)
	}
	return true
}
