// Package benchfig measures streamcheck's headline figures in one process on
// the embedded emulators: the Kinesis, S3 and Kafka emulators through their
// real clients, the generator, the engine end to end beside DuckDB's own
// JSON-to-Parquet conversion, and Verify over a large output.
//
// Run takes a Config (Validate names a bad field) and returns Figures, each
// with the target the README states for it. The figures are wall-clock rates
// on whatever machine runs them; on a shared machine they vary with load.
// The server CPU figures are the CPU an emulator spends per operation,
// measured in a child process (the binary again: the binary's main, and
// the TestMain of tests that run the emulator group, call ServeIfChild).
// The CLI's bench command prints them; the go test benchmarks in each
// package remain the way to profile one of them.
package benchfig
