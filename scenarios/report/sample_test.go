package report

import (
	"fmt"
	"time"
)

// sampleRun is a failing crash-and-restart run with every section filled.
func sampleRun() Run {
	start := time.Date(2026, 11, 22, 13, 5, 0, 0, time.UTC)
	at := func(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }
	r := Run{
		Name:          "kinesis-crash-after-sink",
		Description:   "The engine dies after writing batch 4's output and before its commit; the restart must replay batch 4 onto the same objects.",
		Seed:          1234,
		Backend:       "embedded",
		Started:       start,
		Duration:      42 * time.Second,
		Passed:        false,
		ReplayCommand: "streamcheck scenario run kinesis-crash-after-sink --seed 1234",
		Checks: []Check{
			{Name: "exactly-once", Passed: false, Message: "3 keys delivered twice",
				Counts: []Count{{"expected", 12000}, {"delivered", 12003}, {"duplicated", 3}, {"missing", 0}},
				Examples: []Example{
					{Key: "SN-000417", File: "s3://out/ingest_year=2026/part-00000004-00000.snappy.parquet", Batch: 4, Detail: "seen 2 times, expected 1"},
					{Key: "SN-000418", Batch: 4, Detail: "seen 2 times, expected 1"},
					{Key: "SN-000502", Batch: -1, Detail: "seen 2 times, expected 1"},
				}},
			{Name: "dead letters", Passed: true, Counts: []Count{{"expected", 120}, {"found", 120}}},
			{Name: "lag p99 under 10s", Passed: true, Duration: 35 * time.Millisecond, Counts: []Count{{"records", 12003}}, Message: "p99 4.1s"},
			{Name: "data loss", Skipped: true, Message: "the stream was never trimmed"},
		},
		Figures: []Figure{
			{"records sent", "12 120"}, {"records acknowledged", "12 120"}, {"records written", "12 003"},
			{"throughput", "2 890 rec/s"}, {"engine runs", "2"},
		},
		Artifacts: []Artifact{
			{"ledger", "ledger.jsonl"}, {"output copy", "s3/out/"}, {"engine log", "logs/engine.log"},
		},
		Settings: []Setting{{"source", "kinesis ventilatorstream"}, {"shards", "4"}, {"window", "250ms"}, {"delivery", "exactly-once"}},
		DeadLetters: []DeadLetterKind{
			{Kind: "invalid JSON at byte N: invalid UTF-8", Count: 80, Error: "invalid JSON at byte 51: invalid UTF-8", Payload: "base64:eyJ2ZW50aWxhdG9yaWQiOjMwLCJldmVud"},
			{Kind: `field "o2stats" at byte N: want int, got string`, Count: 40, Error: `field "o2stats" at byte 138: want int, got string`,
				Payload: `{"ventilatorid":45,"eventtime":"2026-01-01T00:00:00Z","o2stats":"not-a-int","aVeryLongFieldNameWithoutAnySpaceToBreakItAcrossLinesAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXX":1}`},
		},
		Schema:     []Column{{"ventilatorid", "INTEGER"}, {"eventtime", "TIMESTAMP"}, {"serialnumber", "VARCHAR"}},
		Partitions: []Partition{{Path: "ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=13", Files: 24, Rows: 12003, Bytes: 512000}},
		Phases:     []Phase{{Name: "compaction", Label: "3 compactor runs", Start: at(20), End: at(30)}},
	}
	for i := range 24 {
		t := at(1.5 * float64(i+1))
		base := time.Duration(400+37*(i%5)) * time.Millisecond
		if i >= 9 && i <= 12 {
			base += time.Duration(13-i) * 1500 * time.Millisecond
		}
		r.Lag = append(r.Lag, LagPoint{Time: t, P50: base, P99: base * 2, Max: base*2 + 300*time.Millisecond})
		b := Batch{ID: int64(i), PlannedAt: t.Add(-time.Second), CommittedAt: t,
			Records: int64(400 + 60*(i%4)), DeadLetters: int64(i%3) * 4,
			LagP50: base, LagP99: base * 2, LagMax: base*2 + 300*time.Millisecond}
		if i == 9 {
			b.Replayed = true
		}
		r.Batches = append(r.Batches, b)
	}
	r.Events = []Event{
		{at(0), KindNote, "load started: 2 producers, 4 shards"},
		{at(6), KindFault, "kinesis GetRecords: 20% ProvisionedThroughputExceededException"},
		{at(11), KindFaultCleared, "kinesis GetRecords throttling cleared"},
		{at(13.6), KindCrash, "crash after-sink of batch 8"},
		{at(15.2), KindRestart, "engine restarted (run 2)"},
		{at(24), KindReshard, "split shardId-000000000001"},
		{at(38), KindNote, fmt.Sprintf("load finished: %d records", 12120)},
	}
	return r
}

// passingRun is a small passing run.
func passingRun() Run {
	start := time.Date(2026, 11, 22, 13, 6, 0, 0, time.UTC)
	return Run{
		Name: "kinesis-steady", Seed: 7, Backend: "embedded", Started: start, Duration: 9 * time.Second, Passed: true,
		ReplayCommand: "streamcheck scenario run kinesis-steady --seed 7",
		Checks:        []Check{{Name: "exactly-once", Passed: true, Counts: []Count{{"expected", 500}, {"delivered", 500}}}},
		Lag: []LagPoint{
			{Time: start.Add(2 * time.Second), P50: 300 * time.Millisecond, P99: 600 * time.Millisecond, Max: 700 * time.Millisecond},
			{Time: start.Add(4 * time.Second), P50: 320 * time.Millisecond, P99: 640 * time.Millisecond, Max: 710 * time.Millisecond},
		},
		Batches: []Batch{{ID: 0, Records: 250}, {ID: 1, Records: 250}},
	}
}

// expectedRun is a passing run with an expected failure, a skipped check
// and a compacted output, its name long enough to test the index's width.
func expectedRun() Run {
	start := time.Date(2026, 11, 22, 13, 7, 0, 0, time.UTC)
	return Run{
		Name: "deleted-checkpoint-exactly-once-with-a-name-long-enough-to-push-the-index-table-wider-than-the-window", Seed: 9,
		Backend: "embedded", Started: start, Duration: 12 * time.Second, Passed: true,
		ReplayCommand: "streamcheck scenario run deleted-checkpoint-exactly-once --seed 9",
		Checks: []Check{
			{Name: "delivery", Expected: true, Message: "failing as the scenario expects: duplicated=1500",
				Counts: []Count{{"delivered", 4500}, {"duplicated", 1500}, {"a_count_with_a_very_long_name_that_does_not_break_anywhere_at_all", 1}}},
			{Name: "dead_letter", Passed: true},
			{Name: "order", Skipped: true, Message: "not asked for"},
		},
		Partitions: []Partition{
			{Path: "ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=12", Files: 1, Rows: 400, Bytes: 40000, FilesWritten: 5, BytesWritten: 42000, Compactions: 1},
			{Path: "ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=13", Files: 2, Rows: 100, Bytes: 9000, FilesWritten: 2, BytesWritten: 9000, Open: true},
		},
		Figures: []Figure{{"plain-reader window", "p50 5ms, max 12ms"}},
	}
}
