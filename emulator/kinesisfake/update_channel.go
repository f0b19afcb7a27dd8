package kinesisfake

// UpdateChannel.
//
// Matches AWS: replaces the logging configuration and the destination's
// DataFreshnessInSeconds; updating the destination type the channel does not
// have is InvalidArgumentException.
// Differs: takes effect at once, without UPDATING.

type updateChannelInput struct {
	channelRef
	LoggingConfiguration       any `json:"LoggingConfiguration,omitempty"`
	S3DestinationConfiguration *struct {
		DataFreshnessInSeconds *int `json:"DataFreshnessInSeconds"`
	} `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *struct {
		DataFreshnessInSeconds *int `json:"DataFreshnessInSeconds"`
	} `json:"S3TablesDestinationConfiguration,omitempty"`
}

func updateChannel(s *Server, c *call, in *updateChannelInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.channelByARN(in.ChannelARN)
	if aerr != nil {
		return nil, aerr
	}
	setFreshness := func(dest any, v *int) any {
		m, _ := dest.(map[string]any)
		out := map[string]any{}
		for k, x := range m {
			out[k] = x
		}
		if v != nil {
			out["DataFreshnessInSeconds"] = *v
		}
		return out
	}
	if in.S3DestinationConfiguration != nil {
		if ch.s3 == nil {
			return nil, errInvalid("Channel %s has no S3 destination to update.", ch.name)
		}
		ch.s3 = setFreshness(ch.s3, in.S3DestinationConfiguration.DataFreshnessInSeconds)
	}
	if in.S3TablesDestinationConfiguration != nil {
		if ch.s3Tables == nil {
			return nil, errInvalid("Channel %s has no S3 Tables destination to update.", ch.name)
		}
		ch.s3Tables = setFreshness(ch.s3Tables, in.S3TablesDestinationConfiguration.DataFreshnessInSeconds)
	}
	if in.LoggingConfiguration != nil {
		ch.logging = in.LoggingConfiguration
	}
	return channelDescriptionOutput{s.describeChannelLocked(ch, c.now)}, nil
}
