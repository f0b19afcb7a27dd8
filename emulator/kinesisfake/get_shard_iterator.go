package kinesisfake

// GetShardIterator.
//
// Matches AWS: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER,
// AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP (a timestamp in the future is
// InvalidArgumentException); the iterator type, shard ID, sequence number and
// stream name validated together first (one ValidationException); shard IDs
// resolved as AWS resolves them (shardId-000000000001, shardId-1, 1 and
// anything-1 are shard 1; one that is no number is ResourceNotFoundException
// "Could not find shard"); a StartingSequenceNumber with TRIM_HORIZON or
// LATEST, or none with AT/AFTER_SEQUENCE_NUMBER, is InvalidArgumentException
// with AWS's message, as is one that is not a sequence number of this server,
// one of another shard ("It encodes ...") or of another stream; a shard that
// does not exist is ResourceNotFoundException; iterators are opaque, signed
// and expire after the iterator TTL (5 minutes by default); closed shards can
// still be read.
// Differs: a sequence number below the trim horizon starts at the horizon
// instead of failing.

type getShardIteratorInput struct {
	streamRef
	ShardID                string   `json:"ShardId"`
	ShardIteratorType      string   `json:"ShardIteratorType"`
	StartingSequenceNumber string   `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *awsTime `json:"Timestamp,omitempty"`
}

func (in *getShardIteratorInput) target(s *Server) (string, string) {
	return s.targetOf(in.StreamName, in.StreamARN), in.ShardID
}

type getShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

func (in *getShardIteratorInput) validate(v *violations) {
	typ := in.ShardIteratorType
	v.enum("shardIteratorType", &typ, true, "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
	id := in.ShardID
	v.str("shardId", &id, true, patternShardID, isStreamName, 1, 128)
	if in.StartingSequenceNumber != "" {
		seq := in.StartingSequenceNumber
		v.str("startingSequenceNumber", &seq, false, patternSeqNumber, isSeqNumber, 0, 0)
	}
	in.streamRef.validate(v)
}

func getShardIterator(s *Server, c *call, in *getShardIteratorInput) (any, error) {
	name := s.targetOf(in.StreamName, in.StreamARN)
	idx, ok := parseShardID(in.ShardID)
	if !ok {
		return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", in.ShardID, name, s.cfg.AccountID)
	}
	st, aerr := s.lookupActive(c, in.StreamName, in.StreamARN)
	if aerr != nil {
		if aerr.Code == codeResourceNotFound {
			return nil, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardIDOf(idx), name, s.cfg.AccountID)
		}
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	sh := st.shard(idx)
	if sh == nil {
		return nil, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardIDOf(idx), st.name, s.cfg.AccountID)
	}
	pos, aerr := s.startPosition(c, st, sh, in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if aerr != nil {
		return nil, aerr
	}
	tok := s.encodeIterator(iterator{stream: st.name, createdMs: st.createdMs, shard: sh.idx, counter: pos, issuedMs: c.now.UnixMilli()})
	return getShardIteratorOutput{tok}, nil
}

// startPosition turns an iterator type into the counter reading starts at.
// SubscribeToShard uses it too. The caller holds st.mu.
func (s *Server) startPosition(c *call, st *stream, sh *shard, typ, seq string, ts *awsTime) (uint64, *apiError) {
	latest := st.nextCounter
	if sh.closed {
		latest = sh.endCtr + 1
	}
	switch typ {
	case "TRIM_HORIZON", "LATEST":
		if seq != "" {
			return 0, errInvalid("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and also a StartingSequenceNumber.", typ)
		}
		if typ == "LATEST" {
			return latest, nil
		}
		return sh.startCtr, nil
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if seq == "" {
			return 0, errInvalid("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and no StartingSequenceNumber.", typ)
		}
		if !validSeqSyntax(seq) {
			return 0, errValidation("startingSequenceNumber", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})", seq)
		}
		shIdx, ctr, created, ok := parseSeq(seq)
		switch {
		case !ok:
			return 0, errInvalid("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", seq, shardIDOf(sh.idx), st.name, s.cfg.AccountID)
		case shIdx != sh.idx:
			return 0, errInvalid("Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardIDOf(shIdx), shardIDOf(sh.idx))
		case created != st.createdMs:
			return 0, errInvalid("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", seq, shardIDOf(sh.idx), st.name, s.cfg.AccountID)
		}
		if typ == "AFTER_SEQUENCE_NUMBER" {
			ctr++
		}
		return ctr, nil
	case "AT_TIMESTAMP":
		if ts == nil {
			return 0, errInvalid("You must specify a Timestamp for the AT_TIMESTAMP iterator type.")
		}
		ms := ts.UnixMilli()
		if now := c.now.UnixMilli(); ms > now {
			return 0, errInvalid("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ms, now)
		}
		i := sh.recs.search(func(r rec) bool { return r.arrival >= ms })
		if i < sh.recs.len() {
			return sh.recs.at(i).counter, nil
		}
		return latest, nil
	}
	return 0, errValidation("shardIteratorType", "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]", typ)
}
