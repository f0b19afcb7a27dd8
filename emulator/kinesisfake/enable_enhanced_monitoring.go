package kinesisfake

// EnableEnhancedMonitoring.
//
// Matches AWS: shard-level metric names (or ALL) are validated and kept;
// the answer has the current and desired sets.
// Differs: no metrics are published anywhere.

import "sort"

var shardLevelMetrics = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}

type enhancedMonitoringInput struct {
	streamRef
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type enhancedMonitoringOutput struct {
	StreamName               string   `json:"StreamName"`
	StreamARN                string   `json:"StreamARN"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
}

func enableEnhancedMonitoring(s *Server, c *call, in *enhancedMonitoringInput) (any, error) {
	return s.setMonitoring(in, true)
}

func (s *Server) setMonitoring(in *enhancedMonitoringInput, enable bool) (any, error) {
	if len(in.ShardLevelMetrics) == 0 {
		return nil, errMissing("shardLevelMetrics")
	}
	want := map[string]bool{}
	for _, m := range in.ShardLevelMetrics {
		if m == "ALL" {
			for _, a := range shardLevelMetrics {
				want[a] = true
			}
			continue
		}
		ok := false
		for _, a := range shardLevelMetrics {
			ok = ok || a == m
		}
		if !ok {
			return nil, errValidation("shardLevelMetrics", "Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]", m)
		}
		want[m] = true
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	cur := append([]string{}, st.metrics...)
	set := map[string]bool{}
	for _, m := range st.metrics {
		set[m] = true
	}
	for m := range want {
		set[m] = enable
	}
	next := []string{}
	for m, on := range set {
		if on {
			next = append(next, m)
		}
	}
	sort.Strings(next)
	st.metrics = next
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return enhancedMonitoringOutput{StreamName: st.name, StreamARN: s.streamARN(st.name), CurrentShardLevelMetrics: cur, DesiredShardLevelMetrics: next}, nil
}
