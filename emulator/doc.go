// Package emulator starts the local endpoints a streaming pipeline talks to:
// Kinesis Data Streams and S3 served in process over HTTP with their real wire
// protocols (packages kinesisfake and s3fake), Kafka in process (package
// kafkafake, over franz-go's kfake), LocalStack and Kafka containers through
// testcontainers-go, or any external endpoints. Faults are injected through
// package fault, reproducibly from a seed.
package emulator
