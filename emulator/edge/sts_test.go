package edge_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator/edge"
)

func TestRoutingSTS(t *testing.T) {
	t.Parallel()
	expired := func(akid string) bool { return akid == "ASIAEXPIRED" }
	r := newRouter(t, named("kinesis"), named("s3"), edge.WithDynamoDB(named("dynamodb")), edge.WithSTS(named("sts"), expired))
	sig := func(akid, service string) string {
		return "AWS4-HMAC-SHA256 Credential=" + akid + "/20261122/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00"
	}
	tests := []struct {
		name       string
		method     string
		target     string
		headers    map[string]string
		wantStatus int
		want       string // the body, or a part of it
	}{
		{"sts by signature", "POST", "/", map[string]string{"Authorization": sig("test", "sts"), "Content-Type": "application/x-www-form-urlencoded"}, 200, "sts"},
		{"sts GET", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", nil, 200, "sts"},
		{"sts presigned", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=test%2F20261122%2Fus-east-1%2Fsts%2Faws4_request", nil, 200, "sts"},
		{"s3 Action query stays s3", "GET", "/bucket?Action=x", nil, 200, "s3"},
		{"expired sts key reaches sts", "POST", "/", map[string]string{"Authorization": sig("ASIAEXPIRED", "sts")}, 200, "sts"},
		{"live key reaches kinesis", "POST", "/", map[string]string{"Authorization": sig("ASIALIVE", "kinesis"), "X-Amz-Target": "Kinesis_20131202.GetRecords"}, 200, "kinesis"},
		{"expired key refused by kinesis", "POST", "/", map[string]string{"Authorization": sig("ASIAEXPIRED", "kinesis"), "X-Amz-Target": "Kinesis_20131202.GetRecords"}, 400,
			`{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`},
		{"expired key refused by dynamodb", "POST", "/", map[string]string{"Authorization": sig("ASIAEXPIRED", "dynamodb"), "X-Amz-Target": "DynamoDB_20120810.GetItem"}, 400, `"__type":"ExpiredTokenException"`},
		{"expired key refused by s3", "GET", "/bucket/key", map[string]string{"Authorization": sig("ASIAEXPIRED", "s3")}, 400, "<Code>ExpiredToken</Code><Message>The provided token has expired.</Message>"},
		{"expired presigned s3", "GET", "/bucket/key?X-Amz-Credential=ASIAEXPIRED%2F20261122%2Fus-east-1%2Fs3%2Faws4_request", nil, 400, "<Code>ExpiredToken</Code>"},
		{"cbor not checked", "POST", "/", map[string]string{"Authorization": sig("ASIAEXPIRED", "kinesis"), "Content-Type": "application/x-amz-cbor-1.1"}, 200, "kinesis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.want)
			}
		})
	}
}

func TestRoutingWithoutSTS(t *testing.T) {
	t.Parallel()
	r := newRouter(t, named("kinesis"), named("s3"))
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXPIRED/20261122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if got := rec.Body.String(); got != "s3" {
		t.Errorf("without WithSTS an STS request went to %q, want s3 (which refuses it)", got)
	}
	if _, err := edge.New(named("k"), named("s"), edge.WithSTS(nil, nil)); err == nil {
		t.Errorf("WithSTS(nil) accepted, want an error")
	}
}
