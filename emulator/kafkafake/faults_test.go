package kafkafake_test

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

func addRule(t *testing.T, s *kafkafake.Server, r fault.Rule) int {
	t.Helper()
	id, err := s.Faults().Add(r)
	if err != nil {
		t.Fatalf("add rule %+v: %v", r, err)
	}
	return id
}

func fired(t *testing.T, s *kafkafake.Server, id int) int {
	t.Helper()
	for _, r := range s.Faults().Rules() {
		if r.ID == id {
			return r.Fired
		}
	}
	t.Fatalf("rule %d not installed", id)
	return 0
}

// TestFaultErrors fails produce requests with Kafka errors: retriable ones
// are retried by the client and the produce succeeds; a fatal one reaches the
// caller as that exact error.
func TestFaultErrors(t *testing.T) {
	tests := []struct {
		name    string
		rule    fault.Rule
		wantErr error // nil: the client retries through it
	}{
		{name: "not leader", rule: fault.Rule{Service: "kafka", Operation: "Produce", Resource: "t", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 2}},
		{name: "leader not available", rule: fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionError, Code: "LEADER_NOT_AVAILABLE", Times: 1}},
		{name: "request timed out", rule: fault.Rule{Service: "kafka", Operation: "Produce", Shard: "0", Action: fault.ActionError, Code: "REQUEST_TIMED_OUT", Times: 1}},
		{name: "fatal error reaches the caller", rule: fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionError, Code: "TOPIC_AUTHORIZATION_FAILED", Times: 1}, wantErr: kerr.TopicAuthorizationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, kafkafake.WithTopic("t", 2))
			cl := client(t, s, manual)
			id := addRule(t, s, tt.rule)
			err := produce(t.Context(), cl, "t", 0, "x")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("produce error = %v, want %v", err, tt.wantErr)
			}
			if got, want := fired(t, s, id), max(tt.rule.Times, 1); got != want {
				t.Errorf("rule fired %d times, want %d", got, want)
			}
		})
	}
}

// TestFaultScoping shows a rule for one partition leaves the others alone.
func TestFaultScoping(t *testing.T) {
	s := start(t, kafkafake.WithTopic("t", 2))
	cl := client(t, s, manual, kgo.RecordRetries(0))
	id := addRule(t, s, fault.Rule{Service: "kafka", Operation: "Produce", Resource: "t", Shard: "1", Action: fault.ActionError, Code: "TOPIC_AUTHORIZATION_FAILED"})
	if err := produce(t.Context(), cl, "t", 0, "x"); err != nil {
		t.Fatalf("produce to partition 0 with a rule on partition 1: %v", err)
	}
	if err := produce(t.Context(), cl, "t", 1, "x"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("produce to partition 1 = %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	if got := fired(t, s, id); got != 1 {
		t.Errorf("rule fired %d times, want 1", got)
	}
}

// TestFaultMetadata fails whole requests that carry no partitions.
func TestFaultMetadata(t *testing.T) {
	s := start(t, kafkafake.WithTopic("t", 1))
	id := addRule(t, s, fault.Rule{Service: "kafka", Operation: "Metadata", Action: fault.ActionError, Code: "LEADER_NOT_AVAILABLE", Times: 3})
	cl := client(t, s, manual)
	if err := produce(t.Context(), cl, "t", 0, "x"); err != nil {
		t.Fatalf("produce through metadata errors: %v", err)
	}
	if got := fired(t, s, id); got != 3 {
		t.Errorf("rule fired %d times, want 3", got)
	}
}

// TestFaultDrop closes the connection of one produce; the client reconnects
// and the record is written once.
func TestFaultDrop(t *testing.T) {
	s := start(t, kafkafake.WithTopic("t", 1))
	cl := client(t, s, manual)
	id := addRule(t, s, fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionDrop, Times: 1})
	if err := produce(t.Context(), cl, "t", 0, "x"); err != nil {
		t.Fatalf("produce through a dropped connection: %v", err)
	}
	if got := fired(t, s, id); got != 1 {
		t.Errorf("rule fired %d times, want 1", got)
	}
	if got := consume(t, s, "t", 1); len(got) != 1 || got[0] != "x" {
		t.Errorf("consumed %v, want [x]", got)
	}
}

