package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// connectWindowsTable creates the DynamoDB windows table's writer of
// sink.windowsTable, if the job has one. Its client makes one attempt per
// call: the writer retries, on the engine's clock.
func (e *Engine) connectWindowsTable(cfg aws.Config) error {
	wt := e.job.Sink.WindowsTable
	if wt == nil {
		return nil
	}
	c := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if wt.Endpoint != "" {
			o.BaseEndpoint = aws.String(wt.Endpoint)
		}
		if wt.Region != "" {
			o.Region = wt.Region
		}
		o.RetryMaxAttempts = 1
	})
	t, err := newWindowTable(c, *wt, *e.job.Aggregate, e.aggCols, e.clk)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	e.winTable = t
	return nil
}

// newWindowTable returns the writer of wt for an aggregate a over rows of
// aggCols: its items carry a's window columns, with times to the
// microsecond when a window may start within a second.
func newWindowTable(api sink.DynamoDBAPI, wt sink.WindowTableConfig, a aggregate.Config, aggCols []record.Column, clk clock.Clock) (*sink.WindowTable, error) {
	op, err := aggregate.New(a, aggCols)
	if err != nil {
		return nil, err
	}
	whole := time.Duration(a.WindowDuration)%time.Second == 0 && time.Duration(a.SlideDuration)%time.Second == 0
	return sink.NewWindowTable(api, wt, sink.WindowTableParams{Columns: op.WindowColumns(), SubSecond: !whole,
		DefaultPartitionKey: a.KeyColumn, Clock: clk})
}

// aggregateOptions are the operator's options: the windows each batch
// changes too when a windows table is in update output mode.
func (e *Engine) aggregateOptions() []aggregate.Option {
	if wt := e.job.Sink.WindowsTable; wt != nil && wt.Updates() {
		return []aggregate.Option{aggregate.WithUpdates()}
	}
	return nil
}

// writeWindowsTable writes batch w's windows to the windows table, after
// the batch's written objects: for crash point AtInSink its items count as
// objects after them, so a crash can fall between two items.
func (e *Engine) writeWindowsTable(ctx context.Context, w *batchWork, written int) error {
	if e.winTable == nil || len(w.updated)+len(w.windows) == 0 {
		return nil
	}
	items, err := e.winTable.Items(w.id, e.token, w.updated, w.windows)
	if err != nil {
		return fmt.Errorf("engine: batch %d: %w", w.id, err)
	}
	crash := false
	if e.crashAt(AtInSink, w.id) {
		if k := max(e.crash.Objects-written, 0); k < len(items) {
			items, crash = items[:k], true
		}
	}
	st, err := e.winTable.Write(ctx, w.id, e.token, items)
	if err != nil {
		return fmt.Errorf("engine: batch %d: %w", w.id, err)
	}
	e.log.Debug("windows table written", "batch", w.id, "table", e.winTable.Config().TableName,
		"items", st.Written, "stale", st.Stale, "retries", st.Retries)
	if st.Stale > 0 {
		e.log.Warn("windows already written by a later batch were left as they are", "batch", w.id, "stale", st.Stale)
	}
	if crash {
		return ErrCrashed
	}
	return nil
}
