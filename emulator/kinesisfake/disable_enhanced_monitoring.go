package kinesisfake

// DisableEnhancedMonitoring.
//
// Matches AWS: removes the named shard-level metrics (or ALL); the answer
// has the current and desired sets.
// Differs: no metrics are published anywhere.

func disableEnhancedMonitoring(s *Server, c *call, in *enhancedMonitoringInput) (any, error) {
	return s.setMonitoring(in, false)
}
