package source

import (
	"context"
	"time"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// Record is one record read from a stream.
type Record struct {
	Data           []byte
	PartitionKey   string
	ShardID        string // Kinesis shard, "" for Kafka
	SequenceNumber string // Kinesis sequence number, "" for Kafka
	Topic          string // Kafka topic, "" for Kinesis
	Partition      int32  // Kafka partition, -1 for Kinesis
	Offset         int64  // Kafka offset, -1 for Kinesis
	Headers        []Header
	// ArrivalTime is the Kinesis approximate arrival time or the Kafka
	// record's timestamp.
	ArrivalTime time.Time
	// Aggregated marks a user record unpacked from a KPL aggregate: it
	// shares SequenceNumber with the others of its Kinesis record and is
	// told apart by SubSequenceNumber, its index in the aggregate (as the
	// KCL numbers them). PartitionKey and ExplicitHashKey are the user
	// record's own.
	Aggregated        bool
	SubSequenceNumber int64
	ExplicitHashKey   string
	// Err is set on a Kinesis record that opens with the KPL magic bytes
	// but is not a valid aggregate: the engine sends it, whole, to the dead
	// letter with Err as the reason.
	Err string
}

// Batch is what a Source read for one micro-batch: records in a
// deterministic order (by shard id, then position) and the ranges they
// came from.
type Batch struct {
	Records    []Record
	Shards     []checkpoint.ShardRange
	Partitions []checkpoint.PartitionRange
	DataLoss   []checkpoint.DataLoss
	// MillisBehindLatest is the largest lag reported by the stream.
	MillisBehindLatest int64
	// CaughtUp is true when every readable shard reached the tip of the
	// stream in this read.
	CaughtUp bool
}

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
