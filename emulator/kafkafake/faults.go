package kafkafake

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

// errDropped closes a client connection for ActionDrop.
var errDropped = errors.New("kafkafake: connection dropped by fault rule")

// controller offers every request to the server's injector through one kfake
// control function that is kept for the cluster's life. Errors are answered
// through kfake faults scoped to the one request, so each request type keeps
// kfake's own per-partition (or top-level) error placement.
type controller struct {
	s *Server

	mu      sync.Mutex
	pending []*kfake.FaultHandle // faults installed for earlier requests
	ids     sync.Map             // [16]byte topic ID -> topic name
}

// target is one topic partition a request carries.
type target struct {
	topic     string
	topicID   [16]byte
	partition int32
	hasPart   bool
}

func (t target) shard() string {
	if !t.hasPart {
		return ""
	}
	return strconv.Itoa(int(t.partition))
}

func (ct *controller) control(req kmsg.Request) (kmsg.Response, error, bool) { //nolint:revive // kfake's control signature
	c := ct.s.get()
	if c == nil {
		return nil, nil, false
	}
	c.KeepControl()
	ct.clearPending()
	in := ct.s.cfg.Faults
	if !hasKafkaRules(in) {
		return answerOffsetFetch(c, req)
	}

	op := kmsg.NameForKey(req.Key())
	targets := targetsOf(req)
	topLevel := len(targets) == 0
	if topLevel {
		targets = []target{{}}
	}
	var (
		delay  time.Duration
		drop   bool
		faults []kfake.Fault
	)
	for _, t := range targets {
		name := t.topic
		if name == "" && t.topicID != ([16]byte{}) {
			name = ct.topicName(c, t.topicID)
		}
		eff, ok := in.Match(fault.Request{Service: fault.ServiceKafka, Operation: op, Resource: name, Shard: t.shard()})
		if !ok {
			continue
		}
		delay = max(delay, eff.Delay)
		switch eff.Action {
		case fault.ActionDrop:
			drop = true
		case fault.ActionError:
			kerrv, ok := ErrorForName(eff.Code)
			if !ok {
				kerrv = kerr.UnknownServerError
			}
			f := kfake.Fault{
				Keys:     []kmsg.Key{kmsg.Key(req.Key())},
				Err:      kerrv,
				Count:    1,
				TopLevel: topLevel,
				When:     func(r kmsg.Request) bool { return r == req },
			}
			if t.topic != "" {
				f.Topic = t.topic
			} else {
				f.TopicID = t.topicID
			}
			if t.hasPart {
				f.Partitions = []int32{t.partition}
			}
			faults = append(faults, f)
		}
	}
	if delay > 0 {
		clk, done := ct.s.cfg.Clock, ct.s.done
		c.SleepControl(func() {
			select {
			case <-clk.After(delay):
			case <-done:
			}
		})
	}
	if drop {
		return nil, errDropped, true
	}
	if len(faults) > 0 {
		h := c.Fault(faults...)
		ct.mu.Lock()
		ct.pending = append(ct.pending, h)
		ct.mu.Unlock()
		return nil, nil, false
	}
	return answerOffsetFetch(c, req)
}

// clearPending removes faults installed for earlier requests that those
// requests did not use (a partition the broker did not reach). The cluster
// handles requests one at a time, so by the time the control function runs
// again the earlier request has been answered.
func (ct *controller) clearPending() {
	ct.mu.Lock()
	hs := ct.pending
	ct.pending = nil
	ct.mu.Unlock()
	for _, h := range hs {
		h.Remove()
	}
}

func (ct *controller) topicName(c *kfake.Cluster, id [16]byte) string {
	if v, ok := ct.ids.Load(id); ok {
		return v.(string)
	}
	ti := c.TopicIDInfo(id)
	if ti == nil {
		return ""
	}
	ct.ids.Store(id, ti.Topic)
	return ti.Topic
}

// hasKafkaRules reports whether any active rule could match a Kafka request,
// so requests skip the per-partition matching when there is nothing to find.
func hasKafkaRules(in *fault.Injector) bool {
	for _, r := range in.Rules() {
		if !r.Expired && (r.Rule.Service == "" || r.Rule.Service == fault.ServiceKafka) {
			return true
		}
	}
	return false
}

// targetsOf lists the topic partitions a request names, for the requests
// whose faults are per partition or per topic. Other requests return nil and
// are matched (and failed) as a whole.
func targetsOf(req kmsg.Request) []target {
	var ts []target
	switch r := req.(type) {
	case *kmsg.ProduceRequest:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				ts = append(ts, target{t.Topic, t.TopicID, p.Partition, true})
			}
		}
	case *kmsg.FetchRequest:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				ts = append(ts, target{t.Topic, t.TopicID, p.Partition, true})
			}
		}
	case *kmsg.ListOffsetsRequest:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				ts = append(ts, target{topic: t.Topic, partition: p.Partition, hasPart: true})
			}
		}
	case *kmsg.MetadataRequest:
		for _, t := range r.Topics {
			if t.Topic != nil {
				ts = append(ts, target{topic: *t.Topic})
			}
		}
	}
	return ts
}
