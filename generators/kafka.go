package generators

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/clock"
)

// KafkaSink sends records with a franz-go client, which must use the
// idempotent producer (kgo's default; NewKafkaClient keeps it): the client
// retries by itself without writing a record twice, and keeps the records
// of a key in order. A record the broker or the client rejects for good
// (too large, invalid, not authorized) is failed; one whose fate the client
// cannot know (delivery timeout, retries exhausted, context ended, client
// closed) is unknown. Attempts is always 1: the client's own retries are not
// visible.
type KafkaSink struct {
	// Client and Topic are required.
	Client *kgo.Client
	Topic  string
	// Clock times sends and acknowledgements; default clock.Real().
	Clock clock.Clock
}

// Target returns "kafka://TOPIC".
func (k *KafkaSink) Target() string { return "kafka://" + k.Topic }

// Send implements Sink.
func (k *KafkaSink) Send(ctx context.Context, batch []*Attempt, _ *Stats) error {
	clk := k.Clock
	if clk == nil {
		clk = clock.Real()
	}
	var wg sync.WaitGroup
	now := clk.Now().UnixMilli()
	for _, a := range batch {
		a.Row.SentAtMs = now
		a.Row.Attempts = 1
		wg.Add(1)
		rec := &kgo.Record{Topic: k.Topic, Key: []byte(a.PartitionKey), Value: a.Payload}
		k.Client.Produce(ctx, rec, func(r *kgo.Record, err error) {
			defer wg.Done()
			if err == nil {
				a.Row.Outcome = OutcomeAck
				a.Row.Partition = r.Partition
				a.Row.Offset = r.Offset
				a.Row.AckedAtMs = clk.Now().UnixMilli()
				return
			}
			a.Row.Error = err.Error()
			a.Row.Outcome = OutcomeUnknown
			var ke *kerr.Error
			if errors.As(err, &ke) && !ke.Retriable {
				a.Row.Outcome = OutcomeFailed
			}
		})
	}
	wg.Wait()
	return nil
}

// NewKafkaClient returns a client for a KafkaSink that produces to topic on
// brokers with the idempotent producer, acks from all in-sync replicas, and
// the given extra options.
func NewKafkaClient(brokers []string, topic string, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: new client for %v: %w", brokers, err)
	}
	return cl, nil
}

// CreateKafkaTopic creates topic with the given number of partitions
// (replication factor 1). A topic that exists already is not an error.
func CreateKafkaTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = topic
	t.NumPartitions = partitions
	t.ReplicationFactor = 1
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafka: create topic %s: %w", topic, err)
	}
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("kafka: create topic %s: %w", topic, err)
		}
	}
	return nil
}
