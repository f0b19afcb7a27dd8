package kinesisfake

// CreateChannel.
//
// Matches AWS: a name (1-128 of [a-zA-Z0-9_.-]) unique in the account
// (ResourceInUseException); a service execution role; 1 or more source
// streams that exist (ResourceNotFoundException); exactly one destination,
// S3 or S3 Tables (InvalidArgumentException); CREATING for the status delay,
// then ACTIVE; the configuration is reported back by DescribeChannel.
// Differs: nothing is delivered anywhere, the role is not assumed, and
// channels are not kept in the data directory.

type createChannelInput struct {
	noTarget
	ChannelName                      string            `json:"ChannelName"`
	ServiceExecutionRoleARN          string            `json:"ServiceExecutionRoleARN"`
	StreamConfigurationList          []channelStream   `json:"StreamConfigurationList"`
	EncryptionConfiguration          any               `json:"EncryptionConfiguration,omitempty"`
	LoggingConfiguration             any               `json:"LoggingConfiguration,omitempty"`
	S3DestinationConfiguration       any               `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration any               `json:"S3TablesDestinationConfiguration,omitempty"`
	Tags                             map[string]string `json:"Tags,omitempty"`
}

func createChannel(s *Server, c *call, in *createChannelInput) (any, error) {
	if in.ChannelName == "" {
		return nil, errMissing("channelName")
	}
	if err := validStreamName("channelName", in.ChannelName); err != nil {
		return nil, err
	}
	if in.ServiceExecutionRoleARN == "" {
		return nil, errMissing("serviceExecutionRoleARN")
	}
	if len(in.StreamConfigurationList) == 0 {
		return nil, errMissing("streamConfigurationList")
	}
	if (in.S3DestinationConfiguration == nil) == (in.S3TablesDestinationConfiguration == nil) {
		return nil, errInvalid("Give exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	streams := make([]channelStream, len(in.StreamConfigurationList))
	for i, sc := range in.StreamConfigurationList {
		st, aerr := s.lookup("", sc.StreamARN)
		if aerr != nil {
			return nil, aerr
		}
		st.mu.Lock()
		sc.StreamCreationTimestamp = msTime(st.createdMs)
		st.mu.Unlock()
		streams[i] = sc
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[in.ChannelName]; ok {
		return nil, errInUse("Channel %s under account %s already exists.", in.ChannelName, s.cfg.AccountID)
	}
	created := c.now.UnixMilli()
	ch := &channel{
		name: in.ChannelName, id: s.channelID(in.ChannelName, created), createdMs: created,
		role: in.ServiceExecutionRoleARN, streams: streams,
		encryption: in.EncryptionConfiguration, logging: in.LoggingConfiguration,
		s3: in.S3DestinationConfiguration, s3Tables: in.S3TablesDestinationConfiguration,
		tags: copyTags(in.Tags),
	}
	s.channels[ch.name] = ch
	return channelDescriptionOutput{s.describeChannelLocked(ch, c.now)}, nil
}
