// Package kpl reads and writes KPL aggregation, the record format of the
// Kinesis Producer Library (its aggregation-format.md), which the KCL and
// Spark's Kinesis connector read: a Kinesis record whose data is the magic
// bytes F3 89 9A C2, a protobuf AggregatedRecord, and the MD5 of that
// protobuf.
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//
// Tags are skipped, as the KCL skips them. The engine's Kinesis source
// de-aggregates with Deaggregate; the generators aggregate with Aggregate,
// and the engine's Kinesis sink packs its records with Pack, within the
// KPL's size and count bounds.
package kpl
