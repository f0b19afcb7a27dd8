package kinesisfake

// MergeShards.
//
// Matches AWS: two open shards whose hash key ranges are adjacent are CLOSED
// with ending sequence numbers and one child covers both, with
// ParentShardId and AdjacentParentShardId; non-adjacent shards are
// InvalidArgumentException; the stream must be ACTIVE
// (ResourceInUseException) and is UPDATING for the status delay; not for
// ON_DEMAND streams (ValidationException).
// Differs: the merge takes effect at once; only UPDATING is delayed.

type mergeShardsInput struct {
	streamRef
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

func (in *mergeShardsInput) target(s *Server) (string, string) {
	return s.targetOf(in.StreamName, in.StreamARN), in.ShardToMerge
}

func mergeShards(s *Server, c *call, in *mergeShardsInput) (any, error) {
	if in.ShardToMerge == "" {
		return nil, errMissing("shardToMerge")
	}
	if in.AdjacentShardToMerge == "" {
		return nil, errMissing("adjacentShardToMerge")
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	if st.mode == "ON_DEMAND" {
		return nil, newError(codeValidation, "MergeShards is not supported for ON_DEMAND stream %s.", st.name)
	}
	find := func(id string) (*shard, *apiError) {
		idx, ok := parseShardID(id)
		var sh *shard
		if ok {
			sh = st.shard(idx)
		}
		if sh == nil {
			return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", id, st.name, s.cfg.account)
		}
		if sh.closed {
			return nil, errInvalid("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", id, st.name, s.cfg.account)
		}
		return sh, nil
	}
	a, err := find(in.ShardToMerge)
	if err != nil {
		return nil, err
	}
	b, err := find(in.AdjacentShardToMerge)
	if err != nil {
		return nil, err
	}
	lo, hi := a, b
	if b.start.less(a.start) {
		lo, hi = b, a
	}
	if a == b || lo.end.add1() != hi.start {
		return nil, errInvalid("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", in.ShardToMerge, in.AdjacentShardToMerge, st.name, s.cfg.account)
	}
	now := c.now.UnixMilli()
	st.closeShard(a, now)
	st.closeShard(b, now)
	st.addShard(lo.start, hi.end, a.idx, b.idx, now)
	st.rebuildOpen()
	s.setPending(st, "UPDATING", c.now)
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
