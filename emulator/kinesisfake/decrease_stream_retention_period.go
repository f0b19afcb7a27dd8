package kinesisfake

// DecreaseStreamRetentionPeriod.
//
// Matches AWS: 24-8760 hours, not above the current period
// (InvalidArgumentException); records older than the new period become
// unreadable at once.
// Differs: nothing known.

func decreaseStreamRetentionPeriod(s *Server, c *call, in *retentionInput) (any, error) {
	return s.changeRetention(in, false)
}
