package assertions

import "context"

// Verify opens the job's files, runs every check (each skips itself when an
// input it needs is not configured) and closes them. The error is for
// checks that could not run (unreadable inputs); failed checks are in the
// report.
func Verify(ctx context.Context, cfg Config) (*Report, error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Verify(ctx)
}

// Verify runs every check in a fixed order: delivery, dead letter, lag,
// schema, layout and order.
func (s *Session) Verify(ctx context.Context) (*Report, error) {
	rep := &Report{OK: true}
	for _, check := range []func(context.Context) (Result, error){
		s.Delivery, s.DeadLetter, s.Lag, s.Schema, s.Layout, s.Order,
	} {
		r, err := check(ctx)
		if err != nil {
			return nil, err
		}
		if r.Status == Fail {
			rep.OK = false
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, nil
}
