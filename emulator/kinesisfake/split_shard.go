package kinesisfake

// SplitShard.
//
// Matches AWS: the parent is CLOSED with an ending sequence number and two
// children take [start, NewStartingHashKey-1] and [NewStartingHashKey, end]
// with sequence numbers above the parent's; NewStartingHashKey must be
// greater than one plus the parent's StartingHashKey and less than its
// EndingHashKey (InvalidArgumentException with AWS's message), and match
// 0|([1-9]\d{0,38}) (ValidationException, with the shard and stream checked
// in the same message); shard IDs resolve as in GetShardIterator; a closed
// or unknown shard is InvalidArgumentException / ResourceNotFoundException;
// the stream must be ACTIVE (ResourceInUseException) and is UPDATING for the
// status delay; the account shard quota applies (LimitExceededException);
// not for ON_DEMAND streams (ValidationException); an empty body on success.
// Differs: the split takes effect at once; only UPDATING is delayed.

type splitShardInput struct {
	streamRef
	ShardToSplit       string `json:"ShardToSplit"`
	NewStartingHashKey string `json:"NewStartingHashKey"`
}

func (in *splitShardInput) target(s *Server) (string, string) {
	return s.targetOf(in.StreamName, in.StreamARN), in.ShardToSplit
}

func (in *splitShardInput) validate(v *violations) {
	h := in.NewStartingHashKey
	v.str("newStartingHashKey", &h, true, patternHashKey, isHashKey, 0, 0)
	id := in.ShardToSplit
	v.str("shardToSplit", &id, true, patternShardID, isStreamName, 1, 128)
	in.streamRef.validate(v)
}

func splitShard(s *Server, c *call, in *splitShardInput) (any, error) {
	idx, ok := parseShardID(in.ShardToSplit)
	if !ok {
		return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", in.ShardToSplit, s.targetOf(in.StreamName, in.StreamARN), s.cfg.AccountID)
	}
	h, ok := parseHashKey(in.NewStartingHashKey)
	if !ok {
		// Matches the pattern but exceeds 2^128-1: outside every shard.
		h = maxHashKey
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	if lim := s.cfg.limits.ShardsPerAccount; lim > 0 && s.openShardsTotal()+1 > lim {
		return nil, newError(codeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Limit: %d.", s.cfg.AccountID, s.cfg.Region, lim)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	if st.mode == "ON_DEMAND" {
		return nil, newError(codeValidation, "SplitShard is not supported for ON_DEMAND stream %s.", st.name)
	}
	sh := st.shard(idx)
	if sh == nil {
		return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", shardIDOf(idx), st.name, s.cfg.AccountID)
	}
	if sh.closed {
		return nil, errInvalid("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", shardIDOf(idx), st.name, s.cfg.AccountID)
	}
	// AWS wants start+1 < NewStartingHashKey < end.
	if !sh.start.add1().less(h) || !h.less(sh.end) {
		return nil, errInvalid("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.", in.NewStartingHashKey, shardIDOf(idx), st.name, s.cfg.AccountID, sh.start, sh.end)
	}
	now := c.now.UnixMilli()
	st.closeShard(sh, now)
	st.addShard(sh.start, h.sub1(), sh.idx, -1, now)
	st.addShard(h, sh.end, sh.idx, -1, now)
	st.rebuildOpen()
	s.setPending(st, "UPDATING", c.now)
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
