package aggregate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

const referenceCSV = `ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max
1,5,30,92,100,4,8
2, 6, 25, 93, 100, 4.5, 7.5
3,5,30,,,4,8
`

const referenceJSON = `{"ventilatorid": 1, "pressure_control_min": 5, "pressure_control_max": 30, "o2_stats_min": 92, "o2_stats_max": 100, "minute_volume_min": 4, "minute_volume_max": 8}
{"ventilatorid": "2", "pressure_control_min": "6", "pressure_control_max": 25, "o2_stats_min": 93, "o2_stats_max": 100, "minute_volume_min": 4.5, "minute_volume_max": 7.5}
{"ventilatorid": 3, "pressure_control_min": 5, "pressure_control_max": 30, "o2_stats_min": null, "minute_volume_min": 4, "minute_volume_max": 8}
`

// wantTable is the table both documents above describe.
var wantTable = NewTable(map[string][]Bound{
	"1": ventilatorBounds,
	"2": {{6, 25, true}, {93, 100, true}, {4.5, 7.5, true}},
	"3": {{5, 30, true}, {}, {4, 8, true}},
})

func TestParseReference(t *testing.T) {
	tests := []struct {
		name, format, doc string
		err               string // "" for success
	}{
		{"csv", "csv", referenceCSV, ""},
		{"json lines", "json", referenceJSON, ""},
		{"csv duplicate key", "csv", referenceCSV + "2,1,2,3,4,5,6\n", `line 5: key "2" seen twice`},
		{"csv bad number", "csv", strings.Replace(referenceCSV, "93", "ninety", 1), `line 3: o2_stats_min: "ninety" is not a number`},
		{"csv no key column", "csv", "id,pressure_control_min\n1,2\n", `line 2: no "ventilatorid"`},
		{"json broken object", "json", `{"ventilatorid": 1` + "\n", "object 1"},
		{"unknown format", "xml", "", `format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReference(strings.NewReader(tt.doc), "ref", tt.format, DefaultKeyColumn, DefaultMetrics())
			if tt.err != "" {
				if !errors.Is(err, ErrReference) || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want ErrReference mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Digest() != wantTable.Digest() {
				t.Errorf("table %v, want %v", got.rows, wantTable.rows)
			}
		})
	}
}

func TestFileLoader(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{"ranges.csv": referenceCSV, "ranges.jsonl": referenceJSON} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Reference.Path = path
		l, err := NewLoader(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.Load(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Digest() != wantTable.Digest() {
			t.Errorf("%s: table %v, want %v", name, got.rows, wantTable.rows)
		}
	}
}

func TestS3Loader(t *testing.T) {
	fake := s3test.New(t)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()), UsePathStyle: true,
		HTTPClient:  sdkhttp.Wrap(nil),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("ref"), Key: aws.String("ranges/normal.csv"),
		Body: bytes.NewReader([]byte(referenceCSV))}); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Reference.Path = "s3://ref/ranges/normal.csv"
	l, err := NewLoader(cfg, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest() != wantTable.Digest() {
		t.Errorf("table %v, want %v", got.rows, wantTable.rows)
	}
	cfg.Reference.Path = "s3://ref/ranges/missing.csv"
	if l, err = NewLoader(cfg, client, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(t.Context()); err == nil || !strings.Contains(err.Error(), "s3://ref/ranges/missing.csv") {
		t.Errorf("missing object: %v, want an error naming it", err)
	}
}

// dynamoFake serves Scan over the DynamoDB JSON 1.0 protocol from items,
// pageSize items a page, and records the requests.
type dynamoFake struct {
	table    string
	items    []map[string]any
	pageSize int
	mu       sync.Mutex
	scans    []map[string]any
}

func (f *dynamoFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": msg}) // the client sees a short body
	}
	if got := r.Header.Get("X-Amz-Target"); got != "DynamoDB_20120810.Scan" {
		fail(400, "UnknownOperationException", "unsupported target "+got)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		fail(400, "SerializationException", "content type "+ct)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		fail(400, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	f.scans = append(f.scans, in)
	f.mu.Unlock()
	if in["TableName"] != f.table {
		fail(400, "ResourceNotFoundException", "Requested resource not found")
		return
	}
	start := 0
	if esk, ok := in["ExclusiveStartKey"].(map[string]any); ok {
		var idx int
		if _, err := fmt.Sscan(esk["ventilatorid"].(map[string]any)["N"].(string), &idx); err != nil {
			fail(400, "ValidationException", "ExclusiveStartKey: "+err.Error())
			return
		}
		start = idx // keys are 1..n in order
	}
	end := min(start+f.pageSize, len(f.items))
	out := map[string]any{"Items": f.items[start:end], "Count": end - start, "ScannedCount": end - start}
	if end < len(f.items) {
		out["LastEvaluatedKey"] = map[string]any{"ventilatorid": f.items[end-1]["ventilatorid"]}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out) // the client sees a short body
}

func newDynamoClient(t *testing.T, h http.Handler) *dynamodb.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		HTTPClient:  sdkhttp.Wrap(nil),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func TestDynamoDBLoader(t *testing.T) {
	fake := &dynamoFake{table: "ventilator_normal_ranges", pageSize: 4}
	want := map[string][]Bound{}
	for i := 1; i <= 10; i++ {
		item := map[string]any{"ventilatorid": map[string]string{"N": fmt.Sprint(i)}}
		num := func(v float64) map[string]string { return map[string]string{"N": fmt.Sprint(v)} }
		item["pressure_control_min"], item["pressure_control_max"] = num(5), num(float64(20+i))
		item["o2_stats_min"], item["o2_stats_max"] = map[string]string{"S": "92"}, num(100)
		b := []Bound{{5, float64(20 + i), true}, {92, 100, true}, {}}
		if i%3 != 0 { // every third device has no minute volume range
			item["minute_volume_min"], item["minute_volume_max"] = num(4), num(8)
			b[2] = Bound{4, 8, true}
		} else {
			item["minute_volume_min"] = map[string]bool{"NULL": true}
		}
		fake.items = append(fake.items, item)
		want[fmt.Sprint(i)] = b
	}
	client := newDynamoClient(t, fake)
	cfg := DefaultConfig()
	cfg.Reference.DynamoDBTable = fake.table
	l, err := NewLoader(cfg, nil, client)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest() != NewTable(want).Digest() {
		t.Errorf("table %v, want %v", got.rows, want)
	}
	if n := len(fake.scans); n != 3 {
		t.Errorf("%d Scan requests for 10 items in pages of 4, want 3", n)
	}
	if cr := fake.scans[0]["ConsistentRead"]; cr != true {
		t.Errorf("ConsistentRead %v, want true", cr)
	}

	cfg.Reference.DynamoDBTable = "no_such_table"
	if l, err = NewLoader(cfg, nil, client); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(t.Context()); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || !strings.Contains(err.Error(), "dynamodb://no_such_table") {
		t.Errorf("missing table: %v, want ResourceNotFoundException naming the table", err)
	}
	if _, err := NewLoader(cfg, nil, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("DynamoDB table without a client: %v, want ErrConfig", err)
	}
}

// countingLoader returns tables with a growing number of devices.
type countingLoader struct{ n int }

func (c *countingLoader) Load(context.Context) (*Table, error) {
	c.n++
	return normalRanges(c.n), nil
}

func TestCacheRefresh(t *testing.T) {
	l := &countingLoader{}
	c := &Cache{Loader: l, Interval: 5 * time.Minute}
	steps := []struct {
		at    time.Duration
		loads int
	}{{0, 1}, {time.Minute, 1}, {4*time.Minute + 59*time.Second, 1}, {5 * time.Minute, 2}, {9 * time.Minute, 2}, {10 * time.Minute, 3}}
	for _, s := range steps {
		tab, err := c.Get(t.Context(), base.Add(s.at))
		if err != nil {
			t.Fatal(err)
		}
		if c.Loads() != s.loads || tab.Len() != s.loads {
			t.Errorf("at +%s: %d loads (table of %d), want %d", s.at, c.Loads(), tab.Len(), s.loads)
		}
	}
}

func TestValidateReference(t *testing.T) {
	tests := []struct {
		name string
		ref  Reference
		want string
	}{
		{"none", Reference{}, "reference:"},
		{"both", Reference{Path: "a.csv", DynamoDBTable: "t"}, "reference:"},
		{"bad format", Reference{Path: "a.txt", Format: "xml"}, "reference.format:"},
		{"negative refresh", Reference{Path: "a.csv", RefreshInterval: -1}, "reference.refreshInterval:"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.Reference = tt.ref
		if err := cfg.ValidateReference(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrConfig naming %s", tt.name, err, tt.want)
		}
	}
}
