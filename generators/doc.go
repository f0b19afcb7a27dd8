// Package generators produces seeded synthetic streams and the ledger that
// describes them.
//
// A Source turns a seed into records: the ventilator metrics of the AWS Glue
// streaming blog (Ventilator), payment events (Payments), or rows of any
// catalog table given as Hive DDL or a Glue column list (ParseDDL,
// ParseColumnsJSON, NewTableDataset), encoded as JSON, CSV or Avro. Every
// record is a pure function of the seed and its sequence number, so records
// are identical whatever the number of producers or the timing of the run.
// Shares of malformed records, producer-side duplicates and late event times
// are drawn from the same seed.
//
// Run sends the records through a Sink — KinesisSink (PutRecords batches
// filled to the service limits, retries with exponential backoff and full
// jitter, optional per-key ordering) or KafkaSink (franz-go's idempotent
// producer) — at a rate set by a token bucket on an injected clock, and writes
// one ledger row per attempted record (LedgerRow) as JSON lines or Parquet.
// The ledger is the input of the exactly-once checks: each row says whether
// the stream acknowledged the record, definitely rejected it, or left its fate
// unknown.
//
// Tables are seeded too: VentilatorReference is the blog's normal-ranges
// reference table, CreateTable makes a DynamoDB table keyed as a job reads
// it, and WriteItems puts items with BatchWriteItem, retrying unprocessed
// items with backoff on the injected clock and writing a ledger row per item.
package generators
