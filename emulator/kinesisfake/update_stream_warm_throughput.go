package kinesisfake

// UpdateStreamWarmThroughput.
//
// Matches AWS: records the target warm throughput of an ON_DEMAND stream
// (InvalidArgumentException for PROVISIONED) and reports it as both target
// and current.
// Differs: the write limits do not change with it.

type updateStreamWarmThroughputInput struct {
	streamRef
	WarmThroughputMiBps *int `json:"WarmThroughputMiBps"`
}

type updateStreamWarmThroughputOutput struct {
	StreamARN      string          `json:"StreamARN"`
	StreamName     string          `json:"StreamName"`
	WarmThroughput *warmThroughput `json:"WarmThroughput"`
}

func updateStreamWarmThroughput(s *Server, c *call, in *updateStreamWarmThroughputInput) (any, error) {
	if in.WarmThroughputMiBps == nil {
		return nil, errMissing("warmThroughputMiBps")
	}
	if *in.WarmThroughputMiBps < 0 {
		return nil, errValidation("warmThroughputMiBps", "Member must have value greater than or equal to 0", *in.WarmThroughputMiBps)
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mode != "ON_DEMAND" {
		return nil, errInvalid("Warm throughput can only be set on ON_DEMAND streams; stream %s is %s.", st.name, st.mode)
	}
	st.warmMiBps = *in.WarmThroughputMiBps
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return updateStreamWarmThroughputOutput{StreamARN: s.streamARN(st.name), StreamName: st.name,
		WarmThroughput: &warmThroughput{TargetMiBps: intPtr(st.warmMiBps), CurrentMiBps: intPtr(st.warmMiBps)}}, nil
}
