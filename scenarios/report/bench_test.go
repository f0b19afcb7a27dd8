package report

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// bigRun is a long soak: 2 000 batches and lag points, 200 events, 20
// checks with 10 examples each.
func bigRun() Run {
	r := sampleRun()
	r.Batches, r.Lag, r.Events, r.Checks = nil, nil, nil, nil
	for i := range 2000 {
		t := r.Started.Add(time.Duration(i) * 500 * time.Millisecond)
		r.Batches = append(r.Batches, Batch{ID: int64(i), PlannedAt: t, CommittedAt: t, Records: int64(300 + i%200), DeadLetters: int64(i % 7), LagP50: time.Second, LagP99: 2 * time.Second, LagMax: 3 * time.Second, Replayed: i%97 == 0})
		r.Lag = append(r.Lag, LagPoint{Time: t, P50: time.Second, P99: time.Duration(2000+i%300) * time.Millisecond, Max: 3 * time.Second})
	}
	for i := range 200 {
		kinds := []EventKind{KindCrash, KindRestart, KindFault, KindFaultCleared, KindNote}
		r.Events = append(r.Events, Event{Time: r.Started.Add(time.Duration(i) * 5 * time.Second), Kind: kinds[i%len(kinds)], Label: fmt.Sprintf("event %d", i)})
	}
	for i := range 20 {
		c := Check{Name: fmt.Sprintf("check %d", i), Passed: i%5 != 0, Counts: []Count{{"expected", 1000}, {"found", 999}}}
		for j := range 10 {
			c.Examples = append(c.Examples, Example{Key: fmt.Sprintf("SN-%06d", j), Batch: int64(j), Detail: "missing"})
		}
		r.Checks = append(r.Checks, c)
	}
	r.Duration = 1000 * time.Second
	return r
}

func BenchmarkWrite(b *testing.B) {
	r := bigRun()
	for _, bm := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"HTML", func(w io.Writer) error { return WriteHTML(w, r) }},
		{"JSON", func(w io.Writer) error { return WriteJSON(w, r) }},
		{"JUnit", func(w io.Writer) error { return WriteJUnit(w, "bench", r) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var n countingWriter
			for b.Loop() {
				n = 0
				if err := bm.write(&n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "bytes/report")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
