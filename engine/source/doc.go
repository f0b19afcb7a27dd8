// Package source reads records for the engine's micro-batches. A Source
// reads a new batch from where the last committed plan ended, replays a
// planned batch exactly, and moves on when a plan is committed; Kinesis is
// the implementation here, and the interface is shaped so that a Kafka
// source (offset ranges instead of sequence ranges) fits beside it.
package source
