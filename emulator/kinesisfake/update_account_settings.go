package kinesisfake

// UpdateAccountSettings.
//
// Matches AWS: MinimumThroughputBillingCommitment Status ENABLED starts a
// commitment with an earliest end 24 hours later; DISABLED before then gives
// ENABLED_UNTIL_EARLIEST_ALLOWED_END, after it DISABLED.
// Differs: nothing is billed; the setting is not kept in the data directory.

type updateAccountSettingsInput struct {
	noTarget
	MinimumThroughputBillingCommitment *struct {
		Status string `json:"Status"`
	} `json:"MinimumThroughputBillingCommitment"`
}

func updateAccountSettings(s *Server, c *call, in *updateAccountSettingsInput) (any, error) {
	if in.MinimumThroughputBillingCommitment == nil {
		return nil, errMissing("minimumThroughputBillingCommitment")
	}
	st := in.MinimumThroughputBillingCommitment.Status
	if st != "ENABLED" && st != "DISABLED" {
		return nil, errValidation("minimumThroughputBillingCommitment.status", "Member must satisfy enum value set: [ENABLED, DISABLED]", st)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.billingLocked()
	switch {
	case st == "ENABLED" && cur.Status != "ENABLED":
		s.billing = &billingCommitment{Status: "ENABLED", StartedAt: newAWSTime(c.now), EarliestAllowedEndAt: newAWSTime(c.now.Add(minimumCommitment))}
	case st == "DISABLED" && cur.Status == "ENABLED":
		b := *cur
		if c.now.Before(cur.EarliestAllowedEndAt.Time) {
			b.Status = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
			b.EndedAt = cur.EarliestAllowedEndAt
		} else {
			b.Status = "DISABLED"
			b.EndedAt = newAWSTime(c.now)
		}
		s.billing = &b
	}
	return accountSettingsOutput{s.billingLocked()}, nil
}
