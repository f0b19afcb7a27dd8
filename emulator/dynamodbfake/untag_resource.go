package dynamodbfake

// UntagResource.
//
// Matches AWS: the named keys removed from a table named by its ARN (keys
// it does not have are ignored); ResourceNotFoundException for an ARN of no
// table, ValidationException for a malformed ARN.

type untagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

func (in *untagResourceInput) target() string { return arnTable(in.ResourceArn) }

func untagResource(s *Server, c *call, in *untagResourceInput) (any, error) {
	if in.TagKeys == nil {
		return nil, errMissing("tagKeys")
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(map[string]string, len(t.tags))
	for k, v := range t.tags {
		next[k] = v
	}
	for _, k := range in.TagKeys {
		delete(next, k)
	}
	t.tags = next
	return nil, s.logTable(t)
}
