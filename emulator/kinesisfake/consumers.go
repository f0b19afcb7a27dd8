package kinesisfake

import (
	"strconv"
	"strings"
	"time"
)

// maxConsumersPerStream is AWS's limit of registered consumers per stream.
const maxConsumersPerStream = 20

type consumerOut struct {
	ConsumerName              string   `json:"ConsumerName"`
	ConsumerARN               string   `json:"ConsumerARN"`
	ConsumerStatus            string   `json:"ConsumerStatus"`
	ConsumerCreationTimestamp *awsTime `json:"ConsumerCreationTimestamp"`
	StreamARN                 string   `json:"StreamARN,omitempty"`
}

// consumerARN is arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:EPOCHSECONDS.
func (s *Server) consumerARN(st *stream, cs *consumer) string {
	return s.streamARN(st.name) + "/consumer/" + cs.Name + ":" + strconv.FormatInt(cs.CreatedMs/1000, 10)
}

func (s *Server) consumerStatus(cs *consumer, now time.Time) string {
	if now.Before(time.UnixMilli(cs.CreatedMs).Add(s.cfg.statusDelay)) {
		return "CREATING"
	}
	return "ACTIVE"
}

func (s *Server) describeConsumer(st *stream, cs *consumer, now time.Time, withStream bool) consumerOut {
	o := consumerOut{ConsumerName: cs.Name, ConsumerARN: s.consumerARN(st, cs), ConsumerStatus: s.consumerStatus(cs, now), ConsumerCreationTimestamp: msTime(cs.CreatedMs)}
	if withStream {
		o.StreamARN = s.streamARN(st.name)
	}
	return o
}

// findConsumer resolves a consumer by ConsumerARN, or by StreamARN and
// ConsumerName. The caller must not hold st.mu; it is locked on return with
// a nil error.
func (s *Server) findConsumer(streamARN, name, consumerARN string) (*stream, *consumer, *apiError) {
	var st *stream
	var aerr *apiError
	switch {
	case consumerARN != "":
		base, rest, ok := strings.Cut(consumerARN, "/consumer/")
		cname, _, _ := strings.Cut(rest, ":")
		if !ok || cname == "" {
			return nil, nil, errValidation("consumerARN", "Member must satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+", consumerARN)
		}
		st, aerr = s.lookup("", base)
		if aerr != nil {
			return nil, nil, aerr
		}
		st.mu.Lock()
		for _, cs := range st.consumers {
			if s.consumerARN(st, cs) == consumerARN {
				return st, cs, nil
			}
		}
		st.mu.Unlock()
		return nil, nil, errNotFound("Consumer", consumerARN, s.cfg.AccountID)
	case streamARN != "" && name != "":
		st, aerr = s.lookup("", streamARN)
		if aerr != nil {
			return nil, nil, aerr
		}
		st.mu.Lock()
		for _, cs := range st.consumers {
			if cs.Name == name {
				return st, cs, nil
			}
		}
		st.mu.Unlock()
		return nil, nil, errNotFound("Consumer", name, s.cfg.AccountID)
	}
	return nil, nil, errInvalid("Either ConsumerARN or both StreamARN and ConsumerName must be given.")
}

// consumerRef is the consumer addressing most consumer operations take.
type consumerRef struct {
	StreamARN    string `json:"StreamARN,omitempty"`
	ConsumerName string `json:"ConsumerName,omitempty"`
	ConsumerARN  string `json:"ConsumerARN,omitempty"`
}

func (r *consumerRef) target(s *Server) (string, string) {
	if r.StreamARN != "" {
		return s.targetOf("", r.StreamARN), ""
	}
	return s.targetOf("", r.ConsumerARN), ""
}
