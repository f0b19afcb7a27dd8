package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupLag reads, for a Kafka source, how far each consumer group that has
// committed offsets on the topic is behind the partitions' ends: the
// pipeline's own account of its progress. It returns the groups still
// behind, described ("go-consumer 120 behind"), and ok false when no group
// has committed anything on the topic (then only the output can tell).
func groupLag(ctx context.Context, cl *kgo.Client, topic string, partitions int) (behind []string, ok bool, err error) {
	lg, err := kmsg.NewPtrListGroupsRequest().RequestWith(ctx, cl)
	if err != nil {
		return nil, false, fmt.Errorf("list consumer groups: %w", err)
	}
	ends, err := partitionEnds(ctx, cl, topic, partitions)
	if err != nil {
		return nil, false, err
	}
	for _, g := range lg.Groups {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Group = g.Group
		t := kmsg.NewOffsetFetchRequestTopic()
		t.Topic = topic
		for p := range partitions {
			t.Partitions = append(t.Partitions, int32(p))
		}
		req.Topics = []kmsg.OffsetFetchRequestTopic{t}
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, false, fmt.Errorf("fetch the offsets of group %s: %w", g.Group, err)
		}
		var lag int64
		committed := false
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if rp.Offset < 0 {
					lag += ends[rp.Partition]
					continue
				}
				committed = true
				lag += max(ends[rp.Partition]-rp.Offset, 0)
			}
		}
		if !committed {
			continue
		}
		ok = true
		if lag > 0 {
			behind = append(behind, fmt.Sprintf("consumer group %s %d records behind", g.Group, lag))
		}
	}
	slices.Sort(behind)
	return behind, ok, nil
}

// partitionEnds returns each partition's end offset.
func partitionEnds(ctx context.Context, cl *kgo.Client, topic string, partitions int) (map[int32]int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = topic
	for p := range partitions {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp = int32(p), -1
		t.Partitions = append(t.Partitions, rp)
	}
	req.Topics = []kmsg.ListOffsetsRequestTopic{t}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("list the offsets of %s: %w", topic, err)
	}
	ends := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			ends[rp.Partition] = rp.Offset
		}
	}
	return ends, nil
}

func joinBehind(b []string) string { return strings.Join(b, ", ") }
