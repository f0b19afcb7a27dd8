package kinesisfake

// ListTagsForResource.
//
// Matches AWS: all tags of a stream named by ARN, in key order.
// Differs: consumer ARNs are refused (InvalidArgumentException).

type listTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

func (in *listTagsForResourceInput) target(s *Server) (string, string) {
	return s.targetOf("", in.ResourceARN), ""
}

type listTagsForResourceOutput struct {
	Tags []tagOut `json:"Tags"`
}

func listTagsForResource(s *Server, c *call, in *listTagsForResourceInput) (any, error) {
	st, aerr := s.resourceStream(in.ResourceARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return listTagsForResourceOutput{Tags: sortedTags(st.tags)}, nil
}
