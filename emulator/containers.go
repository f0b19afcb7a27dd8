package emulator

import (
	"context"
	"errors"
	"fmt"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
	"github.com/testcontainers/testcontainers-go/modules/redpanda"
)

// ErrDockerUnavailable is wrapped by Start on the containers backend when no
// healthy Docker daemon is reachable.
var ErrDockerUnavailable = errors.New("emulator: containers backend needs a running Docker daemon")

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
		return fmt.Errorf("%w: %v", ErrDockerUnavailable, err)
	}
	defer p.Close()
	if err := p.Health(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrDockerUnavailable, err)
	}
	return nil
}

// startContainers runs LocalStack (Kinesis and S3 on its edge port) and
// Redpanda (Kafka) through testcontainers-go.
func startContainers(ctx context.Context, o options) (*Stack, error) {
	if err := DockerAvailable(ctx); err != nil {
		return nil, err
	}
	region := o.regionOr(DefaultRegion)
	s := &Stack{Backend: Containers, Region: region}

	image := o.lsImage
	if image == "" {
		image = DefaultLocalStackImage
	}
	env := map[string]string{"SERVICES": "kinesis,s3", "AWS_DEFAULT_REGION": region}
	if tok := o.getenv(EnvLocalStackAuthToken); tok != "" {
		env[EnvLocalStackAuthToken] = tok
	}
	ls, err := localstack.Run(ctx, image, testcontainers.WithEnv(env))
	if ls != nil {
		s.closers = append(s.closers, func() error { return testcontainers.TerminateContainer(ls) })
	}
	if err != nil {
		return s, fmt.Errorf("emulator: start %s: %w", image, err)
	}
	url, err := ls.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		return s, fmt.Errorf("emulator: find the edge port of %s: %w", image, err)
	}
	s.EdgeURL, s.KinesisURL, s.S3URL = url, url, url

	kimage := o.kafkaImage
	if kimage == "" {
		kimage = DefaultKafkaImage
	}
	rp, err := redpanda.Run(ctx, kimage, redpanda.WithAutoCreateTopics())
	if rp != nil {
		s.closers = append(s.closers, func() error { return testcontainers.TerminateContainer(rp) })
	}
	if err != nil {
		return s, fmt.Errorf("emulator: start %s: %w", kimage, err)
	}
	broker, err := rp.KafkaSeedBroker(ctx)
	if err != nil {
		return s, fmt.Errorf("emulator: find the Kafka port of %s: %w", kimage, err)
	}
	s.KafkaBrokers = []string{broker}
	s.AWSConfig = staticConfig(region, s.KinesisURL, s.S3URL)
	return s, nil
}
