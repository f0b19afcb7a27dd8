package dynamodbfake

// UpdateTimeToLive.
//
// Matches AWS: enabling and disabling TTL on an attribute, with
// ValidationException "TimeToLive is already enabled" / "TimeToLive is
// already disabled" when nothing would change, and the specification echoed
// back.
// Differs: the change is immediate (AWS takes up to an hour and refuses a
// second change within it); see time_to_live.go for when items go.

type ttlSpecification struct {
	AttributeName string `json:"AttributeName"`
	Enabled       *bool  `json:"Enabled"`
}

type updateTimeToLiveInput struct {
	TableName               string            `json:"TableName"`
	TimeToLiveSpecification *ttlSpecification `json:"TimeToLiveSpecification"`
}

func (in *updateTimeToLiveInput) target() string { return in.TableName }

type updateTimeToLiveOutput struct {
	TimeToLiveSpecification ttlSpecification `json:"TimeToLiveSpecification"`
}

func updateTimeToLive(s *Server, c *call, in *updateTimeToLiveInput) (any, error) {
	sp := in.TimeToLiveSpecification
	if sp == nil {
		return nil, errMissing("timeToLiveSpecification")
	}
	if sp.Enabled == nil {
		return nil, errMissing("timeToLiveSpecification.enabled")
	}
	if sp.AttributeName == "" {
		return nil, errMissing("timeToLiveSpecification.attributeName")
	}
	t, err := s.lookupData("tableName", in.TableName, c.now)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case *sp.Enabled && t.ttlEnabled:
		return nil, errInvalid("TimeToLive is already enabled")
	case !*sp.Enabled && !t.ttlEnabled:
		return nil, errInvalid("TimeToLive is already disabled")
	case !*sp.Enabled && sp.AttributeName != t.ttlAttr:
		return nil, errInvalidf("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.ttlAttr)
	}
	t.ttlEnabled = *sp.Enabled
	if t.ttlEnabled {
		t.ttlAttr = sp.AttributeName
	} else {
		t.ttlAttr = ""
	}
	if err := s.logTable(t); err != nil {
		return nil, err
	}
	return updateTimeToLiveOutput{TimeToLiveSpecification: *sp}, nil
}
