// Package assertions checks a streaming job's output against the ledger of
// what was sent, with DuckDB: exactly-once delivery, lag from arrival to
// visibility, schema, object layout, dead letters and per-key order.
//
// It reads only files, in the formats of docs/formats.md: the ledger written
// by the generators, and the output Parquet objects, dead-letter JSON lines
// and checkpoint logs written by the engine. Sources are local directories
// (or file:// URIs) or s3:// prefixes; S3 objects are listed and fetched
// through the AWS SDK into a temporary directory, keeping their key layout,
// since DuckDB's S3 extension is not available offline. The output may
// also be a DynamoDB table, dynamodb://table: a consistent, paginated Scan
// in parallel segments (Config.DynamoDB, Config.ScanSegments) turns its
// items into JSON lines, which DuckDB reads into the same output view, so
// the delivery and schema checks and Query work unchanged; the layout
// check does not apply, and lag is not measurable (an item has no write
// time unless Config.VisibleAtColumn names the attribute holding each
// item's commit time).
//
// Verify runs every check; Open returns a Session on which each check can
// also run alone (Delivery, DeadLetter, Lag, Schema, Layout, Order) and on
// which Query runs SQL over the views output, dead_letter and ledger. Each
// check returns a Result: pass, fail or skip (an input it needs is not
// configured), tallies, and the first offending examples with key, file,
// batch and ledger seq.
//
// Readings of the contract that the checks rely on:
//
//   - Identity: the output column Config.KeyColumn holds the ledger's key.
//     Delivery is a multiset comparison per key, as in Jepsen's total-queue
//     checker, so a deliberate producer-side duplicate (duplicate_of >= 0)
//     is simply one more acknowledged attempt of its key.
//   - Data-loss ranges in offsets/<N> are inclusive at both ends; a Kinesis
//     range matches the ledger by shard_id and sequence number, a Kafka
//     range (shard_id "") by partition and offset. Sequence numbers are
//     compared as big integers.
//   - Batch of an object: the <batch> of an exactly-once name
//     part-<batch>-<idx>-<token> (or part-<batch>-<idx>, the older form);
//     otherwise the batch whose offsets list the object. An object whose
//     token is not the one the checkpoint's offsets name objects with, and
//     that no batch lists, is another checkpoint's: batch -1, and an
//     orphan.
//     Objects are matched with offsets entries by their path under the
//     source root, or by path suffix when the checkpoint names another root.
//   - Pairing rows with arrivals: a key's i-th output row, in (batch, file,
//     row) order, is paired with its i-th acknowledged attempt by
//     acked_at_ms. Lag and order are measured on these pairs.
//   - Restart: batch N starts a restarted run when committed_at − planned_at
//     exceeds twice its batch_processing_time_ms plus one second (an earlier
//     run planned it, a later one replayed and committed it), or when the
//     pause from the commit of N−1 to the plan of N exceeds Config.RestartGap
//     (default three times the median pause, at least one second). The
//     recovery is the first Config.RecoveryBatches batches of the run.
//   - Order: per partition key (and Kafka partition), positions must not go
//     back across batches nor within a file; the order of files within one
//     batch is undefined and not checked.
//   - Nullability: Spark writes every column OPTIONAL, so a column expected
//     not nullable fails only when it holds a null.
package assertions
