package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/fault"
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

// efoScenarios are the catalog's enhanced fan-out scenarios: the polling
// source's guarantees, read through a consumer.
func efoScenarios() []Scenario {
	return []Scenario{
		{
			Name:        "efo-steady",
			Description: "Ventilator JSON read through an enhanced fan-out consumer (SubscribeToShard on every shard) becomes Parquet, every record exactly once.",
			Setup:       Setup{Job: EFOJob},
			Load:        Load{Rate: 4000},
		},
		{
			Name:        "efo-crash-every-point",
			Description: "The EFO job dies at each crash point in successive batches; each restart subscribes again from the checkpoint (after AWS's 5-second rule refuses the first tries) and replays the plan.",
			Setup:       Setup{Job: EFOJob},
			Load:        Load{Rate: 2000, Records: 4000},
			Crashes: []Crash{
				{At: engine.AtAfterPlan, Batch: 1}, {At: engine.AtInSink, Objects: 1, Batch: 2},
				{At: engine.AtAfterSink, Batch: 3}, {At: engine.AtAfterCommit, Batch: 4},
			},
		},
		{
			Name:        "efo-split-merge-during-load",
			Description: "Shards are split and merged while the EFO job reads; parents are read to the end their last event announces (ChildShards) before their children, every record once, each key in order.",
			Setup:       Setup{Job: EFOJob},
			Load:        Load{Rate: 1000, Records: 3000},
			During:      SplitAndMerge(700 * time.Millisecond),
		},
		{
			Name:        "efo-subscription-faults",
			Description: "SubscribeToShard is throttled, fails with 500, and has its connection dropped; the EFO job retries its subscriptions and delivers every record once.",
			Setup:       Setup{Job: EFOJob},
			Load:        Load{Rate: 4000},
			Faults: []Fault{
				{SkipUpTo: 2, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError,
					Code: "LimitExceededException", Status: 400, Message: "Rate exceeded", Times: 3}},
				{SkipUpTo: 4, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionError,
					Code: "InternalFailure", Status: 500, Times: 2}},
				{SkipUpTo: 6, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "SubscribeToShard", Action: fault.ActionDrop, Times: 1}},
			},
		},
	}
}
