package catalog

import (
	"fmt"
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios"
)

// Catalog returns the named scenarios, each on the embedded backend by
// default, in the order `streamcheck scenario list` shows them. Every one is
// small (scenarios.DefaultRecords records, scenarios.DefaultWindow windows) so that the whole
// catalog runs in a minute or two on two cores.
func Catalog() []scenarios.Scenario {
	return append([]scenarios.Scenario{
		{
			Name:        "steady-kinesis",
			Description: "Ventilator JSON from 4 shards becomes ingest-hour partitioned Parquet, every record exactly once, with a lag bound.",
			Load:        scenarios.Load{Rate: 4000},
			Expect:      scenarios.Expect{MaxLagP99: 10 * time.Second},
		},
		{
			Name:        "crash-after-plan",
			Description: "The engine dies after writing a batch's plan, before any output; the restart replays the plan.",
			Load:        scenarios.Load{Rate: 4000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterPlan, Batch: 1, BatchUpTo: 2}},
		},
		{
			Name:        "crash-in-sink",
			Description: "The engine dies after the first object of a batch; the replay overwrites it and writes the rest.",
			Load:        scenarios.Load{Rate: 4000, Malformed: 0.02},
			Crashes:     []scenarios.Crash{{At: engine.AtInSink, Objects: 1, Batch: 1, BatchUpTo: 2}},
			Expect:      scenarios.Expect{MinDeadLetters: 1},
		},
		{
			Name:        "crash-after-sink",
			Description: "The engine dies with a batch's output complete but not committed; the replay overwrites the same objects.",
			Load:        scenarios.Load{Rate: 4000, Malformed: 0.02},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      scenarios.Expect{MinDeadLetters: 1},
		},
		{
			Name:        "crash-after-commit",
			Description: "The engine dies right after a commit; the restart goes on from the next batch.",
			Load:        scenarios.Load{Rate: 4000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterCommit, Batch: 1, BatchUpTo: 2}},
		},
		{
			Name:        "crash-every-point",
			Description: "Four crashes in one run, one at each point, in successive batches.",
			Load:        scenarios.Load{Rate: 2000, Records: 4000},
			Crashes: []scenarios.Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "at-least-once-duplicates",
			Description: "A stock forEachBatch job writing with append dies after its sink: the restart writes the batch again and the checker must report the duplicates.",
			Setup:       scenarios.Setup{Delivery: engine.AtLeastOnce},
			Load:        scenarios.Load{Rate: 4000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      scenarios.Expect{Duplicates: true},
		},
		{
			Name:        "malformed-records",
			Description: "5% of records are invalid JSON, of a wrong type or invalid UTF-8: each lands in the dead letter once, with a crash after the sink in between.",
			Load:        scenarios.Load{Rate: 4000, Malformed: 0.05, Duplicates: 0.01},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      scenarios.Expect{MinDeadLetters: 20},
		},
		{
			Name:        "s3-errors",
			Description: "S3 answers some of the engine's output writes with 503 SlowDown; retries must not lose or duplicate a record.",
			Load:        scenarios.Load{Rate: 4000},
			Faults: []scenarios.Fault{{SkipUpTo: 3, Rule: fault.Rule{Service: fault.ServiceS3, Operation: "PutObject", KeyPrefix: "s3-errors/output/",
				Action: fault.ActionError, Code: "SlowDown", Status: 503, Message: "Please reduce your request rate.", Times: 4}}},
		},
		{
			Name:        "kinesis-throttling-and-5xx",
			Description: "GetRecords is throttled, fails with 500 InternalFailure and slows down; the engine retries and still delivers every record once.",
			Load:        scenarios.Load{Rate: 4000},
			Faults: []scenarios.Fault{
				{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
					Code: "ProvisionedThroughputExceededException", Status: 400, Message: "Rate exceeded for shard", Times: 6}},
				{SkipUpTo: 20, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
					Code: "InternalFailure", Status: 500, Times: 3}},
				{SkipUpTo: 5, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Delay: 300 * time.Millisecond, Times: 8}},
			},
		},
		{
			Name:        "steady-kafka",
			Description: "Ventilator JSON from a 4-partition Kafka topic on the embedded broker becomes ingest-hour partitioned Parquet, every record exactly once.",
			Setup:       scenarios.Setup{Kind: engine.KindKafka},
			Load:        scenarios.Load{Rate: 4000},
		},
		{
			Name:        "kafka-crash-every-point",
			Description: "The Kafka job dies at each crash point in successive batches; each restart resumes from the checkpointed offsets.",
			Setup:       scenarios.Setup{Kind: engine.KindKafka},
			Load:        scenarios.Load{Rate: 2000, Records: 4000},
			Crashes: []scenarios.Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "kafka-broker-faults",
			Description: "Kafka on 3 embedded brokers while loading: partition leaders moved, a broker taken down and brought back, leaders re-elected, and some Fetch and Produce requests answered NOT_LEADER_FOR_PARTITION, delayed or cut off; every record still arrives once.",
			Setup:       scenarios.Setup{Kind: engine.KindKafka, KafkaBrokers: 3},
			Load:        scenarios.Load{Rate: 1500, Records: 4000},
			During:      scenarios.KafkaBrokerFaults(500 * time.Millisecond),
			Faults: []scenarios.Fault{
				{SkipUpTo: 20, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 4}},
				{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Produce", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 3}},
				{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Delay: 200 * time.Millisecond, Times: 5}},
				{SkipUpTo: 30, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Action: fault.ActionDrop, Times: 2}},
			},
		},
		{
			Name:        "kinesis-split-merge-during-load",
			Description: "A shard is split and two others merged while the load runs; every record arrives once and each key's records keep their order across parents and children.",
			Load:        scenarios.Load{Rate: 1000, Records: 3000},
			During:      scenarios.SplitAndMerge(700 * time.Millisecond),
		},
		{
			Name:        "iterator-expiry",
			Description: "GetRecords answers ExpiredIteratorException for some calls; the engine gets a new iterator after the last record it read and loses nothing.",
			Load:        scenarios.Load{Rate: 4000},
			Faults: []scenarios.Fault{{SkipUpTo: 12, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
				Code: "ExpiredIteratorException", Status: 400, Message: "Iterator expired.", Times: 4}}},
		},
		{
			Name:        "data-loss-fail",
			Description: "With failOnDataLoss, records of a Kafka partition deleted before the restarted engine read them stop it with an error naming the partition.",
			Setup:       scenarios.Setup{Kind: engine.KindKafka, FailOnDataLoss: true},
			Load:        scenarios.Load{Rate: 2000, Records: 4000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterCommit, Batch: 1}},
			AfterCrash:  scenarios.DeleteKafkaRecords(0, 500*time.Millisecond),
			Expect:      scenarios.Expect{StopError: "data loss: topic " + scenarios.DefaultStream + " partition 0"},
		},
		{
			Name:        "data-loss-continue",
			Description: "Without failOnDataLoss, the restarted engine goes on past the deleted records of a Kafka partition and records the range in the plan's data_loss, where the checker excuses them.",
			Setup:       scenarios.Setup{Kind: engine.KindKafka},
			Load:        scenarios.Load{Rate: 2000, Records: 4000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterCommit, Batch: 1}},
			AfterCrash:  scenarios.DeleteKafkaRecords(0, 500*time.Millisecond),
			Expect:      scenarios.Expect{MinDataLoss: 1},
		},
		{
			Name:        "two-engines-one-checkpoint",
			Description: "A second engine started on the checkpoint a running engine holds is refused; the output is still exactly once.",
			Load:        scenarios.Load{Rate: 2000, Records: 3000},
			During:      scenarios.SecondEngine(500 * time.Millisecond),
		},
		{
			Name:        "deleted-checkpoint",
			Description: "The checkpoint of a stock forEachBatch job writing with append is deleted while the engine is down: the restart reads the stream again from trim_horizon, as AWS Glue documents, and the checker must report the records written twice.",
			Setup:       scenarios.Setup{Delivery: engine.AtLeastOnce},
			Load:        scenarios.Load{Rate: 2000, Records: 3000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterCommit, Batch: 2}},
			AfterCrash:  scenarios.DeleteCheckpoint,
			Expect:      scenarios.Expect{Duplicates: true, DuplicatesAreCommitted: true},
		},
		{
			Name:        "deleted-checkpoint-exactly-once",
			Description: "The checkpoint of a stock exactly-once job is deleted while the engine is down: the restart reads the stream again from trim_horizon, as AWS Glue documents, but names its objects with the new checkpoint's token, so nothing written before is overwritten; the checker must report the records written twice and the first checkpoint's objects as orphans, and nothing lost.",
			Load:        scenarios.Load{Rate: 2000, Records: 3000},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterCommit, Batch: 2}},
			AfterCrash:  scenarios.DeleteCheckpoint,
			Expect:      scenarios.Expect{Duplicates: true, DuplicatesAreCommitted: true, Orphans: true},
		},
		{
			Name:        "sigkill-soak",
			Description: "The engine runs as a real `streamcheck run` process and is killed with SIGKILL 3 times (STREAMCHECK_SOAK=N: N times) at moments drawn from the seed, then restarted on its checkpoint; every record still arrives once and every malformed one in the dead letter once.",
			Kills:       3,
			Load:        scenarios.Load{Rate: 800, Records: 2000, Malformed: 0.01},
			Expect:      scenarios.Expect{MinDeadLetters: 10},
		},
		{
			Name:        "aggregation-restart",
			Description: "The Glue blog's second pipeline: readings joined with normal ranges per ventilator, graded RED/ORANGE/GREEN and averaged over 10-minute windows sliding every 5 on event time, across a crash after the sink and one after a commit; no window lost or counted twice, averages, counts and alert levels as computed independently, unmatched readings in the dead letter.",
			Setup:       scenarios.Setup{Job: scenarios.AggregationJob},
			Load: scenarios.Load{Rate: 1500, Records: 2400, Malformed: 0.02, EventInterval: time.Second, Late: 0.03,
				Encode: scenarios.AggregationEncoding},
			Crashes: []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}, {At: engine.AtAfterCommit, Batch: 3}},
			Expect: scenarios.Expect{MinDeadLetters: 50, DeadLetterErrors: map[string]string{scenarios.MalformedUnmatched: "aggregate: unmatched:"},
				Verify: scenarios.VerifyAggregation},
		},
		{
			Name:        "aggregation-dynamodb-faults",
			Description: "The Glue blog's second pipeline with its normal ranges in a DynamoDB table, as the blog keeps them; the table's Scan is throttled twice, then fails with a 500 (the SDK's retries run out and the engine retries the batch), and the engine crashes after a sink: the reference still loads, every window as computed independently, no window lost or counted twice.",
			Setup:       scenarios.Setup{Job: scenarios.AggregationDynamoDBJob},
			Load: scenarios.Load{Rate: 1500, Records: 2400, Malformed: 0.02, EventInterval: time.Second, Late: 0.03,
				Encode: scenarios.AggregationEncoding},
			Faults: []scenarios.Fault{
				{Rule: fault.Rule{Service: fault.ServiceDynamoDB, Operation: "Scan", Resource: scenarios.ReferenceTable, Action: fault.ActionError,
					Code: "ProvisionedThroughputExceededException", Status: 400, Message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.", Times: 2}},
				{Rule: fault.Rule{Service: fault.ServiceDynamoDB, Operation: "Scan", Resource: scenarios.ReferenceTable, Action: fault.ActionError,
					Code: "InternalServerError", Status: 500, Message: "Internal server error", Times: 1}},
			},
			Crashes: []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect: scenarios.Expect{MinDeadLetters: 50, DeadLetterErrors: map[string]string{scenarios.MalformedUnmatched: "aggregate: unmatched:"},
				Verify: scenarios.VerifyAggregation},
		},
		aggregationDynamoDBSinkScenario(),
		{
			Name:        "format-csv-malformed",
			Description: "Ventilator readings as CSV payloads of a header line and a record, fields separated by '|', 5% malformed (a field missing, a non-numeric id, invalid UTF-8), a crash after the sink: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       scenarios.Setup{Job: scenarios.CSVJob},
			Load:        scenarios.Load{Rate: 4000, Records: 1500, Malformed: 0.05, Encode: scenarios.CSVEncoding},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1}},
			Expect:      scenarios.Expect{MinDeadLetters: 20, DeadLetterErrors: csvErrors},
		},
		{
			Name:        "format-avro-malformed",
			Description: "Ventilator readings as Avro binary datums with the writer schema in the job, 5% malformed (cut short, invalid UTF-8), a crash inside the sink: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       scenarios.Setup{Job: scenarios.AvroJob},
			Load: scenarios.Load{Rate: 4000, Records: 1500, Malformed: 0.05, Format: generators.FormatAvro,
				MalformedKinds: []string{generators.MalformedInvalidJSON, generators.MalformedInvalidUTF8}},
			Crashes: []scenarios.Crash{{At: engine.AtInSink, Objects: 1, Batch: 1}},
			Expect:  scenarios.Expect{MinDeadLetters: 20, DeadLetterErrors: avroErrors},
		},
		{
			Name:        "format-grok-malformed",
			Description: "Ventilator readings as log lines parsed with a Grok pattern and custom patterns, 5% malformed (a line the pattern does not match, an id too large for int), a crash after the plan: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       scenarios.Setup{Job: scenarios.GrokJob},
			Load:        scenarios.Load{Rate: 4000, Records: 1500, Malformed: 0.05, Encode: scenarios.GrokEncoding},
			Crashes:     []scenarios.Crash{{At: engine.AtAfterPlan, Batch: 1}},
			Expect:      scenarios.Expect{MinDeadLetters: 20, DeadLetterErrors: grokErrors},
		},
		kplAggregatedScenario(),
		compactionScenario("compaction-under-load", engine.KindKinesis, compactionDescription),
		compactionScenario("kafka-compaction-under-load", engine.KindKafka, "On Kafka: "+compactionDescription),
	}, efoScenarios()...)
}

