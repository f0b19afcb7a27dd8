package kinesisfake_test

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// readTree reads a shard to its end, then its children, parents before
// children, and returns the data in that order.
func (e *env) readTree(t *testing.T, stream string, start []string) []string {
	t.Helper()
	var got []string
	queue := append([]string(nil), start...)
	seen := map[string]bool{}
	for len(queue) > 0 {
		shard := queue[0]
		queue = queue[1:]
		if seen[shard] {
			continue
		}
		seen[shard] = true
		it := e.iterator(t, stream, shard, types.ShardIteratorTypeTrimHorizon, "")
		for it != "" {
			e.clk.Advance(time.Second)
			out, err := e.kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
			if err != nil {
				t.Fatalf("GetRecords %s: %v", shard, err)
			}
			for _, r := range out.Records {
				got = append(got, string(r.Data))
			}
			if out.NextShardIterator == nil {
				if out.ChildShards == nil {
					t.Fatalf("end of closed shard %s without ChildShards", shard)
				}
				for _, c := range out.ChildShards {
					queue = append(queue, aws.ToString(c.ShardId))
				}
				break
			}
			if len(out.Records) == 0 {
				break // open shard, caught up
			}
			it = aws.ToString(out.NextShardIterator)
		}
	}
	return got
}

func TestSplitAndMergeReadInOrder(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	put := func(i int) {
		t.Helper()
		if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("same-key"), Data: data(i)}); err != nil {
			t.Fatalf("PutRecord %d: %v", i, err)
		}
	}
	put(0)
	put(1)
	half := new(big.Int).Lsh(big.NewInt(1), 127)
	if _, err := e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(half.String())}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	put(2)
	put(3)
	if _, err := e.kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatalf("MergeShards: %v", err)
	}
	put(4)

	d, err := e.kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	sh := d.StreamDescription.Shards
	if len(sh) != 4 {
		t.Fatalf("got %d shards, want 4 (parent, 2 children, merged)", len(sh))
	}
	if sh[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Errorf("split parent has no EndingSequenceNumber")
	}
	if got := aws.ToString(sh[1].ParentShardId); got != "shardId-000000000000" {
		t.Errorf("child parent: got %s, want shardId-000000000000", got)
	}
	if got, want := aws.ToString(sh[3].AdjacentParentShardId), "shardId-000000000002"; got != want {
		t.Errorf("merged shard adjacent parent: got %s, want %s", got, want)
	}
	end, _ := new(big.Int).SetString(aws.ToString(sh[0].SequenceNumberRange.EndingSequenceNumber), 10)
	for _, c := range sh[1:3] {
		start, _ := new(big.Int).SetString(aws.ToString(c.SequenceNumberRange.StartingSequenceNumber), 10)
		if start.Cmp(end) <= 0 {
			t.Errorf("child %s starts at %s, not after the parent's end %s", aws.ToString(c.ShardId), start, end)
		}
	}

	got := e.readTree(t, "s", []string{"shardId-000000000000"})
	want := []string{"record-0000", "record-0001", "record-0002", "record-0003", "record-0004"}
	if !slices.Equal(got, want) {
		t.Fatalf("parent-then-child read: got %v, want %v", got, want)
	}

	_, err = e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("5")})
	wantCode(t, "SplitShard of a closed shard", err, "InvalidArgumentException")
	_, err = e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000003"), NewStartingHashKey: aws.String("0")})
	wantCode(t, "SplitShard at the shard's own start", err, "InvalidArgumentException")

	// UpdateShardCount closes every open shard; reading the tree still
	// returns everything in order.
	if _, err := e.kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount: %v", err)
	}
	put(5)
	got = e.readTree(t, "s", []string{"shardId-000000000000"})
	if want := append(want, "record-0005"); !slices.Equal(got, want) {
		t.Fatalf("after UpdateShardCount: got %v, want %v", got, want)
	}
	_, err = e.kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(5), ScalingType: types.ScalingTypeUniformScaling})
	wantCode(t, "UpdateShardCount beyond double", err, "InvalidArgumentException")
}
