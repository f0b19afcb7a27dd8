package dynamodbfake_test

import (
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
)

// post sends a raw request to h and returns the status, headers and body.
func post(t *testing.T, h http.Handler, op, body string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if op != "" {
		req.Header.Set("X-Amz-Target", dynamodbfake.TargetPrefix+op)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

func TestWire(t *testing.T) {
	t.Parallel()
	srv, err := dynamodbfake.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct {
		name, op, body string
		status         int
		typ, msg       string
	}{
		{"unknown operation", "ExecuteStatement", "{}", 400, "UnknownOperationException", ""},
		{"no target", "", "{}", 400, "UnknownOperationException", ""},
		{"malformed JSON", "GetItem", `{"TableName":`, 400, "SerializationException", ""},
		{"wrong member type", "ListTables", `{"Limit":"ten"}`, 400, "SerializationException", ""},
		{"bad attribute value", "PutItem", `{"TableName":"ttt","Item":{"pk":{"N":"abc"}}}`, 400, "ValidationException", ""},
		{"missing table", "DescribeTable", `{"TableName":"nope"}`, 400, "ResourceNotFoundException", "Requested resource not found: Table: nope not found"},
		{"ok", "ListTables", `{}`, 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := post(t, srv, tc.op, tc.body)
			if status != tc.status {
				t.Fatalf("status: got %d (%s), want %d", status, body, tc.status)
			}
			if got := h.Get("Content-Type"); got != "application/x-amz-json-1.0" {
				t.Errorf("Content-Type: got %q", got)
			}
			if h.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
			crc, err := strconv.ParseUint(h.Get("X-Amz-Crc32"), 10, 32)
			if err != nil || uint32(crc) != crc32.ChecksumIEEE([]byte(body)) {
				t.Errorf("x-amz-crc32: got %q, want %d", h.Get("X-Amz-Crc32"), crc32.ChecksumIEEE([]byte(body)))
			}
			if tc.typ == "" {
				return
			}
			var eb struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &eb); err != nil {
				t.Fatalf("error body %s: %v", body, err)
			}
			if eb.Type != "com.amazonaws.dynamodb.v20120810#"+tc.typ {
				t.Errorf("__type: got %q, want the namespaced %s", eb.Type, tc.typ)
			}
			if tc.msg != "" && eb.Message != tc.msg {
				t.Errorf("message: got %q, want %q", eb.Message, tc.msg)
			}
			if eb.Message == "" {
				t.Errorf("error body %s has no message", body)
			}
		})
	}
}

// TestLargeItemRoundTrip sends an item of multi-byte characters near the
// size limit through the SDK (TestWire checks x-amz-crc32 on every answer;
// boto3, in TestBoto3, refuses an answer whose checksum is wrong).
func TestLargeItemRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "crc", "")
	big := strings.Repeat("é", 100000)
	e.put(t, "crc", item{"pk": s("k"), "v": s(big)})
	if got := str(e.get(t, "crc", item{"pk": s("k")}), "v"); got != big {
		t.Fatalf("GetItem of a large item: got %d bytes", len(got))
	}
}

func TestConcurrentConditionalUpdates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "counter", "")
	e.put(t, "counter", item{"pk": s("c"), "version": n("0")})
	const workers, each = 8, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < each; {
				cur := num(e.get(t, "counter", item{"pk": s("c")}), "version")
				next, _ := strconv.Atoi(cur)
				_, err := e.db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("counter"), Key: item{"pk": s("c")},
					UpdateExpression: aws.String("SET version = :next"), ConditionExpression: aws.String("version = :cur"),
					ExpressionAttributeValues: item{":cur": n(cur), ":next": n(strconv.Itoa(next + 1))}})
				if err != nil {
					mu.Lock()
					conflicts++
					mu.Unlock()
					continue
				}
				done++
			}
		}()
	}
	wg.Wait()
	if got := num(e.get(t, "counter", item{"pk": s("c")}), "version"); got != strconv.Itoa(workers*each) {
		t.Errorf("optimistic counter: got %s, want %d (%d conflicts retried)", got, workers*each, conflicts)
	}
}

func TestBadAttributeValues(t *testing.T) {
	t.Parallel()
	srv, err := dynamodbfake.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	post(t, srv, "CreateTable", `{"TableName":"vals","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	for _, tc := range []struct {
		name, body, typ, prefix string
	}{
		{"placeholder value", `{"TableName":"vals","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"N":"x1"}}}`,
			"ValidationException", "ExpressionAttributeValues contains invalid value: "},
		{"wrong JSON shape", `{"TableName":"vals","Item":{"pk":{"S":5}}}`, "SerializationException", ""},
		{"bad placeholder key", `{"TableName":"vals","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{"v":{"N":"1"}}}`,
			"ValidationException", "ExpressionAttributeValues contains invalid key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := post(t, srv, "PutItem", tc.body)
			var eb struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal([]byte(body), &eb)
			if code != 400 || eb.Type != "com.amazonaws.dynamodb.v20120810#"+tc.typ || !strings.HasPrefix(eb.Message, tc.prefix) {
				t.Errorf("got %d %s, want %s with a message starting %q", code, body, tc.typ, tc.prefix)
			}
		})
	}
}
