package kinesisfake

// UpdateStreamRecordDistributionStrategy.
//
// Matches AWS: AUTO or USER_PARTITION_KEY (ValidationException otherwise)
// is kept for the stream named by StreamARN.
// Differs: records are always routed by partition key (or ExplicitHashKey),
// as with USER_PARTITION_KEY.

type updateStreamRecordDistributionStrategyInput struct {
	RecordDistributionStrategy string `json:"RecordDistributionStrategy"`
	StreamARN                  string `json:"StreamARN"`
}

func (in *updateStreamRecordDistributionStrategyInput) target(s *Server) (string, string) {
	return s.targetOf("", in.StreamARN), ""
}

func updateStreamRecordDistributionStrategy(s *Server, c *call, in *updateStreamRecordDistributionStrategyInput) (any, error) {
	if in.RecordDistributionStrategy != "AUTO" && in.RecordDistributionStrategy != "USER_PARTITION_KEY" {
		return nil, errValidation("recordDistributionStrategy", "Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]", in.RecordDistributionStrategy)
	}
	if in.StreamARN == "" {
		return nil, errMissing("streamARN")
	}
	st, aerr := s.lookup("", in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.distribution = in.RecordDistributionStrategy
	return struct{}{}, nil
}
