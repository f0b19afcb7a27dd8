package kinesisfake

// MergeShards.
//
// Matches AWS: ShardToMerge and AdjacentShardToMerge, in that order, must be
// open shards whose hash key ranges meet (the first ending where the second
// begins); non-adjacent or inverted pairs are InvalidArgumentException with
// AWS's message naming both shards; shard IDs resolve as in
// GetShardIterator; the two shards and the stream validated together first;
// both are CLOSED with ending sequence numbers and one child covers both,
// with ParentShardId and AdjacentParentShardId; the stream must be ACTIVE
// (ResourceInUseException, checked after the shards, as on AWS) and is
// UPDATING for the status delay; not for ON_DEMAND streams
// (ValidationException); an empty body on success.
// Differs: the merge takes effect at once; only UPDATING is delayed.

type mergeShardsInput struct {
	streamRef
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

func (in *mergeShardsInput) target(s *Server) (string, string) {
	return s.targetOf(in.StreamName, in.StreamARN), in.ShardToMerge
}

func (in *mergeShardsInput) validate(v *violations) {
	a, b := in.ShardToMerge, in.AdjacentShardToMerge
	v.str("shardToMerge", &a, true, patternShardID, isStreamName, 1, 128)
	v.str("adjacentShardToMerge", &b, true, patternShardID, isStreamName, 1, 128)
	in.streamRef.validate(v)
}

func mergeShards(s *Server, c *call, in *mergeShardsInput) (any, error) {
	var idx [2]int
	for i, id := range []string{in.ShardToMerge, in.AdjacentShardToMerge} {
		n, ok := parseShardID(id)
		if !ok {
			return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", id, s.targetOf(in.StreamName, in.StreamARN), s.cfg.AccountID)
		}
		idx[i] = n
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mode == "ON_DEMAND" {
		return nil, newError(codeValidation, "MergeShards is not supported for ON_DEMAND stream %s.", st.name)
	}
	find := func(i int) (*shard, *apiError) {
		sh := st.shard(i)
		if sh == nil {
			return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", shardIDOf(i), st.name, s.cfg.AccountID)
		}
		if sh.closed {
			return nil, errInvalid("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", shardIDOf(i), st.name, s.cfg.AccountID)
		}
		return sh, nil
	}
	a, err := find(idx[0])
	if err != nil {
		return nil, err
	}
	b, err := find(idx[1])
	if err != nil {
		return nil, err
	}
	// AWS merges only ShardToMerge followed by AdjacentShardToMerge: the
	// first's range must end where the second's begins.
	if a == b || a.end == maxHashKey || a.end.add1() != b.start {
		return nil, errInvalid("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", shardIDOf(a.idx), shardIDOf(b.idx), st.name, s.cfg.AccountID)
	}
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	lo, hi := a, b
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
