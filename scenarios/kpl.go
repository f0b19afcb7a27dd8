package scenarios

import "github.com/streamcheck/streamcheck/engine"

// kplAggregatedScenario sends the load as the KPL does with aggregation on
// (Glue's own Kinesis writer's default): up to 50 records in each Kinesis
// record. The engine crashes inside the sink of a batch made of such
// aggregates, so the replay must unpack the same user records again; every
// user record must still land exactly once, and each malformed one in the
// dead letter once, named by its sequence and sub-sequence numbers.
func kplAggregatedScenario() Scenario {
	return Scenario{
		Name:        "kpl-aggregated-crash",
		Description: "Producers aggregate up to 50 records per Kinesis record as the KPL does; the engine dies inside the sink of an aggregated batch and the replay unpacks the same user records: each exactly once.",
		Load:        Load{Rate: 4000, Records: 3000, Malformed: 0.02, KPLAggregate: 50},
		Crashes:     []Crash{{At: engine.AtInSink, Objects: 1, Batch: 1, BatchUpTo: 2}},
		Expect:      Expect{MinDeadLetters: 1},
	}
}
