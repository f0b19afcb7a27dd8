package edge_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) })
}

func TestRouting(t *testing.T) {
	r := newRouter(t, named("kinesis"), named("s3"))
	tests := []struct {
		name    string
		method  string
		target  string
		headers map[string]string
		want    string
	}{
		{name: "kinesis json", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "Kinesis_20131202.PutRecords", "Content-Type": "application/x-amz-json-1.1"}, want: "kinesis"},
		{name: "kinesis cbor", method: "POST", target: "/", headers: map[string]string{"Content-Type": "application/x-amz-cbor-1.1"}, want: "kinesis"},
		{name: "kinesis by signature", method: "POST", target: "/", headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00"}, want: "kinesis"},
		{name: "s3 path style", method: "PUT", target: "/bucket/key", headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"}, want: "s3"},
		{name: "s3 virtual host", method: "GET", target: "http://bucket.s3.localhost.localstack.cloud:4566/key", want: "s3"},
		{name: "other target goes to s3", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "DynamoDB_20120810.GetItem"}, want: "s3"},
		{name: "list buckets", method: "GET", target: "/", want: "s3"},
		{name: "json-protocol preflight", method: "OPTIONS", target: "/", headers: map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date"}, want: "kinesis"},
		{name: "s3 preflight", method: "OPTIONS", target: "/bucket/key", headers: map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}, want: "s3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("routed to %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoutingDynamoDB(t *testing.T) {
	r := newRouter(t, named("kinesis"), named("s3"), edge.WithDynamoDB(named("dynamodb")))
	tests := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{name: "target", headers: map[string]string{"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}, want: "dynamodb"},
		{name: "signature", headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00"}, want: "dynamodb"},
		{name: "kinesis stays kinesis", headers: map[string]string{"X-Amz-Target": "Kinesis_20131202.ListStreams"}, want: "kinesis"},
		{name: "s3 stays s3", headers: nil, want: "s3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("routed to %q, want %q", got, tt.want)
			}
		})
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", edge.HealthPath, nil))
	if !strings.Contains(rec.Body.String(), `"dynamodb":"running"`) {
		t.Errorf("health = %s, want dynamodb running", rec.Body)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []edge.Option
	}{
		{name: "reserved health name", opts: []edge.Option{edge.WithHealthInfo("services", "x")}},
		{name: "nil dynamodb handler", opts: []edge.Option{edge.WithDynamoDB(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := edge.New(named("kinesis"), named("s3"), tt.opts...); err == nil {
				t.Error("New accepted the option, want an error")
			}
		})
	}
	if _, err := edge.New(nil, named("s3")); err == nil {
		t.Error("New(nil, s3) accepted, want an error")
	}
}

func TestHealth(t *testing.T) {
	r := newRouter(t, named("kinesis"), named("s3"), edge.WithVersion("1.2.3"), edge.WithHealthInfo("kafka", "127.0.0.1:9092"))
	for _, path := range []string{"/_localstack/health", "/health"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, rec.Code)
		}
		var doc struct {
			Services map[string]string `json:"services"`
			Version  string            `json:"version"`
			Kafka    string            `json:"kafka"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("decode %s: %v", rec.Body, err)
		}
		if doc.Services["kinesis"] != "running" || doc.Services["s3"] != "running" || doc.Version != "1.2.3" || doc.Kafka != "127.0.0.1:9092" {
			t.Errorf("GET %s = %s, want kinesis and s3 running, version 1.2.3, kafka 127.0.0.1:9092", path, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("POST", "/_localstack/health", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST health = %d, want 405", rec.Code)
	}
}

func TestFaultAPI(t *testing.T) {
	in := fault.New(1)
	reject := errors.New("rejected by validator")
	srv := httptest.NewServer(newRouter(t, named("kinesis"), named("s3"), edge.WithFaults(in), edge.WithValidator(func(r fault.Rule) error {
		if r.Code == "Forbidden" {
			return reject
		}
		return nil
	})))
	t.Cleanup(srv.Close)
	c := &edge.Client{Endpoint: srv.URL}
	ctx := t.Context()

	id, err := c.AddFault(ctx, fault.Rule{Service: "s3", Operation: "PutObject", Action: fault.ActionError, Code: "SlowDown", Status: 503, Times: 1, Delay: 500 * time.Millisecond})
	if err != nil {
		t.Fatalf("AddFault: %v", err)
	}
	rules := in.Rules()
	if len(rules) != 1 || rules[0].ID != id || rules[0].Rule.Delay != 500*time.Millisecond || rules[0].Rule.Code != "SlowDown" {
		t.Fatalf("injector rules = %+v, want one SlowDown rule with id %d and delay 500ms", rules, id)
	}
	listed, err := c.Faults(ctx)
	if err != nil || len(listed) != 1 || listed[0].ID != id || time.Duration(listed[0].Rule.Delay) != 500*time.Millisecond {
		t.Fatalf("Faults() = %+v, %v; want the rule back", listed, err)
	}

	// Raw JSON with a duration string, as curl users write it.
	resp, err := http.Post(srv.URL+"/_streamcheck/faults", "application/json", strings.NewReader(`{"service":"kinesis","delay":"2s"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("POST with delay \"2s\" = %d, want 201", resp.StatusCode)
	}

	bad := []struct {
		name string
		body string
	}{
		{"no action", `{"service":"s3"}`},
		{"bad duration", `{"service":"s3","delay":"soon"}`},
		{"unknown field", `{"service":"s3","action":"drop","colour":"red"}`},
		{"bad service", `{"service":"sqs","action":"drop"}`},
		{"validator", `{"service":"s3","action":"error","code":"Forbidden"}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/_streamcheck/faults", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("POST %s = %d, want 400", tt.body, resp.StatusCode)
			}
		})
	}

	if err := c.RemoveFault(ctx, id); err != nil {
		t.Fatalf("RemoveFault: %v", err)
	}
	var apiErr *edge.APIError
	if err := c.RemoveFault(ctx, id); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("RemoveFault of a removed rule = %v, want HTTP 404", err)
	}
	if err := c.ClearFaults(ctx); err != nil {
		t.Fatalf("ClearFaults: %v", err)
	}
	if n := len(in.Rules()); n != 0 {
		t.Errorf("rules after ClearFaults = %d, want 0", n)
	}
}

func TestFaultAPIWithoutInjector(t *testing.T) {
	rec := httptest.NewRecorder()
	newRouter(t, named("kinesis"), named("s3")).ServeHTTP(rec, httptest.NewRequest("GET", "/_streamcheck/faults", nil))
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("GET faults without an injector = %d, want 501", rec.Code)
	}
}

// newRouter is edge.New for tests: it fails the test on an option error.
func newRouter(t *testing.T, kinesis, s3 http.Handler, opts ...edge.Option) *edge.Router {
	t.Helper()
	r, err := edge.New(kinesis, s3, opts...)
	if err != nil {
		t.Fatalf("edge.New: %v", err)
	}
	return r
}
