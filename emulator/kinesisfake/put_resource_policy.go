package kinesisfake

// PutResourcePolicy.
//
// Matches AWS: attaches a JSON policy document to a stream or consumer ARN
// that exists; the document must be JSON (InvalidArgumentException).
// Differs: policies are stored, never evaluated: every caller may do
// everything; they are not kept in the data directory.

import "encoding/json"

type resourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	Policy      string `json:"Policy,omitempty"`
}

func (in *resourcePolicyInput) target(s *Server) (string, string) {
	return s.targetOf("", in.ResourceARN), ""
}

type getResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

func putResourcePolicy(s *Server, c *call, in *resourcePolicyInput) (any, error) {
	if _, err := s.lookup("", in.ResourceARN); err != nil {
		return nil, err
	}
	if in.Policy == "" {
		return nil, errMissing("policy")
	}
	if !json.Valid([]byte(in.Policy)) {
		return nil, errInvalid("Policy is not a valid JSON document.")
	}
	s.mu.Lock()
	s.policies[in.ResourceARN] = in.Policy
	s.mu.Unlock()
	return struct{}{}, nil
}