// compactionDescription describes the compaction scenarios.
const compactionDescription = "`streamcheck compact` runs again and again as a real process while the engine ingests a load spanning five ingest hours of a virtual clock; the engine crashes at each crash point and the compactor is killed with SIGKILL after planning, mid-write, after .done and mid-delete, both restarted: every record once through the manifests, closed partitions merged, the open and the pending partitions untouched, a second compactor refused, and the window in which a plain reader of the prefix sees rows twice measured."

// kplAggregatedScenario sends the load as the KPL does with aggregation on
// (Glue's own Kinesis writer's default): up to 50 records in each Kinesis
// record. The engine crashes inside the sink of a batch made of such
// aggregates, so the replay must unpack the same user records again; every
// user record must still land exactly once, and each malformed one in the
// dead letter once, named by its sequence and sub-sequence numbers. The
// load is sent over 1.5 s (six windows), so that batch 2 exists even when a
// loaded machine starts the engine late.
func kplAggregatedScenario() scenarios.Scenario {
	return scenarios.Scenario{
		Name:        "kpl-aggregated-crash",
		Description: "Producers aggregate up to 50 records per Kinesis record as the KPL does; the engine dies inside the sink of an aggregated batch and the replay unpacks the same user records: each exactly once.",
		Load:        scenarios.Load{Rate: 2000, Records: 3000, Malformed: 0.02, KPLAggregate: 50},
		Crashes:     []scenarios.Crash{{At: engine.AtInSink, Objects: 1, Batch: 1, BatchUpTo: 2}},
		Expect:      scenarios.Expect{MinDeadLetters: 1},
	}
}

