package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

func init() {
	register(&command{
		name:    "init",
		summary: "Scaffold a job file (and a pipeline file) from a Glue table definition: aws glue get-table JSON, a CDK column list or Hive DDL.",
		usage: "init (--table FILE | --ddl STRING) [--out job.yaml] [--pipeline pipeline.yaml] [--bucket B] [--stream S | --topic T] " +
			"[--name N] [--window D] [--force]",
		example: "  aws glue get-table --database-name ventilatordb --name ventilators_table > table.json\n" +
			"  streamcheck init --table table.json --bucket ventilator-output\n" +
			"  streamcheck init --table cdk.context.json --out job.yaml --pipeline pipeline.yaml\n" +
			"  streamcheck init --ddl '`id` string, `amount` decimal(10,2), `at` timestamp' --stream payments",
		run: runInit,
	})
}

// initTable is what init learns from a table definition.
type initTable struct {
	Database, Table, Classification, Stream, Topic string
	Columns                                        []initColumn
}

type initColumn struct{ Name, Type string }

// initKeyColumns are the column names verify takes as a record's key when a
// job names none (scenarios.AssertionsConfig), in order of preference.
var initKeyColumns = []string{"serialnumber", "id", "event_id", "_id"}

func runInit(_ context.Context, e *env, args []string) error {
	c := commands["init"]
	fs := newFlagSet(c)
	tableFile := fs.String("table", "", "the table definition: aws glue get-table JSON, a CDK context or column list (JSON), or Hive DDL (CREATE TABLE or a column list)")
	ddl := fs.String("ddl", "", "the table's columns as Hive DDL, instead of --table")
	out := fs.String("out", "job.yaml", "where to write the job file")
	pipeline := fs.String("pipeline", "", "also write a pipeline file here, to test your own pipeline on the same table as a black box")
	bucket := fs.String("bucket", "", "S3 bucket for output, dead letters and checkpoint (default <table>-output)")
	stream := fs.String("stream", "", "Kinesis stream (default: the definition's, else the table's name)")
	topic := fs.String("topic", "", "Kafka topic: a Kafka source instead of Kinesis")
	name := fs.String("name", "", "the job's name (default: the table's)")
	window := fs.String("window", "100 seconds", "forEachBatch.windowSize")
	force := fs.Bool("force", false, "overwrite files that exist")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if (*tableFile == "") == (*ddl == "") {
		return usagef("give one of --table FILE and --ddl STRING")
	}
	if *stream != "" && *topic != "" {
		return usagef("--stream and --topic exclude each other: a job reads Kinesis or Kafka")
	}
	var t *initTable
	var err error
	if *ddl != "" {
		t, err = parseInitDefinition([]byte(*ddl), "--ddl")
	} else {
		data, rerr := os.ReadFile(*tableFile)
		if rerr != nil {
			return usagef("--table: %v", rerr)
		}
		t, err = parseInitDefinition(data, *tableFile)
	}
	if err != nil {
		return usagef("%v", err)
	}
	if *stream != "" {
		t.Stream, t.Topic = *stream, ""
	}
	if *topic != "" {
		t.Topic, t.Stream = *topic, ""
	}
	if t.Table == "" {
		t.Table = "my_table"
	}
	if t.Stream == "" && t.Topic == "" {
		t.Stream = t.Table
	}
	if t.Classification == "" {
		t.Classification = "json"
	}
	if *name == "" {
		*name = t.Table
	}
	if *bucket == "" {
		*bucket = strings.ReplaceAll(strings.ToLower(t.Table), "_", "-") + "-output"
	}
	data := initData{initTable: *t, Name: *name, Bucket: *bucket, Window: *window, Key: initKey(t.Columns)}
	job, err := renderInit(jobTemplate, data)
	if err != nil {
		return err
	}
	// What is written must load: the same check run --job makes.
	if _, err := engine.ParseJob(job); err != nil {
		return fmt.Errorf("the scaffolded job does not load (a column type the engine lacks?): %w", err)
	}
	if err := writeNew(*out, job, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d columns of %s, %s source %s, output in s3://%s\n", *out, len(t.Columns), t.Table, data.Kind(), data.SourceName(), *bucket)
	if *pipeline != "" {
		p, err := renderInit(pipelineTemplate, data)
		if err != nil {
			return err
		}
		if err := writeNew(*pipeline, p, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: replace command with your pipeline's, then streamcheck scenario run --pipeline %s all\n", *pipeline, *pipeline)
	}
	fmt.Fprintf(e.stdout, "next: streamcheck run --job %s --create --until-idle\n", *out)
	return nil
}

// initData is what the templates fill in.
type initData struct {
	initTable
	Name, Bucket, Window, Key string
}

// Kind is the job's source.kind.
func (d initData) Kind() string {
	if d.Topic != "" {
		return "kafka"
	}
	return "kinesis"
}

// SourceName is the stream or topic.
func (d initData) SourceName() string {
	if d.Topic != "" {
		return d.Topic
	}
	return d.Stream
}

func initKey(cols []initColumn) string {
	for _, k := range initKeyColumns {
		for _, c := range cols {
			if strings.EqualFold(c.Name, k) {
				return c.Name
			}
		}
	}
	return ""
}

func renderInit(tmpl *template.Template, d initData) ([]byte, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", tmpl.Name(), err)
	}
	return b.Bytes(), nil
}

// writeNew writes data to path, refusing to replace a file unless force.
func writeNew(path string, data []byte, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return usagef("%s exists: pass --force to replace it", path)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var (
	ddlCreate = regexp.MustCompile("(?is)^\\s*CREATE\\s+(?:EXTERNAL\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?`?([\\w.]+?)`?\\s*\\(")
	ddlProp   = regexp.MustCompile(`(?i)'([\w.]+)'\s*=\s*'([^']*)'`)
)

// parseInitDefinition reads a table definition: JSON (aws glue get-table,
// a CDK context with a columns list, or a bare column list) or Hive DDL (a
// CREATE TABLE statement with its TBLPROPERTIES, or a column list).
func parseInitDefinition(data []byte, what string) (*initTable, error) {
	trimmed := bytes.TrimSpace(data)
	t := &initTable{}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		tab, err := generators.ParseColumnsJSON(trimmed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		var v any
		if err := json.Unmarshal(trimmed, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		jsonMeta(v, t)
		for _, c := range tab.Columns {
			t.Columns = append(t.Columns, initColumn{c.Name, c.Type.String()})
		}
		return t, nil
	}
	text := string(trimmed)
	if m := ddlCreate.FindStringSubmatchIndex(text); m != nil {
		full := text[m[2]:m[3]]
		if db, tbl, ok := strings.Cut(full, "."); ok {
			t.Database, t.Table = db, tbl
		} else {
			t.Table = full
		}
		// The column list is the parenthesised text after the name.
		depth, end := 0, -1
		for i := m[1] - 1; i < len(text); i++ {
			switch text[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("%s: CREATE TABLE: the column list is never closed", what)
		}
		for _, p := range ddlProp.FindAllStringSubmatch(text[end:], -1) {
			setMeta(t, p[1], p[2])
		}
		text = text[m[1]:end]
	}
	tab, err := generators.ParseDDL(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for _, c := range tab.Columns {
		t.Columns = append(t.Columns, initColumn{c.Name, c.Type.String()})
	}
	return t, nil
}

// jsonMeta takes the table's database, name, classification and stream or
// topic from a get-table answer or a CDK context, wherever they are.
func jsonMeta(v any, t *initTable) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := x[k].(string); ok {
				setMeta(t, k, s)
			}
		}
		for _, k := range keys {
			jsonMeta(x[k], t)
		}
	case []any:
		for _, e := range x {
			jsonMeta(e, t)
		}
	}
}

// setMeta records one property of the table, first value wins.
func setMeta(t *initTable, key, value string) {
	set := func(dst *string) {
		if *dst == "" {
			*dst = value
		}
	}
	switch strings.ToLower(key) {
	case "databasename", "database_name":
		set(&t.Database)
	case "table_name":
		set(&t.Table)
	case "name":
		// get-table's Table.Name; a column's name never comes first, as
		// columns are in lists of objects visited after the strings.
		if t.Columns == nil && t.Table == "" && !strings.Contains(value, " ") {
			set(&t.Table)
		}
	case "classification":
		set(&t.Classification)
	case "streamname", "kinesis_stream_name":
		set(&t.Stream)
	case "topicname":
		set(&t.Topic)
	case "streamarn":
		if _, name, ok := strings.Cut(value, ":stream/"); ok {
			set(&t.Stream)
			t.Stream = name
		}
	}
}

var jobTemplate = template.Must(template.New("job.yaml").Parse(`# The streaming job of the Glue table {{if .Database}}{{.Database}}.{{end}}{{.Table}}, scaffolded by
# streamcheck init: records of the {{.Classification}} classification from the {{.Kind}} {{if .Topic}}topic{{else}}stream{{end}}
# {{.SourceName}}, one micro-batch per window, written as Parquet to S3 partitioned by ingest
# time, with records that do not fit the columns in the dead letter.
#
# Run it against the emulators (streamcheck emulate) or AWS with:
#   streamcheck run --job THIS_FILE --create --until-idle
# Every key, with its default and meaning, is in examples/reference-job.yaml.
name: {{.Name}}

source:
  kind: {{.Kind}}
{{- if .Database}}
  database: {{.Database}}
{{- end}}
  table: {{.Table}}
  classification: {{.Classification}}
{{- if .Stream}}
  streamName: {{.Stream}}
{{- end}}
  # The table's columns, with Glue's type names. Mark a column
  # "required: true" to send records that lack it to the dead letter.
  columns:
{{- range .Columns}}
    - {name: {{.Name}}, type: "{{.Type}}"}
{{- end}}

connectionOptions:
  # Where a new checkpoint starts: latest (Glue's default), trim_horizon
  # (everything the stream holds) or a time.
  startingPosition: trim_horizon
{{- if .Topic}}
  topicName: {{.Topic}}
  startingOffsets: earliest
{{- end}}

forEachBatch:
  # One micro-batch per window; "100 seconds" is Glue's default.
  windowSize: {{.Window}}
  # Planned and committed batches: a restart resumes here, exactly once.
  checkpointLocation: s3://{{.Bucket}}/checkpoint/

transforms:
  # ApplyMapping, one entry per column: change a target's type here (a
  # string to a timestamp takes a format such as "yyyy-MM-dd HH:mm:ss").
  applyMapping:
{{- range .Columns}}
    - {source: {{.Name}}, target: {{.Name}}, type: "{{.Type}}"}
{{- end}}

sink:
  path: s3://{{.Bucket}}/{{.Table}}
  format: parquet
  compression: snappy
  # ingest_year=/ingest_month=/ingest_day=/ingest_hour=, as in the Glue blog.
  partitioning: ingest_time
  # Records that do not fit the columns, with the error and their position.
  deadLetterPath: s3://{{.Bucket}}/deadletter
{{- if .Key}}
# streamcheck verify --job THIS_FILE --ledger LEDGER checks the output by {{.Key}}.
{{- else}}
# streamcheck verify --job THIS_FILE --ledger LEDGER --key COLUMN checks the output: name
# the column that identifies a record (or * for a hash of the whole row).
{{- end}}
`))

var pipelineTemplate = template.Must(template.New("pipeline.yaml").Parse(`# A pipeline file for your own pipeline over the Glue table {{.Table}}, scaffolded by
# streamcheck init: streamcheck runs the command as a black box against its emulators,
# sends it a load with a ledger, kills it and injects faults, and checks what it wrote.
# Every key, with its default, is in examples/pipelines/reference-pipeline.yaml.
name: {{.Name}}
# Replace with your pipeline's command line; it finds the emulators in AWS_ENDPOINT_URL,
# KAFKA_BOOTSTRAP_SERVERS and STREAMCHECK_STREAM / _TOPIC / _OUTPUT.
command: [./my-pipeline]
source:
  kind: {{.Kind}}
  name: {{.SourceName}}
  shards: 4
load:
  dataset: ventilator  # or payments; a table's own columns: streamcheck gen table --table-file
  records: 2000
output:
  path: s3://{{.Bucket}}/{{.Table}}
  format: parquet
{{- if .Key}}
  keyColumn: {{.Key}}
{{- end}}
promise: exactly-once  # or at-least-once
doneWhen:
  quiet: 5s
  timeout: 2m
`))
