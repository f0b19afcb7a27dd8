package kinesisfake

// SubscribeToShard.
//
// Matches AWS: the consumer ARN, shard ID and starting position type
// validated together first (one ValidationException); an
// application/vnd.amazon.eventstream answer that starts with
// the initial-response event the SDKs wait for, then SubscribeToShardEvent
// events with Records, ContinuationSequenceNumber, MillisBehindLatest and,
// at the end of a closed shard, ChildShards, after which the subscription
// ends; every starting position type; the consumer must be ACTIVE
// (ResourceInUseException) and a second subscription to the same shard by
// the same consumer within 5 seconds is ResourceInUseException; a
// subscription lasts 5 minutes of the server's clock; one 5 seconds or more
// after the last takes the shard over and the earlier one ends; records are
// pushed as they are written, and while none arrive an event with empty
// Records, the ContinuationSequenceNumber and MillisBehindLatest is sent
// every 5 seconds of the server's clock; over HTTP/1.1 (chunked) and
// cleartext HTTP/2.
// Differs: event payloads are JSON for CBOR clients too; per-shard read
// limits do not apply (enhanced fan-out has its own 2 MiB/s, which is not
// enforced).

import (
	"bytes"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

type startingPosition struct {
	Type           string   `json:"Type"`
	SequenceNumber string   `json:"SequenceNumber,omitempty"`
	Timestamp      *awsTime `json:"Timestamp,omitempty"`
}

type subscribeToShardInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardID          string            `json:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition"`
}

func (in *subscribeToShardInput) target(s *Server) (string, string) {
	return s.targetOf("", in.ConsumerARN), in.ShardID
}

const (
	subscriptionLifetime = 5 * time.Minute
	resubscribeInterval  = 5 * time.Second
	// idleEventInterval is how often an event is sent while no records
	// arrive: AWS sends one every few seconds with empty Records, so a
	// consumer waiting on the next event never stalls.
	idleEventInterval = 5 * time.Second
)

func (in *subscribeToShardInput) validate(v *violations) {
	arn := in.ConsumerARN
	v.str("consumerARN", &arn, true, "", nil, 1, 2048)
	id := in.ShardID
	v.str("shardId", &id, true, patternShardID, isStreamName, 1, 128)
	if in.StartingPosition == nil {
		v.null("startingPosition")
	} else {
		typ := in.StartingPosition.Type
		v.enum("startingPosition.type", &typ, true, "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
	}
}

func subscribeToShard(s *Server, c *call, in *subscribeToShardInput) (any, error) {
	if in.ConsumerARN == "" {
		return nil, errMissing("consumerARN")
	}
	if in.ShardID == "" {
		return nil, errMissing("shardId")
	}
	if in.StartingPosition == nil {
		return nil, errMissing("startingPosition")
	}
	st, cs, aerr := s.findConsumer("", "", in.ConsumerARN)
	if aerr != nil {
		return nil, aerr
	}
	idx, ok := parseShardID(in.ShardID)
	var sh *shard
	if ok {
		sh = st.shard(idx)
	}
	if sh == nil {
		st.mu.Unlock()
		return nil, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", in.ShardID, st.name, s.cfg.AccountID)
	}
	if s.consumerStatus(cs, c.now) != "ACTIVE" {
		st.mu.Unlock()
		return nil, errInUse("Consumer %s is not ACTIVE.", in.ConsumerARN)
	}
	nowMs := c.now.UnixMilli()
	if cs.lastSub == nil {
		cs.lastSub = map[int]int64{}
	}
	if last, ok := cs.lastSub[idx]; ok && nowMs-last < resubscribeInterval.Milliseconds() {
		st.mu.Unlock()
		return nil, errInUse("Another active subscription exists for consumer %s on shard %s, or it was subscribed less than 5 seconds ago.", in.ConsumerARN, in.ShardID)
	}
	sp := in.StartingPosition
	pos, aerr := s.startPosition(c, st, sh, sp.Type, sp.SequenceNumber, sp.Timestamp)
	if aerr != nil {
		st.mu.Unlock()
		return nil, aerr
	}
	cs.lastSub[idx] = nowMs
	if cs.active == nil {
		cs.active = map[int]chan struct{}{}
	}
	if prev := cs.active[idx]; prev != nil {
		close(prev) // this subscription takes the shard over
	}
	takenOver := make(chan struct{})
	cs.active[idx] = takenOver
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		if cs.active[idx] == takenOver {
			delete(cs.active, idx)
		}
		st.mu.Unlock()
	}()

	w := c.w
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	h.Set("X-Amzn-Requestid", s.requestID())
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder()
	send := func(eventType string, payload []byte) bool {
		var hs eventstream.Headers
		hs.Set(":message-type", eventstream.StringValue("event"))
		hs.Set(":event-type", eventstream.StringValue(eventType))
		hs.Set(":content-type", eventstream.StringValue("application/json"))
		var buf bytes.Buffer
		if err := enc.Encode(&buf, eventstream.Message{Headers: hs, Payload: payload}); err != nil {
			return false
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if !send("initial-response", []byte("{}")) {
		return nil, errWritten
	}
	ctx := c.r.Context()
	expire := s.cfg.Clock.After(subscriptionLifetime)
	first := true // the first event and idle events are sent even when empty
	for {
		st.mu.Lock()
		wait := st.notify
		gone := st.deleted || !hasConsumer(st, cs)
		st.mu.Unlock()
		if gone {
			return nil, errWritten
		}
		rc := &call{op: c.op, format: c.format, now: s.cfg.Clock.Now()}
		res, aerr := s.readShard(rc, st, idx, pos, 10000, false)
		if aerr != nil {
			return nil, errWritten
		}
		if len(res.recs) > 0 || first || res.atEnd {
			first = false
			if len(res.recs) > 0 {
				pos = res.nextCounter
			}
			cont := formatSeq(idx, pos-1, st.createdMs)
			if !send("SubscribeToShardEvent", subscribeEventJSON(&res, cont)) {
				return nil, errWritten
			}
		}
		if res.atEnd {
			return nil, errWritten
		}
		if res.more {
			continue // more to read right away
		}
		select {
		case <-wait:
		case <-s.cfg.Clock.After(idleEventInterval):
			first = true // an empty event keeps the subscriber informed
		case <-takenOver:
			return nil, errWritten
		case <-expire:
			return nil, errWritten
		case <-ctx.Done():
			return nil, errWritten
		case <-s.done:
			return nil, errWritten
		}
	}
}

func hasConsumer(st *stream, cs *consumer) bool {
	for _, o := range st.consumers {
		if o == cs {
			return true
		}
	}
	return false
}

// subscribeEventJSON renders a SubscribeToShardEvent: GetRecords' record
// list with ContinuationSequenceNumber in place of the iterator.
func subscribeEventJSON(res *readResult, cont string) []byte {
	o := res.getRecordsOutput
	o.next = ""
	b := o.appendJSON(nil)
	// Swap the closing brace for the continuation field.
	b = b[:len(b)-1]
	b = append(b, `,"ContinuationSequenceNumber":`...)
	b = jsontext.AppendString(b, cont)
	return append(b, '}')
}