// TestFaultDelay holds a fetch on the injected clock until the test moves it.
func TestFaultDelay(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	s := start(t, kafkafake.WithClock(clk), kafkafake.WithTopic("t", 1))
	cl := client(t, s, manual)
	addRule(t, s, fault.Rule{Service: "kafka", Operation: "Produce", Delay: time.Hour, Times: 1})
	done := make(chan error, 1)
	go func() { done <- produce(t.Context(), cl, "t", 0, "x") }()

	deadline := time.Now().Add(10 * time.Second)
	for clk.Waiters() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("produce never reached the delay")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("produce finished before the clock moved: %v", err)
	default:
	}
	clk.Advance(time.Hour)
	if err := <-done; err != nil {
		t.Fatalf("produce after the delay: %v", err)
	}
}

// TestFaultConsume fails fetches, which the consumer retries.
func TestFaultConsume(t *testing.T) {
	s := start(t, kafkafake.WithTopic("t", 1))
	cl := client(t, s, manual)
	if err := produce(t.Context(), cl, "t", 0, "a", "b"); err != nil {
		t.Fatalf("produce: %v", err)
	}
	id := addRule(t, s, fault.Rule{Service: "kafka", Operation: "Fetch", Resource: "t", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 2})
	if got := consume(t, s, "t", 2); len(got) != 2 {
		t.Errorf("consumed %v, want 2 records", got)
	}
	if got := fired(t, s, id); got != 2 {
		t.Errorf("rule fired %d times, want 2", got)
	}
}

// TestClusterChanges moves leaders, takes a broker down and brings it back
// while a client produces.
func TestClusterChanges(t *testing.T) {
	s := start(t, kafkafake.WithBrokers(3), kafkafake.WithTopic("t", 3))
	cl := client(t, s, manual)
	n := 0
	send := func(step string) {
		t.Helper()
		for p := int32(0); p < 3; p++ {
			if err := produce(t.Context(), cl, "t", p, step); err != nil {
				t.Fatalf("%s: produce to partition %d: %v", step, p, err)
			}
			n++
		}
	}
	send("before")

	old := s.LeaderFor("t", 0)
	to := (old + 1) % 3
	if err := s.MoveTopicPartition("t", 0, to); err != nil {
		t.Fatalf("MoveTopicPartition: %v", err)
	}
	if got := s.LeaderFor("t", 0); got != to {
		t.Errorf("leader after move = %d, want %d", got, to)
	}
	send("moved")

	addrs := s.Addrs()
	if err := s.RemoveNode(2); err != nil {
		t.Fatalf("RemoveNode: %v", err)
	}
	if got := len(s.Addrs()); got != 2 {
		t.Errorf("brokers after RemoveNode = %d, want 2", got)
	}
	for p := int32(0); p < 3; p++ {
		if l := s.LeaderFor("t", p); l == 2 {
			t.Errorf("partition %d still led by removed node 2", p)
		}
	}
	send("node down")

	_, port, err := net0Port(addrs[2])
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddNode(2, port); err != nil {
		t.Fatalf("AddNode: %v", err)
	}
	if err := s.ShufflePartitionLeaders(); err != nil {
		t.Fatalf("ShufflePartitionLeaders: %v", err)
	}
	send("node back")

	if got := consume(t, s, "t", n); len(got) != n {
		t.Errorf("consumed %d records, want %d", len(got), n)
	}
	if err := s.RemoveNode(42); err == nil {
		t.Error("RemoveNode(42) on a cluster without node 42: got nil error")
	}
}
