package dynamodbfake

// DescribeTimeToLive.
//
// Matches AWS: TimeToLiveStatus ENABLED or DISABLED with the attribute name
// when enabled; ResourceNotFoundException for a missing table.
// Differs: the ENABLING and DISABLING states are never reported; changes
// take effect at once.

type describeTimeToLiveInput struct {
	TableName string `json:"TableName"`
}

func (in *describeTimeToLiveInput) target() string { return in.TableName }

type ttlDescription struct {
	TimeToLiveStatus string `json:"TimeToLiveStatus"`
	AttributeName    string `json:"AttributeName,omitempty"`
}

type describeTimeToLiveOutput struct {
	TimeToLiveDescription ttlDescription `json:"TimeToLiveDescription"`
}

func describeTimeToLive(s *Server, c *call, in *describeTimeToLiveInput) (any, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.ttlEnabled {
		return describeTimeToLiveOutput{TimeToLiveDescription: ttlDescription{TimeToLiveStatus: "DISABLED"}}, nil
	}
	return describeTimeToLiveOutput{TimeToLiveDescription: ttlDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.ttlAttr}}, nil
}
