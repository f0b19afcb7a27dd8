package kinesisfake

// UpdateMaxRecordSize.
//
// Matches AWS: sets the stream's largest record (data plus partition key)
// to 1024-10240 KiB; PutRecord(s) then refuse larger records.
// Differs: takes effect at once, without UPDATING.

type updateMaxRecordSizeInput struct {
	StreamARN          string `json:"StreamARN"`
	MaxRecordSizeInKiB *int   `json:"MaxRecordSizeInKiB"`
}

func (in *updateMaxRecordSizeInput) target(s *Server) (string, string) {
	return s.targetOf("", in.StreamARN), ""
}

func updateMaxRecordSize(s *Server, c *call, in *updateMaxRecordSizeInput) (any, error) {
	if in.MaxRecordSizeInKiB == nil {
		return nil, errMissing("maxRecordSizeInKiB")
	}
	if v := *in.MaxRecordSizeInKiB; v < 1024 || v > 10240 {
		return nil, errValidation("maxRecordSizeInKiB", "Member must have value between 1024 and 10240", v)
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
	st.maxRecordKiB = *in.MaxRecordSizeInKiB
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
