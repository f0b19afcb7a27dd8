package kinesisfake

// DescribeChannel.
//
// Matches AWS: ARN, name, ID, status, creation time, role, source streams
// and the encryption, logging and destination configuration as given.
// Differs: S3 and S3 Tables descriptions echo the configuration; nothing
// reports delivery progress.

type describeChannelInput struct{ channelRef }

func describeChannel(s *Server, c *call, in *describeChannelInput) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ch, aerr := s.channelByARN(in.ChannelARN)
	if aerr != nil {
		return nil, aerr
	}
	return channelDescriptionOutput{s.describeChannelLocked(ch, c.now)}, nil
}
