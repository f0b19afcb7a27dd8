package kinesisfake

// DescribeStream.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; status,
// mode, ARN, retention, encryption, enhanced monitoring, creation time and
// shards (open and closed, with parents and sequence number ranges) paged by
// Limit (1-10000, default 100) and ExclusiveStartShardId with HasMoreShards.
// Differs: closed shards stay listed after their records expire.

type describeStreamInput struct {
	streamRef
	Limit                 *int   `json:"Limit,omitempty"`
	ExclusiveStartShardID string `json:"ExclusiveStartShardId,omitempty"`
}

type streamDescription struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	Shards                  []shardOut        `json:"Shards"`
	HasMoreShards           bool              `json:"HasMoreShards"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours"`
	StreamCreationTimestamp *awsTime          `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
	KeyID                   string            `json:"KeyId,omitempty"`
}

type describeStreamOutput struct {
	StreamDescription streamDescription `json:"StreamDescription"`
}

func (in *describeStreamInput) validate(v *violations) {
	v.num("limit", in.Limit, false, 1, 10000)
	if in.ExclusiveStartShardID != "" {
		id := in.ExclusiveStartShardID
		v.str("exclusiveStartShardId", &id, false, patternShardID, isStreamName, 1, 128)
	}
	in.streamRef.validate(v)
}

func describeStream(s *Server, c *call, in *describeStreamInput) (any, error) {
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	after := -1
	if in.ExclusiveStartShardID != "" {
		idx, ok := parseShardID(in.ExclusiveStartShardID)
		if !ok {
			return nil, errValidation("exclusiveStartShardId", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", in.ExclusiveStartShardID)
		}
		after = idx
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	d := streamDescription{
		StreamName:              st.name,
		StreamARN:               s.streamARN(st.name),
		StreamStatus:            st.status(c.now),
		StreamModeDetails:       streamModeDetails{st.mode},
		Shards:                  []shardOut{},
		RetentionPeriodHours:    st.retentionHours,
		StreamCreationTimestamp: msTime(st.createdMs),
		EnhancedMonitoring:      st.enhancedMonitoring(),
		EncryptionType:          st.encryptionType(),
		KeyID:                   st.keyID,
	}
	for _, sh := range st.shards {
		if sh.idx <= after {
			continue
		}
		if len(d.Shards) == limit {
			d.HasMoreShards = true
			break
		}
		d.Shards = append(d.Shards, st.describeShard(sh))
	}
	return describeStreamOutput{d}, nil
}
