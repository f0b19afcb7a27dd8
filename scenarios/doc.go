// Package scenarios runs streamcheck end to end: it starts an emulator stack,
// sends a seeded synthetic stream with a ledger, runs the ingestion engine
// against it through the AWS SDK, stops the engine dead at planned crash
// points and restarts it on the same checkpoint, injects emulator faults, and
// finally verifies the output with DuckDB against the ledger.
//
// A Scenario is a setup (stream, shards, job), a load (generator settings), a
// fault schedule (engine crashes with restarts, emulator fault rules) and
// expectations (exactly once, dead letters, a lag bound, or, for the
// at-least-once mode, the duplicates the checker must find). Execute runs one
// and returns a Result; Run does the same inside a test and fails it with the
// seed and the command that replays the run.
//
// One seed drives the generator's records, the emulators' random choices, the
// batches at which crashes happen and the fault rules' skips, so a seed
// reproduces the data, the ledger and the verdicts (batch boundaries follow
// the wall clock and may differ). The seed comes from WithSeed, else from the
// STREAMCHECK_SEED environment variable, else DefaultSeed.
//
// Every run leaves its files in a directory (WithDir): the ledger, the job as
// YAML, a copy of the output, dead letters and checkpoint, result.json, and
// the HTML, JSON and JUnit reports of package report (Result.ReportRun).
//
// A scenario reads a Kinesis stream (default) or, with Setup.Kind "kafka",
// a topic on the stack's Kafka brokers. Besides crashes and fault rules it
// can act while the load runs (Scenario.During: SplitAndMerge reshards the
// stream, SecondEngine starts a rival engine on the checkpoint) and between
// a crash and its restart (Scenario.AfterCrash: DeleteKafkaRecords removes
// records as retention would, DeleteCheckpoint starts the job over). An
// expectation can also be an engine error (Expect.StopError, for
// failOnDataLoss), records excused as data loss (Expect.MinDataLoss) or
// duplicates equal to what was reprocessed (Expect.DuplicatesAreCommitted).
//
// Scenario.Compaction runs `streamcheck compact` as a real process beside
// the engine, whose virtual clock moves an hour on at each crash, kills the
// compactor with SIGKILL at each step of its protocol and adds checks: closed
// partitions merged, the open and the pending partitions untouched, a second
// compactor refused, and a plain reader of the prefix seeing rows twice only
// in the window between a compaction's outputs and its inputs' deletion,
// whose length the report gives.
//
// The load can be any of the generator's encodings (Load.Format) or
// another made from them (Load.Encode: CSVEncoding writes CSV with a header
// line and a '|' delimiter, GrokEncoding log lines for a Grok pattern), with
// event times spaced for windows (Load.EventInterval) and late records
// (Load.Late). The ledger records each payload as sent and why it is
// malformed, so the checks expect what the encoding produced; an aggregating
// job's readings without a reference row are marked that way too
// (AggregationEncoding), since the inner join dead-letters them.
//
// Besides the checks of package assertions, a scenario can ask that each
// dead-letter entry's error names what is wrong with its record
// (Expect.DeadLetterErrors) and add checks of its own on the same DuckDB
// session (Expect.Verify). VerifyAggregation is one: for the Glue blog's
// second pipeline (AggregationJob) it recomputes, without the engine's
// code, every reading's alert level and, batch by batch, the event-time
// watermark, the late readings and each 10-minute window sliding every 5
// that the watermark closes, and compares them with the joined rows and the
// windows output: no window lost or counted twice, in the batch that closed
// it, with the right count, averages and alert counts.
//
// KafkaBrokerFaults disturbs the embedded Kafka cluster during the load
// (leaders moved, a broker down and back, leaders re-elected), alongside
// Kafka fault rules on Fetch and Produce.
//
// Scenario.Kills runs the engine as a real `streamcheck run` child process
// and kills it with SIGKILL at moments drawn from the seed (STREAMCHECK_SOAK
// overrides the count). The binary is EngineBinary's: STREAMCHECK_ENGINE_BIN,
// the running streamcheck itself, or one built with go build once per
// process. WithEngineProcess names a binary and a count for any scenario.
//
// The subject of a scenario is a Pipeline (Scenario.Pipeline): streamcheck's
// engine in this process (Engine, the default), the engine as a `streamcheck
// run` child process (EngineProcess, with Kills), or any program run as a
// black box (Command: an argv or a shell line given the stack's endpoints in
// its environment, Env.Vars, and as ${VAR}s in its command and config
// file). Every subject passes through the same steps of Execute: stack,
// resources, subject, load, the pipeline's runs with kills, crashes and
// tripwires and restarts, drain, verify, report. A Process is killed as a
// whole process group, stopped with a signal and a grace period, waited on,
// and gives its stderr tail to the verdicts. Tripwires kill a Command at
// moments the emulators see, through a proxy in front of them: a write on
// its way, stored but not answered, or just answered, counted over the
// output objects, the objects under a checkpoint prefix, the items
// written to a DynamoDB lease or checkpoint table, or (at the embedded
// Kafka broker) the offset commits on the source topic. A pipeline file (LoadPipelineFile; see
// examples/pipelines/reference-pipeline.yaml) describes a Command with its
// source, load, output and promise, and PipelineFile.Scenarios gives the
// black-box scenarios that apply to it. A Command's output, Parquet or JSON
// lines, is judged from the files alone; a pipeline that exits, never
// writes, writes elsewhere, writes garbage or hangs gets a verdict that
// says so with its last stderr lines. Its output objects' write times (S3's
// LastModified) stand in for the engine's commits: its lag runs from each
// record's acknowledgement to the first object holding it (bounded by
// Expect.MaxLagP99), and each duplicate row is charged to the run of the
// pipeline that wrote it, that is to the kill, tripwire or exit before that
// run (Result.PipelineRuns, "duplicates by restart" in the reports).
//
// The built-in scenarios that `streamcheck scenario run` and `go test
// ./scenarios/catalog` execute live in package scenarios/catalog, written
// with this package's exported API only, as a user's own scenarios are;
// VerifyCopy checks a spoilt copy of a finished run again, so that a test
// can show a scenario's checks reject what they must. The backend comes from
// WithStackOptions(emulator.WithBackend(...)) or STREAMCHECK_BACKEND;
// scenarios with emulator faults are skipped off the embedded backend. AssertionsConfig maps an engine job onto
// the checks' configuration, for the CLI's verify --job as well.
package scenarios
