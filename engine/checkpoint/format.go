package checkpoint

import "time"

// Version is the version written in every checkpoint file.
const Version = 1

// Metadata is <checkpoint>/metadata, written once when the checkpoint is
// created. Its ID identifies the checkpoint for good: exactly-once object
// names carry a token of it (sink.CheckpointToken), so that a new
// checkpoint never names an object as an older one did.
type Metadata struct {
	Version   int       `json:"version"`
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Job       string    `json:"job"`
}

// Offsets is offsets/N: the plan of batch N.
type Offsets struct {
	Version           int              `json:"version"`
	BatchID           int64            `json:"batch_id"`
	PlannedAt         time.Time        `json:"planned_at"`
	IngestTime        time.Time        `json:"ingest_time"`
	Delivery          string           `json:"delivery"`
	Source            SourceInfo       `json:"source"`
	Shards            []ShardRange     `json:"shards"`
	Partitions        []PartitionRange `json:"partitions"`
	Objects           []string         `json:"objects"`
	DeadLetterObjects []string         `json:"dead_letter_objects"`
	// WindowsObjects are an aggregating job's closed-window objects under
	// sink.windowsPath (at most one a batch).
	WindowsObjects []string   `json:"windows_objects,omitempty"`
	DataLoss       []DataLoss `json:"data_loss"`
	// EngineID identifies the engine run that planned the batch (the
	// checkpoint lease's owner); a replay keeps the original plan's.
	EngineID string `json:"engine_id,omitempty"`
}

// SourceInfo names the source of a plan.
type SourceInfo struct {
	Kind   string `json:"kind"`
	Stream string `json:"stream"`
}

// Start is where a shard's range starts.
type Start struct {
	Type           string    `json:"type"` // TRIM_HORIZON, LATEST, AT_TIMESTAMP or AFTER_SEQUENCE_NUMBER
	SequenceNumber string    `json:"sequence_number,omitempty"`
	Timestamp      time.Time `json:"timestamp,omitzero"`
}

// Start types.
const (
	TrimHorizon         = "TRIM_HORIZON"
	Latest              = "LATEST"
	AtTimestamp         = "AT_TIMESTAMP"
	AfterSequenceNumber = "AFTER_SEQUENCE_NUMBER"
)

// ShardRange is one Kinesis shard's part of a batch. EndSequenceNumber is the
// last record included (inclusive), "" when the shard contributed none.
// FirstSequenceNumber (an addition to Spark's layout) is the first record
// included, so that a replay of a range that started at LATEST or
// TRIM_HORIZON reads exactly the same records. Parents lists the shard's
// parent shards, so that a restarted engine keeps draining parents first.
type ShardRange struct {
	ShardID             string   `json:"shard_id"`
	Start               Start    `json:"start"`
	FirstSequenceNumber string   `json:"first_sequence_number,omitempty"`
	EndSequenceNumber   string   `json:"end_sequence_number"`
	Records             int64    `json:"records"`
	Closed              bool     `json:"closed"`
	Parents             []string `json:"parents,omitempty"`
}

// PartitionRange is a Kafka partition's part of a batch: [StartOffset, EndOffset).
type PartitionRange struct {
	Topic       string `json:"topic"`
	Partition   int32  `json:"partition"`
	StartOffset int64  `json:"start_offset"`
	EndOffset   int64  `json:"end_offset"`
}

// DataLoss records a range the source could no longer read because
// retention removed it first. For Kafka, Topic and Partition name the
// partition and the lost offsets are [From, To) in decimal. For Kinesis,
// ShardID names the shard (Partition is -1), From is the last sequence
// number the checkpoint had reached and To the first one still available
// (the lost records, if any, lie strictly between); To is "" when the whole
// shard expired before it was drained.
type DataLoss struct {
	ShardID    string    `json:"shard_id"`
	Topic      string    `json:"topic,omitempty"`
	Partition  int32     `json:"partition"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	DetectedAt time.Time `json:"detected_at"`
}

// Commit is commits/N.
type Commit struct {
	Version               int       `json:"version"`
	BatchID               int64     `json:"batch_id"`
	CommittedAt           time.Time `json:"committed_at"`
	NumRecords            int64     `json:"num_records"`
	NumDeadLetter         int64     `json:"num_dead_letter"`
	BatchProcessingTimeMs int64     `json:"batch_processing_time_ms"`
	MaxConsumerLagMs      int64     `json:"max_consumer_lag_ms"`
	MillisBehindLatest    int64     `json:"millis_behind_latest"`
	// EngineID identifies the engine run that committed the batch. It
	// differs from the plan's when a restarted engine replayed the batch,
	// and from the previous commit's after any restart.
	EngineID string `json:"engine_id,omitempty"`
}

// Lease is <checkpoint>/lease (an addition to Spark's layout).
type Lease struct {
	Owner      string    `json:"owner"`
	Host       string    `json:"host"`
	PID        int       `json:"pid"`
	Instance   string    `json:"instance"`
	AcquiredAt time.Time `json:"acquired_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Released   bool      `json:"released"`
}
