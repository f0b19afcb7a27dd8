// Package kafkafake serves an in-process Kafka cluster for tests and local
// runs. It wraps franz-go's kfake: any Kafka client (franz-go, librdkafka and
// the tools built on it) talks to it over the real wire protocol on a
// loopback or chosen port.
//
// A Server is created with New, listens once Start is called, and reports its
// seed brokers with Addrs. Topics are created up front with WithTopic or on
// demand, when a client's metadata request asks for an unknown topic to be
// created (franz-go does so with kgo.AllowAutoTopicCreation, librdkafka by
// default), unless WithoutAutoCreate is given.
//
// Faults come from the same fault.Injector as the Kinesis and S3 emulators.
// Every request is offered to the injector as a fault.Request with Service
// "kafka", Operation the request's name ("Produce", "Fetch", "Metadata",
// "ListOffsets", ...), Resource the topic and Shard the partition number in
// decimal, once per topic partition the request carries. A firing rule's
// Delay holds the request, ActionDrop closes the client's connection, and
// ActionError answers the partition (or the whole request, for requests that
// carry no partitions) with the Kafka error named by Code, such as
// NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE or REQUEST_TIMED_OUT (a
// code Kafka does not define answers UNKNOWN_SERVER_ERROR; ValidateRule
// rejects such rules up front). Rule Status is ignored for Kafka. Cluster changes are typed helpers:
// MoveTopicPartition, RemoveNode and AddNode (a broker down and back) and
// ShufflePartitionLeaders.
//
// What differs from Kafka is what differs in kfake: one process, no
// replication, no real elections. The injected clock times fault delays only;
// kfake's own timers (group session timeouts, transaction timeouts,
// retention) run on the wall clock and are not driven by it. kfake picks new
// partition leaders from its own random source, so leader moves after
// RemoveNode or ShufflePartitionLeaders are not reproduced by the seed.
package kafkafake
