package kinesisfake

// PutRecord.
//
// Matches AWS: MD5 partition-key routing or ExplicitHashKey; the partition
// key, hash key, SequenceNumberForOrdering and stream name validated
// together first (one ValidationException); the record size limit
// (ValidationException); the per-shard write rates
// (ProvisionedThroughputExceededException); SequenceNumberForOrdering makes
// the new sequence number greater than the one given, and one that is not a
// sequence number this stream has issued is InvalidArgumentException
// ("ExclusiveMinimumSequenceNumber ... is invalid."); ShardId,
// SequenceNumber and EncryptionType in the answer; durable before the answer
// with a data directory.
// Differs: nothing known.

type putRecordInput struct {
	streamRef
	Data                      []byte `json:"Data"`
	PartitionKey              string `json:"PartitionKey"`
	ExplicitHashKey           string `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering string `json:"SequenceNumberForOrdering,omitempty"`
}

type putRecordOutput struct {
	ShardID        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType"`
}

func (in *putRecordInput) validate(v *violations) {
	if in.SequenceNumberForOrdering != "" {
		seq := in.SequenceNumberForOrdering
		v.str("sequenceNumberForOrdering", &seq, false, patternSeqNumber, isSeqNumber, 0, 0)
	}
	if in.ExplicitHashKey != "" {
		h := in.ExplicitHashKey
		v.str("explicitHashKey", &h, false, patternHashKey, isHashKey, 0, 0)
	}
	pk := in.PartitionKey
	v.str("partitionKey", &pk, true, "", nil, 1, 256)
	in.streamRef.validate(v)
}

func putRecord(s *Server, c *call, in *putRecordInput) (any, error) {
	st, aerr := s.lookupActive(c, in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	e, aerr := checkRecord(s.maxRecordSize(st), 0, in.PartitionKey, in.ExplicitHashKey, in.Data)
	if aerr != nil {
		return nil, aerr
	}
	var minCounter uint64
	if in.SequenceNumberForOrdering != "" {
		if !validSeqSyntax(in.SequenceNumberForOrdering) {
			return nil, errValidation("sequenceNumberForOrdering", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})", in.SequenceNumberForOrdering)
		}
		_, ctr, created, ok := parseSeq(in.SequenceNumberForOrdering)
		st.mu.Lock()
		future := ok && created == st.createdMs && ctr >= st.nextCounter
		st.mu.Unlock()
		if !ok || future {
			return nil, errInvalid("ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", in.SequenceNumberForOrdering, st.name, s.cfg.AccountID)
		}
		if created == st.createdMs {
			minCounter = ctr + 1
		}
	}
	var res [1]putResult
	enc, err := s.store(c, st, []putEntry{e}, res[:], minCounter)
	if err != nil {
		return nil, err
	}
	if res[0].errCode != "" {
		return nil, newError(res[0].errCode, "%s", res[0].errMsg)
	}
	return putRecordOutput{ShardID: shardIDOf(res[0].shard), SequenceNumber: formatSeq(res[0].shard, res[0].counter, st.createdMs), EncryptionType: enc}, nil
}
