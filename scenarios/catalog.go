package scenarios

import (
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// Catalog returns the named scenarios, each on the embedded backend by
// default, in the order `streamcheck scenario list` shows them. Every one is
// small (DefaultRecords records, DefaultWindow windows) so that the whole
// catalog runs in a minute or two on two cores.
func Catalog() []Scenario {
	return append([]Scenario{
		{
			Name:        "steady-kinesis",
			Description: "Ventilator JSON from 4 shards becomes ingest-hour partitioned Parquet, every record exactly once, with a lag bound.",
			Load:        Load{Rate: 4000},
			Expect:      Expect{MaxLagP99: 10 * time.Second},
		},
		{
			Name:        "crash-after-plan",
			Description: "The engine dies after writing a batch's plan, before any output; the restart replays the plan.",
			Load:        Load{Rate: 4000},
			Crashes:     []Crash{{At: engine.AtAfterPlan, Batch: 1, BatchUpTo: 2}},
		},
		{
			Name:        "crash-in-sink",
			Description: "The engine dies after the first object of a batch; the replay overwrites it and writes the rest.",
			Load:        Load{Rate: 4000, Malformed: 0.02},
			Crashes:     []Crash{{At: engine.AtInSink, Objects: 1, Batch: 1, BatchUpTo: 2}},
			Expect:      Expect{MinDeadLetters: 1},
		},
		{
			Name:        "crash-after-sink",
			Description: "The engine dies with a batch's output complete but not committed; the replay overwrites the same objects.",
			Load:        Load{Rate: 4000, Malformed: 0.02},
			Crashes:     []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      Expect{MinDeadLetters: 1},
		},
		{
			Name:        "crash-after-commit",
			Description: "The engine dies right after a commit; the restart goes on from the next batch.",
			Load:        Load{Rate: 4000},
			Crashes:     []Crash{{At: engine.AtAfterCommit, Batch: 1, BatchUpTo: 2}},
		},
		{
			Name:        "crash-every-point",
			Description: "Four crashes in one run, one at each point, in successive batches.",
			Load:        Load{Rate: 2000, Records: 4000},
			Crashes: []Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "at-least-once-duplicates",
			Description: "A stock forEachBatch job writing with append dies after its sink: the restart writes the batch again and the checker must report the duplicates.",
			Setup:       Setup{Delivery: engine.AtLeastOnce},
			Load:        Load{Rate: 4000},
			Crashes:     []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      Expect{Duplicates: true},
		},
		{
			Name:        "malformed-records",
			Description: "5% of records are invalid JSON, of a wrong type or invalid UTF-8: each lands in the dead letter once, with a crash after the sink in between.",
			Load:        Load{Rate: 4000, Malformed: 0.05, Duplicates: 0.01},
			Crashes:     []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect:      Expect{MinDeadLetters: 20},
		},
		{
			Name:        "s3-errors",
			Description: "S3 answers some of the engine's output writes with 503 SlowDown; retries must not lose or duplicate a record.",
			Load:        Load{Rate: 4000},
			Faults: []Fault{{SkipUpTo: 3, Rule: fault.Rule{Service: fault.ServiceS3, Operation: "PutObject", KeyPrefix: "s3-errors/output/",
				Action: fault.ActionError, Code: "SlowDown", Status: 503, Message: "Please reduce your request rate.", Times: 4}}},
		},
		{
			Name:        "kinesis-throttling-and-5xx",
			Description: "GetRecords is throttled, fails with 500 InternalFailure and slows down; the engine retries and still delivers every record once.",
			Load:        Load{Rate: 4000},
			Faults: []Fault{
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
			Setup:       Setup{Kind: engine.KindKafka},
			Load:        Load{Rate: 4000},
		},
		{
			Name:        "kafka-crash-every-point",
			Description: "The Kafka job dies at each crash point in successive batches; each restart resumes from the checkpointed offsets.",
			Setup:       Setup{Kind: engine.KindKafka},
			Load:        Load{Rate: 2000, Records: 4000},
			Crashes: []Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "kafka-broker-faults",
			Description: "Kafka on 3 embedded brokers while loading: partition leaders moved, a broker taken down and brought back, leaders re-elected, and some Fetch and Produce requests answered NOT_LEADER_FOR_PARTITION, delayed or cut off; every record still arrives once.",
			Setup:       Setup{Kind: engine.KindKafka, KafkaBrokers: 3},
			Load:        Load{Rate: 1500, Records: 4000},
			During:      KafkaBrokerFaults(500 * time.Millisecond),
			Faults: []Fault{
				{SkipUpTo: 20, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 4}},
				{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Produce", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 3}},
				{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Delay: 200 * time.Millisecond, Times: 5}},
				{SkipUpTo: 30, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Action: fault.ActionDrop, Times: 2}},
			},
		},
		{
			Name:        "kinesis-split-merge-during-load",
			Description: "A shard is split and two others merged while the load runs; every record arrives once and each key's records keep their order across parents and children.",
			Load:        Load{Rate: 1000, Records: 3000},
			During:      SplitAndMerge(700 * time.Millisecond),
		},
		{
			Name:        "iterator-expiry",
			Description: "GetRecords answers ExpiredIteratorException for some calls; the engine gets a new iterator after the last record it read and loses nothing.",
			Load:        Load{Rate: 4000},
			Faults: []Fault{{SkipUpTo: 12, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
				Code: "ExpiredIteratorException", Status: 400, Message: "Iterator expired.", Times: 4}}},
		},
		{
			Name:        "data-loss-fail",
			Description: "With failOnDataLoss, records of a Kafka partition deleted before the restarted engine read them stop it with an error naming the partition.",
			Setup:       Setup{Kind: engine.KindKafka, FailOnDataLoss: true},
			Load:        Load{Rate: 2000, Records: 4000},
			Crashes:     []Crash{{At: engine.AtAfterCommit, Batch: 1}},
			AfterCrash:  DeleteKafkaRecords(0, 500*time.Millisecond),
			Expect:      Expect{StopError: "data loss: topic " + DefaultStream + " partition 0"},
		},
		{
			Name:        "data-loss-continue",
			Description: "Without failOnDataLoss, the restarted engine goes on past the deleted records of a Kafka partition and records the range in the plan's data_loss, where the checker excuses them.",
			Setup:       Setup{Kind: engine.KindKafka},
			Load:        Load{Rate: 2000, Records: 4000},
			Crashes:     []Crash{{At: engine.AtAfterCommit, Batch: 1}},
			AfterCrash:  DeleteKafkaRecords(0, 500*time.Millisecond),
			Expect:      Expect{MinDataLoss: 1},
		},
		{
			Name:        "two-engines-one-checkpoint",
			Description: "A second engine started on the checkpoint a running engine holds is refused; the output is still exactly once.",
			Load:        Load{Rate: 2000, Records: 3000},
			During:      SecondEngine(500 * time.Millisecond),
		},
		{
			Name:        "deleted-checkpoint",
			Description: "The checkpoint of a stock forEachBatch job writing with append is deleted while the engine is down: the restart reads the stream again from trim_horizon, as AWS Glue documents, and the checker must report the records written twice.",
			Setup:       Setup{Delivery: engine.AtLeastOnce},
			Load:        Load{Rate: 2000, Records: 3000},
			Crashes:     []Crash{{At: engine.AtAfterCommit, Batch: 2}},
			AfterCrash:  DeleteCheckpoint,
			Expect:      Expect{Duplicates: true, DuplicatesAreCommitted: true},
		},
		{
			Name:        "deleted-checkpoint-exactly-once",
			Description: "The checkpoint of a stock exactly-once job is deleted while the engine is down: the restart reads the stream again from trim_horizon, as AWS Glue documents, but names its objects with the new checkpoint's token, so nothing written before is overwritten; the checker must report the records written twice and the first checkpoint's objects as orphans, and nothing lost.",
			Load:        Load{Rate: 2000, Records: 3000},
			Crashes:     []Crash{{At: engine.AtAfterCommit, Batch: 2}},
			AfterCrash:  DeleteCheckpoint,
			Expect:      Expect{Duplicates: true, DuplicatesAreCommitted: true, Orphans: true},
		},
		{
			Name:        "sigkill-soak",
			Description: "The engine runs as a real `streamcheck run` process and is killed with SIGKILL 3 times (STREAMCHECK_SOAK=N: N times) at moments drawn from the seed, then restarted on its checkpoint; every record still arrives once and every malformed one in the dead letter once.",
			Kills:       3,
			Load:        Load{Rate: 800, Records: 2000, Malformed: 0.01},
			Expect:      Expect{MinDeadLetters: 10},
		},
		{
			Name:        "aggregation-restart",
			Description: "The Glue blog's second pipeline: readings joined with normal ranges per ventilator, graded RED/ORANGE/GREEN and averaged over 10-minute windows sliding every 5 on event time, across a crash after the sink and one after a commit; no window lost or counted twice, averages, counts and alert levels as computed independently, unmatched readings in the dead letter.",
			Setup:       Setup{Job: AggregationJob},
			Load: Load{Rate: 1500, Records: 2400, Malformed: 0.02, EventInterval: time.Second, Late: 0.03,
				Encode: AggregationEncoding},
			Crashes: []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}, {At: engine.AtAfterCommit, Batch: 3}},
			Expect: Expect{MinDeadLetters: 50, DeadLetterErrors: map[string]string{MalformedUnmatched: "aggregate: unmatched:"},
				Verify: VerifyAggregation},
		},
		{
			Name:        "aggregation-dynamodb-faults",
			Description: "The Glue blog's second pipeline with its normal ranges in a DynamoDB table, as the blog keeps them; the table's Scan is throttled twice, then fails with a 500 (the SDK's retries run out and the engine retries the batch), and the engine crashes after a sink: the reference still loads, every window as computed independently, no window lost or counted twice.",
			Setup:       Setup{Job: AggregationDynamoDBJob},
			Load: Load{Rate: 1500, Records: 2400, Malformed: 0.02, EventInterval: time.Second, Late: 0.03,
				Encode: AggregationEncoding},
			Faults: []Fault{
				{Rule: fault.Rule{Service: fault.ServiceDynamoDB, Operation: "Scan", Resource: ReferenceTable, Action: fault.ActionError,
					Code: "ProvisionedThroughputExceededException", Status: 400, Message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.", Times: 2}},
				{Rule: fault.Rule{Service: fault.ServiceDynamoDB, Operation: "Scan", Resource: ReferenceTable, Action: fault.ActionError,
					Code: "InternalServerError", Status: 500, Message: "Internal server error", Times: 1}},
			},
			Crashes: []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 2}},
			Expect: Expect{MinDeadLetters: 50, DeadLetterErrors: map[string]string{MalformedUnmatched: "aggregate: unmatched:"},
				Verify: VerifyAggregation},
		},
		aggregationDynamoDBSinkScenario(),
		{
			Name:        "format-csv-malformed",
			Description: "Ventilator readings as CSV payloads of a header line and a record, fields separated by '|', 5% malformed (a field missing, a non-numeric id, invalid UTF-8), a crash after the sink: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       Setup{Job: CSVJob},
			Load:        Load{Rate: 4000, Records: 1500, Malformed: 0.05, Encode: CSVEncoding},
			Crashes:     []Crash{{At: engine.AtAfterSink, Batch: 1}},
			Expect:      Expect{MinDeadLetters: 20, DeadLetterErrors: csvErrors},
		},
		{
			Name:        "format-avro-malformed",
			Description: "Ventilator readings as Avro binary datums with the writer schema in the job, 5% malformed (cut short, invalid UTF-8), a crash inside the sink: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       Setup{Job: AvroJob},
			Load: Load{Rate: 4000, Records: 1500, Malformed: 0.05, Format: generators.FormatAvro,
				MalformedKinds: []string{generators.MalformedInvalidJSON, generators.MalformedInvalidUTF8}},
			Crashes: []Crash{{At: engine.AtInSink, Objects: 1, Batch: 1}},
			Expect:  Expect{MinDeadLetters: 20, DeadLetterErrors: avroErrors},
		},
		{
			Name:        "format-grok-malformed",
			Description: "Ventilator readings as log lines parsed with a Grok pattern and custom patterns, 5% malformed (a line the pattern does not match, an id too large for int), a crash after the plan: good records exactly once, each malformed one in the dead letter once with its error.",
			Setup:       Setup{Job: GrokJob},
			Load:        Load{Rate: 4000, Records: 1500, Malformed: 0.05, Encode: GrokEncoding},
			Crashes:     []Crash{{At: engine.AtAfterPlan, Batch: 1}},
			Expect:      Expect{MinDeadLetters: 20, DeadLetterErrors: grokErrors},
		},
		kplAggregatedScenario(),
		compactionScenario("compaction-under-load", engine.KindKinesis, compactionDescription),
		compactionScenario("kafka-compaction-under-load", engine.KindKafka, "On Kafka: "+compactionDescription),
	}, efoScenarios()...)
}

// compactionDescription describes the compaction scenarios.
const compactionDescription = "`streamcheck compact` runs again and again as a real process while the engine ingests a load spanning five ingest hours of a virtual clock; the engine crashes at each crash point and the compactor is killed with SIGKILL after planning, mid-write, after .done and mid-delete, both restarted: every record once through the manifests, closed partitions merged, the open and the pending partitions untouched, a second compactor refused, and the window in which a plain reader of the prefix sees rows twice measured."

// Lookup returns the catalog scenario called name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range Catalog() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
