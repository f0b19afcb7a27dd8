// Package sink encodes a batch's output: Parquet objects (parquet-go, pure
// Go) with a schema built from the job's columns and a compression codec,
// dead-letter JSON lines, and the names and partition paths of both, as
// fixed in docs/formats.md; and the Kinesis sink (Kinesis), which sends a
// batch's rows as JSON records with PutRecords, KPL-aggregated, at least
// once.
package sink
