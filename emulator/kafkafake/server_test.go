package kafkafake_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

// start returns a started server that is closed when the test ends.
func start(t testing.TB, opts ...kafkafake.Option) *kafkafake.Server {
	t.Helper()
	s, err := kafkafake.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client returns a kgo client for s that is closed when the test ends.
func client(t testing.TB, s *kafkafake.Server, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(s.Addrs()...), kgo.RetryBackoffFn(func(int) time.Duration { return 10 * time.Millisecond }), kgo.MetadataMinAge(10 * time.Millisecond)}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func produce(ctx context.Context, cl *kgo.Client, topic string, partition int32, values ...string) error {
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Partition: partition, Value: []byte(v)}
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

// consume reads n records of topic from the start.
func consume(t testing.TB, s *kafkafake.Server, topic string, n int) []string {
	t.Helper()
	cl := client(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var got []string
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume %s: got %d of %d records: %v", topic, len(got), n, err)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Logf("fetch %s/%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	return got
}

// manual makes records go to the partition the record names.
var manual = kgo.RecordPartitioner(kgo.ManualPartitioner())

func TestProduceConsume(t *testing.T) {
	tests := []struct {
		name  string
		opts  []kafkafake.Option
		topic string
	}{
		{name: "topic up front", opts: []kafkafake.Option{kafkafake.WithTopic("orders", 3)}, topic: "orders"},
		{name: "topic on demand", topic: "created-on-use"},
		{name: "three brokers", opts: []kafkafake.Option{kafkafake.WithBrokers(3), kafkafake.WithTopic("t", 6)}, topic: "t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.opts...)
			cl := client(t, s, kgo.DefaultProduceTopic(tt.topic), kgo.AllowAutoTopicCreation())
			want := []string{"a", "b", "c"}
			for _, v := range want {
				if err := cl.ProduceSync(t.Context(), kgo.StringRecord(v)).FirstErr(); err != nil {
					t.Fatalf("produce %q: %v", v, err)
				}
			}
			got := consume(t, s, tt.topic, len(want))
			if strings.Join(sorted(got), ",") != strings.Join(want, ",") {
				t.Errorf("consumed %v, want %v", got, want)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestWithoutAutoCreateRejectsUnknownTopic(t *testing.T) {
	s := start(t, kafkafake.WithoutAutoCreate())
	cl := client(t, s, kgo.AllowAutoTopicCreation(), kgo.RecordRetries(1), kgo.RecordDeliveryTimeout(2*time.Second))
	err := produce(t.Context(), cl, "missing", 0, "x")
	if err == nil {
		t.Fatal("produce to an unknown topic without auto-create: got nil error, want UNKNOWN_TOPIC_OR_PARTITION")
	}
}

func TestWithAddrListensOnThePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := start(t, kafkafake.WithAddr("127.0.0.1:"+strconv.Itoa(port)))
	if got, want := s.Addrs(), []string{"127.0.0.1:" + strconv.Itoa(port)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Addrs() = %v, want %v", got, want)
	}
	cl := client(t, s, kgo.AllowAutoTopicCreation())
	if err := produce(t.Context(), cl, "t", 0, "x"); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func TestAdvertisedHost(t *testing.T) {
	s := start(t, kafkafake.WithAddr("0.0.0.0:0"))
	addrs := s.Addrs()
	if len(addrs) != 1 || !strings.HasPrefix(addrs[0], "127.0.0.1:") {
		t.Errorf("Addrs() = %v, want one 127.0.0.1 address when listening on 0.0.0.0", addrs)
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opt  kafkafake.Option
		want string
	}{
		{"bad addr", kafkafake.WithAddr("nope"), `WithAddr("nope"): want host:port`},
		{"bad port", kafkafake.WithAddr("127.0.0.1:70000"), `WithAddr("127.0.0.1:70000"): port "70000": want a number from 0 to 65535`},
		{"no default partitions", kafkafake.WithDefaultPartitions(0), "want at least 1"},
		{"empty advertised host", kafkafake.WithAdvertisedHost(""), "host is empty"},
		{"no brokers", kafkafake.WithBrokers(0), "want at least 1"},
		{"empty topic", kafkafake.WithTopic("", 1), "empty topic name"},
		{"zero partitions", kafkafake.WithTopic("t", 0), "want at least 1"},
		{"nil clock", kafkafake.WithClock(nil), "WithClock: the clock is nil"},
		{"nil faults", kafkafake.WithFaults(nil), "WithFaults: the injector is nil"},
		{"empty data dir", kafkafake.WithDataDir(""), "WithDataDir: the directory is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kafkafake.New(tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s := start(t)
	if err := s.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Start(); !errors.Is(err, kafkafake.ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if got := s.Addrs(); got != nil {
		t.Errorf("Addrs after Close = %v, want nil", got)
	}
}

// TestRestartWithDataDir writes, closes, starts again on the same directory
// and reads back.
func TestRestartWithDataDir(t *testing.T) {
	dir := t.TempDir()

	// Phase 1: write.
	s := start(t, kafkafake.WithDataDir(dir), kafkafake.WithTopic("durable", 1))
	cl := client(t, s)
	if err := produce(t.Context(), cl, "durable", 0, "one", "two"); err != nil {
		t.Fatalf("produce: %v", err)
	}
	cl.Close()
	s.Close()

	// Phase 2: reopen and verify.
	s2 := start(t, kafkafake.WithDataDir(dir), kafkafake.WithTopic("durable", 1))
	got := consume(t, s2, "durable", 2)
	if strings.Join(got, ",") != "one,two" {
		t.Errorf("after restart consumed %v, want [one two]", got)
	}
}

func TestErrorForName(t *testing.T) {
	tests := []struct {
		name string
		want *kerr.Error
		ok   bool
	}{
		{"NOT_LEADER_FOR_PARTITION", kerr.NotLeaderForPartition, true},
		{"not_leader_or_follower", kerr.NotLeaderForPartition, true},
		{"LEADER_NOT_AVAILABLE", kerr.LeaderNotAvailable, true},
		{"REQUEST_TIMED_OUT", kerr.RequestTimedOut, true},
		{"UNKNOWN_SERVER_ERROR", kerr.UnknownServerError, true},
		{"6", kerr.NotLeaderForPartition, true},
		{"NOT_A_KAFKA_ERROR", nil, false},
		{"9999", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := kafkafake.ErrorForName(tt.name)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ErrorForName(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestValidateRule(t *testing.T) {
	tests := []struct {
		name    string
		rule    fault.Rule
		wantErr bool
	}{
		{"kafka error", fault.Rule{Service: "kafka", Action: fault.ActionError, Code: "LEADER_NOT_AVAILABLE"}, false},
		{"kafka delay", fault.Rule{Service: "kafka", Delay: time.Second}, false},
		{"s3 code passes", fault.Rule{Service: "s3", Action: fault.ActionError, Code: "SlowDown"}, false},
		{"aws code on kafka", fault.Rule{Service: "kafka", Action: fault.ActionError, Code: "SlowDown"}, true},
		{"no action", fault.Rule{Service: "kafka"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := kafkafake.ValidateRule(tt.rule)
			if (err != nil) != tt.wantErr {
				t.Errorf("ValidateRule(%+v) = %v, want error: %v", tt.rule, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, fault.ErrInvalidRule) {
				t.Errorf("ValidateRule error %v does not wrap fault.ErrInvalidRule", err)
			}
		})
	}
}

// TestKcat produces and consumes with librdkafka's kcat when it is installed.
func TestKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat (librdkafka) is not installed; apt-get install kcat to run this test")
	}
	s := start(t, kafkafake.WithTopic("kcat", 1))
	broker := s.Addrs()[0]
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	p := exec.CommandContext(ctx, kcat, "-b", broker, "-t", "kcat", "-P", "-p", "0")
	p.Stdin = strings.NewReader("first\nsecond\n")
	if out, err := p.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
	if got := consume(t, s, "kcat", 2); strings.Join(got, ",") != "first,second" {
		t.Errorf("kgo read what kcat wrote: %v, want [first second]", got)
	}
	cl := client(t, s)
	if err := produce(t.Context(), cl, "kcat", 0, "third"); err != nil {
		t.Fatalf("produce: %v", err)
	}
	c := exec.CommandContext(ctx, kcat, "-b", broker, "-t", "kcat", "-C", "-o", "beginning", "-e", "-q")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("kcat -C: %v", err)
	}
	if got, want := strings.Fields(string(out)), "first,second,third"; strings.Join(got, ",") != want {
		t.Errorf("kcat consumed %v, want %s", got, want)
	}
}

var _ = clock.Real

func net0Port(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	return h, n, err
}
