package kinesisfake

// RemoveTagsFromStream.
//
// Matches AWS: removes the named keys; unknown keys are ignored; 1-50 keys of
// 1-128 characters, checked with the stream name before the stream is looked
// up, all violations in one ValidationException; an empty body on success.
// Differs: nothing known.

type removeTagsFromStreamInput struct {
	streamRef
	TagKeys []string `json:"TagKeys"`
}

func (in *removeTagsFromStreamInput) validate(v *violations) {
	v.tagKeys("tagKeys", in.TagKeys, in.TagKeys != nil, true, 1, 50)
	in.streamRef.validate(v)
}

func removeTagsFromStream(s *Server, c *call, in *removeTagsFromStreamInput) (any, error) {
	if len(in.TagKeys) == 0 || len(in.TagKeys) > 50 {
		return nil, errValidation("tagKeys", "Member must have length between 1 and 50", len(in.TagKeys))
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
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
