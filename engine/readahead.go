package engine

import (
	"context"

	"github.com/streamcheck/streamcheck/engine/source"
)

// readAhead is a batch being read while the previous one is written
// (forEachBatch.readAheadBytes). It is only in memory: it becomes a batch
// when runBatch takes it and plans it, after the previous batch's commit.
type readAhead struct {
	done   chan struct{}
	cancel context.CancelFunc
	b      *source.Batch
	err    error
}

// startReadAhead starts reading batch id from the source's positions,
// which the previous batch's plan has just moved.
func (e *Engine) startReadAhead(ctx context.Context, id int64, during string) {
	ctx, cancel := context.WithCancel(ctx)
	ra := &readAhead{done: make(chan struct{}), cancel: cancel}
	e.ahead = ra
	e.log.Debug("reading the next batch ahead", "batch", id, "during", during)
	go func() {
		defer close(ra.done)
		ra.b, ra.err = e.src.Read(ctx)
	}()
}

// takeReadAhead waits for the batch read ahead and returns it (or the
// error reading it).
func (e *Engine) takeReadAhead() (*source.Batch, error) {
	ra := e.ahead
	e.ahead = nil
	<-ra.done
	ra.cancel()
	return ra.b, ra.err
}

// dropReadAhead stops a read ahead under way, waits for it and discards
// what it read: the source's positions are restored from the checkpoint
// next, or the run ends.
func (e *Engine) dropReadAhead() {
	if ra := e.ahead; ra != nil {
		e.ahead = nil
		ra.cancel()
		<-ra.done
	}
}
