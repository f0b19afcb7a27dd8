package kinesisfake

// UpdateShardCount.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up;
// UNIFORM_SCALING only; the target must be between half and double the open
// shard count (InvalidArgumentException) and within the account quota
// (LimitExceededException); every open shard is CLOSED and TargetShardCount
// children cover the key space uniformly, each naming the old shards its range
// overlaps as parent and adjacent parent; the stream must be ACTIVE and is
// UPDATING for the status delay.
// Differs: AWS reaches the target through a series of splits and merges, so
// its intermediate shards and parent links differ; here a child whose range
// overlaps more than two old shards names only the first two.

type updateShardCountInput struct {
	streamRef
	TargetShardCount *int   `json:"TargetShardCount"`
	ScalingType      string `json:"ScalingType"`
}

type updateShardCountOutput struct {
	StreamName        string `json:"StreamName"`
	StreamARN         string `json:"StreamARN"`
	CurrentShardCount int    `json:"CurrentShardCount"`
	TargetShardCount  int    `json:"TargetShardCount"`
}

func (in *updateShardCountInput) validate(v *violations) {
	v.num("targetShardCount", in.TargetShardCount, true, 1, 1<<31-1)
	st := in.ScalingType
	v.enum("scalingType", &st, true, "UNIFORM_SCALING")
	in.streamRef.validate(v)
}

func updateShardCount(s *Server, c *call, in *updateShardCountInput) (any, error) {
	if in.TargetShardCount == nil {
		return nil, errMissing("targetShardCount")
	}
	if in.ScalingType != "UNIFORM_SCALING" {
		return nil, errValidation("scalingType", "Member must satisfy enum value set: [UNIFORM_SCALING]", in.ScalingType)
	}
	n := *in.TargetShardCount
	if n < 1 {
		return nil, errValidation("targetShardCount", "Member must have value greater than or equal to 1", n)
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	total := s.openShardsTotal()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	if st.mode == "ON_DEMAND" {
		return nil, newError(codeValidation, "UpdateShardCount is not supported for ON_DEMAND stream %s.", st.name)
	}
	cur := len(st.open)
	if n > 2*cur || 2*n < cur {
		return nil, errInvalid("UpdateShardCount to %d shards is not allowed for stream %s under account %s: the target must be between half and double the current %d open shards.", n, st.name, s.cfg.AccountID, cur)
	}
	if lim := s.cfg.limits.ShardsPerAccount; lim > 0 && total-cur+n > lim {
		return nil, newError(codeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Limit: %d.", s.cfg.AccountID, s.cfg.Region, lim)
	}
	old := append([]*shard(nil), st.open...)
	now := c.now.UnixMilli()
	if n != cur {
		for _, sh := range old {
			st.closeShard(sh, now)
		}
		for _, r := range uniformRanges(n) {
			parents := []int{}
			for _, o := range old {
				if !r[1].less(o.start) && !o.end.less(r[0]) {
					parents = append(parents, o.idx)
				}
			}
			p, adj := -1, -1
			if len(parents) > 0 {
				p = parents[0]
			}
			if len(parents) > 1 {
				adj = parents[1]
			}
			st.addShard(r[0], r[1], p, adj, now)
		}
		st.rebuildOpen()
		s.setPending(st, "UPDATING", c.now)
		if err := s.persistMeta(st); err != nil {
			return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
		}
	}
	return updateShardCountOutput{StreamName: st.name, StreamARN: s.streamARN(st.name), CurrentShardCount: cur, TargetShardCount: n}, nil
}
