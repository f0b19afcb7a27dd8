package kinesisfake

// UpdateStreamMode.
//
// Matches AWS: switches between PROVISIONED and ON_DEMAND by StreamARN;
// the stream must be ACTIVE (ResourceInUseException) and is UPDATING for the
// status delay; WarmThroughputMiBps is kept.
// Differs: the shards stay as they are in both directions.

type updateStreamModeInput struct {
	StreamARN           string             `json:"StreamARN"`
	StreamModeDetails   *streamModeDetails `json:"StreamModeDetails"`
	WarmThroughputMiBps *int               `json:"WarmThroughputMiBps,omitempty"`
}

func (in *updateStreamModeInput) target(s *Server) (string, string) {
	return s.targetOf("", in.StreamARN), ""
}

func updateStreamMode(s *Server, c *call, in *updateStreamModeInput) (any, error) {
	if in.StreamARN == "" {
		return nil, errMissing("streamARN")
	}
	if in.StreamModeDetails == nil {
		return nil, errMissing("streamModeDetails")
	}
	mode := in.StreamModeDetails.StreamMode
	if mode != "PROVISIONED" && mode != "ON_DEMAND" {
		return nil, errValidation("streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]", mode)
	}
	st, aerr := s.lookup("", in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	if st.mode == mode {
		return nil, errInvalid("Stream %s under account %s is already in %s mode.", st.name, s.cfg.AccountID, mode)
	}
	st.mode = mode
	if in.WarmThroughputMiBps != nil {
		st.warmMiBps = *in.WarmThroughputMiBps
	}
	s.setPending(st, "UPDATING", c.now)
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
