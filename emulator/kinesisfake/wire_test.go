package kinesisfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/streamcheck/streamcheck/clock"
)

func rawCall(t *testing.T, s *Server, op, ct string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if op != "" {
		req.Header.Set("X-Amz-Target", targetPrefix+op)
	}
	req.Header.Set("Content-Type", ct)
	signForTest(req)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, rec.Header(), b
}

// signForTest gives req a well-formed (unverified) SigV4 Authorization.
func signForTest(req *http.Request) {
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
}

// errorBody is an error answer's body with either casing of the message.
type errorBody struct {
	Type       string  `json:"__type" cbor:"__type"`
	Message    *string `json:"message" cbor:"message"`
	MessageCap *string `json:"Message" cbor:"Message"`
}

func (e errorBody) text() string {
	switch {
	case e.Message != nil:
		return *e.Message
	case e.MessageCap != nil:
		return *e.MessageCap
	}
	return ""
}

func TestMalformedRequests(t *testing.T) {
	s, err := New(WithClock(clock.NewFake(time.Unix(1_800_000_000, 0))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, op, ct string
		body         string
		status       int
		code, msg    string
	}{
		{"no target", "", contentTypeJSON, "{}", 400, codeUnknownOperation, ""},
		{"unknown operation", "Frobnicate", contentTypeJSON, "{}", 400, codeUnknownOperation, ""},
		{"bad JSON", "ListStreams", contentTypeJSON, "{\"Limit\":", 400, codeSerialization, ""},
		{"wrong type", "ListStreams", contentTypeJSON, `{"Limit":"ten"}`, 400, codeSerialization, "class java.lang.String can not be converted to an Integer"},
		{"fraction dropped", "ListStreams", contentTypeJSON, `{"Limit":2.7}`, 200, "", ""},
		{"fraction dropped, then validated", "ListStreams", contentTypeJSON, `{"Limit":0.5}`, 400, codeValidation, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"out of range held to Integer", "ListStreams", contentTypeJSON, `{"Limit":1e20}`, 400, codeValidation, "Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"negative out of range", "ListStreams", contentTypeJSON, `{"Limit":-1e20}`, 400, codeValidation, "Value '-2147483648' at 'limit'"},
		{"trailing data", "ListStreams", contentTypeJSON, `{} {}`, 400, codeSerialization, ""},
		{"missing stream", "DescribeStream", contentTypeJSON, `{}`, 400, codeValidation, "at 'streamName'"},
		{"bad CBOR", "ListStreams", contentTypeCBOR, "\xa1\x65Lim", 400, codeSerialization, ""},
		{"well formed", "ListStreams", contentTypeJSON, `{}`, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := rawCall(t, s, tt.op, tt.ct, []byte(tt.body))
			if status != tt.status {
				t.Fatalf("status: got %d, want %d (body %s)", status, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			var eb errorBody
			unmarshal := json.Unmarshal
			if tt.ct == contentTypeCBOR {
				unmarshal = cbor.Unmarshal
			}
			if err := unmarshal(body, &eb); err != nil {
				t.Fatalf("error body %q is not JSON: %v", body, err)
			}
			if eb.Type != tt.code || h.Get("X-Amzn-Errortype") != tt.code {
				t.Errorf("code: got %s / header %s, want %s", eb.Type, h.Get("X-Amzn-Errortype"), tt.code)
			}
			if got := eb.text(); got != tt.msg && (tt.msg == "" || !strings.Contains(got, tt.msg)) {
				t.Errorf("message %q, want %q", got, tt.msg)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	s, err := New(WithLimits(Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	limit := s.cfg.limits.maxBodyBytes()
	// A body without a Content-Length is cut at the limit, not read whole.
	r := io.MultiReader(strings.NewReader(`{"StreamName":"`), &endless{})
	req := httptest.NewRequest(http.MethodPost, "/", r)
	req.ContentLength = -1
	req.Header.Set("X-Amz-Target", targetPrefix+"DescribeStream")
	req.Header.Set("Content-Type", contentTypeJSON)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), codeRequestEntityTooLarge) {
		t.Fatalf("endless body: got %d %s, want 413 %s", rec.Code, rec.Body.String(), codeRequestEntityTooLarge)
	}
	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	req.ContentLength = limit + 1
	req.Header.Set("X-Amz-Target", targetPrefix+"DescribeStream")
	req.Header.Set("Content-Type", contentTypeJSON)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("declared oversize body: got %d, want 413", rec.Code)
	}
}

type endless struct{}

func (*endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestCBOR drives the data path with raw CBOR as the Java SDK and KCL send
// it: Data as a byte string, timestamps as tag 1 over epoch milliseconds.
func TestCBOR(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	s, err := New(WithClock(clock.NewFake(now)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	call := func(op string, in any, out any) {
		t.Helper()
		b, err := cbor.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		status, h, body := rawCall(t, s, op, contentTypeCBOR, b)
		if status != 200 {
			var eb errorBody
			_ = cbor.Unmarshal(body, &eb)
			t.Fatalf("%s: status %d %+v", op, status, eb)
		}
		if got := h.Get("Content-Type"); got != contentTypeCBOR {
			t.Fatalf("%s: Content-Type %s, want %s", op, got, contentTypeCBOR)
		}
		if out != nil {
			if err := cbor.Unmarshal(body, out); err != nil {
				t.Fatalf("%s: answer is not CBOR: %v", op, err)
			}
		}
	}
	call("CreateStream", map[string]any{"StreamName": "c", "ShardCount": 1}, nil)
	var put struct {
		ShardID        string `cbor:"ShardId"`
		SequenceNumber string
	}
	call("PutRecord", map[string]any{"StreamName": "c", "PartitionKey": "k", "Data": []byte{0, 1, 2, 0xff}}, &put)
	if put.ShardID != "shardId-000000000000" || put.SequenceNumber == "" {
		t.Fatalf("PutRecord: got %+v", put)
	}
	var puts struct {
		FailedRecordCount int
		Records           []struct{ SequenceNumber string }
	}
	call("PutRecords", map[string]any{"StreamName": "c", "Records": []map[string]any{{"PartitionKey": "k", "Data": []byte("second")}}}, &puts)
	if puts.FailedRecordCount != 0 || len(puts.Records) != 1 {
		t.Fatalf("PutRecords: got %+v", puts)
	}
	var it struct{ ShardIterator string }
	call("GetShardIterator", map[string]any{"StreamName": "c", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
		"Timestamp": cbor.Tag{Number: 1, Content: now.UnixMilli()}}, &it)
	var raw map[string]cbor.RawMessage
	call("GetRecords", map[string]any{"ShardIterator": it.ShardIterator}, &raw)
	var recs []map[string]cbor.RawMessage
	if err := cbor.Unmarshal(raw["Records"], &recs); err != nil || len(recs) != 2 {
		t.Fatalf("GetRecords Records: %v, %d records", err, len(recs))
	}
	var payload []byte
	if err := cbor.Unmarshal(recs[0]["Data"], &payload); err != nil || !bytes.Equal(payload, []byte{0, 1, 2, 0xff}) {
		t.Fatalf("Data: got %v (%v), want a byte string 00 01 02 ff", payload, err)
	}
	var ts cbor.Tag
	if err := cbor.Unmarshal(recs[0]["ApproximateArrivalTimestamp"], &ts); err != nil || ts.Number != 1 {
		t.Fatalf("ApproximateArrivalTimestamp: got %+v (%v), want tag 1", ts, err)
	}
	if ms, ok := ts.Content.(uint64); !ok || int64(ms) != now.UnixMilli() {
		t.Fatalf("ApproximateArrivalTimestamp: got %v, want %d epoch milliseconds", ts.Content, now.UnixMilli())
	}
	// Errors come back in CBOR too.
	b, _ := cbor.Marshal(map[string]any{"StreamName": "missing"})
	status, _, body := rawCall(t, s, "DescribeStream", contentTypeCBOR, b)
	var eb errorBody
	if err := cbor.Unmarshal(body, &eb); status != 400 || err != nil || eb.Type != codeResourceNotFound {
		t.Fatalf("CBOR error: got %d %+v %v, want 400 %s", status, eb, err, codeResourceNotFound)
	}
}

var fuzzOps = []string{"PutRecords", "PutRecord", "GetRecords", "GetShardIterator", "CreateStream", "ListShards", "SubscribeToShard"}

func fuzzDecode(t *testing.T, f wireFormat, body []byte) {
	for _, op := range fuzzOps {
		var v any
		switch op {
		case "PutRecords":
			v = new(putRecordsInput)
		case "PutRecord":
			v = new(putRecordInput)
		case "GetRecords":
			v = new(getRecordsInput)
		case "GetShardIterator":
			v = new(getShardIteratorInput)
		case "CreateStream":
			v = new(createStreamInput)
		case "ListShards":
			v = new(listShardsInput)
		case "SubscribeToShard":
			v = new(subscribeToShardInput)
		}
		err := decodeRequest(f, body, v)
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("%s: decode error %T is not an AWS error", op, err)
			}
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"StreamName":"s","Records":[{"Data":"AAE=","PartitionKey":"k"}]}`,
		`{"ShardIterator":"x","Limit":5}`, `{"ShardIterator":"AAE+/w==","Limit":100,"StreamARN":"arn"}`, `{"Limit":0}`, `{"Limit":012}`, `{"Limit":1e2}`, `{"Limit":-1}`, `{"Limit":1234567890}`, `{"StreamName":"s","Records":[{"PartitionKey":"k","ExplicitHashKey":"1","Data":""},{}]}`, `{"Records":[],"StreamARN":"a"}`, `{"Timestamp":1800000000.123}`, `{"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":"2026-01-01T00:00:00Z"}}`, `[`, `{"Data":"%%%"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzDecode(t, formatJSON, body)
		// The fast PutRecords reader agrees with encoding/json whenever it
		// accepts a body.
		var fast, slow putRecordsInput
		if fast.decodeFastJSON(body) {
			if err := decodeRequest(formatJSON, body, &slow); err != nil {
				t.Fatalf("fast reader accepted %q, encoding/json refused it: %v", body, err)
			}
			fast.scratch = nil
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("fast reader read %q as %+v, encoding/json as %+v", body, fast, slow)
			}
		}
		var fastGet, slowGet getRecordsInput
		if fastGet.decodeFastJSON(body) {
			if err := decodeRequest(formatJSON, body, &slowGet); err != nil {
				t.Fatalf("fast GetRecords reader accepted %q, encoding/json refused it: %v", body, err)
			}
			if !reflect.DeepEqual(fastGet, slowGet) {
				t.Fatalf("fast GetRecords reader read %q as %+v, encoding/json as %+v", body, fastGet, slowGet)
			}
		}
	})
}

func FuzzDecodeCBOR(f *testing.F) {
	seeds := []any{
		map[string]any{"StreamName": "s", "Records": []map[string]any{{"Data": []byte{1}, "PartitionKey": "k"}}},
		map[string]any{"Timestamp": cbor.Tag{Number: 1, Content: 1800000000123}},
		map[string]any{"Timestamp": 1.5},
		map[string]any{"StartingPosition": map[string]any{"Type": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 1, Content: -1}}},
	}
	for _, s := range seeds {
		b, _ := cbor.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte{0xbf, 0xff})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode(t, formatCBOR, body) })
}
