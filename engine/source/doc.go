// Package source reads records for the engine's micro-batches. A Source
// reads a new batch from where the last committed plan ended, replays a
// planned batch exactly, and moves on when a plan is committed. Kinesis
// reads shards through the AWS SDK; Kafka reads partitions with plain Fetch
// requests to their leaders (franz-go), keeping positions in the checkpoint
// rather than in consumer-group commits. Both detect records that retention
// removed before they were read (data loss) and either fail or record the
// lost range in the plan.
package source
