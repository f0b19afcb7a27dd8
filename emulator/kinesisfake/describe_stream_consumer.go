package kinesisfake

// DescribeStreamConsumer.
//
// Matches AWS: by ConsumerARN, or StreamARN and ConsumerName; name, ARN,
// status, creation time and stream ARN.
// Differs: nothing known.

type describeStreamConsumerInput struct{ consumerRef }

type describeStreamConsumerOutput struct {
	ConsumerDescription consumerOut `json:"ConsumerDescription"`
}

func describeStreamConsumer(s *Server, c *call, in *describeStreamConsumerInput) (any, error) {
	st, cs, aerr := s.findConsumer(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if aerr != nil {
		return nil, aerr
	}
	defer st.mu.Unlock()
	return describeStreamConsumerOutput{s.describeConsumer(st, cs, c.now, true)}, nil
}
