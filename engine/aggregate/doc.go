// Package aggregate joins micro-batches with a static reference table and
// averages them over sliding windows, as the second pipeline of the Glue
// streaming blog does: each ventilator reading is joined with its device's
// normal ranges, graded RED, ORANGE or GREEN, and averaged per device over
// windows of 10 minutes sliding every 5.
//
// An Operator is pure: given its state and a batch, Apply returns the same
// joined rows and emitted windows every time, so a replayed batch writes
// byte-identical output. Its state (open windows, the watermark, counters
// and the id of the last batch applied) is encoded by Snapshot in a
// versioned, deterministic binary form that the engine stores as
// <checkpoint>/state/<N>/aggregate next to batch N's commit; Restore reads
// it back, so a restart neither loses nor double-counts a window.
//
// Windows run on event time (a timestamp column, with a watermark of the
// latest event time seen minus WatermarkDelay; a window is emitted once the
// watermark passes its end, and readings older than the watermark are
// reported as late instead of being dropped silently) or on processing time
// (the batch's planned ingest time).
//
// The reference table is loaded by a Loader (a local CSV or JSON lines
// file, an S3 object, or a DynamoDB table read with paginated Scan) and
// kept by a Cache that reloads it at most every RefreshInterval of ingest
// time.
package aggregate
