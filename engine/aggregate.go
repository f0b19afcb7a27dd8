package engine

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/engine/source"
)

// joinAndWindow runs batch id's kept rows through the aggregate operator.
// It returns the joined rows, the closed windows, the open windows the
// batch changed (with aggregate.WithUpdates) and the dead letters of
// readings an inner join found no reference row for (they are not in the
// joined output). Readings joined but counted in no window (late, null
// key, unusable event time) stay in the joined output, so they are logged
// and counted, not dead-lettered: a record lands in exactly one of the
// output and the dead letter.
func (e *Engine) joinAndWindow(ctx context.Context, id int64, ingest time.Time, b *source.Batch, info checkpoint.SourceInfo,
	rows record.Rows, keep []bool) (joined []record.Value, joinedKeep []bool, windows, updated []record.Value, dead []sink.DeadLetter, err error) {
	src := make([]int, 0, len(keep)) // source record of each packed row
	for r := range keep {
		if keep[r] {
			src = append(src, r)
		}
	}
	width := rows.Width()
	packed := rows.Flat() // every row kept in one block: no copy
	if len(src) < len(keep) || packed == nil {
		packed = make([]record.Value, 0, len(src)*width)
		for _, r := range src {
			packed = append(packed, rows.Row(r)...)
		}
	}
	table, err := e.ref.Get(ctx, ingest)
	if err != nil {
		return nil, nil, nil, nil, nil, fmt.Errorf("engine: batch %d: %w", id, err)
	}
	e.agg.SetReference(table)
	res, err := e.agg.Apply(id, packed, ingest)
	if err != nil {
		return nil, nil, nil, nil, nil, fmt.Errorf("engine: batch %d: %w", id, err)
	}
	a := e.job.Aggregate
	reason := map[int]string{}
	for _, r := range res.Unmatched {
		reason[r] = fmt.Sprintf("aggregate: unmatched: no reference row for %s %s (inner join); not in the output", a.KeyColumn, keyText(packed[r*width:(r+1)*width], e.aggCols, a.KeyColumn))
	}
	// Dead letters in source order, as decode writes them.
	for r := range src {
		msg, ok := reason[r]
		if !ok {
			continue
		}
		dead = append(dead, deadLetter(&b.Records[src[r]], id, info, msg))
	}
	if len(res.Unmatched)+len(res.Late)+len(res.Rejected) > 0 {
		e.log.Warn("readings left out of the windows", "batch", id, "unmatched", len(res.Unmatched), "late", len(res.Late), "rejected", len(res.Rejected))
	}
	joinedKeep = make([]bool, len(res.JoinedRows))
	for i := range joinedKeep {
		joinedKeep[i] = true
	}
	return res.Joined, joinedKeep, res.Windows, res.Updated, dead, nil
}

// keyText returns row's value of column name as text, "null" if null.
func keyText(row []record.Value, cols []record.Column, name string) string {
	for i, c := range cols {
		if c.Name == name {
			if row[i].Null() {
				return "null"
			}
			return fmt.Sprintf("%q", row[i].Text())
		}
	}
	return "?"
}

// deadLetter describes record r of batch id, rejected for msg.
func deadLetter(r *source.Record, id int64, info checkpoint.SourceInfo, msg string) sink.DeadLetter {
	d := sink.DeadLetter{BatchID: id, Source: info.Kind, Stream: cmp.Or(r.Topic(), info.Stream), ShardID: r.ShardID(), Partition: r.Partition(),
		SequenceNumber: r.SequenceNumber, Offset: r.Offset, PartitionKey: r.PartitionKey, ArrivalTime: r.ArrivalTime(), Error: msg}
	if r.Aggregated {
		sub := int64(r.SubSequenceNumber)
		d.SubSequenceNumber = &sub
	}
	d.SetPayload(r.Data)
	return d
}

// seq returns 0, 1, ..., n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
