package kafkafake

// OffsetFetch for groups that do not exist.
//
// Matches Kafka: a group the cluster has never seen (or has deleted) answers
// every requested partition with offset -1, leader epoch -1, empty metadata
// and no error, and a request for all topics with none; the group-level error
// is NONE. kfake answers GROUP_ID_NOT_FOUND there, which sarama's offset
// manager and kafkajs' fetchOffsets treat as fatal for a new group, so the
// server answers such requests itself and leaves the rest to kfake. The
// report for kfake, with a reproduction, is
// docs/upstream/kfake-offsetfetch-unknown-group.md.
// Differs: a multi-group request (v8+) that names both known and unknown
// groups answers the known ones from their committed offsets without
// kfake's member-epoch (KIP-848) and require-stable (KIP-447) checks.

import (
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// answerOffsetFetch answers an OffsetFetch that names a group the cluster
// does not know, and reports false for every other request.
func answerOffsetFetch(c *kfake.Cluster, req kmsg.Request) (kmsg.Response, error, bool) { //nolint:revive // kfake's control signature
	r, ok := req.(*kmsg.OffsetFetchRequest)
	if !ok {
		return nil, nil, false
	}
	if r.Version <= 7 {
		if c.GroupInfo(r.Group) != nil {
			return nil, nil, false
		}
		resp := r.ResponseKind().(*kmsg.OffsetFetchResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewOffsetFetchResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewOffsetFetchResponseTopicPartition()
				rp.Partition = p
				rp.Offset = -1
				rp.LeaderEpoch = -1
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	}
	infos := make([]*kfake.GroupInfo, len(r.Groups))
	missing := false
	for i, g := range r.Groups {
		infos[i] = c.GroupInfo(g.Group)
		missing = missing || infos[i] == nil
	}
	if !missing {
		return nil, nil, false
	}
	resp := r.ResponseKind().(*kmsg.OffsetFetchResponse)
	for i, g := range r.Groups {
		rg := kmsg.NewOffsetFetchResponseGroup()
		rg.Group = g.Group
		var commits map[string]map[int32]kfake.GroupCommit
		if infos[i] != nil {
			commits = infos[i].Commits
		}
		if g.Topics == nil {
			for topic, ps := range commits {
				rt := kmsg.NewOffsetFetchResponseGroupTopic()
				rt.Topic = topic
				if ti := c.TopicInfo(topic); ti != nil {
					rt.TopicID = ti.TopicID
				}
				for p := range ps {
					rt.Partitions = append(rt.Partitions, committedPartition(p, ps))
				}
				rg.Topics = append(rg.Topics, rt)
			}
		}
		for _, t := range g.Topics {
			rt := kmsg.NewOffsetFetchResponseGroupTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			if rt.Topic == "" && r.Version >= 10 {
				if ti := c.TopicIDInfo(t.TopicID); ti != nil {
					rt.Topic = ti.Topic
				}
			}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, committedPartition(p, commits[rt.Topic]))
			}
			rg.Topics = append(rg.Topics, rt)
		}
		resp.Groups = append(resp.Groups, rg)
	}
	return resp, nil, true
}

// committedPartition answers partition p from the commits of its topic, or
// with offset -1 where nothing is committed.
func committedPartition(p int32, commits map[int32]kfake.GroupCommit) kmsg.OffsetFetchResponseGroupTopicPartition {
	rp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
	rp.Partition = p
	rp.Offset, rp.LeaderEpoch = -1, -1
	if cm, ok := commits[p]; ok {
		rp.Offset, rp.LeaderEpoch = cm.Offset, cm.LeaderEpoch
		if cm.Metadata != "" {
			md := cm.Metadata
			rp.Metadata = &md
		}
	}
	return rp
}
