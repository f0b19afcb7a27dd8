package kinesisfake

// CreateStream.
//
// Matches AWS: PROVISIONED streams with ShardCount shards over uniform hash
// key ranges, ON_DEMAND streams with 4 shards, Tags, MaxRecordSizeInKiB
// (1024-10240) and WarmThroughputMiBps kept; a second stream of the same
// name is ResourceInUseException; the account's open shard and on-demand
// stream quotas (Limits) give LimitExceededException; the stream is CREATING
// for the configured status delay, then ACTIVE; every violated constraint of
// the input (shardCount, streamName, mode, record size, tags) in one
// ValidationException before anything is looked up; tag characters as
// AddTagsToStream checks them; an empty body on success.
// Differs: a StreamName left out of the JSON is read as empty (pattern and
// length violations) rather than null, as the SDKs always send it; on-demand
// streams never scale by themselves; the record distribution strategy is
// kept and has no effect: records are routed by partition key.

import (
	"time"
)

type createStreamInput struct {
	streamRef
	ShardCount                 *int               `json:"ShardCount,omitempty"`
	StreamModeDetails          *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Tags                       map[string]string  `json:"Tags,omitempty"`
	MaxRecordSizeInKiB         *int               `json:"MaxRecordSizeInKiB,omitempty"`
	WarmThroughputMiBps        *int               `json:"WarmThroughputMiBps,omitempty"`
	RecordDistributionStrategy string             `json:"RecordDistributionStrategy,omitempty"`
}

const onDemandShards = 4

func (in *createStreamInput) validate(v *violations) {
	v.num("shardCount", in.ShardCount, false, 1, 1<<31-1)
	name := in.StreamName
	v.str("streamName", &name, true, patternStreamName, isStreamName, 1, 128)
	if in.StreamModeDetails != nil {
		m := in.StreamModeDetails.StreamMode
		v.enum("streamModeDetails.streamMode", &m, true, "PROVISIONED", "ON_DEMAND")
	}
	v.num("maxRecordSizeInKiB", in.MaxRecordSizeInKiB, false, 1024, 10240)
	v.tagMap("tags", in.Tags, in.Tags != nil, false, 0, 200)
	if in.RecordDistributionStrategy != "" {
		d := in.RecordDistributionStrategy
		v.enum("recordDistributionStrategy", &d, false, "AUTO", "USER_PARTITION_KEY")
	}
}

func createStream(s *Server, c *call, in *createStreamInput) (any, error) {
	if in.StreamName == "" {
		return nil, errMissing("streamName")
	}
	if err := validStreamName("streamName", in.StreamName); err != nil {
		return nil, err
	}
	mode := "PROVISIONED"
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
	}
	if mode != "PROVISIONED" && mode != "ON_DEMAND" {
		return nil, errValidation("streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]", mode)
	}
	n := onDemandShards
	if mode == "PROVISIONED" {
		if in.ShardCount == nil {
			return nil, errInvalid("ShardCount is required for a PROVISIONED stream.")
		}
		n = *in.ShardCount
		if n < 1 {
			return nil, errValidation("shardCount", "Member must have value greater than or equal to 1", n)
		}
	}
	if in.MaxRecordSizeInKiB != nil && (*in.MaxRecordSizeInKiB < 1024 || *in.MaxRecordSizeInKiB > 10240) {
		return nil, errValidation("maxRecordSizeInKiB", "Member must have value between 1024 and 10240", *in.MaxRecordSizeInKiB)
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	switch in.RecordDistributionStrategy {
	case "", "AUTO", "USER_PARTITION_KEY":
	default:
		return nil, errValidation("recordDistributionStrategy", "Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]", in.RecordDistributionStrategy)
	}
	lim := s.cfg.limits
	if lim.ShardsPerAccount > 0 {
		if open := s.openShardsTotal(); open+n > lim.ShardsPerAccount {
			return nil, newError(codeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d.", s.cfg.AccountID, s.cfg.Region, open, lim.ShardsPerAccount, n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.streams[in.StreamName]; ok {
		return nil, errInUse("Stream %s under account %s already exists.", in.StreamName, s.cfg.AccountID)
	}
	if mode == "ON_DEMAND" && lim.OnDemandStreams > 0 {
		count := 0
		for _, o := range s.streams {
			if o.mode == "ON_DEMAND" {
				count++
			}
		}
		if count >= lim.OnDemandStreams {
			return nil, newError(codeLimitExceeded, "This request would exceed the on-demand stream count limit of %d for the account %s in %s.", lim.OnDemandStreams, s.cfg.AccountID, s.cfg.Region)
		}
	}
	now := c.now
	st := &stream{
		name:           in.StreamName,
		createdMs:      s.uniqueCreatedMs(now),
		mode:           mode,
		retentionHours: DefaultRetentionHours,
		tags:           copyTags(in.Tags),
		notify:         make(chan struct{}),
		nextCounter:    1, // counters start at 1 so that "the one before" always exists
	}
	if in.MaxRecordSizeInKiB != nil {
		st.maxRecordKiB = *in.MaxRecordSizeInKiB
	}
	if in.WarmThroughputMiBps != nil {
		st.warmMiBps = *in.WarmThroughputMiBps
	}
	st.distribution = in.RecordDistributionStrategy
	for _, r := range uniformRanges(n) {
		st.addShard(r[0], r[1], -1, -1, now.UnixMilli())
	}
	st.rebuildOpen()
	s.setPending(st, "CREATING", now)
	st.mu.Lock()
	err := s.persistMeta(st)
	st.mu.Unlock()
	if err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	s.streams[st.name] = st
	return struct{}{}, nil
}

// uniqueCreatedMs is the creation time in milliseconds, used to tell a
// re-created stream from the one deleted before it.
func (s *Server) uniqueCreatedMs(now time.Time) int64 {
	ms := now.UnixMilli()
	for {
		prev := s.lastCreated.Load()
		next := ms
		if next <= prev {
			next = prev + 1
		}
		if s.lastCreated.CompareAndSwap(prev, next) {
			return next
		}
	}
}

func copyTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}
