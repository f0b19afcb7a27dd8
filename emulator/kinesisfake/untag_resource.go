package kinesisfake

// UntagResource.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; removes
// tag keys from a stream named by ARN.
// Differs: consumer ARNs are refused (InvalidArgumentException).

type untagResourceInput struct {
	TagKeys     []string `json:"TagKeys"`
	ResourceARN string   `json:"ResourceARN"`
}

func (in *untagResourceInput) target(s *Server) (string, string) {
	return s.targetOf("", in.ResourceARN), ""
}

func (in *untagResourceInput) validate(v *violations) {
	v.tagKeys("tagKeys", in.TagKeys, in.TagKeys != nil, true, 1, 50)
	arn := in.ResourceARN
	v.str("resourceARN", &arn, true, "", nil, 1, 2048)
}

func untagResource(s *Server, c *call, in *untagResourceInput) (any, error) {
	if len(in.TagKeys) == 0 {
		return nil, errMissing("tagKeys")
	}
	st, aerr := s.resourceStream(in.ResourceARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, k := range in.TagKeys {
		delete(st.tags, k)
	}
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
