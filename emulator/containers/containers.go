package containers

import (
	"context"
	"errors"
	"fmt"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
	"github.com/testcontainers/testcontainers-go/modules/redpanda"

	"github.com/streamcheck/streamcheck/emulator"
)

// Defaults of the backend.
const (
	// DefaultLocalStackImage is the last LocalStack community image that
	// starts without LOCALSTACK_AUTH_TOKEN (later images require one).
	DefaultLocalStackImage = "localstack/localstack:4.14.0"
	// DefaultKafkaImage is the Redpanda image serving Kafka.
	DefaultKafkaImage = "docker.redpanda.com/redpandadata/redpanda:v25.2.4"
	// EnvLocalStackAuthToken is passed to the LocalStack container when set.
	EnvLocalStackAuthToken = "LOCALSTACK_AUTH_TOKEN"
)

// ErrDockerUnavailable is wrapped by emulator.Start on the containers
// backend when no healthy Docker daemon is reachable.
var ErrDockerUnavailable = errors.New("emulator: containers backend needs a running Docker daemon")

func init() { emulator.RegisterBackend(emulator.Containers, start) }

// DockerAvailable reports nil when testcontainers-go can reach a healthy
// Docker daemon, else an error wrapping ErrDockerUnavailable that says why.
func DockerAvailable(ctx context.Context) (err error) {
	defer func() {
		// testcontainers-go panics when it finds no Docker socket at all.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDockerUnavailable, r)
		}
	}()
	p, err := testcontainers.ProviderDocker.GetProvider()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDockerUnavailable, err)
	}
	defer p.Close()
	if err := p.Health(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrDockerUnavailable, err)
	}
	return nil
}

// start runs LocalStack (Kinesis and S3 on its edge port) and Redpanda
// (Kafka) through testcontainers-go.
func start(ctx context.Context, c emulator.BackendConfig) (*emulator.Stack, error) {
	if err := DockerAvailable(ctx); err != nil {
		return nil, err
	}
	s := &emulator.Stack{Backend: emulator.Containers, Region: c.Region}

	image := c.LocalStackImage
	if image == "" {
		image = DefaultLocalStackImage
	}
	env := map[string]string{"SERVICES": "kinesis,s3,dynamodb", "AWS_DEFAULT_REGION": c.Region}
	if tok := c.Getenv(EnvLocalStackAuthToken); tok != "" {
		env[EnvLocalStackAuthToken] = tok
	}
	ls, err := localstack.Run(ctx, image, testcontainers.WithEnv(env))
	if ls != nil {
		s.OnClose(func() error { return testcontainers.TerminateContainer(ls) })
	}
	if err != nil {
		return s, fmt.Errorf("emulator: start %s: %w", image, err)
	}
	url, err := ls.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		return s, fmt.Errorf("emulator: find the edge port of %s: %w", image, err)
	}
	s.EdgeURL, s.KinesisURL, s.S3URL, s.DynamoDBURL = url, url, url, url

	kimage := c.KafkaImage
	if kimage == "" {
		kimage = DefaultKafkaImage
	}
	rp, err := redpanda.Run(ctx, kimage, redpanda.WithAutoCreateTopics())
	if rp != nil {
		s.OnClose(func() error { return testcontainers.TerminateContainer(rp) })
	}
	if err != nil {
		return s, fmt.Errorf("emulator: start %s: %w", kimage, err)
	}
	broker, err := rp.KafkaSeedBroker(ctx)
	if err != nil {
		return s, fmt.Errorf("emulator: find the Kafka port of %s: %w", kimage, err)
	}
	s.KafkaBrokers = []string{broker}
	return s, nil
}
