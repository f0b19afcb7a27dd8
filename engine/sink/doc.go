// Package sink encodes a batch's output: Parquet objects (parquet-go, pure
// Go) with a schema built from the job's columns and a compression codec,
// dead-letter JSON lines, and the names and partition paths of both, as
// fixed in docs/formats.md; and the Kinesis sink (Kinesis), which sends a
// batch's rows as JSON records with PutRecords, KPL-aggregated, at least
// once.
//
// It also writes an aggregating job's windows to a DynamoDB table
// (WindowTable), as the Glue streaming blog's second pipeline does with
// Spark's foreach writer in update output mode: one item per device and
// window (partition key the device, sort key the window's start), written
// again by every batch that changes the window and a last time, final, by
// the batch that closes it. The writes are conditional PutItems, not
// BatchWriteItem: a batch write cannot carry a condition, and the
// condition is what keeps the table exactly once. Each item records the
// batch that wrote it and the checkpoint's token, and a write passes only
// if the stored item is absent, from another checkpoint, or from this
// batch or an earlier one. Since a batch's items are a pure function of
// the committed state and the batch's planned records, a batch replayed
// after a crash at any point rewrites the same items (a partial write is
// completed, a complete one rewritten unchanged), and a late writer of an
// earlier batch finds its condition failed and leaves the later window in
// place instead of regressing it. Throttling, 5xx answers and lost
// connections are retried with backoff on the engine's clock; a write
// whose condition failed against an item it should have passed (an answer
// without the stored item, as an injected fault gives) reads the item and
// is tried again.
package sink
