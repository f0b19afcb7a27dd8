package kafkafake_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

// BenchmarkProduce measures records per second a kgo producer writes to one
// broker (100-byte values, default batching, acks=all).
func BenchmarkProduce(b *testing.B) {
	s := start(b, kafkafake.WithTopic("bench", 4))
	cl := client(b, s, kgo.DefaultProduceTopic("bench"))
	val := make([]byte, 100)
	b.ResetTimer()
	for b.Loop() {
		cl.Produce(context.Background(), &kgo.Record{Value: val}, func(_ *kgo.Record, err error) {
			if err != nil {
				b.Error(err)
			}
		})
	}
	if err := cl.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkConsume measures records per second a kgo consumer reads from one
// broker, from records written before the timer starts.
func BenchmarkConsume(b *testing.B) {
	s := start(b, kafkafake.WithTopic("bench", 4))
	pr := client(b, s, kgo.DefaultProduceTopic("bench"))
	val := make([]byte, 100)
	for range b.N {
		pr.Produce(context.Background(), &kgo.Record{Value: val}, nil)
	}
	if err := pr.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	cl := client(b, s, kgo.ConsumeTopics("bench"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	b.ResetTimer()
	n := 0
	for n < b.N {
		fs := cl.PollFetches(context.Background())
		if errs := fs.Errors(); len(errs) > 0 {
			b.Fatal(errs[0].Err)
		}
		n += fs.NumRecords()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
