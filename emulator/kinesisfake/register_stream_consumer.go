package kinesisfake

// RegisterStreamConsumer.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; a consumer
// name (1-128 of [a-zA-Z0-9_.-]) per stream, unique (ResourceInUseException),
// at most 20 per stream (LimitExceededException); CREATING for the status
// delay, then ACTIVE; the ARN has AWS's form with the creation time in epoch
// seconds.
// Differs: consumer tags are accepted and not kept.

type registerStreamConsumerInput struct {
	StreamARN    string            `json:"StreamARN"`
	ConsumerName string            `json:"ConsumerName"`
	Tags         map[string]string `json:"Tags,omitempty"`
}

func (in *registerStreamConsumerInput) target(s *Server) (string, string) {
	return s.targetOf("", in.StreamARN), ""
}

type registerStreamConsumerOutput struct {
	Consumer consumerOut `json:"Consumer"`
}

func (in *registerStreamConsumerInput) validate(v *violations) {
	arn, name := in.StreamARN, in.ConsumerName
	v.str("streamARN", &arn, true, patternStreamARN, isStreamARN, 1, 2048)
	v.str("consumerName", &name, true, patternStreamName, isStreamName, 1, 128)
	v.tagMap("tags", in.Tags, in.Tags != nil, false, 0, 50)
}

func registerStreamConsumer(s *Server, c *call, in *registerStreamConsumerInput) (any, error) {
	if in.StreamARN == "" {
		return nil, errMissing("streamARN")
	}
	if in.ConsumerName == "" {
		return nil, errMissing("consumerName")
	}
	if err := validStreamName("consumerName", in.ConsumerName); err != nil {
		return nil, err
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	st, aerr := s.lookup("", in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, cs := range st.consumers {
		if cs.Name == in.ConsumerName {
			return nil, errInUse("Consumer %s already exists for stream %s under account %s.", in.ConsumerName, st.name, s.cfg.AccountID)
		}
	}
	if len(st.consumers) >= maxConsumersPerStream {
		return nil, newError(codeLimitExceeded, "Stream %s under account %s already has %d registered consumers, the limit.", st.name, s.cfg.AccountID, maxConsumersPerStream)
	}
	cs := &consumer{Name: in.ConsumerName, CreatedMs: c.now.UnixMilli()}
	st.consumers = append(st.consumers, cs)
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return registerStreamConsumerOutput{s.describeConsumer(st, cs, c.now, false)}, nil
}
