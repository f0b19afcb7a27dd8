package kinesisfake

// AddTagsToStream.
//
// Matches AWS: adds or overwrites tags; at most 50 per stream, keys of 1-128
// characters without the aws: prefix, values up to 256 characters
// (InvalidArgumentException / ValidationException).
// Differs: nothing known.

type addTagsToStreamInput struct {
	streamRef
	Tags map[string]string `json:"Tags"`
}

func (in *addTagsToStreamInput) validate(v *violations) {
	v.tagMap("tags", in.Tags, in.Tags != nil, true, 1, 10)
	in.streamRef.validate(v)
}

func addTagsToStream(s *Server, c *call, in *addTagsToStreamInput) (any, error) {
	if len(in.Tags) == 0 {
		return nil, errMissing("tags")
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := addTags(st, in.Tags, s.cfg.account); err != nil {
		return nil, err
	}
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
