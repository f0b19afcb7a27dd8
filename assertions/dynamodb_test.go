package assertions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator"
)

// ddbItems is how many items the DynamoDB output tests write: enough for
// several Scan pages with a small page limit and every segment.
const ddbItems = 60

// ddbTable starts a stack, creates table (hash key id, a string) and puts
// ddbItems items whose serialnumber the ledger at the returned path lists.
func ddbTable(t *testing.T, table string) (*dynamodb.Client, string) {
	t.Helper()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	c := st.DynamoDBClient()
	_, err = c.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	var lines []string
	for i := range ddbItems {
		serial := fmt.Sprintf("k%03d", i)
		putDDB(t, c, table, ddbItem(fmt.Sprintf("id-%03d", i), serial, i))
		b, _ := json.Marshal(ledgerRow{Seq: int64(i), Key: serial, PartitionKey: serial, PayloadSHA256: payloadSHA(int64(i)),
			DuplicateOf: -1, Outcome: "ack", Attempts: 1, Partition: -1, Offset: -1, AckedAtMS: t0.UnixMilli() + int64(i)})
		lines = append(lines, string(b))
	}
	ledger := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(ledger, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return c, ledger
}

// ddbItem is one output item with every attribute type.
func ddbItem(id, serial string, i int) map[string]types.AttributeValue {
	note := types.AttributeValue(&types.AttributeValueMemberNULL{Value: true})
	if i%2 == 0 {
		note = &types.AttributeValueMemberS{Value: "even"}
	}
	return map[string]types.AttributeValue{
		"note":         note,
		"seen":         &types.AttributeValueMemberS{Value: fmt.Sprintf("2026-01-01T00:00:%02dZ", i%60)},
		"uid":          &types.AttributeValueMemberS{Value: fmt.Sprintf("123e4567-e89b-12d3-a456-4266141740%02d", i%100)},
		"id":           &types.AttributeValueMemberS{Value: id},
		"serialnumber": &types.AttributeValueMemberS{Value: serial},
		"reading":      &types.AttributeValueMemberN{Value: fmt.Sprintf("%d.25", i)},
		"count":        &types.AttributeValueMemberN{Value: fmt.Sprint(i)},
		"ok":           &types.AttributeValueMemberBOOL{Value: i%2 == 0},
		"tags":         &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"raw":          &types.AttributeValueMemberB{Value: []byte{0xff, byte(i)}},
		"hist":         &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1"}, &types.AttributeValueMemberN{Value: "2"}}},
		"meta":         &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"site": &types.AttributeValueMemberS{Value: "s1"}}},
	}
}

func putDDB(t *testing.T, c *dynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("put item: %v", err)
	}
}

func TestVerifyDynamoDBOutput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		change         func(t *testing.T, c *dynamodb.Client, table string)
		ok             bool
		lost, dup      int64
		exampleKind    string
		exampleKey     string
		wantDelivered  int64
		scanSegments   int
		wantSchemaPass bool
	}{
		{name: "clean", ok: true, wantDelivered: ddbItems},
		{name: "clean, one segment", ok: true, wantDelivered: ddbItems, scanSegments: 1},
		{name: "item deleted", ok: false, lost: 1, exampleKind: "lost", exampleKey: "k007", wantDelivered: ddbItems - 1,
			change: func(t *testing.T, c *dynamodb.Client, table string) {
				_, err := c.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: aws.String(table),
					Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "id-007"}}})
				if err != nil {
					t.Fatal(err)
				}
			}},
		{name: "item duplicated under another key", ok: false, dup: 1, exampleKind: "duplicated", exampleKey: "k011", wantDelivered: ddbItems + 1,
			change: func(t *testing.T, c *dynamodb.Client, table string) {
				putDDB(t, c, table, ddbItem("id-again", "k011", 11))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ledger := ddbTable(t, "readings")
			if tc.change != nil {
				tc.change(t, c, "readings")
			}
			rep, err := Verify(t.Context(), Config{Output: "dynamodb://readings", DynamoDB: c, Ledger: ledger, KeyColumn: "serialnumber",
				ScanSegments: tc.scanSegments, TempDir: t.TempDir(), Schema: []Column{
					{Name: "id", Type: "string", Nullable: false}, {Name: "serialnumber", Type: "string"}, {Name: "count", Type: "bigint"},
					{Name: "reading", Type: "double"}, {Name: "ok", Type: "boolean"}, {Name: "note", Type: "string", Nullable: true},
					{Name: "tags", Type: "array"}, {Name: "raw", Type: "string"}, {Name: "hist", Type: "array"}, {Name: "meta", Type: "struct"},
					{Name: "seen", Type: "string"}, {Name: "uid", Type: "string"}, // text that looks like a timestamp or a UUID stays text
				}})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.OK != tc.ok {
				t.Errorf("OK = %v, want %v; report %+v", rep.OK, tc.ok, rep.Results)
			}
			res := map[string]Result{}
			for _, r := range rep.Results {
				res[r.Check] = r
			}
			d := res[CheckDelivery]
			if got := d.Count("lost"); got != tc.lost {
				t.Errorf("lost = %d, want %d", got, tc.lost)
			}
			if got := d.Count("duplicated"); got != tc.dup {
				t.Errorf("duplicated = %d, want %d", got, tc.dup)
			}
			if got := d.Count("delivered"); got != tc.wantDelivered {
				t.Errorf("delivered = %d, want %d", got, tc.wantDelivered)
			}
			if tc.exampleKind != "" {
				found := false
				for _, e := range d.Examples {
					found = found || e.Kind == tc.exampleKind && e.Key == tc.exampleKey
				}
				if !found {
					t.Errorf("examples %+v: want a %s example of %s", d.Examples, tc.exampleKind, tc.exampleKey)
				}
			}
			if s := res[CheckSchema]; s.Status != Pass {
				t.Errorf("schema %s (%s), want pass; examples %+v", s.Status, s.Detail, s.Examples)
			}
			if l := res[CheckLag]; l.Status != Skip || !strings.Contains(l.Detail, "not measurable") {
				t.Errorf("lag %s %q, want skipped as not measurable", l.Status, l.Detail)
			}
			if l := res[CheckLayout]; l.Status != Skip {
				t.Errorf("layout %s %q, want skipped", l.Status, l.Detail)
			}
		})
	}
}

