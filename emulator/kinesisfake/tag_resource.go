package kinesisfake

// TagResource.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; tags a
// stream by its ARN, with AddTagsToStream's limits.
// Differs: consumer ARNs are refused (InvalidArgumentException).

type tagResourceInput struct {
	Tags        map[string]string `json:"Tags"`
	ResourceARN string            `json:"ResourceARN"`
}

func (in *tagResourceInput) target(s *Server) (string, string) {
	return s.targetOf("", in.ResourceARN), ""
}

func (in *tagResourceInput) validate(v *violations) {
	v.tagMap("tags", in.Tags, in.Tags != nil, true, 1, 50)
	arn := in.ResourceARN
	v.str("resourceARN", &arn, true, "", nil, 1, 2048)
}

func tagResource(s *Server, c *call, in *tagResourceInput) (any, error) {
	if len(in.Tags) == 0 {
		return nil, errMissing("tags")
	}
	st, aerr := s.resourceStream(in.ResourceARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := addTags(st, in.Tags, s.cfg.AccountID); err != nil {
		return nil, err
	}
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
