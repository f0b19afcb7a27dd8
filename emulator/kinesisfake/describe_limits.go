package kinesisfake

// DescribeLimits.
//
// Matches AWS: the account's shard limit and open shard count, and the
// on-demand stream limit and count, from Limits and the current streams.
// Differs: an unlimited quota (0 in Limits) is reported as 2^31-1, and so
// is the channel limit, which is not enforced.

import "math"

type describeLimitsInput struct{ noTarget }

type describeLimitsOutput struct {
	ShardLimit               int `json:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
	ChannelCount             int `json:"ChannelCount"`
	ChannelCountLimit        int `json:"ChannelCountLimit"`
}

func describeLimits(s *Server, c *call, in *describeLimitsInput) (any, error) {
	out := describeLimitsOutput{ShardLimit: s.cfg.limits.ShardsPerAccount, OnDemandStreamCountLimit: s.cfg.limits.OnDemandStreams}
	if out.ShardLimit == 0 {
		out.ShardLimit = math.MaxInt32
	}
	if out.OnDemandStreamCountLimit == 0 {
		out.OnDemandStreamCountLimit = math.MaxInt32
	}
	out.ChannelCountLimit = math.MaxInt32
	s.mu.RLock()
	out.ChannelCount = len(s.channels)
	for _, st := range s.streams {
		st.mu.Lock()
		out.OpenShardCount += len(st.open)
		if st.mode == "ON_DEMAND" {
			out.OnDemandStreamCount++
		}
		st.mu.Unlock()
	}
	s.mu.RUnlock()
	return out, nil
}
