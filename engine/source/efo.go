package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// EFOAPI is the part of the Kinesis client the enhanced fan-out source
// uses: the polling calls (shard listing and exact replays) and
// SubscribeToShard.
type EFOAPI interface {
	KinesisAPI
	SubscribeToShard(context.Context, *kinesis.SubscribeToShardInput, ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error)
}

// EFO is a Source over a Kinesis data stream read through an enhanced
// fan-out consumer (Glue's fanoutConsumerARN): each readable shard has a
// SubscribeToShard subscription whose events are buffered, and a batch
// takes from those buffers what MaxFetchRecordsPerShard and MaxFetchTime
// allow. The guarantees are the polling source's: the plan holds the
// sequence numbers of the records delivered, a replay reads exactly those
// (with GetRecords, the same records), a child shard is read only once its
// parents' ends are committed (children come from the last event's
// ChildShards and from ListShards), a subscription AWS ends after 5 minutes
// is renewed after the last record delivered, and refused subscriptions
// (ResourceInUseException within 5 seconds of the last, throttling) are
// retried on the clock.
type EFO struct {
	api      EFOAPI
	consumer string
	poll     *Kinesis // shard listing rules and exact replays
	cfg      KinesisConfig
	clk      clock.Clock
	log      *slog.Logger

	shards   map[string]*efoShard
	fresh    bool
	listed   time.Time
	lastRead map[string]checkpoint.ShardRange
}

// efoShard is one shard's position and live subscription.
type efoShard struct {
	id      string
	parents []string
	start   checkpoint.Start // after the last committed record
	closed  bool             // its end is committed
	sub     *subscription
	pending []types.Record // delivered, not yet in a batch
	ended   bool           // the subscription delivered the shard's end
	heard   bool           // an event has come since the subscription started
	behind  int64
	// taken is the sequence number of the last record taken into a batch
	// not yet committed; "" when none.
	taken string
}

// subscription is a shard's subscriptions, one after another: its
// goroutine subscribes, forwards events and, when AWS ends a subscription,
// subscribes again after the last record it delivered.
type subscription struct {
	cancel context.CancelFunc
	events chan efoEvent
	done   chan struct{}
}

type efoEvent struct {
	records  []types.Record
	children []types.ChildShard
	behind   int64
	end      bool  // the shard's end: children follow
	err      error // a refusal that retrying will not cure
}

// NewEFO returns an enhanced fan-out source reading through consumerARN.
// log may be nil.
func NewEFO(api EFOAPI, consumerARN string, cfg KinesisConfig, clk clock.Clock, log *slog.Logger) *EFO {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &EFO{api: api, consumer: consumerARN, poll: NewKinesis(api, cfg, clk, log), cfg: cfg, clk: clk, log: log,
		shards: map[string]*efoShard{}, fresh: true}
}

// Info names the stream.
func (e *EFO) Info() checkpoint.SourceInfo { return e.poll.Info() }

// Close ends every subscription.
func (e *EFO) Close() {
	for _, st := range e.shards {
		st.stop()
	}
}

// Restore ends every subscription and sets each shard's position from a
// committed plan; records delivered but not committed are dropped.
func (e *EFO) Restore(ctx context.Context, committed *checkpoint.Offsets) error {
	e.Close()
	e.shards = map[string]*efoShard{}
	e.lastRead = nil
	e.listed = time.Time{}
	e.fresh = committed == nil
	if committed != nil {
		for _, r := range committed.Shards {
			e.shards[r.ShardID] = &efoShard{id: r.ShardID, parents: r.Parents, start: next(r), closed: r.Closed}
		}
	}
	return e.poll.Restore(ctx, committed)
}

// Replay reads exactly the records of a planned batch, with GetRecords.
func (e *EFO) Replay(ctx context.Context, planned *checkpoint.Offsets) (*Batch, error) {
	return e.poll.Replay(ctx, planned)
}

// Commit moves the positions to the ends of a committed plan. When the plan
// is the last Read's, the subscriptions and what they delivered since are
// kept; otherwise (after a Replay) the shard is subscribed again from the
// plan's end.
func (e *EFO) Commit(planned *checkpoint.Offsets) {
	for _, r := range planned.Shards {
		st, ok := e.shards[r.ShardID]
		if !ok {
			st = &efoShard{id: r.ShardID, parents: r.Parents}
			e.shards[r.ShardID] = st
		}
		lr, same := e.lastRead[r.ShardID]
		same = same && lr.EndSequenceNumber == r.EndSequenceNumber && lr.Records == r.Records && lr.Closed == r.Closed
		st.start, st.closed, st.taken = next(r), r.Closed, ""
		if !same {
			st.stop()
		}
		if st.closed {
			st.stop()
		}
	}
	e.lastRead = nil
	e.fresh = false
	e.poll.Commit(planned)
}

