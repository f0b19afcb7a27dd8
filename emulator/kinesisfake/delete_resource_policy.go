package kinesisfake

// DeleteResourcePolicy.
//
// Matches AWS: removes the policy attached to the ARN; the resource must
// exist (ResourceNotFoundException).
// Differs: policies are not kept in the data directory.

func deleteResourcePolicy(s *Server, c *call, in *resourcePolicyInput) (any, error) {
	if _, err := s.lookup("", in.ResourceARN); err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.policies, in.ResourceARN)
	s.mu.Unlock()
	return struct{}{}, nil
}
