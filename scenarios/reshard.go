package scenarios

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/engine"
)

// SplitAndMerge returns a Scenario.During that reshards the run's Kinesis
// stream through the stack's Kinesis client while the load goes on: after
// pause it splits the open shard the seed picks at the middle of its hash
// range, and after another pause it merges the two adjacent open shards of
// highest hash range that the split did not create. It waits for the stream
// to be ACTIVE after each change, as AWS requires before the next. It does
// nothing on a Kafka source.
func SplitAndMerge(pause time.Duration) func(ctx context.Context, env Env, seed uint64) error {
	return func(ctx context.Context, env Env, seed uint64) error {
		if env.Kind == engine.KindKafka {
			return nil
		}
		kin := env.Stack.KinesisClient()
		if env.Progress == nil {
			env.Progress = io.Discard
		}
		stream := aws.String(env.Stream)
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		open, err := openShards(ctx, kin, env.Stream)
		if err != nil {
			return err
		}
		if len(open) < 3 {
			return fmt.Errorf("reshard %s: %d open shards, want at least 3", env.Stream, len(open))
		}
		victim := open[int(seed%uint64(len(open)-2))]
		lo, _ := new(big.Int).SetString(aws.ToString(victim.HashKeyRange.StartingHashKey), 10)
		hi, _ := new(big.Int).SetString(aws.ToString(victim.HashKeyRange.EndingHashKey), 10)
		mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
		mid.Add(mid, big.NewInt(1))
		if _, err := kin.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: stream, ShardToSplit: victim.ShardId, NewStartingHashKey: aws.String(mid.String())}); err != nil {
			return fmt.Errorf("split shard %s of %s: %w", aws.ToString(victim.ShardId), env.Stream, err)
		}
		fmt.Fprintf(env.Progress, "  split shard %s at hash key %s\n", aws.ToString(victim.ShardId), mid)
		if err := waitActive(ctx, kin, env.Stream); err != nil {
			return err
		}
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		// The last two shards by hash range were not touched by the split
		// (the victim is never one of them).
		a, b := open[len(open)-2], open[len(open)-1]
		if _, err := kin.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: stream, ShardToMerge: a.ShardId, AdjacentShardToMerge: b.ShardId}); err != nil {
			return fmt.Errorf("merge shards %s and %s of %s: %w", aws.ToString(a.ShardId), aws.ToString(b.ShardId), env.Stream, err)
		}
		fmt.Fprintf(env.Progress, "  merged shards %s and %s\n", aws.ToString(a.ShardId), aws.ToString(b.ShardId))
		return waitActive(ctx, kin, env.Stream)
	}
}

// openShards lists the stream's open shards in order of hash range.
func openShards(ctx context.Context, kin *kinesis.Client, stream string) ([]types.Shard, error) {
	var open []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		out, err := kin.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", stream, err)
		}
		for _, sh := range out.Shards {
			if sh.SequenceNumberRange == nil || sh.SequenceNumberRange.EndingSequenceNumber == nil {
				open = append(open, sh)
			}
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	slices.SortFunc(open, func(x, y types.Shard) int {
		a, _ := new(big.Int).SetString(aws.ToString(x.HashKeyRange.StartingHashKey), 10)
		b, _ := new(big.Int).SetString(aws.ToString(y.HashKeyRange.StartingHashKey), 10)
		return a.Cmp(b)
	})
	return open, nil
}

// waitActive polls DescribeStreamSummary until the stream is ACTIVE.
func waitActive(ctx context.Context, kin *kinesis.Client, stream string) error {
	for {
		out, err := kin.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", stream, err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("wait for stream %s to be active: %w", stream, err)
		}
	}
}

// pauseFor waits d and reports true, or false when ctx ends first: a
// scenario's During step whose run is over has nothing left to do.
func pauseFor(ctx context.Context, d time.Duration) bool { return sleep(ctx, d) == nil }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
