package engine

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the per-batch figures Glue reports, as Prometheus collectors.
type metrics struct {
	numRecords     prometheus.Gauge
	processingTime prometheus.Gauge
	consumerLag    prometheus.Gauge
	behindLatest   prometheus.Gauge
	batchID        prometheus.Gauge
	records        prometheus.Counter
	deadLetters    prometheus.Counter
	batches        prometheus.Counter
	replays        prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, job string) (*metrics, error) {
	labels := prometheus.Labels{"job": job}
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "streamcheck", Subsystem: "engine", Name: name, Help: help, ConstLabels: labels})
	}
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "streamcheck", Subsystem: "engine", Name: name, Help: help, ConstLabels: labels})
	}
	m := &metrics{
		numRecords:     g("num_records", "Records in the last batch (Glue numRecords)."),
		processingTime: g("batch_processing_time_ms", "Processing time of the last batch in ms (Glue batchProcessingTimeInMs)."),
		consumerLag:    g("max_consumer_lag_ms", "Oldest record's arrival to processing in the last batch, ms (Glue maxConsumerLagInMs)."),
		behindLatest:   g("millis_behind_latest", "Largest MillisBehindLatest reported by Kinesis in the last batch."),
		batchID:        g("batch_id", "Id of the last committed batch."),
		records:        c("records_total", "Records written to the sink."),
		deadLetters:    c("dead_letter_total", "Records written to the dead letter."),
		batches:        c("batches_total", "Committed batches."),
		replays:        c("replays_total", "Planned batches replayed after a restart."),
	}
	if reg != nil {
		for _, col := range []prometheus.Collector{m.numRecords, m.processingTime, m.consumerLag, m.behindLatest, m.batchID, m.records, m.deadLetters, m.batches, m.replays} {
			if err := reg.Register(col); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
