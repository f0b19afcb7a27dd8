// Package emulator starts the endpoints a streaming pipeline talks to, behind
// one front door: Start returns a running Stack with Kinesis and S3 endpoint
// URLs, a ready aws.Config, Kafka seed brokers, a fault injector and Close.
//
// Three backends serve the same Stack, so one test suite runs on any of them:
//
//   - Embedded (the default): Kinesis and S3 served in process over their real
//     wire protocols (packages kinesisfake and s3fake) and Kafka in process
//     (package kafkafake, over franz-go's kfake). Faults, an injected clock and
//     seeds apply. With WithEdgeAddr, Kinesis and S3 share one
//     LocalStack-compatible port (package edge).
//   - Containers: LocalStack and Redpanda through testcontainers-go, in package
//     emulator/containers, which registers the backend when imported (so
//     that programs using only the embedded emulators link neither
//     testcontainers-go nor the Docker client). Needs Docker. Faults are not
//     available.
//   - External: whatever AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_KINESIS and
//     AWS_ENDPOINT_URL_S3), the default credential chain and
//     STREAMCHECK_KAFKA_BROKERS point at, real AWS included. Faults are not
//     available.
//
// The backend is chosen by WithBackend or, when that is not given, by the
// STREAMCHECK_BACKEND environment variable (embedded, containers or
// external).
package emulator
