package kinesisfake

import (
	"time"
)

// operations is the dispatch table: X-Amz-Target's operation name to its
// handler. Each handler lives in a file named after the operation.
var operations map[string]handler

func init() {
	operations = map[string]handler{
		"AddTagsToStream":                        handle(addTagsToStream),
		"CreateChannel":                          handle(createChannel),
		"DeleteChannel":                          handle(deleteChannel),
		"DescribeChannel":                        handle(describeChannel),
		"ListChannels":                           handle(listChannels),
		"UpdateChannel":                          handle(updateChannel),
		"UpdateStreamRecordDistributionStrategy": handle(updateStreamRecordDistributionStrategy),
		"CreateStream":                           handle(createStream),
		"DecreaseStreamRetentionPeriod":          handle(decreaseStreamRetentionPeriod),
		"DeleteResourcePolicy":                   handle(deleteResourcePolicy),
		"DeleteStream":                           handle(deleteStream),
		"DeregisterStreamConsumer":               handle(deregisterStreamConsumer),
		"DescribeAccountSettings":                handle(describeAccountSettings),
		"DescribeLimits":                         handle(describeLimits),
		"DescribeStream":                         handle(describeStream),
		"DescribeStreamConsumer":                 handle(describeStreamConsumer),
		"DescribeStreamSummary":                  handle(describeStreamSummary),
		"DisableEnhancedMonitoring":              handle(disableEnhancedMonitoring),
		"EnableEnhancedMonitoring":               handle(enableEnhancedMonitoring),
		"GetRecords":                             handle(getRecords),
		"GetResourcePolicy":                      handle(getResourcePolicy),
		"GetShardIterator":                       handle(getShardIterator),
		"IncreaseStreamRetentionPeriod":          handle(increaseStreamRetentionPeriod),
		"ListShards":                             handle(listShards),
		"ListStreamConsumers":                    handle(listStreamConsumers),
		"ListStreams":                            handle(listStreams),
		"ListTagsForResource":                    handle(listTagsForResource),
		"ListTagsForStream":                      handle(listTagsForStream),
		"MergeShards":                            handle(mergeShards),
		"PutRecord":                              handle(putRecord),
		"PutRecords":                             handle(putRecords),
		"PutResourcePolicy":                      handle(putResourcePolicy),
		"RegisterStreamConsumer":                 handle(registerStreamConsumer),
		"RemoveTagsFromStream":                   handle(removeTagsFromStream),
		"SplitShard":                             handle(splitShard),
		"StartStreamEncryption":                  handle(startStreamEncryption),
		"StopStreamEncryption":                   handle(stopStreamEncryption),
		"SubscribeToShard":                       handle(subscribeToShard),
		"TagResource":                            handle(tagResource),
		"UntagResource":                          handle(untagResource),
		"UpdateAccountSettings":                  handle(updateAccountSettings),
		"UpdateMaxRecordSize":                    handle(updateMaxRecordSize),
		"UpdateShardCount":                       handle(updateShardCount),
		"UpdateStreamMode":                       handle(updateStreamMode),
		"UpdateStreamWarmThroughput":             handle(updateStreamWarmThroughput),
	}
}

// streamRef is the StreamName / StreamARN pair most inputs carry.
type streamRef struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
}

// validate checks the pair's members. A StreamName is checked whenever no
// StreamARN is given: the SDKs send a required member even when empty.
func (r *streamRef) validate(v *violations) {
	if r.StreamName != "" || r.StreamARN == "" {
		name := r.StreamName
		v.str("streamName", &name, false, patternStreamName, isStreamName, 1, 128)
	}
	if r.StreamARN != "" {
		arn := r.StreamARN
		v.str("streamARN", &arn, false, patternStreamARN, isStreamARN, 1, 2048)
	}
}

func (r *streamRef) target(s *Server) (string, string) {
	return s.targetOf(r.StreamName, r.StreamARN), ""
}

// noTarget is embedded by inputs that are about no stream.
type noTarget struct{}

func (noTarget) target(*Server) (string, string) { return "", "" }

type hashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardOut struct {
	ShardID               string              `json:"ShardId"`
	ParentShardID         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardID string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange"`
}

type childShard struct {
	ShardID      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange hashKeyRange `json:"HashKeyRange"`
}

type streamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type warmThroughput struct {
	TargetMiBps  *int `json:"TargetMiBps,omitempty"`
	CurrentMiBps *int `json:"CurrentMiBps,omitempty"`
}

// describeShard renders sh. The caller holds st.mu.
func (st *stream) describeShard(sh *shard) shardOut {
	o := shardOut{
		ShardID:      shardIDOf(sh.idx),
		HashKeyRange: hashKeyRange{sh.start.String(), sh.end.String()},
		SequenceNumberRange: sequenceNumberRange{
			StartingSequenceNumber: formatSeq(sh.idx, sh.startCtr, st.createdMs),
		},
	}
	if sh.parent >= 0 {
		o.ParentShardID = shardIDOf(sh.parent)
	}
	if sh.adjParent >= 0 {
		o.AdjacentParentShardID = shardIDOf(sh.adjParent)
	}
	if sh.closed {
		o.SequenceNumberRange.EndingSequenceNumber = formatSeq(sh.idx, sh.endCtr, st.createdMs)
	}
	return o
}

// childShards lists the children of a closed shard. The caller holds st.mu.
func (st *stream) childShards(sh *shard) []childShard {
	var out []childShard
	for _, ch := range st.childrenOf(sh.idx) {
		c := childShard{ShardID: shardIDOf(ch.idx), HashKeyRange: hashKeyRange{ch.start.String(), ch.end.String()}}
		if ch.parent >= 0 {
			c.ParentShards = append(c.ParentShards, shardIDOf(ch.parent))
		}
		if ch.adjParent >= 0 {
			c.ParentShards = append(c.ParentShards, shardIDOf(ch.adjParent))
		}
		out = append(out, c)
	}
	return out
}

func (st *stream) encryptionType() string {
	if st.encryption == "" {
		return "NONE"
	}
	return st.encryption
}

func (st *stream) enhancedMonitoring() []enhancedMetrics {
	m := st.metrics
	if m == nil {
		m = []string{}
	}
	return []enhancedMetrics{{ShardLevelMetrics: m}}
}

// setPending marks st CREATING or UPDATING for the configured delay.
func (s *Server) setPending(st *stream, status string, now time.Time) {
	if s.cfg.statusDelay <= 0 {
		st.pending = ""
		return
	}
	st.pending = status
	st.pendingUntil = now.Add(s.cfg.statusDelay)
}

// requireActive refuses a change to a stream that is not ACTIVE, as AWS does.
// The caller holds st.mu.
func (s *Server) requireActive(st *stream, now time.Time) *apiError {
	if status := st.status(now); status != "ACTIVE" {
		return errInUse("Stream %s under account %s not ACTIVE, instead in state %s", st.name, s.cfg.AccountID, status)
	}
	return nil
}

// openShardsTotal counts open shards over all streams.
func (s *Server) openShardsTotal() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, st := range s.streams {
		st.mu.Lock()
		n += len(st.open)
		st.mu.Unlock()
	}
	return n
}

func intPtr(v int) *int { return &v }
