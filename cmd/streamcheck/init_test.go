package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
)

// cdkContext is the Glue blog's CDK project's context: the catalog table of
// the ventilator stream as a column list.
const cdkContext = `{
  "kinesis_stream_name": "ventilatorstream",
  "glue_job_name": "glue_streaming_from_kds_to_s3",
  "glue_kinesis_table": {
    "database_name": "ventilatordb",
    "table_name": "ventilators_table",
    "columns": [
      {"name": "ventilatorid", "type": "int"},
      {"name": "eventtime", "type": "string"},
      {"name": "serialnumber", "type": "string"},
      {"name": "pressurecontrol", "type": "int"},
      {"name": "o2stats", "type": "int"},
      {"name": "minutevolume", "type": "int"},
      {"name": "manufacturer", "type": "string"}
    ]
  }
}`

// TestInitFromCDKRunsTheTour turns the CDK column list into a job, then
// runs the tour with it: generate with a ledger, run with a crash and a
// restart, verify.
func TestInitFromCDKRunsTheTour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	def := filepath.Join(dir, "cdk.context.json")
	if err := os.WriteFile(def, []byte(cdkContext), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job.yaml")
	code, stdout, stderr := runCLI(t, "init", "--table", def, "--out", job, "--bucket", "ventilator-output", "--pipeline", filepath.Join(dir, "pipeline.yaml"))
	if code != exitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "7 columns of ventilators_table") {
		t.Errorf("init said %q", stdout)
	}
	j, err := engine.LoadJob(job)
	if err != nil {
		t.Fatal(err)
	}
	if j.Source.StreamName != "ventilatorstream" || j.Source.Database != "ventilatordb" || len(j.Source.Columns) != 7 || j.Source.Columns[0].Type != "int" {
		t.Errorf("job source = %+v; want the CDK table's stream, database and 7 columns", j.Source)
	}
	if code, _, stderr := runCLI(t, "init", "--table", def, "--out", job); code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing job: exit %d, %q; want a usage error naming --force", code, stderr)
	}

	st, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded), emulator.WithEdgeAddr("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	vars := map[string]string{"AWS_ENDPOINT_URL": st.EdgeURL, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
	ledger := filepath.Join(dir, "ledger.jsonl")
	if code, _, stderr := runCLIEnv(t, vars, "gen", "ventilator", "--to", "kinesis://ventilatorstream", "--create", "--shards", "2",
		"--count", "2000", "--malformed", "0.01", "--ledger", ledger); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	crashed := false
	exitProcess = func(int) { crashed = true }
	t.Cleanup(func() { exitProcess = os.Exit })
	if code, _, stderr := runCLIEnv(t, vars, "run", "--job", job, "--create", "--window", "100ms", "--crash-at", "after-sink", "--crash-batch", "0"); code != exitCrashed || !crashed {
		t.Fatalf("run with a crash: exit %d (crashed %v): %s", code, crashed, stderr)
	}
	if code, _, stderr := runCLIEnv(t, vars, "run", "--job", job, "--window", "100ms", "--until-idle"); code != exitOK {
		t.Fatalf("restart: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runCLIEnv(t, vars, "verify", "--job", job, "--ledger", ledger)
	if code != exitOK || !strings.Contains(stdout, "OK: no check failed") {
		t.Fatalf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestInitDefinitions: get-table JSON and Hive DDL give the same columns,
// with the table's properties.
func TestInitDefinitions(t *testing.T) {
	t.Parallel()
	getTable := `{"Table": {"Name": "orders", "DatabaseName": "shop", "Parameters": {"classification": "json", "typeOfData": "kafka"},
	  "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}, {"Name": "amount", "Type": "decimal(10,2)"}],
	  "Parameters": {"topicName": "orders-topic"}}}}`
	ddl := "CREATE EXTERNAL TABLE shop.orders (`id` string, `amount` decimal(10,2)) STORED AS PARQUET TBLPROPERTIES ('classification'='json', 'topicName'='orders-topic')"
	for _, tt := range []struct{ name, def string }{{"get-table", getTable}, {"ddl", ddl}} {
		got, err := parseInitDefinition([]byte(tt.def), tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Table != "orders" || got.Database != "shop" || got.Topic != "orders-topic" || got.Classification != "json" ||
			len(got.Columns) != 2 || got.Columns[1] != (initColumn{"amount", "decimal(10,2)"}) {
			t.Errorf("%s: got %+v", tt.name, got)
		}
	}
	if _, err := parseInitDefinition([]byte(`{"nothing": 1}`), "x.json"); err == nil {
		t.Error("a definition without columns was accepted")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "job.yaml")
	if code, _, stderr := runCLI(t, "init", "--ddl", ddl, "--out", out); code != exitOK {
		t.Fatalf("init --ddl: exit %d: %s", code, stderr)
	}
	j, err := engine.LoadJob(out)
	if err != nil || j.Source.Kind != engine.KindKafka || j.Options.TopicName != "orders-topic" {
		t.Errorf("job from DDL: %+v, %v; want a Kafka job on orders-topic", j, err)
	}
}
