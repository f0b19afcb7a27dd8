package kinesisfake

// DeleteStream.
//
// Matches AWS: by name or ARN; a stream with registered consumers is
// ResourceInUseException unless EnforceConsumerDeletion; iterators and
// subscriptions of the deleted stream stop working (ResourceNotFoundException),
// also when a stream of the same name is created again.
// Differs: the stream is gone at once instead of DELETING for a while.

type deleteStreamInput struct {
	streamRef
	EnforceConsumerDeletion *bool `json:"EnforceConsumerDeletion,omitempty"`
}

func deleteStream(s *Server, c *call, in *deleteStreamInput) (any, error) {
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.streams[st.name] != st {
		return nil, errStreamNotFound(st.name, s.cfg.AccountID)
	}
	if len(st.consumers) > 0 && (in.EnforceConsumerDeletion == nil || !*in.EnforceConsumerDeletion) {
		return nil, errInUse("Stream %s under account %s has registered consumers; deregister them or set EnforceConsumerDeletion.", st.name, s.cfg.AccountID)
	}
	if err := s.persistDelete(st.name); err != nil {
		return nil, newError(codeInternalFailure, "persisting the deletion of stream %s: %v", st.name, err)
	}
	delete(s.streams, st.name)
	st.deleted = true
	st.wake()
	return struct{}{}, nil
}
