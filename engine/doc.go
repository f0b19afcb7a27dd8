// Package engine runs AWS Glue-style streaming ETL jobs locally: it reads a
// Kinesis data stream or Kafka topics in micro-batches (one per window),
// decodes JSON records against the job's table, applies ApplyMapping,
// derived columns and a filter, and writes Parquet objects partitioned by
// ingest time or by columns to S3 or a local directory, with rejected
// records in a dead-letter path.
//
// Delivery is exactly once across restarts by default. Each batch is planned
// first — per-shard sequence ranges or per-partition offset ranges, the
// ingest time and the names of the objects it will write — and the plan is
// written to the checkpoint's offsets log before any output; after the
// output, an entry goes to the commits log. On restart a planned but
// uncommitted batch is replayed with the same plan, so its objects are
// overwritten, never added. A second engine on the same checkpoint is
// refused (see package checkpoint for the lease rule). With Delivery
// "at-least-once" the engine behaves as a stock Glue forEachBatch job writing
// with append: random object names, no replay.
//
// A job is a Job, loaded from YAML with LoadJob or built in Go from
// DefaultJob; New(job, opts...) returns an Engine and Run runs it. The
// engine talks to Kinesis and S3 only through the AWS SDK and to Kafka only
// through franz-go, so any endpoint speaking their protocols works: AWS
// itself, MSK or any brokers, streamcheck's emulators, kfake, or LocalStack.
//
// Records that retention removed before they were read are data loss: with
// failOnDataLoss the job stops naming the shard or partition and the range;
// without, it continues from the earliest available record and records the
// range in the plan (see docs/formats.md).
//
// A job with an aggregate section also joins each batch with a static
// reference table (a local file, an S3 object or a DynamoDB table), grades
// each reading RED, ORANGE or GREEN and averages the readings per key over
// sliding windows on event or processing time, with package aggregate. The
// joined rows replace the plain rows in the sink; each batch that closes
// windows writes them as one more planned object under sink.windowsPath.
// The operator's state is written to the checkpoint as state/<N>/aggregate
// after batch N's output and before its commit, and every restart or batch
// retry resets the operator to the state of the last committed batch, so a
// replayed batch writes the same windows and none is lost or counted twice.
// With sink.windowsTable the windows also (or instead) go to a DynamoDB
// table, one item per device and window in Spark's update output mode,
// through conditional writes that a replay repeats and a stale writer
// cannot win (see sink.WindowTable); for crash point AtInSink its items
// count as objects after the batch's objects.
package engine
