// Package source reads records for the engine's micro-batches. A Source
// reads a new batch from where the last committed plan ended, replays a
// planned batch exactly, and moves on when a plan is committed. Kinesis
// reads shards through the AWS SDK; Kafka reads partitions with plain Fetch
// requests to their leaders (franz-go), keeping positions in the checkpoint
// rather than in consumer-group commits. Both detect records that retention
// removed before they were read (data loss) and either fail or record the
// lost range in the plan.
//
// # Decoding GetRecords responses
//
// Kinesis is read through the real kinesis.Client (signing, endpoints,
// retries and errors are the SDK's), but successful GetRecords responses
// are decoded by DecodeGetRecords, installed in the client's middleware
// stack by AddGetRecordsDecoder in place of the SDK's deserializer for that
// operation only. The SDK's generic awsJson deserializer dominated the
// engine's CPU: reading 400,000 ventilator records from the embedded
// Kinesis into Parquet, about 60% of the engine's CPU went to decoding
// GetRecords responses, half of it clearing and copying memory. The SDK
// reads each body into a bytes.Buffer that grows by doubling from empty
// and is not pooled above 64 KiB, so a 3.7 MB page of 10,000 records is
// copied and cleared about twice over fresh memory; it then allocates
// several times per record (unquoting, base64, strings, pointers).
//
// DecodeGetRecords reads the body once into a buffer sized from
// Content-Length (the Kinesis source gives each shard's reader its own for
// the length of a read, so no body outlives the read; other callers share
// a pool), scans it with a small parser that knows the
// GetRecordsOutput shape (finding each Data string with IndexByte and
// base64-decoding it in place), and builds the output with one allocation
// each for the records, their timestamps, their string fields, the string
// bytes and the Data bytes. On a 10,000-record page it is about 5 times
// faster than the SDK with 7 times less memory and 9 allocations instead of
// about 110,000 (BenchmarkGetRecordsDecode). Its output is the SDK's to the
// field: a differential test and a fuzz target (FuzzGetRecordsDecode)
// compare the two on the same bytes, escapes, surrogates, nulls, duplicate
// and unknown members included. Responses other than HTTP 200 go to the
// SDK's deserializer, so throttling, expired iterators and other errors
// arrive as the SDK's typed errors. A malformed body gives a *DecodeError
// naming the offset and the member. KinesisConfig.SDKDecoder turns it off.
// The Kinesis source itself does not take the SDK's records from it: its
// shards' readers ask the same decoder for a page (32 bytes a record beside
// one allocation for the Data bytes and one for the strings) and build
// their Records from it straight into the batch, which the same tests hold
// to DecodeGetRecords's records.
//
// # GetRecords in CBOR
//
// The Kinesis source asks for GetRecords in CBOR (application/x-amz-cbor-1.1),
// as the AWS SDK for Java and the KCL do, and reads the answer with the same
// decoder walking CBOR items instead of JSON tokens: Data arrives as bytes,
// not base64, and every string carries its length, so a 10,000-record page
// decodes in about 3.0 ms instead of 4.8 (BenchmarkGetRecordsDecode). A
// middleware after the SDK's serializer re-encodes the request; errors
// answered in CBOR are rewritten as JSON for the SDK's deserializer, so they
// arrive as the SDK's typed errors. Tests hold the CBOR decoder to the JSON
// one on the same responses (encoded by an independent CBOR library) and
// fuzz it. An endpoint whose CBOR is not AWS's (kinesalite sends Data as
// base64 text) fails to decode on the first answer; the source then warns
// once and reads in JSON. KinesisConfig.JSON (engine.WithGetRecordsJSON,
// AWS_CBOR_DISABLE) reads in JSON from the start.
package source
