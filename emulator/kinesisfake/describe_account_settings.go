package kinesisfake

// DescribeAccountSettings.
//
// Matches AWS: reports the minimum throughput billing commitment set by
// UpdateAccountSettings (DISABLED until one is set).
// Differs: nothing is billed; the setting is not kept in the data directory.

import "time"

type billingCommitment struct {
	Status               string   `json:"Status"`
	StartedAt            *awsTime `json:"StartedAt,omitempty"`
	EndedAt              *awsTime `json:"EndedAt,omitempty"`
	EarliestAllowedEndAt *awsTime `json:"EarliestAllowedEndAt,omitempty"`
}

type describeAccountSettingsInput struct{ noTarget }

type accountSettingsOutput struct {
	MinimumThroughputBillingCommitment *billingCommitment `json:"MinimumThroughputBillingCommitment"`
}

func describeAccountSettings(s *Server, c *call, in *describeAccountSettingsInput) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return accountSettingsOutput{s.billingLocked()}, nil
}

func (s *Server) billingLocked() *billingCommitment {
	if s.billing == nil {
		return &billingCommitment{Status: "DISABLED"}
	}
	b := *s.billing
	return &b
}

// minimumCommitment is how long AWS holds a billing commitment once enabled.
const minimumCommitment = 24 * time.Hour
