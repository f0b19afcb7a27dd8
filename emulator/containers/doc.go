// Package containers registers emulator's Containers backend: LocalStack
// (pinned to DefaultLocalStackImage, the last image that starts without an
// auth token; LOCALSTACK_AUTH_TOKEN is passed through when set) for Kinesis
// and S3, and Redpanda for Kafka, both through testcontainers-go. It needs a
// running Docker daemon; faults are not available on it.
//
// It lives apart from package emulator so that a program that only uses
// the embedded emulators links neither testcontainers-go nor the Docker
// client. Import it for its side effect where the backend is wanted:
//
//	import _ "github.com/streamcheck/streamcheck/emulator/containers"
//
//	st, err := emulator.Start(ctx, emulator.WithBackend(emulator.Containers))
package containers
