package kinesisfake

// ListStreamConsumers.
//
// Matches AWS: the stream's consumers in registration order, paged by
// MaxResults (1-10000, default 100) and NextToken.
// Differs: NextToken is a plain offset and does not expire.

import "strconv"

type listStreamConsumersInput struct {
	StreamARN               string   `json:"StreamARN"`
	NextToken               string   `json:"NextToken,omitempty"`
	MaxResults              *int     `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *awsTime `json:"StreamCreationTimestamp,omitempty"`
}

func (in *listStreamConsumersInput) target(s *Server) (string, string) {
	return s.targetOf("", in.StreamARN), ""
}

type listStreamConsumersOutput struct {
	Consumers []consumerOut `json:"Consumers"`
	NextToken string        `json:"NextToken,omitempty"`
}

func listStreamConsumers(s *Server, c *call, in *listStreamConsumersInput) (any, error) {
	if in.StreamARN == "" {
		return nil, errMissing("streamARN")
	}
	max := 100
	if in.MaxResults != nil {
		max = *in.MaxResults
		if max < 1 || max > 10000 {
			return nil, errValidation("maxResults", "Member must have value between 1 and 10000", max)
		}
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 {
			return nil, errInvalid("NextToken %q is not a token this server issued.", in.NextToken)
		}
		start = n
	}
	st, aerr := s.lookup("", in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := listStreamConsumersOutput{Consumers: []consumerOut{}}
	for i := start; i < len(st.consumers); i++ {
		if len(out.Consumers) == max {
			out.NextToken = strconv.Itoa(i)
			break
		}
		out.Consumers = append(out.Consumers, s.describeConsumer(st, st.consumers[i], c.now, false))
	}
	return out, nil
}
