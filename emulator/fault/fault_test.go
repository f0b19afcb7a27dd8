package fault_test

import (
	"errors"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		rule fault.Rule
	}{
		{"nothing to do", fault.Rule{}},
		{"error without code", fault.Rule{Action: fault.ActionError}},
		{"status not an error", fault.Rule{Action: fault.ActionError, Code: "X", Status: 200}},
		{"unknown action", fault.Rule{Action: "explode"}},
		{"negative times", fault.Rule{Action: fault.ActionDrop, Times: -1}},
		{"probability over one", fault.Rule{Action: fault.ActionDrop, Probability: 1.5}},
		{"unknown service", fault.Rule{Action: fault.ActionDrop, Service: "sqs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if !errors.Is(err, fault.ErrInvalidRule) {
				t.Fatalf("Validate() = %v, want ErrInvalidRule", err)
			}
		})
	}
}

func TestSkipAndTimes(t *testing.T) {
	in := fault.New(1)
	id, err := in.Add(fault.Rule{
		Service: fault.ServiceS3, Operation: "PutObject", KeyPrefix: "out/",
		Skip: 2, Times: 2, Action: fault.ActionError, Code: "SlowDown", Status: 503,
	})
	if err != nil {
		t.Fatal(err)
	}
	put := fault.Request{Service: fault.ServiceS3, Operation: "PutObject", Resource: "b", Key: "out/x"}
	var fired []int
	for i := range 6 {
		if e, ok := in.Match(put); ok {
			if e.Code != "SlowDown" || e.Status != 503 || e.RuleID != id {
				t.Fatalf("effect = %+v", e)
			}
			fired = append(fired, i)
		}
	}
	if want := []int{2, 3}; len(fired) != 2 || fired[0] != want[0] || fired[1] != want[1] {
		t.Fatalf("fired on requests %v, want %v", fired, want)
	}
	if _, ok := in.Match(fault.Request{Service: fault.ServiceS3, Operation: "PutObject", Key: "other/x"}); ok {
		t.Fatal("rule matched a key outside its prefix")
	}
	rules := in.Rules()
	if len(rules) != 1 || !rules[0].Expired || rules[0].Fired != 2 {
		t.Fatalf("Rules() = %+v, want one expired rule fired twice", rules)
	}
}

func TestProbabilityIsReproducible(t *testing.T) {
	run := func() []bool {
		in := fault.New(42)
		if _, err := in.Add(fault.Rule{Probability: 0.3, Delay: time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		var got []bool
		for range 200 {
			_, ok := in.Match(fault.Request{Service: fault.ServiceKinesis, Operation: "GetRecords"})
			got = append(got, ok)
		}
		return got
	}
	a, b := run(), run()
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: seeded runs differ", i)
		}
		if a[i] {
			n++
		}
	}
	if n < 30 || n > 90 {
		t.Fatalf("fired %d of 200 at p=0.3, want roughly 60", n)
	}
}

func TestRemoveAndNil(t *testing.T) {
	var nilIn *fault.Injector
	if _, ok := nilIn.Match(fault.Request{}); ok {
		t.Fatal("nil injector matched")
	}
	in := fault.New(1)
	id, _ := in.Add(fault.Rule{Action: fault.ActionDrop})
	if !in.Remove(id) || in.Remove(id) {
		t.Fatal("Remove should succeed once")
	}
	if _, ok := in.Match(fault.Request{}); ok {
		t.Fatal("removed rule matched")
	}
}
