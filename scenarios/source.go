package scenarios

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// createSource creates the scenario's Kinesis stream or Kafka topic with n
// shards or partitions on stack and returns the generator sink that sends to
// it, and a function that releases the sink's client.
func createSource(ctx context.Context, stack *emulator.Stack, kind, name string, n int, seed uint64) (generators.Sink, func(), error) {
	switch kind {
	case engine.KindKafka:
		if len(stack.KafkaBrokers) == 0 {
			return nil, nil, fmt.Errorf("create topic %s: the %s stack has no Kafka brokers", name, stack.Backend)
		}
		cl, err := generators.NewKafkaClient(stack.KafkaBrokers, name, kgo.RecordDeliveryTimeout(30*time.Second))
		if err != nil {
			return nil, nil, err
		}
		if err := generators.CreateKafkaTopic(ctx, cl, name, int32(n)); err != nil {
			cl.Close()
			return nil, nil, err
		}
		return &generators.KafkaSink{Client: cl, Topic: name}, cl.Close, nil
	default:
		kin := generators.NewKinesisClient(stack.AWSConfig, stack.KinesisURL)
		if err := generators.CreateKinesisStream(ctx, kin, nil, name, int32(n)); err != nil {
			return nil, nil, err
		}
		return &generators.KinesisSink{Client: kin, Stream: name, Seed: seed, BaseBackoff: 20 * time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 20}, func() {}, nil
	}
}