// Read takes the next batch from the subscriptions' buffers.
func (e *EFO) Read(ctx context.Context) (*Batch, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	deadline := e.clk.Now().Add(e.cfg.MaxFetchTime)
	b := &Batch{CaughtUp: true}
	e.lastRead = map[string]checkpoint.ShardRange{}
	for _, id := range e.sortedIDs() {
		st := e.shards[id]
		rng := checkpoint.ShardRange{ShardID: id, Start: st.start, Parents: st.parents, Closed: st.closed}
		if !e.readable(st) {
			b.Shards = append(b.Shards, rng)
			e.lastRead[id] = rng
			continue
		}
		if st.sub == nil {
			st.sub = e.subscribe(ctx, st)
		}
		recs, err := e.take(ctx, st, deadline)
		if err != nil {
			return nil, err
		}
		origin := &Origin{ShardID: id, Partition: -1}
		b.Records = slices.Grow(b.Records, len(recs)) // more if KPL aggregates unpack
		for i := range recs {
			b.Records = appendKinesisRecord(b.Records, sdkRecord(&recs[i], origin))
		}
		if len(recs) > 0 {
			rng.FirstSequenceNumber = aws.ToString(recs[0].SequenceNumber)
			rng.EndSequenceNumber = aws.ToString(recs[len(recs)-1].SequenceNumber)
			rng.Records = int64(len(recs))
			st.taken = rng.EndSequenceNumber
		}
		if st.ended && len(st.pending) == 0 {
			rng.Closed = true
		}
		if !st.heard || len(st.pending) > 0 || st.behind > 0 || (rng.Closed && !st.closed) {
			b.CaughtUp = false
		}
		b.MillisBehindLatest = max(b.MillisBehindLatest, st.behind)
		b.Shards = append(b.Shards, rng)
		e.lastRead[id] = rng
	}
	return b, nil
}