// compactionScenario is the catalog's compaction scenario on kind.
func compactionScenario(name, kind, desc string) scenarios.Scenario {
	return scenarios.Scenario{
		Name:        name,
		Description: desc,
		Setup:       scenarios.Setup{Kind: kind},
		Load:        scenarios.Load{Rate: 1000, Records: 6000},
		Crashes: []scenarios.Crash{
			{At: engine.AtAfterPlan, Batch: 2}, {At: engine.AtInSink, Objects: 1, Batch: 4},
			{At: engine.AtAfterSink, Batch: 6}, {At: engine.AtAfterCommit, Batch: 8},
		},
		Compaction: &scenarios.Compaction{},
	}
}

// efoScenarios are the catalog's enhanced fan-out scenarios: the polling
// source's guarantees, read through a consumer.
func efoScenarios() []scenarios.Scenario {
	return []scenarios.Scenario{
		{
			Name:        "efo-steady",
			Description: "Ventilator JSON read through an enhanced fan-out consumer (SubscribeToShard on every shard) becomes Parquet, every record exactly once.",
			Setup:       scenarios.Setup{Job: scenarios.EFOJob},
			Load:        scenarios.Load{Rate: 4000},
		},
		{
			Name:        "efo-crash-every-point",
			Description: "The EFO job dies at each crash point in successive batches; each restart subscribes again from the checkpoint (after AWS's 5-second rule refuses the first tries) and replays the plan.",
			Setup:       scenarios.Setup{Job: scenarios.EFOJob},
			Load:        scenarios.Load{Rate: 2000, Records: 4000},
			Crashes: []scenarios.Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "efo-split-merge-during-load",
			Description: "Shards are split and merged while the EFO job reads; parents are read to the end their last event announces (ChildShards) before their children, every record once, each key in order.",
			Setup:       scenarios.Setup{Job: scenarios.EFOJob},
			Load:        scenarios.Load{Rate: 1000, Records: 3000},
			During:      scenarios.SplitAndMerge(700 * time.Millisecond),
		},
		{
			Name:        "efo-subscription-faults",
			Description: "SubscribeToShard is throttled, fails with 500, and has its connection dropped; the EFO job retries its subscriptions and delivers every record once.",
			Setup:       scenarios.Setup{Job: scenarios.EFOJob},
			Load:        scenarios.Load{Rate: 4000},
			Faults: []scenarios.Fault{
				{SkipUpTo: 2, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError,
					Code: "LimitExceededException", Status: 400, Message: "Rate exceeded", Times: 3}},
				{SkipUpTo: 4, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError,
					Code: "InternalFailure", Status: 500, Times: 2}},
				{SkipUpTo: 6, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionDrop, Times: 1}},
			},
		},
	}
}

