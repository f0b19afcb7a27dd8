package kinesisfake

// AddTagsToStream.
//
// Matches AWS: adds or overwrites tags; validation of the model first, all
// violations in one message (1-10 tags, keys of 1-128 and values of 0-256
// characters, the stream name), so a malformed request about a missing
// stream is ValidationException; then the stream must exist; keys and
// values of Unicode letters, digits, white space and _ . / = + - @ : only
// (InvalidArgumentException, a % with its own message); at most 50 tags on
// a stream (InvalidArgumentException with AWS's message, which says 10);
// keys starting with aws: are refused; an empty body on success.
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
	if err := addTags(st, in.Tags, s.cfg.AccountID); err != nil {
		return nil, err
	}
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
