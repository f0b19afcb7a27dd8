package scenarios

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/dynamodbfaketest"
)

// TestTripwires drives the tripwires' proxy with plain HTTP: only output
// writes count, the in-sink tripwire kills before the answer and cuts the
// connection after the upstream stored the object, and the after-sink one
// answers first and then kills.
func TestTripwires(t *testing.T) {
	t.Parallel()
	var stored atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			stored.Add(1)
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(up.Close)
	var kills atomic.Int64
	tw, err := newTripwires(up.URL, "lake", "out", []Tripwire{{At: TripAfterSink, Object: 3}, {At: TripInSink, Object: 2}, {At: TripAfterSink, Object: 2, Prefix: "cp/commits/"}}, func() { kills.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tw.Close() })
	do := func(method, path, host string) (string, error) {
		req, err := http.NewRequestWithContext(t.Context(), method, tw.URL()+path, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	steps := []struct {
		name         string
		method, path string
		host         string
		wantErr      bool
		wantKills    int64
		wantFired    []string
	}{
		{name: "a read does not count", method: http.MethodGet, path: "/lake/out/a"},
		{name: "another prefix does not count", method: http.MethodPut, path: "/lake/elsewhere/a"},
		{name: "a part does not count", method: http.MethodPut, path: "/lake/out/big?partNumber=1&uploadId=u"},
		{name: "object 1 passes", method: http.MethodPut, path: "/lake/out/1"},
		{name: "object 2 is stored, never answered", method: http.MethodPut, path: "/out/2", host: "lake.s3.local", wantErr: true, wantKills: 1,
			wantFired: []string{"in-sink of output object 2"}},
		{name: "object 3 is answered, then the kill", method: http.MethodPost, path: "/lake/out/3?uploadId=u", wantKills: 2,
			wantFired: []string{"after-sink of output object 3"}},
		{name: "object 4 passes", method: http.MethodPut, path: "/lake/out/4", wantKills: 2},
		{name: "a checkpoint plan does not count", method: http.MethodPut, path: "/lake/cp/offsets/0", wantKills: 2},
		{name: "commit 1 passes", method: http.MethodPut, path: "/lake/cp/commits/0", wantKills: 2},
		{name: "commit 2 is answered, then the kill", method: http.MethodPut, path: "/lake/cp/commits/1", wantKills: 3,
			wantFired: []string{"after-sink of write 2 under cp/commits/"}},
	}
	for _, st := range steps {
		_, err := do(st.method, st.path, st.host)
		if (err != nil) != st.wantErr {
			t.Errorf("%s: error %v, want an error: %v", st.name, err, st.wantErr)
		}
		// An after-sink tripwire kills once its answer is sent, so the
		// answer can arrive first: wait for the kill (if it never comes,
		// the count below says so).
		for deadline := time.Now().Add(10 * time.Second); kills.Load() < st.wantKills && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if got := kills.Load(); got != st.wantKills {
			t.Errorf("%s: %d kills, want %d", st.name, got, st.wantKills)
		}
		if got := tw.takeFired(); strings.Join(got, ",") != strings.Join(st.wantFired, ",") {
			t.Errorf("%s: fired %q, want %q", st.name, got, st.wantFired)
		}
	}
	if got := stored.Load(); got != 8 {
		t.Errorf("upstream stored %d objects, want 8 (the in-sink one included)", got)
	}
	if left := tw.left(); len(left) != 0 {
		t.Errorf("tripwires left %v, want none", left)
	}
}

// TestTripwiresDynamoDB drives the tripwires' proxy with DynamoDB requests:
// only successful writes to the watched table that advance its checkpoint
// attribute count; the before-sink tripwire kills before the write reaches
// the emulator, the in-sink one after it is stored, and one on a table with
// no attribute counts every write.
func TestTripwiresDynamoDB(t *testing.T) {
	t.Parallel()
	var stored atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "lose-the-race") {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}`)
			return
		}
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "Item") && !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "GetItem") {
			stored.Add(1)
		}
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(up.Close)
	var kills atomic.Int64
	wires := []Tripwire{
		{At: TripBeforeSink, Object: 2, Table: "leases", Attribute: "Checkpoint"},
		{At: TripInSink, Object: 3, Table: "leases", Attribute: "Checkpoint"},
		{At: TripAfterSink, Object: 2, Table: "other"},
	}
	tw, err := newTripwires(up.URL, "lake", "out", wires, func() { kills.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tw.Close() })
	do := func(op, body string) error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tw.URL()+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	steps := []struct {
		name      string
		op, body  string
		wantErr   bool
		wantKills int64
		wantFired []string
	}{
		{name: "a read does not count", op: "GetItem", body: `{"TableName":"leases","Key":{"ShardID":{"S":"s0"}}}`},
		{name: "a lease take without a checkpoint does not count", op: "PutItem",
			body: `{"TableName":"leases","Item":{"ShardID":{"S":"s0"},"AssignedTo":{"S":"w1"}},"ConditionExpression":"attribute_not_exists(AssignedTo)"}`},
		{name: "checkpoint 1 passes", op: "PutItem", body: `{"TableName":"leases","Item":{"ShardID":{"S":"s0"},"Checkpoint":{"S":"100"}}}`},
		{name: "a renewal carrying checkpoint 1 does not count", op: "PutItem",
			body: `{"TableName":"leases","Item":{"ShardID":{"S":"s0"},"Checkpoint":{"S": "100"},"AssignedTo":{"S":"w1"}}}`},
		{name: "another table's checkpoint does not count", op: "PutItem", body: `{"TableName":"elsewhere","Item":{"Checkpoint":{"S":"200"}}}`},
		{name: "checkpoint 2 is never forwarded", op: "UpdateItem", wantErr: true, wantKills: 1,
			wantFired: []string{"before-sink of write 2 of a new Checkpoint to DynamoDB table leases"},
			body:      `{"TableName":"leases","Key":{"ShardID":{"S":"s0"}},"UpdateExpression":"SET #cp = :c, AssignedTo = :w","ExpressionAttributeNames":{"#cp":"Checkpoint"},"ExpressionAttributeValues":{":c":{"S":"200"},":w":{"S":"w1"}}}`},
		{name: "checkpoint 2 again, by AttributeUpdates, passes", op: "UpdateItem", wantKills: 1,
			body: `{"TableName":"leases","Key":{"ShardID":{"S":"s0"}},"AttributeUpdates":{"Checkpoint":{"Action":"PUT","Value":{"S":"200"}}}}`},
		{name: "a write that loses its condition does not count", op: "PutItem", wantKills: 1,
			body: `{"TableName":"leases","Item":{"ShardID":{"S":"s1"},"Checkpoint":{"S":"lose-the-race"}}}`},
		{name: "the other table's write 1 passes", op: "UpdateItem", wantKills: 1,
			body: `{"TableName":"other","Key":{"k":{"S":"a"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`},
		{name: "checkpoint 3 is stored, never answered", op: "PutItem", wantErr: true, wantKills: 2,
			wantFired: []string{"in-sink of write 3 of a new Checkpoint to DynamoDB table leases"},
			body:      `{"TableName":"leases","Item":{"ShardID":{"S":"s1"},"Checkpoint":{"S":"300"}}}`},
		{name: "the other table's write 2 is answered, then the kill", op: "PutItem", wantKills: 3,
			wantFired: []string{"after-sink of write 2 to DynamoDB table other"},
			body:      `{"TableName":"other","Item":{"k":{"S":"b"}}}`},
	}
	for _, st := range steps {
		err := do(st.op, st.body)
		if (err != nil) != st.wantErr {
			t.Errorf("%s: error %v, want an error: %v", st.name, err, st.wantErr)
		}
		if got := kills.Load(); got != st.wantKills {
			t.Errorf("%s: %d kills, want %d", st.name, got, st.wantKills)
		}
		if got := tw.takeFired(); strings.Join(got, ",") != strings.Join(st.wantFired, ",") {
			t.Errorf("%s: fired %q, want %q", st.name, got, st.wantFired)
		}
	}
	if got := stored.Load(); got != 8 {
		t.Errorf("upstream stored %d items, want 8 (the in-sink one included, the before-sink one not)", got)
	}
	if left := tw.left(); len(left) != 0 {
		t.Errorf("tripwires left %v, want none", left)
	}
}

// TestItemWriteValueOf reads the value a PutItem or UpdateItem writes to an
// attribute, in each form clients send.
func TestItemWriteValueOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    itemWrite
		want   string
		wantOK bool
	}{
		{"put", itemWrite{Item: map[string]json.RawMessage{"Checkpoint": json.RawMessage(`{ "S": "7" }`)}}, `{"S":"7"}`, true},
		{"put without it", itemWrite{Item: map[string]json.RawMessage{"AssignedTo": json.RawMessage(`{"S":"w"}`)}}, "", false},
		{"set by name", itemWrite{UpdateExpression: "SET LeaseOwner = :o, Checkpoint = :c",
			ExpressionAttributeValues: map[string]json.RawMessage{":c": json.RawMessage(`{"S":"9"}`)}}, `{"S":"9"}`, true},
		{"set by placeholder", itemWrite{UpdateExpression: "set #c=:v", ExpressionAttributeNames: map[string]string{"#c": "Checkpoint"},
			ExpressionAttributeValues: map[string]json.RawMessage{":v": json.RawMessage(`{"N":"3"}`)}}, `{"N":"3"}`, true},
		{"set by a function", itemWrite{UpdateExpression: "SET Checkpoint = if_not_exists(Checkpoint, :z)"}, "", true},
		{"another attribute", itemWrite{UpdateExpression: "SET LeaseCounter = LeaseCounter + :one"}, "", false},
		{"removed", itemWrite{UpdateExpression: "REMOVE AssignedTo"}, "", false},
		{"legacy put", itemWrite{AttributeUpdates: map[string]struct {
			Action string
			Value  json.RawMessage
		}{"Checkpoint": {Value: json.RawMessage(`{"S":"5"}`)}}}, `{"S":"5"}`, true},
		{"legacy delete", itemWrite{AttributeUpdates: map[string]struct {
			Action string
			Value  json.RawMessage
		}{"Checkpoint": {Action: "DELETE"}}}, "", false},
	}
	for _, tt := range tests {
		got, ok := tt.req.valueOf("Checkpoint")
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: valueOf = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestTableLag wants a shard whose last record is not checkpointed named,
// and a missing table said to be missing.
func TestTableLag(t *testing.T) {
	t.Parallel()
	srv, _ := dynamodbfaketest.NewServer(t)
	c := dynamodbfaketest.NewClient(srv.URL())
	last := map[string]string{"shard-0": "49", "shard-1": "51"}
	got, err := tableLag(t.Context(), c, "leases", "Checkpoint", last)
	if err != nil || len(got) != 1 || !strings.Contains(got[0], "checkpoint table leases does not exist") {
		t.Fatalf("no table: %q, %v; want it said to be missing", got, err)
	}
	if _, err := c.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String("leases"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("ShardID"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("ShardID"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	put := func(shard, cp string) {
		t.Helper()
		if _, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("leases"), Item: map[string]types.AttributeValue{
			"ShardID": &types.AttributeValueMemberS{Value: shard}, "Checkpoint": &types.AttributeValueMemberS{Value: cp},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	put("shard-0", "49")
	put("shard-1", "50")
	got, err = tableLag(t.Context(), c, "leases", "Checkpoint", last)
	if err != nil || len(got) != 1 || !strings.Contains(got[0], "shard shard-1 not checkpointed at its last record 51") {
		t.Fatalf("shard-1 behind: %q, %v; want it named", got, err)
	}
	put("shard-1", "51")
	if got, err = tableLag(t.Context(), c, "leases", "Checkpoint", last); err != nil || len(got) != 0 {
		t.Fatalf("caught up: %q, %v; want none behind", got, err)
	}
	if !seqLess("9", "10") || seqLess("10", "9") || !seqLess("495", "496") {
		t.Errorf("seqLess does not order sequence numbers as numbers")
	}
}

// TestTripwireValidate wants every tripwire that cannot fire rejected with
// the field named, and the good ones kept.
func TestTripwireValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w    Tripwire
		want string // "" for valid
	}{
		{"output object", Tripwire{At: TripInSink, Object: 1}, ""},
		{"before a checkpoint write", Tripwire{At: TripBeforeSink, Object: 2, Table: "leases", Attribute: "Checkpoint"}, ""},
		{"offset commit", Tripwire{At: TripBeforeSink, Object: 2, OffsetCommit: true}, ""},
		{"no moment", Tripwire{Object: 1}, "tripwire at"},
		{"object 0", Tripwire{At: TripInSink}, "tripwire object 0"},
		{"prefix and table", Tripwire{At: TripInSink, Object: 1, Prefix: "cp", Table: "leases"}, "tripwire prefix"},
		{"attribute alone", Tripwire{At: TripInSink, Object: 1, Attribute: "Checkpoint"}, "tripwire attribute"},
		{"offset commit on a table", Tripwire{At: TripInSink, Object: 1, OffsetCommit: true, Table: "leases"}, "tripwire on offset commits"},
		{"offset commit after sink", Tripwire{At: TripAfterSink, Object: 1, OffsetCommit: true}, "tripwire on offset commits at"},
	}
	for _, tt := range tests {
		err := tt.w.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want valid", tt.name, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error starting %q", tt.name, err, tt.want)
		}
	}
}
