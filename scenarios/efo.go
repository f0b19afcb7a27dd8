package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/engine"
)

// EFOConsumerName is the stream consumer EFOJob registers.
const EFOConsumerName = "streamcheck-efo"

// EFOJob is VentilatorJob reading through an enhanced fan-out consumer
// (fanoutConsumerARN), which it registers on the scenario's stream and
// waits for until it is ACTIVE.
func EFOJob(env Env) (*engine.Job, error) {
	j, err := VentilatorJob(env)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	arn, err := registerConsumer(ctx, env.Stack.KinesisClient(), j.Source.StreamName, EFOConsumerName)
	if err != nil {
		return nil, err
	}
	j.Name = "ventilator-efo"
	j.Options.FanoutConsumerARN = arn
	// No GetRecords to pace: subscriptions push.
	j.Options.AddIdleTimeBetweenReads = false
	return j, j.Validate()
}

// registerConsumer registers name on stream and waits until it is ACTIVE;
// a consumer registered before is reused.
func registerConsumer(ctx context.Context, kc *kinesis.Client, stream, name string) (string, error) {
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return "", fmt.Errorf("describe stream %s: %w", stream, err)
	}
	streamARN := sum.StreamDescriptionSummary.StreamARN
	var arn string
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String(name)})
	var inUse *ktypes.ResourceInUseException
	switch {
	case err == nil:
		arn = aws.ToString(reg.Consumer.ConsumerARN)
	case errors.As(err, &inUse):
		d, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("describe consumer %s: %w", name, err)
		}
		arn = aws.ToString(d.ConsumerDescription.ConsumerARN)
	default:
		return "", fmt.Errorf("register consumer %s on %s: %w", name, stream, err)
	}
	for {
		d, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err == nil && d.ConsumerDescription.ConsumerStatus == ktypes.ConsumerStatusActive {
			return arn, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("consumer %s not ACTIVE: %w", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
