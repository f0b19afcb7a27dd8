package source_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/source"
)

// kafkaCluster is a kfake cluster with a producer that picks partitions
// by hand.
type kafkaCluster struct {
	t    *testing.T
	c    *kfake.Cluster
	prod *kgo.Client
}

func newKafkaCluster(t *testing.T, opts ...kfake.Opt) *kafkaCluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	t.Cleanup(prod.Close)
	return &kafkaCluster{t: t, c: c, prod: prod}
}

// produce appends n records to a partition, stamped ts (zero: now).
func (k *kafkaCluster) produce(topic string, partition int32, n int, ts time.Time) {
	k.t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Partition: partition, Value: fmt.Appendf(nil, `{"i":%d}`, i), Timestamp: ts,
			Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}}
	}
	if err := k.prod.ProduceSync(k.t.Context(), recs...).FirstErr(); err != nil {
		k.t.Fatalf("produce to %s/%d: %v", topic, partition, err)
	}
}

func (k *kafkaCluster) source(cfg source.KafkaConfig) *source.Kafka {
	k.t.Helper()
	cfg.Brokers = k.c.ListenAddrs()
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 50 * time.Millisecond
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 10 * time.Millisecond
	}
	cfg.NumRetries = 3
	s, err := source.NewKafka(cfg, clock.Real(), nil)
	if err != nil {
		k.t.Fatal(err)
	}
	k.t.Cleanup(s.Close)
	if err := s.Restore(k.t.Context(), nil); err != nil {
		k.t.Fatal(err)
	}
	return s
}

func ranges(b *source.Batch) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, r := range b.Partitions {
		out[fmt.Sprintf("%s/%d", r.Topic, r.Partition)] = [2]int64{r.StartOffset, r.EndOffset}
	}
	return out
}

func read(t *testing.T, s *source.Kafka) *source.Batch {
	t.Helper()
	b, err := s.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return b
}

func TestKafkaMaxOffsetsPerTriggerSplitsByBacklog(t *testing.T) {
	k := newKafkaCluster(t, kfake.SeedTopics(3, "pay"))
	k.produce("pay", 0, 100, time.Time{})
	k.produce("pay", 1, 50, time.Time{})
	k.produce("pay", 2, 10, time.Time{})
	s := k.source(source.KafkaConfig{Topic: "pay", DefaultStartingOffset: source.OffsetEarliest, MaxOffsetsPerTrigger: 32})
	b := read(t, s)
	// 32 split as 100:50:10 of 160 is 20, 10 and 2.
	want := map[string][2]int64{"pay/0": {0, 20}, "pay/1": {0, 10}, "pay/2": {0, 2}}
	if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ranges = %v, want %v", got, want)
	}
	if len(b.Records) != 32 || b.CaughtUp {
		t.Errorf("read %d records (caught up %v), want 32 and not caught up", len(b.Records), b.CaughtUp)
	}
	s.Commit(&checkpoint.Offsets{Partitions: b.Partitions})
	b = read(t, s)
	// Backlogs 80:40:8 of 128: 20, 10 and 2 again.
	want = map[string][2]int64{"pay/0": {20, 40}, "pay/1": {10, 20}, "pay/2": {2, 4}}
	if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second ranges = %v, want %v", got, want)
	}
	// Records come in partition, then offset order, with their positions.
	prev := b.Records[0]
	for _, r := range b.Records[1:] {
		if r.Partition() < prev.Partition() || (r.Partition() == prev.Partition() && r.Offset != prev.Offset+1) {
			t.Fatalf("record %d/%d follows %d/%d", r.Partition(), r.Offset, prev.Partition(), prev.Offset)
		}
		prev = r
	}
}

