package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/generators"
)

// runCLIEnv runs streamcheck in process with the given environment.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code = run(t.Context(), e, args)
	return code, out.String(), errb.String()
}

// TestGenReferenceDynamoDB seeds the reference table with gen reference,
// has the aggregation job's loader read it, and checks it with verify and
// query, also after an item is deleted.
func TestGenReferenceDynamoDB(t *testing.T) {
	t.Parallel()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	vars := map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": st.DynamoDBURL, "AWS_REGION": st.Region}
	ledger := filepath.Join(t.TempDir(), "reference.jsonl")

	code, out, errOut := runCLIEnv(t, vars, "gen", "reference", "--to", "dynamodb://ventilator_ranges", "--create", "--ledger", ledger)
	if code != exitOK || !strings.Contains(out, "50 items") {
		t.Fatalf("gen reference: exit %d, stdout %q, stderr %q; want 0 and 50 items", code, out, errOut)
	}

	// The aggregation job's loader reads what gen wrote.
	cfg := aggregate.DefaultConfig()
	cfg.Reference.DynamoDBTable = "ventilator_ranges"
	loader, err := aggregate.NewLoader(cfg, nil, st.DynamoDBClient())
	if err != nil {
		t.Fatalf("NewLoader: %v", err)
	}
	tab, err := loader.Load(t.Context())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ids := generators.VentilatorIDs()
	if tab.Len() != ids.Max-ids.Min+1 {
		t.Errorf("reference has %d keys, want %d", tab.Len(), ids.Max-ids.Min+1)
	}
	ranges := []generators.Range{generators.NormalPressureControl(), generators.NormalO2Stats(), generators.NormalMinuteVolume()}
	for _, key := range []string{"1", "7", "50"} {
		b, ok := tab.Lookup(key)
		if !ok || len(b) != len(ranges) {
			t.Fatalf("key %s: bounds %v, %v; want %d metrics", key, b, ok, len(ranges))
		}
		for i, r := range ranges {
			if !b[i].Valid || b[i].Min != float64(r.Min) || b[i].Max != float64(r.Max) {
				t.Errorf("key %s metric %d: %+v, want %d..%d", key, i, b[i], r.Min, r.Max)
			}
		}
	}

	verify := []string{"verify", "--output", "dynamodb://ventilator_ranges", "--ledger", ledger, "--key", generators.ReferenceKeyColumn,
		"--schema", "ventilatorid:bigint!,pressure_control_min:bigint,pressure_control_max:bigint,o2_stats_min:bigint,o2_stats_max:bigint,minute_volume_min:bigint,minute_volume_max:bigint"}
	if code, out, errOut := runCLIEnv(t, vars, verify...); code != exitOK {
		t.Fatalf("verify: exit %d, stdout %s, stderr %s; want 0", code, out, errOut)
	}
	code, out, errOut = runCLIEnv(t, vars, "query", "--output", "dynamodb://ventilator_ranges", "--format", "csv",
		"SELECT count(*) AS n, min(o2_stats_min) AS lo FROM output")
	if want := "n,lo\n50,92\n"; code != exitOK || out != want {
		t.Errorf("query: exit %d, stdout %q (stderr %q); want %q", code, out, errOut, want)
	}

	_, err = st.DynamoDBClient().DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: aws.String("ventilator_ranges"),
		Key: map[string]types.AttributeValue{"ventilatorid": &types.AttributeValueMemberN{Value: "7"}}})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLIEnv(t, vars, verify...); code != exitFailure || !strings.Contains(out, "lost") {
		t.Errorf("verify after deleting an item: exit %d, stdout %s, stderr %s; want 1 and a lost item", code, out, errOut)
	}

	code, _, errOut = runCLIEnv(t, vars, "query", "--output", "dynamodb://no_such_table", "SELECT 1")
	if code != exitFailure || !strings.Contains(errOut, `"no_such_table"`) || !strings.Contains(errOut, "no such table") {
		t.Errorf("query of a missing table: exit %d, stderr %q; want 1 naming the table", code, errOut)
	}
	code, _, errOut = runCLIEnv(t, vars, "verify", "--output", t.TempDir(), "--ledger", ledger, "--key", "k", "--visible-at", "committed_at")
	if code != exitUsage || !strings.Contains(errOut, "VisibleAtColumn") {
		t.Errorf("verify --visible-at on a directory output: exit %d, stderr %q; want a usage error", code, errOut)
	}
	code, _, errOut = runCLIEnv(t, vars, "gen", "reference", "--to", "kinesis://x")
	if code != exitUsage || !strings.Contains(errOut, "dynamodb://TABLE") {
		t.Errorf("gen reference --to kinesis://x: exit %d, stderr %q; want a usage error", code, errOut)
	}
}

// TestGenTableDynamoDB writes a DDL table's records as items and verifies
// the table against the ledger.
func TestGenTableDynamoDB(t *testing.T) {
	t.Parallel()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	vars := map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": st.DynamoDBURL, "AWS_REGION": st.Region}
	ledger := filepath.Join(t.TempDir(), "things.jsonl")
	ddl := "`id` string, `n` int, `price` decimal(10,2), `ok` boolean, `tags` array<string>, `at` timestamp"
	code, out, errOut := runCLIEnv(t, vars, "gen", "table", "--ddl", ddl, "--to", "dynamodb://things", "--create", "--count", "120", "--ledger", ledger)
	if code != exitOK || !strings.Contains(out, "120 items") {
		t.Fatalf("gen table: exit %d, stdout %q, stderr %q; want 0 and 120 items", code, out, errOut)
	}
	if code, out, errOut := runCLIEnv(t, vars, "verify", "--output", "dynamodb://things", "--ledger", ledger, "--key", "id",
		"--schema", "id:string!,n:bigint,price:double,ok:boolean,tags:array,at:string"); code != exitOK {
		t.Fatalf("verify: exit %d, stdout %s, stderr %s; want 0", code, out, errOut)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"duplicates", []string{"--duplicates", "0.1"}, "--duplicates"},
		{"avro", []string{"--format", "avro"}, "--format avro"},
		{"duration", []string{"--duration", "1s"}, "--duration"},
	} {
		args := append([]string{"gen", "table", "--ddl", ddl, "--to", "dynamodb://things"}, tc.args...)
		if code, _, errOut := runCLIEnv(t, vars, args...); code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want a usage error naming %s", tc.name, code, errOut, tc.want)
		}
	}
}
