package scenarios_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/scenarios"
)

func TestAssertionsConfig(t *testing.T) {
	base := func() *engine.Job {
		j, err := scenarios.VentilatorJob(scenarios.Env{Prefix: "s3://b/p"})
		if err != nil {
			t.Fatalf("VentilatorJob: %v", err)
		}
		return j
	}
	names := func(cols []assertions.Column) []string {
		var out []string
		for _, c := range cols {
			out = append(out, c.Name+":"+c.Type)
		}
		return out
	}
	ventilator := []string{"ventilatorid:int", "eventtime:timestamp", "serialnumber:string", "pressurecontrol:int", "o2stats:int", "minutevolume:int", "manufacturer:string"}
	tests := []struct {
		name       string
		mutate     func(j *engine.Job)
		ledger     string
		wantSchema []string
		wantKey    string
		wantIngest bool
		wantParts  []string
		wantDeliv  string
		wantS3     bool
	}{
		{name: "ventilator", mutate: func(*engine.Job) {}, ledger: "/l.jsonl",
			wantSchema: ventilator, wantKey: "serialnumber", wantIngest: true, wantDeliv: assertions.ExactlyOnce, wantS3: true},
		{name: "at-least-once", mutate: func(j *engine.Job) { j.Delivery = engine.AtLeastOnce },
			wantSchema: ventilator, wantKey: "serialnumber", wantIngest: true, wantDeliv: assertions.AtLeastOnce, wantS3: true},
		{name: "partitioned by columns", mutate: func(j *engine.Job) {
			j.Sink.Partitioning, j.Sink.PartitionKeys = engine.PartitionByColumns, []string{"manufacturer"}
		}, wantSchema: ventilator[:6], wantKey: "serialnumber", wantParts: []string{"manufacturer"}, wantDeliv: assertions.ExactlyOnce, wantS3: true},
		{name: "record timestamp and derived column", mutate: func(j *engine.Job) {
			j.Options.AddRecordTimestamp = true
			j.Transforms.Derived = []engine.Derived{{Name: "high", Type: "boolean", Expr: "pressurecontrol > 30"}}
		}, wantSchema: append(slices.Clone(ventilator), "high:boolean", "__src_timestamp:timestamp"), wantKey: "serialnumber", wantIngest: true, wantDeliv: assertions.ExactlyOnce, wantS3: true},
		{name: "no mappings: source columns", mutate: func(j *engine.Job) { j.Transforms.ApplyMapping = nil },
			wantSchema: []string{"ventilatorid:int", "eventtime:string", "serialnumber:string", "pressurecontrol:int", "o2stats:int", "minutevolume:int", "manufacturer:string"},
			wantKey:    "serialnumber", wantIngest: true, wantDeliv: assertions.ExactlyOnce, wantS3: true},
		{name: "local paths, unknown key", mutate: func(j *engine.Job) {
			j.Sink.Path, j.Sink.DeadLetterPath, j.ForEachBatch.CheckpointLocation = "/o", "/d", "/c"
			j.Transforms.ApplyMapping = j.Transforms.ApplyMapping[:2]
		}, wantSchema: ventilator[:2], wantIngest: true, wantDeliv: assertions.ExactlyOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := base()
			tt.mutate(j)
			c := scenarios.AssertionsConfig(j, tt.ledger, aws.Config{Region: "us-east-1"})
			if got := names(c.Schema); !slices.Equal(got, tt.wantSchema) {
				t.Errorf("Schema = %v, want %v", got, tt.wantSchema)
			}
			if c.KeyColumn != tt.wantKey {
				t.Errorf("KeyColumn = %q, want %q", c.KeyColumn, tt.wantKey)
			}
			if c.IngestTimePartitioning != tt.wantIngest || !slices.Equal(c.PartitionBy, tt.wantParts) {
				t.Errorf("partitioning = %v/%v, want %v/%v", c.IngestTimePartitioning, c.PartitionBy, tt.wantIngest, tt.wantParts)
			}
			if c.Delivery != tt.wantDeliv {
				t.Errorf("Delivery = %q, want %q", c.Delivery, tt.wantDeliv)
			}
			if (c.S3 != nil) != tt.wantS3 {
				t.Errorf("S3 client set = %v, want %v", c.S3 != nil, tt.wantS3)
			}
			if c.Output != j.Sink.Path || c.DeadLetter != j.Sink.DeadLetterPath || c.Checkpoint != j.ForEachBatch.CheckpointLocation || c.Ledger != tt.ledger {
				t.Errorf("locations = %q %q %q %q, want the job's and the ledger", c.Output, c.DeadLetter, c.Checkpoint, c.Ledger)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("the config does not validate: %v", err)
			}
		})
	}
}