// aggregationDynamoDBSinkScenario is the blog's second pipeline with
// DynamoDB on both sides, under the DynamoDB fault family and a crash at
// every point.
func aggregationDynamoDBSinkScenario() scenarios.Scenario {
	put := func(code string, status, times, skip int, msg string) scenarios.Fault {
		return scenarios.Fault{Rule: fault.Rule{Service: fault.ServiceDynamoDB, Operation: "PutItem", Resource: scenarios.WindowsTable, Action: fault.ActionError,
			Code: code, Status: status, Message: msg, Times: times, Skip: skip}}
	}
	return scenarios.Scenario{
		Name: "aggregation-dynamodb-sink",
		Description: "The Glue blog's second pipeline with DynamoDB on both sides: normal ranges read from one table, windows written to another as one item per ventilator and window in update output mode. " +
			"The writes are throttled, fail with a 500, and one conditional write is answered as a lost race; the engine crashes after a plan, between two items, after the sink and after a commit. " +
			"Read back with a consistent Scan, the table holds every window once, final or open, with the counts, averages and alert counts computed independently and the batch that last wrote it.",
		Setup: scenarios.Setup{Job: scenarios.AggregationDynamoDBSinkJob},
		Load: scenarios.Load{Rate: 1500, Records: 2400, Malformed: 0.02, EventInterval: time.Second, Late: 0.03,
			Encode: scenarios.AggregationEncoding},
		Faults: []scenarios.Fault{
			put("ProvisionedThroughputExceededException", 400, 3, 5, "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."),
			put("InternalServerError", 500, 1, 20, "Internal server error"),
			put("ConditionalCheckFailedException", 400, 1, 40, "The conditional request failed"),
		},
		Crashes: []scenarios.Crash{
			{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 4, Batch: 2},
			{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
		},
		Expect: scenarios.Expect{MinDeadLetters: 50, DeadLetterErrors: map[string]string{scenarios.MalformedUnmatched: "aggregate: unmatched:"},
			Verify: scenarios.VerifyAggregation},
	}
}

// The text each kind of malformed record's dead-letter error must contain,
// per format (scenarios.Expect.DeadLetterErrors).
var (
	csvErrors = map[string]string{
		generators.MalformedMissing:     "record has 6 fields, header has 7",
		generators.MalformedWrongType:   `want int, got "vent-`,
		generators.MalformedInvalidUTF8: "invalid UTF-8",
	}
	avroErrors = map[string]string{
		generators.MalformedInvalidJSON: "datum ends early",
		generators.MalformedInvalidUTF8: "not valid UTF-8",
	}
	grokErrors = map[string]string{
		scenarios.MalformedNoMatch:    "does not match",
		generators.MalformedWrongType: "out of range for int",
	}
)

// Lookup returns the catalog scenario called name.
func Lookup(name string) (scenarios.Scenario, bool) {
	for _, s := range Catalog() {
		if s.Name == name {
			return s, true
		}
	}
	return scenarios.Scenario{}, false
}

// WithReplay is the scenarios option that makes a run of the catalog
// scenario name show the commands that replay it with its seed:
// `streamcheck scenario run NAME --seed N`, and the go test of TestCatalog
// that does the same. Pass it to scenarios.Execute or scenarios.Run with
// a catalog scenario; without it the replay names the caller's test.
func WithReplay(name string) scenarios.Option {
	return scenarios.WithReplay(fmt.Sprintf("streamcheck scenario run %s --seed {seed}   (or: go test ./scenarios/catalog -run 'TestCatalog/%s$' -seed {seed})", name, name))
}
