package kinesisfake

// IncreaseStreamRetentionPeriod.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; 24-8760
// hours (InvalidArgumentException outside), and the new value must not be
// below the current one (InvalidArgumentException); records are then kept for
// the new period on the server's clock.
// Differs: records already trimmed do not come back (nor on AWS).

type retentionInput struct {
	streamRef
	RetentionPeriodHours *int `json:"RetentionPeriodHours"`
}

func (in *retentionInput) validate(v *violations) {
	v.num("retentionPeriodHours", in.RetentionPeriodHours, true, 1, 1<<31-1)
	in.streamRef.validate(v)
}

func increaseStreamRetentionPeriod(s *Server, c *call, in *retentionInput) (any, error) {
	return s.changeRetention(in, true)
}

// changeRetention sets the retention period, up or down.
func (s *Server) changeRetention(in *retentionInput, increase bool) (any, error) {
	if in.RetentionPeriodHours == nil {
		return nil, errMissing("retentionPeriodHours")
	}
	h := *in.RetentionPeriodHours
	if h < 24 || h > 8760 {
		return nil, errInvalid("Minimum allowed retention period is 24 hours and maximum is 8760 hours. Requested retention period (%d hours) is out of range.", h)
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if increase && h < st.retentionHours {
		return nil, errInvalid("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", h, st.name, st.retentionHours)
	}
	if !increase && h > st.retentionHours {
		return nil, errInvalid("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", h, st.name, st.retentionHours)
	}
	st.retentionHours = h
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
