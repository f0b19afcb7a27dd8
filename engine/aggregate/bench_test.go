package aggregate

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkApply pushes ventilator-shaped batches (50 devices, the blog's
// 100-second trigger, readings spread over the batch's 100 seconds with up
// to a minute of disorder) through Apply with the default 10/5-minute
// windows, and reports rows/s. Windows close as event time advances.
func BenchmarkApply(b *testing.B) {
	for _, perBatch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("rows=%d", perBatch), func(b *testing.B) {
			o := newOp(b, nil)
			bs := stream(1, 1, perBatch, 0)
			rows := bs[0].rows
			w := len(ventilatorColumns)
			offsets := make([]int64, perBatch)
			for i := range offsets {
				offsets[i] = int64((i*7919)%160_000_000) - 30_000_000 // µs within [-30 s, 130 s)
				rows[i*w].I = int64(1 + i%50)
			}
			b.ReportAllocs()
			var id int64
			for b.Loop() {
				start := base.Add(time.Duration(id) * 100 * time.Second).UnixMicro()
				for i, off := range offsets {
					rows[i*w+1].I = start + off
				}
				if _, err := o.Apply(id, rows, base); err != nil {
					b.Fatal(err)
				}
				id++
			}
			b.ReportMetric(float64(perBatch)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSnapshot encodes the state of 50 devices' open windows.
func BenchmarkSnapshot(b *testing.B) {
	o := newOp(b, nil)
	for i, bt := range stream(2, 10, 1000, 30*time.Second) {
		if _, err := o.Apply(int64(i), bt.rows, bt.ingest); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(o.OpenWindows()), "windows")
}