func TestKafkaStartingOffsets(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		cfg  source.KafkaConfig
		want map[string][2]int64
	}{
		{"earliest", source.KafkaConfig{DefaultStartingOffset: source.OffsetEarliest}, map[string][2]int64{"t/0": {0, 10}, "t/1": {0, 10}}},
		{"latest", source.KafkaConfig{DefaultStartingOffset: source.OffsetLatest}, map[string][2]int64{"t/0": {10, 10}, "t/1": {10, 10}}},
		{"per partition", source.KafkaConfig{DefaultStartingOffset: source.OffsetLatest,
			StartingOffsets: map[string]map[int32]int64{"t": {0: 7, 1: source.OffsetEarliest}}}, map[string][2]int64{"t/0": {7, 10}, "t/1": {0, 10}}},
		{"partition not named starts at latest", source.KafkaConfig{DefaultStartingOffset: source.OffsetLatest,
			StartingOffsets: map[string]map[int32]int64{"t": {1: 3}}}, map[string][2]int64{"t/0": {10, 10}, "t/1": {3, 10}}},
		{"timestamp", source.KafkaConfig{StartingTimestamp: t0.Add(5 * time.Second)}, map[string][2]int64{"t/0": {5, 10}, "t/1": {5, 10}}},
		{"timestamp after every record", source.KafkaConfig{StartingTimestamp: t0.Add(time.Hour)}, map[string][2]int64{"t/0": {10, 10}, "t/1": {10, 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKafkaCluster(t, kfake.SeedTopics(2, "t"))
			for p := int32(0); p < 2; p++ {
				for i := 0; i < 10; i++ {
					k.produce("t", p, 1, t0.Add(time.Duration(i)*time.Second))
				}
			}
			tc.cfg.Topic = "t"
			b := read(t, k.source(tc.cfg))
			if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ranges = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestKafkaPicksUpNewPartitionsAndTopics(t *testing.T) {
	k := newKafkaCluster(t, kfake.SeedTopics(1, "pay-eu"))
	k.produce("pay-eu", 0, 5, time.Time{})
	s := k.source(source.KafkaConfig{SubscribePattern: regexp.MustCompile(`pay-.*`), DefaultStartingOffset: source.OffsetLatest})
	b := read(t, s)
	if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(map[string][2]int64{"pay-eu/0": {5, 5}}) {
		t.Fatalf("first ranges = %v", got)
	}
	s.Commit(&checkpoint.Offsets{Partitions: b.Partitions})

	// A partition added to the topic and a new topic matching the pattern
	// (and one that does not match) are read from their earliest offset.
	req := kmsg.NewPtrCreatePartitionsRequest()
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = "pay-eu", 2
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	if _, err := req.RequestWith(t.Context(), k.prod); err != nil {
		t.Fatalf("create partitions: %v", err)
	}
	for _, topic := range []string{"pay-us", "audit"} {
		ct := kmsg.NewPtrCreateTopicsRequest()
		tt := kmsg.NewCreateTopicsRequestTopic()
		tt.Topic, tt.NumPartitions, tt.ReplicationFactor = topic, 1, 1
		ct.Topics = append(ct.Topics, tt)
		if _, err := ct.RequestWith(t.Context(), k.prod); err != nil {
			t.Fatalf("create topic %s: %v", topic, err)
		}
	}
	// A new producer, so that it sees the new partition.
	prod, err := kgo.NewClient(kgo.SeedBrokers(k.c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	k.prod = prod
	k.produce("pay-eu", 0, 2, time.Time{})
	k.produce("pay-eu", 1, 3, time.Time{})
	k.produce("pay-us", 0, 4, time.Time{})
	k.produce("audit", 0, 1, time.Time{})
	b = read(t, s)
	want := map[string][2]int64{"pay-eu/0": {5, 7}, "pay-eu/1": {0, 3}, "pay-us/0": {0, 4}}
	if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ranges after growth = %v, want %v", got, want)
	}
	if len(b.Records) != 9 {
		t.Errorf("read %d records, want 9", len(b.Records))
	}
	if h := b.Records[0].Headers(); len(h) != 1 || h[0].Key != "h" || string(h[0].Value) != "v" {
		t.Errorf("headers = %v, want h=v", h)
	}
}

func TestKafkaReplayReadsExactlyThePlan(t *testing.T) {
	k := newKafkaCluster(t, kfake.SeedTopics(2, "t"))
	k.produce("t", 0, 30, time.Time{})
	k.produce("t", 1, 30, time.Time{})
	s := k.source(source.KafkaConfig{Topic: "t", DefaultStartingOffset: source.OffsetEarliest})
	plan := &checkpoint.Offsets{BatchID: 4, Partitions: []checkpoint.PartitionRange{
		{Topic: "t", Partition: 0, StartOffset: 3, EndOffset: 11}, {Topic: "t", Partition: 1, StartOffset: 20, EndOffset: 20},
		{Topic: "t", Partition: 1, StartOffset: 25, EndOffset: 30}}}
	b, err := s.Replay(t.Context(), plan)
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	var got []string
	for _, r := range b.Records {
		got = append(got, fmt.Sprintf("%d/%d", r.Partition(), r.Offset))
	}
	want := "[0/3 0/4 0/5 0/6 0/7 0/8 0/9 0/10 1/25 1/26 1/27 1/28 1/29]"
	if fmt.Sprint(got) != want {
		t.Errorf("replayed %v, want %v", got, want)
	}
	// A plan beyond what the partition holds cannot be replayed.
	plan.Partitions = []checkpoint.PartitionRange{{Topic: "t", Partition: 0, StartOffset: 25, EndOffset: 40}}
	if _, err := s.Replay(t.Context(), plan); err == nil {
		t.Errorf("Replay of offsets that were never written: got nil error")
	}
}

func deleteRecords(t *testing.T, k *kafkaCluster, topic string, partition int32, before int64) {
	t.Helper()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = partition, before
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	resp, err := req.RequestWith(t.Context(), k.prod)
	if err != nil {
		t.Fatalf("delete records: %v", err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if rp.ErrorCode != 0 {
				t.Fatalf("delete records from %s/%d: error code %d", rt.Topic, rp.Partition, rp.ErrorCode)
			}
		}
	}
}

func TestKafkaDataLoss(t *testing.T) {
	for _, fail := range []bool{true, false} {
		t.Run(fmt.Sprintf("failOnDataLoss=%v", fail), func(t *testing.T) {
			k := newKafkaCluster(t, kfake.SeedTopics(2, "t"))
			k.produce("t", 0, 10, time.Time{})
			k.produce("t", 1, 10, time.Time{})
			s := k.source(source.KafkaConfig{Topic: "t", DefaultStartingOffset: source.OffsetEarliest, FailOnDataLoss: fail, MaxOffsetsPerTrigger: 8})
			b := read(t, s)
			s.Commit(&checkpoint.Offsets{Partitions: b.Partitions}) // partition 0 at 4
			deleteRecords(t, k, "t", 0, 7)
			b, err := s.Read(t.Context())
			if fail {
				var dl *source.DataLossError
				if !errors.As(err, &dl) || !errors.Is(err, source.ErrDataLoss) {
					t.Fatalf("Read = %v, want a *DataLossError", err)
				}
				want := "kafka: data loss: topic t partition 0: offsets [4, 7) were removed before they were read (failOnDataLoss)"
				if err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(b.DataLoss) != 1 {
				t.Fatalf("data loss = %+v, want one range", b.DataLoss)
			}
			if l := b.DataLoss[0]; l.Topic != "t" || l.Partition != 0 || l.From != "4" || l.To != "7" {
				t.Errorf("data loss = %+v, want t/0 [4, 7)", l)
			}
			if got := ranges(b)["t/0"]; got[0] != 7 {
				t.Errorf("partition 0 range %v, want it to start at 7", got)
			}
		})
	}
}

func TestKafkaFollowsLeaderMoves(t *testing.T) {
	k := newKafkaCluster(t, kfake.NumBrokers(3), kfake.SeedTopics(2, "t"))
	k.produce("t", 0, 10, time.Time{})
	k.produce("t", 1, 10, time.Time{})
	s := k.source(source.KafkaConfig{Topic: "t", DefaultStartingOffset: source.OffsetEarliest, MaxOffsetsPerTrigger: 10})
	b := read(t, s)
	s.Commit(&checkpoint.Offsets{Partitions: b.Partitions})
	for p := int32(0); p < 2; p++ {
		to := (k.c.LeaderFor("t", p) + 1) % 3
		if err := k.c.MoveTopicPartition("t", p, to); err != nil {
			t.Fatalf("move partition %d: %v", p, err)
		}
	}
	b = read(t, s)
	want := map[string][2]int64{"t/0": {5, 10}, "t/1": {5, 10}}
	if got := ranges(b); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ranges after the leaders moved = %v, want %v", got, want)
	}
	if len(b.Records) != 10 {
		t.Errorf("read %d records, want 10", len(b.Records))
	}
}

// TestKafkaFetchSizedToTheRange checks that a Fetch asks each partition
// for about the bytes its range still needs, as the partition's last
// answer showed them, rather than a fixed 16 MiB: a batch of a few records
// must not fetch (and hold) a whole backlog. Before any answer it asks for
// 1 MiB; afterwards, 100 small records need less than the 64 KiB floor.
func TestKafkaFetchSizedToTheRange(t *testing.T) {
	k := newKafkaCluster(t, kfake.SeedTopics(2, "pay"))
	k.produce("pay", 0, 5000, time.Time{})
	k.produce("pay", 1, 5000, time.Time{})
	var mu sync.Mutex
	var asked []int32
	k.c.ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		for _, rt := range req.(*kmsg.FetchRequest).Topics {
			for _, rp := range rt.Partitions {
				asked = append(asked, rp.PartitionMaxBytes)
			}
		}
		return nil, nil, false // observed, then answered as usual
	})
	s := k.source(source.KafkaConfig{Topic: "pay", DefaultStartingOffset: source.OffsetEarliest, MaxOffsetsPerTrigger: 200})
	for range 3 {
		b := read(t, s)
		if len(b.Records) != 200 {
			t.Fatalf("read %d records, want 200", len(b.Records))
		}
		s.Commit(&checkpoint.Offsets{Partitions: b.Partitions})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) < 4 || asked[0] != 1<<20 || asked[1] != 1<<20 {
		t.Fatalf("asked for %v bytes a partition, want 1 MiB for each partition's first fetch", asked)
	}
	for i, n := range asked[2:] {
		if n != 64<<10 {
			t.Errorf("fetch %d asked a partition for %d bytes, want 64 KiB for 100 records of a few dozen bytes (all asks: %v)", i+2, n, asked)
			break
		}
	}
}

// TestKafkaFetchOfARecordOverItsShare reads past a record far larger than
// the share a Fetch asks for after small ones (64 KiB): the broker answers
// with the record's batch whole, so the read goes on.
func TestKafkaFetchOfARecordOverItsShare(t *testing.T) {
	k := newKafkaCluster(t, kfake.SeedTopics(1, "pay"))
	k.produce("pay", 0, 100, time.Time{})
	big := &kgo.Record{Topic: "pay", Partition: 0, Value: bytes.Repeat([]byte("x"), 300<<10)}
	if err := k.prod.ProduceSync(t.Context(), big).FirstErr(); err != nil {
		t.Fatal(err)
	}
	k.produce("pay", 0, 100, time.Time{})
	s := k.source(source.KafkaConfig{Topic: "pay", DefaultStartingOffset: source.OffsetEarliest, MaxOffsetsPerTrigger: 50})
	var sizes []int
	for range 5 {
		b := read(t, s)
		for _, r := range b.Records {
			sizes = append(sizes, len(r.Data))
		}
		s.Commit(&checkpoint.Offsets{Partitions: b.Partitions})
	}
	if len(sizes) != 201 || sizes[100] != 300<<10 {
		t.Fatalf("read %d records, the 101st of %d bytes; want 201, the 101st of %d", len(sizes), sizes[min(100, len(sizes)-1)], 300<<10)
	}
}
