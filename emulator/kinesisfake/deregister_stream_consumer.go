package kinesisfake

// DeregisterStreamConsumer.
//
// Matches AWS: by ConsumerARN, or StreamARN and ConsumerName; an unknown
// consumer is ResourceNotFoundException; its subscriptions end.
// Differs: the consumer is gone at once instead of DELETING for a while.

type deregisterStreamConsumerInput struct{ consumerRef }

func deregisterStreamConsumer(s *Server, c *call, in *deregisterStreamConsumerInput) (any, error) {
	st, cs, aerr := s.findConsumer(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if aerr != nil {
		return nil, aerr
	}
	defer st.mu.Unlock()
	for i, o := range st.consumers {
		if o == cs {
			st.consumers = append(st.consumers[:i:i], st.consumers[i+1:]...)
			break
		}
	}
	st.wake()
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