// take returns up to MaxFetchRecordsPerShard of st's delivered records,
// waiting for more until deadline while the shard is behind.
func (e *EFO) take(ctx context.Context, st *efoShard, deadline time.Time) ([]types.Record, error) {
	limit := e.cfg.MaxFetchRecordsPerShard
	for len(st.pending) < limit && !st.ended {
		var ev efoEvent
		var ok bool
		select {
		case ev, ok = <-st.sub.events:
		default:
			wait := deadline.Sub(e.clk.Now())
			if wait <= 0 || (st.behind == 0 && len(st.pending) > 0) {
				ok = false
				break
			}
			select {
			case ev, ok = <-st.sub.events:
			case <-e.clk.After(wait):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if !ok {
			break
		}
		if ev.err != nil {
			return nil, ev.err
		}
		st.pending = append(st.pending, ev.records...)
		st.behind, st.heard = ev.behind, true
		if ev.end {
			st.ended = true
			for _, c := range ev.children {
				id := aws.ToString(c.ShardId)
				if _, known := e.shards[id]; !known {
					e.shards[id] = &efoShard{id: id, parents: c.ParentShards, start: checkpoint.Start{Type: checkpoint.TrimHorizon}}
				}
			}
		}
	}
	n := min(limit, len(st.pending))
	out := st.pending[:n:n]
	st.pending = st.pending[n:]
	return out, nil
}

// readable reports whether a shard may be read: not at its committed end,
// and every parent known to this source at its committed end.
func (e *EFO) readable(st *efoShard) bool {
	if st.closed {
		return false
	}
	for _, p := range st.parents {
		if ps, ok := e.shards[p]; ok && !ps.closed {
			return false
		}
	}
	return true
}

func (e *EFO) sortedIDs() []string {
	ids := make([]string, 0, len(e.shards))
	for id := range e.shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// refresh lists the stream's shards when DescribeShardInterval has passed.
func (e *EFO) refresh(ctx context.Context) error {
	now := e.clk.Now()
	if !e.listed.IsZero() && now.Sub(e.listed) < e.cfg.DescribeShardInterval {
		return nil
	}
	in := &kinesis.ListShardsInput{}
	if e.cfg.StreamARN != "" {
		in.StreamARN = aws.String(e.cfg.StreamARN)
	} else {
		in.StreamName = aws.String(e.cfg.StreamName)
	}
	for {
		var out *kinesis.ListShardsOutput
		err := e.poll.retry(ctx, "list shards", func() error {
			var err error
			out, err = e.api.ListShards(ctx, in)
			return err
		})
		if err != nil {
			return fmt.Errorf("kinesis: list shards of %s: %w", e.Info().Stream, err)
		}
		for _, s := range out.Shards {
			id := aws.ToString(s.ShardId)
			if _, ok := e.shards[id]; ok {
				continue
			}
			st := &efoShard{id: id, start: checkpoint.Start{Type: checkpoint.TrimHorizon}}
			for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
				if p != nil && *p != "" {
					st.parents = append(st.parents, *p)
				}
			}
			if e.fresh {
				st.start = e.cfg.StartingPosition
				if s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil && st.start.Type == checkpoint.Latest {
					st.closed = true
				}
			}
			e.shards[id] = st
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	e.listed = now
	return nil
}

// stop ends the shard's subscription and drops what it delivered.
func (st *efoShard) stop() {
	if st.sub != nil {
		st.sub.cancel()
		<-st.sub.done
	}
	st.sub, st.pending, st.ended, st.behind, st.heard = nil, nil, false, 0, false
}

// subscribe starts st's subscriptions from its position.
func (e *EFO) subscribe(ctx context.Context, st *efoShard) *subscription {
	ctx, cancel := context.WithCancel(ctx)
	s := &subscription{cancel: cancel, events: make(chan efoEvent, 64), done: make(chan struct{})}
	pos := st.start
	if st.taken != "" {
		pos = checkpoint.Start{Type: checkpoint.AfterSequenceNumber, SequenceNumber: st.taken}
	}
	go func() {
		defer close(s.done)
		e.follow(ctx, st.id, pos, s.events)
	}()
	return s
}

// follow subscribes to shard from pos again and again until the shard ends
// or ctx does, sending every event on out.
func (e *EFO) follow(ctx context.Context, shard string, pos checkpoint.Start, out chan<- efoEvent) {
	wait := e.cfg.RetryInterval
	send := func(ev efoEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		res, err := e.api.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: aws.String(e.consumer), ShardId: aws.String(shard), StartingPosition: startingPosition(pos),
		}, ownProtocol)
		if err != nil {
			if !retryableSubscribe(err) {
				send(efoEvent{err: fmt.Errorf("kinesis: subscribe to shard %s: %w", shard, err)})
				return
			}
			e.log.Debug("subscription refused; retrying", "shard", shard, "wait", wait, "err", err)
			if e.clk.Sleep(ctx, wait) != nil {
				return
			}
			wait = min(2*wait, e.cfg.MaxRetryInterval)
			continue
		}
		wait = e.cfg.RetryInterval
		stream := res.GetStream()
		ended := false
		for ev := range stream.Events() {
			se, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			v := se.Value
			if len(v.Records) > 0 {
				pos = checkpoint.Start{Type: checkpoint.AfterSequenceNumber, SequenceNumber: aws.ToString(v.Records[len(v.Records)-1].SequenceNumber)}
			}
			ended = len(v.ChildShards) > 0 || aws.ToString(v.ContinuationSequenceNumber) == ""
			if !send(efoEvent{records: v.Records, children: v.ChildShards, behind: aws.ToInt64(v.MillisBehindLatest), end: ended}) {
				_ = stream.Close()
				return
			}
		}
		err = stream.Err()
		_ = stream.Close()
		if ended {
			return
		}
		if err != nil && ctx.Err() == nil {
			e.log.Debug("subscription ended with an error; renewing", "shard", shard, "err", err)
		}
		// AWS ends a subscription after 5 minutes: renew after the last
		// record delivered.
	}
}

// ownProtocol gives a subscription its own protocol instance: the SDK's
// event-stream codec keeps one decode buffer per instance, which
// subscriptions to several shards on one client would otherwise share
// (a data race between one stream's reader and another's initial
// response).
func ownProtocol(o *kinesis.Options) {
	o.Protocol = awsjson.New11(schemas.Kinesis_20131202)
}

// startingPosition turns a checkpoint position into SubscribeToShard's.
func startingPosition(p checkpoint.Start) *types.StartingPosition {
	switch p.Type {
	case checkpoint.AfterSequenceNumber:
		return &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(p.SequenceNumber)}
	case checkpoint.AtTimestamp:
		return &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(p.Timestamp)}
	case checkpoint.Latest:
		return &types.StartingPosition{Type: types.ShardIteratorTypeLatest}
	default:
		return &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
	}
}

// retryableSubscribe reports a refused subscription worth retrying:
// ResourceInUseException (within 5 seconds of the last, or the consumer not
// yet active), throttling, 5xx and transport errors.
func retryableSubscribe(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "ResourceInUseException" || ae.ErrorCode() == "LimitExceededException") {
		return true
	}
	return Retryable(err)
}

var _ Source = (*EFO)(nil)
