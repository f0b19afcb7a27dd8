// Package fault is the fault-injection hook shared by streamcheck's emulators.
//
// An Injector holds Rules. Every request an emulator serves is described as a
// Request (service, operation, stream or bucket, shard, key) and offered to
// Match before it is handled; the first rule that matches decides what happens
// to it: a delay, an AWS error, a dropped connection, or a delay followed by one
// of the others. Rules fire once, N times, or until removed, optionally only
// after skipping the first K matching requests and with a probability drawn
// from the injector's seeded source, so a fault schedule is reproducible.
//
// The design follows kfake's ControlKey: a test intercepts any request without
// the emulator knowing why.
package fault

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Services whose requests an Injector can match.
const (
	ServiceKinesis  = "kinesis"
	ServiceS3       = "s3"
	ServiceKafka    = "kafka"
	ServiceDynamoDB = "dynamodb"
)

// Request describes one request an emulator is about to serve.
type Request struct {
	Service   string // ServiceKinesis, ServiceS3, ServiceKafka or ServiceDynamoDB
	Operation string // the API name: "PutRecords", "PutObject", "Produce"
	Resource  string // Kinesis stream name, S3 bucket, Kafka topic or DynamoDB table; "" if none
	Shard     string // Kinesis shard ID or Kafka partition; "" if none
	Key       string // S3 object key; "" if none
}

