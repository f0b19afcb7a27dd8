package kafkafake_test

// kfake answers OffsetFetch for a group it has never seen with
// GROUP_ID_NOT_FOUND; Kafka answers offset -1 and no error, and sarama's
// offset manager and kafkajs' fetchOffsets depend on that for a new group.
// These tests are the reproduction: they fail against kfake on its own.

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

func TestOffsetFetchUnknownGroupV7(t *testing.T) {
	t.Parallel()
	s := start(t, kafkafake.WithTopic("t", 2))
	cl := client(t, s, kgo.MaxVersions(kversion.V2_4_0()))
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = "never-seen"
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = "t", []int32{0, 1}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil {
		t.Fatalf("OffsetFetch: %v", err)
	}
	if resp.Version > 7 {
		t.Fatalf("OffsetFetch answered at v%d, want at most v7 for this test", resp.Version)
	}
	if resp.ErrorCode != 0 {
		t.Fatalf("OffsetFetch error = %v, want none", kerr.ErrorForCode(resp.ErrorCode))
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 2 {
		t.Fatalf("OffsetFetch topics = %+v, want t with partitions 0 and 1", resp.Topics)
	}
	for _, p := range resp.Topics[0].Partitions {
		if p.Offset != -1 || p.ErrorCode != 0 {
			t.Errorf("partition %d: offset %d, error %v; want offset -1 and no error", p.Partition, p.Offset, kerr.ErrorForCode(p.ErrorCode))
		}
	}
}

func TestOffsetFetchUnknownGroupV8(t *testing.T) {
	t.Parallel()
	s := start(t, kafkafake.WithTopic("t", 1))
	cl := client(t, s)
	ctx := t.Context()

	// Commit offset 5 for group "known" as a simple (memberless) consumer.
	commit := kmsg.NewPtrOffsetCommitRequest()
	commit.Group = "known"
	commit.Generation = -1
	ct := kmsg.NewOffsetCommitRequestTopic()
	ct.Topic = "t"
	cp := kmsg.NewOffsetCommitRequestTopicPartition()
	cp.Partition, cp.Offset = 0, 5
	ct.Partitions = append(ct.Partitions, cp)
	commit.Topics = append(commit.Topics, ct)
	// Before OffsetCommit v10, which names topics by ID.
	cresp, err := commit.RequestWith(ctx, client(t, s, kgo.MaxVersions(kversion.V3_0_0())))
	if err != nil {
		t.Fatalf("OffsetCommit: %v", err)
	}
	if code := cresp.Topics[0].Partitions[0].ErrorCode; code != 0 {
		t.Fatalf("OffsetCommit error = %v, want none", kerr.ErrorForCode(code))
	}

	tests := []struct {
		name       string
		group      string
		wantOffset int64
	}{
		{"never seen", "never-seen", -1},
		{"committed", "known", 5}, // must not be answered -1
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := kmsg.NewPtrOffsetFetchRequest()
			rg := kmsg.NewOffsetFetchRequestGroup()
			rg.Group = tt.group
			rt := kmsg.NewOffsetFetchRequestGroupTopic()
			rt.Topic, rt.Partitions = "t", []int32{0}
			rg.Topics = append(rg.Topics, rt)
			req.Groups = append(req.Groups, rg)
			resp, err := req.RequestWith(ctx, cl)
			if err != nil {
				t.Fatalf("OffsetFetch: %v", err)
			}
			if resp.Version < 8 || len(resp.Groups) != 1 {
				t.Fatalf("OffsetFetch v%d answered %d groups, want v8+ and 1", resp.Version, len(resp.Groups))
			}
			g := resp.Groups[0]
			if g.ErrorCode != 0 {
				t.Fatalf("group %s: error %v, want none", tt.group, kerr.ErrorForCode(g.ErrorCode))
			}
			if len(g.Topics) != 1 || len(g.Topics[0].Partitions) != 1 {
				t.Fatalf("group %s: topics %+v, want t/0", tt.group, g.Topics)
			}
			if p := g.Topics[0].Partitions[0]; p.Offset != tt.wantOffset || p.ErrorCode != 0 {
				t.Errorf("group %s: offset %d, error %v; want offset %d and no error", tt.group, p.Offset, kerr.ErrorForCode(p.ErrorCode), tt.wantOffset)
			}
		})
	}

	t.Run("all topics of a new group", func(t *testing.T) {
		req := kmsg.NewPtrOffsetFetchRequest()
		rg := kmsg.NewOffsetFetchRequestGroup()
		rg.Group = "never-seen-2"
		req.Groups = append(req.Groups, rg)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("OffsetFetch: %v", err)
		}
		if len(resp.Groups) != 1 || resp.Groups[0].ErrorCode != 0 || len(resp.Groups[0].Topics) != 0 {
			t.Errorf("OffsetFetch of all topics = %+v, want one group, no error, no topics", resp.Groups)
		}
	})
}

func TestWithDefaultPartitions(t *testing.T) {
	t.Parallel()
	s := start(t, kafkafake.WithDefaultPartitions(3))
	cl := client(t, s, kgo.AllowAutoTopicCreation())
	if err := produce(t.Context(), cl, "auto", 2, "x"); err != nil {
		t.Fatalf("produce to partition 2 of an auto-created topic: %v", err)
	}
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	name := "auto"
	rt.Topic = &name
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 3 {
		t.Errorf("auto-created topic has %d partitions, want 3", len(resp.Topics[0].Partitions))
	}
}
