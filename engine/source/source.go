package source

import (
	"context"
	"time"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// Record is one record read from a stream. A batch holds all of its
// records at once, so the struct keeps to what every record has (96 bytes):
// what records read together share is in their Origin, and what few
// records have (Kafka headers, a KPL user record's explicit hash key, an
// error) is kept apart. Build one in another package with NewRecord.
type Record struct {
	Data           []byte
	PartitionKey   string
	SequenceNumber string // Kinesis sequence number, "" for Kafka
	Offset         int64  // Kafka offset, -1 for Kinesis
	origin         *Origin
	rare           *rareFields
	// arrival is ArrivalTime in Unix milliseconds, if hasArrival.
	arrival int64
	// SubSequenceNumber is, with Aggregated, the user record's index in
	// its KPL aggregate (as the KCL numbers them).
	SubSequenceNumber int32
	// Aggregated marks a user record unpacked from a KPL aggregate: it
	// shares SequenceNumber with the others of its Kinesis record and is
	// told apart by SubSequenceNumber. PartitionKey and ExplicitHashKey
	// are the user record's own.
	Aggregated bool
	hasArrival bool
}

// Origin is where records were read: a Kinesis shard, or a Kafka topic's
// partition. The records read from one place in a batch share one Origin.
type Origin struct {
	ShardID   string // Kinesis shard, "" for Kafka
	Topic     string // Kafka topic, "" for Kinesis
	Partition int32  // Kafka partition, -1 for Kinesis
}

// rareFields are the fields few records have.
type rareFields struct {
	headers         []Header
	explicitHashKey string
	err             string
}

// NewRecord returns a Record of data read from origin (nil: none) that
// arrived at arrival (zero: unknown), with Offset -1 and the other fields
// zero.
func NewRecord(data []byte, origin *Origin, arrival time.Time) Record {
	r := Record{Data: data, Offset: -1, origin: origin}
	r.SetArrivalTime(arrival)
	return r
}

// ShardID is the Kinesis shard the record was read from, "" for Kafka.
func (r *Record) ShardID() string {
	if r.origin == nil {
		return ""
	}
	return r.origin.ShardID
}

// Topic is the Kafka topic the record was read from, "" for Kinesis.
func (r *Record) Topic() string {
	if r.origin == nil {
		return ""
	}
	return r.origin.Topic
}

// Partition is the Kafka partition the record was read from, -1 for
// Kinesis.
func (r *Record) Partition() int32 {
	if r.origin == nil {
		return -1
	}
	return r.origin.Partition
}

// ArrivalTime is the Kinesis approximate arrival time or the Kafka record's
// timestamp, in UTC to the millisecond (as both give it); zero if unknown.
func (r *Record) ArrivalTime() time.Time {
	if !r.hasArrival {
		return time.Time{}
	}
	return time.UnixMilli(r.arrival).UTC()
}

// SetArrivalTime sets ArrivalTime to t, truncated to the millisecond; a
// zero t makes it unknown.
func (r *Record) SetArrivalTime(t time.Time) {
	r.hasArrival = !t.IsZero()
	r.arrival = 0
	if r.hasArrival {
		r.arrival = t.UnixMilli()
	}
}

// Headers are a Kafka record's headers.
func (r *Record) Headers() []Header {
	if r.rare == nil {
		return nil
	}
	return r.rare.headers
}

// ExplicitHashKey is a KPL user record's explicit hash key, if it has one.
func (r *Record) ExplicitHashKey() string {
	if r.rare == nil {
		return ""
	}
	return r.rare.explicitHashKey
}

// Err is set on a Kinesis record that opens with the KPL magic bytes but is
// not a valid aggregate: the engine sends it, whole, to the dead letter
// with Err as the reason.
func (r *Record) Err() string {
	if r.rare == nil {
		return ""
	}
	return r.rare.err
}

// setRare sets the rare fields (a fresh copy: records may share theirs).
func (r *Record) setRare(headers []Header, explicitHashKey, err string) {
	if len(headers) == 0 && explicitHashKey == "" && err == "" {
		r.rare = nil
		return
	}
	r.rare = &rareFields{headers: headers, explicitHashKey: explicitHashKey, err: err}
}

// Batch is what a Source read for one micro-batch: records in a
// deterministic order (by shard id, then position) and the ranges they
// came from.
type Batch struct {
	// Records are the batch's records, unless pages hold them (see Chunk
	// and All): read a batch's records through Len and Chunk, or All.
	Records    []Record
	Shards     []checkpoint.ShardRange
	Partitions []checkpoint.PartitionRange
	DataLoss   []checkpoint.DataLoss
	// MillisBehindLatest is the largest lag reported by the stream.
	MillisBehindLatest int64
	// CaughtUp is true when every readable shard reached the tip of the
	// stream in this read.
	CaughtUp bool

	// pages, from a Kinesis read, hold the records instead of Records: the
	// GetRecords pages they are made from, cut into chunks of up to 2,048
	// records, so that the batch never holds them all as Records at once
	// (a Record takes 96 bytes; a page keeps 32 a record besides the bytes
	// the Records point into). n is the number of records they make.
	pages []pageChunk
	n     int
}

// recordChunk is the size of a chunk of a batch that holds Records.
const recordChunk = 4096

// Len returns the number of records in b.
func (b *Batch) Len() int {
	if b.pages != nil {
		return b.n
	}
	return len(b.Records)
}

// Chunks returns the number of chunks Chunk gives b's records in.
func (b *Batch) Chunks() int {
	if b.pages != nil {
		return len(b.pages)
	}
	return (len(b.Records) + recordChunk - 1) / recordChunk
}

// Chunk returns chunk k (0 <= k < Chunks) of b's records, in batch order,
// and the index in the batch of its first record. A batch of pages makes
// the chunk's records in buf's space (pass the previous result back in);
// a batch of Records returns a part of them and leaves buf alone.
func (b *Batch) Chunk(k int, buf []Record) (int, []Record) {
	if b.pages == nil {
		lo := k * recordChunk
		return lo, b.Records[lo:min(lo+recordChunk, len(b.Records))]
	}
	c := &b.pages[k]
	return c.base, c.records(buf[:0])
}

// All returns every record of b in one slice, making them from b's pages
// first if it holds pages.
func (b *Batch) All() []Record {
	if b.pages != nil {
		recs := make([]Record, 0, b.n)
		for k := range b.pages {
			recs = b.pages[k].records(recs)
		}
		b.Records, b.pages, b.n = recs, nil, 0
	}
	return b.Records
}

// Drop lets go of chunk k of a batch of pages once its records are no
// longer needed: a page goes back when the last of its chunks is dropped,
// while the rest of the batch is still in use. Chunk(k) and All must not
// be called after it. A batch of Records keeps them until Release.
func (b *Batch) Drop(k int) {
	if b.pages != nil {
		b.pages[k] = pageChunk{}
	}
}

// Release drops b's records, and the pages they are made from.
func (b *Batch) Release() { b.Records, b.pages, b.n = nil, nil, 0 }

// Source is a stream the engine reads in micro-batches. Calls are not
// concurrent.
type Source interface {
	// Info names the source in plans.
	Info() checkpoint.SourceInfo
	// Restore resets the source's positions to the end of a committed plan
	// (nil: start from the configured starting position) and forgets any
	// read that was not committed.
	Restore(ctx context.Context, committed *checkpoint.Offsets) error
	// Read reads the next batch from the current positions.
	Read(ctx context.Context) (*Batch, error)
	// Replay reads exactly the records of a planned batch.
	Replay(ctx context.Context, planned *checkpoint.Offsets) (*Batch, error)
	// Commit moves the positions to the end of a plan whose batch was
	// committed.
	Commit(planned *checkpoint.Offsets)
}