// Rule says which requests to intercept and what to do to them. Empty match
// fields match anything; Key matches by prefix. The zero Action with no Delay
// is rejected by Validate.
type Rule struct {
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Shard     string `json:"shard,omitempty"`
	KeyPrefix string `json:"key_prefix,omitempty"`

	// Skip lets this many matching requests through before the rule fires.
	Skip int `json:"skip,omitempty"`
	// Times is how often the rule fires before it removes itself; 0 means
	// until it is removed.
	Times int `json:"times,omitempty"`
	// Probability, when in (0, 1), fires the rule on that share of the
	// matching requests, drawn from the injector's seeded source. 0 means
	// always.
	Probability float64 `json:"probability,omitempty"`

	// Delay holds the request this long before the action (or before normal
	// handling when Action is ActionNone).
	Delay time.Duration `json:"delay,omitempty"`
	// Action is what happens after the delay.
	Action Action `json:"action,omitempty"`
	// Code, Status and Message describe the error for ActionError, e.g.
	// "ProvisionedThroughputExceededException", 400, "Rate exceeded".
	// Status defaults to 400 and Message to a sentence naming the rule.
	Code    string `json:"code,omitempty"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// Action is what a firing rule does to a request.
type Action string

// The actions a Rule can take.
const (
	ActionNone  Action = ""      // only the delay
	ActionError Action = "error" // answer with the rule's AWS error
	ActionDrop  Action = "drop"  // close the connection without an answer
)

// ErrInvalidRule is wrapped by Validate's errors.
var ErrInvalidRule = errors.New("fault: invalid rule")

// Validate reports what is wrong with r, naming the field.
func (r Rule) Validate() error {
	switch r.Action {
	case ActionNone:
		if r.Delay <= 0 {
			return fmt.Errorf("%w: action is empty and delay is %v: give an action (error, drop) or a positive delay", ErrInvalidRule, r.Delay)
		}
	case ActionError:
		if r.Code == "" {
			return fmt.Errorf("%w: action error needs a code, such as ProvisionedThroughputExceededException or SlowDown", ErrInvalidRule)
		}
		if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
			return fmt.Errorf("%w: status %d: want an HTTP error status from 400 to 599", ErrInvalidRule, r.Status)
		}
	case ActionDrop:
	default:
		return fmt.Errorf("%w: action %q: want \"error\", \"drop\" or empty (delay only)", ErrInvalidRule, r.Action)
	}
	switch {
	case r.Delay < 0:
		return fmt.Errorf("%w: delay %v is negative", ErrInvalidRule, r.Delay)
	case r.Skip < 0:
		return fmt.Errorf("%w: skip %d is negative", ErrInvalidRule, r.Skip)
	case r.Times < 0:
		return fmt.Errorf("%w: times %d is negative (0 means until removed)", ErrInvalidRule, r.Times)
	case r.Probability < 0 || r.Probability > 1:
		return fmt.Errorf("%w: probability %v: want a number from 0 to 1", ErrInvalidRule, r.Probability)
	}
	switch r.Service {
	case "", ServiceKinesis, ServiceS3, ServiceKafka, ServiceDynamoDB:
	default:
		return fmt.Errorf("%w: service %q: want kinesis, s3, kafka, dynamodb or empty", ErrInvalidRule, r.Service)
	}
	return nil
}

func (r Rule) matches(req Request) bool {
	return (r.Service == "" || r.Service == req.Service) &&
		(r.Operation == "" || strings.EqualFold(r.Operation, req.Operation)) &&
		(r.Resource == "" || r.Resource == req.Resource) &&
		(r.Shard == "" || r.Shard == req.Shard) &&
		strings.HasPrefix(req.Key, r.KeyPrefix)
}

// Effect is what Match decided for one request.
type Effect struct {
	RuleID  int
	Delay   time.Duration
	Action  Action
	Code    string
	Status  int
	Message string
}

// Installed is a rule in an Injector with its identity and counters.
type Installed struct {
	ID      int  `json:"id"`
	Rule    Rule `json:"rule"`
	Seen    int  `json:"seen"`    // matching requests so far
	Fired   int  `json:"fired"`   // times the rule acted
	Expired bool `json:"expired"` // Times reached; no longer active
}

// Injector holds the active rules of one emulator (or of a whole stack, when
// shared). Its zero value is not usable; create one with New. It is safe for
// concurrent use.
type Injector struct {
	mu     sync.Mutex
	rng    *rand.Rand
	nextID int
	rules  []*Installed
}

// New returns an empty Injector whose probabilistic rules draw from seed.
func New(seed uint64) *Injector {
	return &Injector{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Add validates r, installs it after the existing rules and returns its ID.
func (in *Injector) Add(r Rule) (int, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.nextID++
	in.rules = append(in.rules, &Installed{ID: in.nextID, Rule: r})
	return in.nextID, nil
}

// Remove uninstalls the rule with the given ID and reports whether it existed.
func (in *Injector) Remove(id int) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, r := range in.rules {
		if r.ID == id {
			in.rules = append(in.rules[:i], in.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	in.rules = nil
	in.mu.Unlock()
}

// Rules returns a copy of the installed rules with their counters, oldest
// first, expired ones included until Clear or Remove.
func (in *Injector) Rules() []Installed {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Installed, len(in.rules))
	for i, r := range in.rules {
		out[i] = *r
	}
	return out
}

// Match offers req to the rules in order and returns the effect of the first
// one that fires. A nil Injector never matches, so emulators can call it
// unconditionally.
func (in *Injector) Match(req Request) (Effect, bool) {
	if in == nil {
		return Effect{}, false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, r := range in.rules {
		if r.Expired || !r.Rule.matches(req) {
			continue
		}
		r.Seen++
		if r.Seen <= r.Rule.Skip {
			continue
		}
		if p := r.Rule.Probability; p > 0 && p < 1 && in.rng.Float64() >= p {
			continue
		}
		r.Fired++
		if r.Rule.Times > 0 && r.Fired >= r.Rule.Times {
			r.Expired = true
		}
		status := r.Rule.Status
		if status == 0 && r.Rule.Action == ActionError {
			status = http.StatusBadRequest
		}
		msg := r.Rule.Message
		if msg == "" && r.Rule.Action == ActionError {
			msg = fmt.Sprintf("injected by streamcheck fault rule %d", r.ID)
		}
		return Effect{
			RuleID: r.ID, Delay: r.Rule.Delay, Action: r.Rule.Action,
			Code: r.Rule.Code, Status: status, Message: msg,
		}, true
	}
	return Effect{}, false
}

// AbortConnection ends the current HTTP exchange without a response: the
// connection is closed (HTTP/1.1) or the stream reset (HTTP/2). It does not
// return; call it from an http.Handler for ActionDrop.
func AbortConnection() {
	panic(http.ErrAbortHandler)
}
