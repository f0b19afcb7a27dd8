package generators

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

// BenchmarkGenerate measures generation alone: one ventilator record per
// iteration, encoded as JSON, with its SHA-256 as the ledger needs it.
func BenchmarkGenerate(b *testing.B) {
	for _, f := range []Format{FormatJSON, FormatCSV, FormatAvro} {
		b.Run(string(f), func(b *testing.B) {
			s, err := NewSource(SourceConfig{Dataset: Ventilator(), Format: f, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			w := s.NewWorker()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r, err := w.Record(int64(i))
				if err != nil {
					b.Fatal(err)
				}
				_ = r.SHA256()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRunKinesis measures generated-and-produced records per second
// into the embedded Kinesis emulator with its limits off (4 shards, 4
// producers, uniform keys), without a ledger and with a JSON lines one.
func BenchmarkRunKinesis(b *testing.B) {
	for _, ledger := range []string{"none", "jsonl"} {
		b.Run("ledger="+ledger, func(b *testing.B) {
			srv, cfg := kinesisfaketest.NewServer(b, kinesisfake.WithLimits(kinesisfake.Limits{}))
			client := NewKinesisClient(cfg, srv.URL())
			if err := CreateKinesisStream(b.Context(), client, nil, "bench", 4); err != nil {
				b.Fatal(err)
			}
			s, err := NewSource(SourceConfig{Dataset: Ventilator(), Seed: 1, Producers: 4, Keys: KeyStrategy{Kind: KeyUniform}})
			if err != nil {
				b.Fatal(err)
			}
			var l *Ledger
			if ledger != "none" {
				if l, err = CreateLedger(b.TempDir() + "/ledger." + ledger); err != nil {
					b.Fatal(err)
				}
				defer l.Close()
			}
			b.ResetTimer()
			sum, err := Run(b.Context(), RunConfig{Source: s, Sink: &KinesisSink{Client: client, Stream: "bench"}, Count: int64(b.N), Ledger: l})
			if err != nil {
				b.Fatal(err)
			}
			if sum.Acked != int64(b.N) {
				b.Fatalf("acked %d of %d", sum.Acked, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRunKafka measures generated-and-produced records per second into
// an in-process kfake cluster through the idempotent producer.
func BenchmarkRunKafka(b *testing.B) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer cluster.Close()
	cl, err := NewKafkaClient(cluster.ListenAddrs(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	s, err := NewSource(SourceConfig{Dataset: Ventilator(), Seed: 1, Producers: 4, Keys: KeyStrategy{Kind: KeyUniform}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	sum, err := Run(b.Context(), RunConfig{Source: s, Sink: &KafkaSink{Client: cl, Topic: "bench"}, Count: int64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	if sum.Acked != int64(b.N) {
		b.Fatalf("acked %d of %d", sum.Acked, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
