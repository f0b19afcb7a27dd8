package kinesisfake

// DeleteChannel.
//
// Matches AWS: by ChannelARN; an unknown channel is
// ResourceNotFoundException.
// Differs: the channel is gone at once instead of DELETING for a while.

type deleteChannelInput struct{ channelRef }

func deleteChannel(s *Server, c *call, in *deleteChannelInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.channelByARN(in.ChannelARN)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.channels, ch.name)
	return struct{}{}, nil
}