func TestVerifyDynamoDBSchemaRejects(t *testing.T) {
	t.Parallel()
	c, ledger := ddbTable(t, "readings")
	rep, err := Verify(t.Context(), Config{Output: "dynamodb://readings", DynamoDB: c, Ledger: ledger, KeyColumn: "serialnumber",
		TempDir: t.TempDir(), Schema: []Column{{Name: "serialnumber", Type: "int"}, {Name: "absent", Type: "string"}}})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for _, r := range rep.Results {
		if r.Check == CheckSchema && r.Status != Fail {
			t.Errorf("schema %s, want fail for a wrong type and a missing column", r.Status)
		}
	}
	if rep.OK {
		t.Error("OK = true, want false")
	}
}

func TestQueryDynamoDBOutput(t *testing.T) {
	t.Parallel()
	c, _ := ddbTable(t, "readings")
	s, err := Open(t.Context(), Config{Output: "dynamodb://readings", DynamoDB: c, TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	tab, err := s.Query(t.Context(), `SELECT count(*), sum(count), max(reading)::VARCHAR, min(raw) FILTER (WHERE id = 'id-000'), any_value(tags)::VARCHAR,
		any_value(meta.site), any_value(hist)::VARCHAR, count(note) FROM output`)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	got := fmt.Sprint(tab.Rows[0])
	want := fmt.Sprint([]any{int64(ddbItems), int64(ddbItems * (ddbItems - 1) / 2), "59.25", "/wA=", "[a, b]", "s1", "[1, 2]", int64(ddbItems / 2)})
	if got != want {
		t.Errorf("row = %s, want %s", got, want)
	}
}

func TestDynamoDBOutputErrors(t *testing.T) {
	t.Parallel()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	_, err = Open(t.Context(), Config{Output: "dynamodb://nothere", DynamoDB: st.DynamoDBClient(), TempDir: t.TempDir()})
	if !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), `"nothere"`) {
		t.Errorf("Open of a missing table: %v, want ErrNoTable naming the table", err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no client", Config{Output: "dynamodb://readings"}, "DynamoDB: required"},
		{"bad name", Config{Output: "dynamodb://a", DynamoDB: st.DynamoDBClient()}, "want dynamodb://TABLE"},
		{"not the output", Config{Output: "out", Checkpoint: "dynamodb://readings", DynamoDB: st.DynamoDBClient()}, "only be the output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want ErrConfig with %q", err, tc.want)
			}
		})
	}
}

func TestAppendNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"integer", "42", "42"},
		{"negative decimal", "-0.125", "-0.125"},
		{"many digits", "12345678901234567890.123456789", "12345678901234567890.123456789"},
		{"exponent", "1E+5", "1E+5"},
		{"leading dot", ".5", "0.5"},
		{"leading plus", "+7", "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendNumber(nil, tc.in)
			if err != nil || string(got) != tc.want {
				t.Errorf("appendNumber(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := appendNumber(nil, "x1"); err == nil {
		t.Error(`appendNumber("x1"): want an error`)
	}
}

func TestDynamoDBLagFromCommitTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		max     time.Duration
		want    Status
		wantMax time.Duration
	}{
		{name: "within bound", max: time.Second, want: Pass, wantMax: 590 * time.Millisecond},
		{name: "over bound", max: 500 * time.Millisecond, want: Fail, wantMax: 590 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ledger := ddbTable(t, "readings")
			for i := range ddbItems {
				item := ddbItem(fmt.Sprintf("id-%03d", i), fmt.Sprintf("k%03d", i), i)
				item["committed_at"] = &types.AttributeValueMemberN{Value: fmt.Sprint(t0.UnixMilli() + int64(i) + int64(i)*10)}
				putDDB(t, c, "readings", item)
			}
			s, err := Open(t.Context(), Config{Output: "dynamodb://readings", DynamoDB: c, Ledger: ledger, KeyColumn: "serialnumber",
				VisibleAtColumn: "committed_at", MaxLagMax: tc.max, TempDir: t.TempDir()})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			r, err := s.Lag(t.Context())
			if err != nil {
				t.Fatalf("Lag: %v", err)
			}
			if r.Status != tc.want || r.Lag == nil || r.Lag.Overall.Max != tc.wantMax || r.Lag.Overall.Records != ddbItems {
				t.Fatalf("lag %s %q %+v, want %s with max %v over %d records", r.Status, r.Detail, r.Lag, tc.want, tc.wantMax, ddbItems)
			}
			if tc.want == Fail && (len(r.Examples) == 0 || r.Examples[0].Key != "k059") {
				t.Errorf("examples %+v, want k059 first", r.Examples)
			}
		})
	}
	if err := (&Config{Output: "out", VisibleAtColumn: "x"}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("VisibleAtColumn on a file output: %v, want ErrConfig", err)
	}
}
