package kinesisfake

// GetResourcePolicy.
//
// Matches AWS: the policy attached to the ARN, or "{}" when there is none.
// Differs: policies are not kept in the data directory.

func getResourcePolicy(s *Server, c *call, in *resourcePolicyInput) (any, error) {
	if _, err := s.lookup("", in.ResourceARN); err != nil {
		return nil, err
	}
	s.mu.RLock()
	p, ok := s.policies[in.ResourceARN]
	s.mu.RUnlock()
	if !ok {
		p = "{}"
	}
	return getResourcePolicyOutput{p}, nil
}
