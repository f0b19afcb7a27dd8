package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// KinesisAPI is the part of the Kinesis client the source uses.
type KinesisAPI interface {
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// KinesisConfig holds the Glue connection options the source honours. The
// engine fills it from a job, with Glue's defaults.
type KinesisConfig struct {
	StreamName string
	StreamARN  string
	// StartingPosition applies to shards of a fresh checkpoint: TRIM_HORIZON,
	// LATEST or AT_TIMESTAMP. Shards that appear later (children of a
	// reshard) always start at TRIM_HORIZON.
	StartingPosition        checkpoint.Start
	MaxFetchTime            time.Duration // per shard per batch
	MaxFetchRecordsPerShard int           // per batch
	MaxRecordPerRead        int           // per GetRecords call
	IdleTimeBetweenReads    time.Duration // 0: no pause between reads
	DescribeShardInterval   time.Duration
	NumRetries              int
	RetryInterval           time.Duration
	MaxRetryInterval        time.Duration
	FailOnDataLoss          bool
	// SDKDecoder makes GetRecords responses go through the AWS SDK's own
	// deserializer instead of DecodeGetRecords (see AddGetRecordsDecoder).
	// Both give the same records; the SDK's costs several times the CPU
	// and memory. The default (false) uses DecodeGetRecords.
	SDKDecoder bool
	// JSON makes the source ask for GetRecords responses in JSON, as the
	// AWS SDKs for Go, JavaScript and Python do. The default (false) asks
	// for CBOR, as the AWS SDK for Java and the KCL do: the same records
	// without base64, decoded in about two thirds of the time (see
	// getrecords_cbor.go). An endpoint whose CBOR answer is not AWS's
	// (kinesalite's) makes the source warn once and read in JSON from then
	// on. With SDKDecoder it is always JSON.
	JSON bool
}

// Kinesis is a Source over a Kinesis data stream. Shards are read in
// parallel; a child shard is read only once its parents have been read to
// their end and that end is committed.
type Kinesis struct {
	api    KinesisAPI
	cfg    KinesisConfig
	clk    clock.Clock
	log    *slog.Logger
	shards map[string]*shardState
	fresh  bool // no committed plan: new shards take StartingPosition
	listed time.Time
	// lastRead holds the iterators and ranges of the last Read, which
	// Commit adopts.
	lastRead map[string]readResult
	// noCBOR is set once the endpoint answered GetRecords in a CBOR that
	// is not AWS's (kinesalite writes Data as base64 text, for one): the
	// source reads in JSON from then on.
	noCBOR atomic.Bool
}

// getRecordsMaxLimit is the most records one GetRecords call returns (its
// Limit's upper bound).
const getRecordsMaxLimit = 10000

type shardState struct {
	id      string
	parents []string
	start   checkpoint.Start
	closed  bool
	iter    *string
	// body and page are the largest GetRecords body (bytes) and page
	// (records) of the shard's last read: the next read's buffers start
	// at those sizes instead of doubling up to them on every read (a
	// response may come without a Content-Length).
	body, page int
}

type readResult struct {
	rng  checkpoint.ShardRange
	iter *string
}

// NewKinesis returns a Kinesis source. log may be nil.
func NewKinesis(api KinesisAPI, cfg KinesisConfig, clk clock.Clock, log *slog.Logger) *Kinesis {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Kinesis{api: api, cfg: cfg, clk: clk, log: log, shards: map[string]*shardState{}, fresh: true}
}

// Info names the stream.
func (k *Kinesis) Info() checkpoint.SourceInfo {
	name := k.cfg.StreamName
	if name == "" {
		name = k.cfg.StreamARN
	}
	return checkpoint.SourceInfo{Kind: "kinesis", Stream: name}
}

// Restore sets every shard's position from a committed plan.
func (k *Kinesis) Restore(_ context.Context, committed *checkpoint.Offsets) error {
	k.shards = map[string]*shardState{}
	k.lastRead = nil
	k.listed = time.Time{}
	k.fresh = committed == nil
	if committed == nil {
		return nil
	}
	for _, r := range committed.Shards {
		k.shards[r.ShardID] = &shardState{id: r.ShardID, parents: r.Parents, start: next(r), closed: r.Closed}
	}
	return nil
}

func next(r checkpoint.ShardRange) checkpoint.Start {
	if r.EndSequenceNumber != "" {
		return checkpoint.Start{Type: checkpoint.AfterSequenceNumber, SequenceNumber: r.EndSequenceNumber}
	}
	return r.Start
}

// Commit adopts the positions after a committed plan. After a Read of the
// same batch the live iterators are kept, so nothing that arrived meanwhile
// is skipped; after a Replay they are re-acquired from the plan's ends.
func (k *Kinesis) Commit(planned *checkpoint.Offsets) {
	for _, r := range planned.Shards {
		st, ok := k.shards[r.ShardID]
		if !ok {
			st = &shardState{id: r.ShardID, parents: r.Parents}
			k.shards[r.ShardID] = st
		}
		st.start, st.closed, st.iter = next(r), r.Closed, nil
		if lr, ok := k.lastRead[r.ShardID]; ok && lr.rng.EndSequenceNumber == r.EndSequenceNumber && lr.rng.Records == r.Records {
			st.iter = lr.iter
		}
	}
	k.lastRead = nil
	k.fresh = false
}

// refresh lists the stream's shards (paginated) if DescribeShardInterval has
// passed, adding new shards and detecting shards that vanished before they
// were drained (data loss).
func (k *Kinesis) refresh(ctx context.Context) ([]checkpoint.DataLoss, error) {
	now := k.clk.Now()
	if !k.listed.IsZero() && now.Sub(k.listed) < k.cfg.DescribeShardInterval {
		return nil, nil
	}
	var listed []types.Shard
	in := &kinesis.ListShardsInput{}
	if k.cfg.StreamARN != "" {
		in.StreamARN = aws.String(k.cfg.StreamARN)
	} else {
		in.StreamName = aws.String(k.cfg.StreamName)
	}
	for {
		var out *kinesis.ListShardsOutput
		err := k.retry(ctx, "list shards", func() error {
			var err error
			out, err = k.api.ListShards(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("kinesis: list shards of %s: %w", k.Info().Stream, err)
		}
		listed = append(listed, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	k.listed = now
	seen := map[string]bool{}
	for _, s := range listed {
		id := aws.ToString(s.ShardId)
		seen[id] = true
		if _, ok := k.shards[id]; ok {
			continue
		}
		st := &shardState{id: id, start: checkpoint.Start{Type: checkpoint.TrimHorizon}}
		for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
			if p != nil && *p != "" {
				st.parents = append(st.parents, *p)
			}
		}
		if k.fresh {
			st.start = k.cfg.StartingPosition
			ended := s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil
			if ended && st.start.Type == checkpoint.Latest {
				st.closed = true // nothing will ever arrive after LATEST on a closed shard
			}
		}
		k.shards[id] = st
	}
	var lost []checkpoint.DataLoss
	for id, st := range k.shards {
		if seen[id] {
			continue
		}
		if !st.closed {
			lost = append(lost, checkpoint.DataLoss{ShardID: id, Partition: -1, From: st.start.SequenceNumber, DetectedAt: now.UTC()})
			if k.cfg.FailOnDataLoss {
				return nil, fmt.Errorf("kinesis: stream %s: %w", k.Info().Stream, &DataLossError{Loss: lost[len(lost)-1]})
			}
			k.log.Warn("shard vanished before it was drained", "shard", id, "from", st.start.SequenceNumber)
		}
		delete(k.shards, id)
	}
	return lost, nil
}

func (k *Kinesis) readable(st *shardState) bool {
	if st.closed {
		return false
	}
	for _, p := range st.parents {
		if ps, ok := k.shards[p]; ok && !ps.closed {
			return false
		}
	}
	return true
}

func (k *Kinesis) sortedIDs() []string {
	ids := make([]string, 0, len(k.shards))
	for id := range k.shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

type shardRead struct {
	pages   []*page // as GetRecords returned them
	n       int     // records in pages
	rng     checkpoint.ShardRange
	iter    *string
	behind  int64
	drained bool
	loss    *checkpoint.DataLoss
	err     error

	// unpack is the pages' KPL aggregates, unpacked, in order; spans cut
	// the pages into the batch's chunks.
	unpack []unpacked
	spans  []span
}

// spanRecords is the most records of a page a chunk of a batch holds:
// small enough that decoding spreads evenly over the cores.
const spanRecords = 2048

// span is records [from, to) of a page: the Records they make (KPL
// aggregates unpacked) and the aggregates among them.
type span struct {
	page        *page
	from, to    int
	users, aggs int
}

// Read reads up to MaxFetchRecordsPerShard records (for at most
// MaxFetchTime) from every readable shard.
func (k *Kinesis) Read(ctx context.Context) (*Batch, error) {
	lost, err := k.refresh(ctx)
	if err != nil {
		return nil, err
	}
	ids := k.sortedIDs()
	results := make([]shardRead, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		st := k.shards[id]
		results[i].rng = checkpoint.ShardRange{ShardID: id, Start: st.start, Parents: st.parents, Closed: st.closed}
		if !k.readable(st) {
			results[i].drained = true
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.readShard(ctx, st, &results[i])
		}()
	}
	wg.Wait()
	b := &Batch{DataLoss: lost, CaughtUp: true}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
	}
	b.pages, b.n = chunkShards(results)
	k.lastRead = map[string]readResult{}
	for _, r := range results {
		if r.loss != nil {
			if k.cfg.FailOnDataLoss {
				return nil, fmt.Errorf("kinesis: %w", &DataLossError{Loss: *r.loss})
			}
			k.log.Warn("records removed by retention before they were read; continuing at the trim horizon",
				"shard", r.loss.ShardID, "after", r.loss.From, "first_available", r.loss.To)
			b.DataLoss = append(b.DataLoss, *r.loss)
		}
		b.Shards = append(b.Shards, r.rng)
		b.MillisBehindLatest = max(b.MillisBehindLatest, r.behind)
		if !r.drained || (r.rng.Closed && !k.shards[r.rng.ShardID].closed) {
			b.CaughtUp = false
		}
		k.lastRead[r.rng.ShardID] = readResult{rng: r.rng, iter: r.iter}
	}
	return b, nil
}

func (k *Kinesis) readShard(ctx context.Context, st *shardState, out *shardRead) {
	it := st.iter
	last := ""
	reacquire := func() error {
		pos := st.start
		if last != "" {
			pos = checkpoint.Start{Type: checkpoint.AfterSequenceNumber, SequenceNumber: last}
		}
		var err error
		it, err = k.iterator(ctx, st.id, pos)
		return err
	}
	if it == nil {
		if st.start.Type == checkpoint.AfterSequenceNumber {
			loss, err := k.checkTrimmed(ctx, st.id, st.start.SequenceNumber)
			if err != nil {
				out.err = err
				return
			}
			if loss != nil {
				out.loss = loss
				// Continue from the first record still available.
				st.start = checkpoint.Start{Type: checkpoint.TrimHorizon}
			}
		}
		if out.err = reacquire(); out.err != nil {
			return
		}
	}
	deadline := k.clk.Now().Add(k.cfg.MaxFetchTime)
	expired := 0
	buf := &readBuffers{body: make([]byte, 0, st.body+st.body/8)} // this read's alone: dropped with it
	buf.dec.recs = make([]recSpans, 0, st.page)
	defer func() { st.body, st.page = buf.largest, buf.largestPage }()
	for out.n < k.cfg.MaxFetchRecordsPerShard {
		limit := min(k.cfg.MaxRecordPerRead, k.cfg.MaxFetchRecordsPerShard-out.n, getRecordsMaxLimit)
		res, err := k.getRecords(ctx, it, limit, buf)
		var ei *types.ExpiredIteratorException
		if errors.As(err, &ei) && expired < 3 {
			expired++
			k.log.Info("shard iterator expired; re-acquiring", "shard", st.id, "after", last)
			if after := cmp.Or(last, st.start.SequenceNumber); after != "" && out.loss == nil {
				// The iterator may have expired because retention passed it.
				loss, err := k.checkTrimmed(ctx, st.id, after)
				if err != nil {
					out.err = err
					return
				}
				if loss != nil {
					out.loss = loss
					st.start, last = checkpoint.Start{Type: checkpoint.TrimHorizon}, ""
				}
			}
			if out.err = reacquire(); out.err != nil {
				return
			}
			continue
		}
		if err != nil {
			out.err = fmt.Errorf("kinesis: get records from %s: %w", st.id, err)
			return
		}
		p := buf.takePage(res)
		if n := p.len(); n > 0 {
			// Kept as pages: Read converts them straight into the batch.
			// The range's ends outlive the batch (in the plan, and the
			// end as the shard's next position): copied, they do not
			// keep the page's strings, which hold every record's keys.
			if out.n == 0 {
				out.rng.FirstSequenceNumber = strings.Clone(p.seq(0))
			}
			out.pages = append(out.pages, p)
			out.n += n
			last = strings.Clone(p.seq(n - 1))
			out.rng.EndSequenceNumber = last
		}
		out.behind = aws.ToInt64(res.MillisBehindLatest)
		it = res.NextShardIterator
		if it == nil {
			out.rng.Closed = true
			out.drained = true
			break
		}
		if p.len() == 0 && out.behind == 0 {
			out.drained = true
			break
		}
		if !k.clk.Now().Before(deadline) {
			break
		}
		if k.cfg.IdleTimeBetweenReads > 0 {
			if err := k.clk.Sleep(ctx, k.cfg.IdleTimeBetweenReads); err != nil {
				out.err = err
				return
			}
		}
	}
	out.iter = it
	out.rng.Records = int64(out.n)
	out.count()
}

// unpacked is a KPL aggregate's user records, or the error that kept it
// from unpacking.
type unpacked struct {
	users []kpl.Record
	err   error
}

// count unpacks the KPL aggregates among r's pages into r.unpack and cuts
// the pages into spans of at most spanRecords records, counting what each
// makes, so that Read can lay every shard's records out in the batch at
// once.
func (r *shardRead) count() {
	for _, p := range r.pages {
		for from := 0; from < p.len(); from += spanRecords {
			sp := span{page: p, from: from, to: min(from+spanRecords, p.len())}
			aggs := len(r.unpack)
			for i := sp.from; i < sp.to; i++ {
				data := p.payload(i)
				if !kpl.IsAggregate(data) {
					sp.users++
					continue
				}
				users, err := kpl.Deaggregate(data)
				r.unpack = append(r.unpack, unpacked{users, err})
				if err != nil {
					sp.users++
				} else {
					sp.users += len(users)
				}
			}
			sp.aggs = len(r.unpack) - aggs
			r.spans = append(r.spans, sp)
		}
	}
}

// chunkShards lays the shards' spans out as a batch's chunks, in shard
// order and page order, and returns them with the number of records they
// make: the batch is the same whatever the number of cores, and each
// chunk's records are made when they are decoded (Batch.Chunk).
func chunkShards(results []shardRead) ([]pageChunk, int) {
	spans := 0
	for i := range results {
		spans += len(results[i].spans)
	}
	chunks := make([]pageChunk, 0, spans)
	n := 0
	for i := range results {
		r := &results[i]
		origin := &Origin{ShardID: r.rng.ShardID, Partition: -1}
		agg := r.unpack
		for _, sp := range r.spans {
			chunks = append(chunks, pageChunk{span: sp, origin: origin, unpack: agg[:sp.aggs:sp.aggs], base: n})
			agg = agg[sp.aggs:]
			n += sp.users
		}
		r.pages, r.unpack, r.spans = nil, nil, nil
	}
	return chunks, n
}

// pageChunk is a span of a GetRecords page, a chunk of a batch:
// Batch.Chunk makes its records.
type pageChunk struct {
	span
	origin *Origin
	unpack []unpacked // the span's KPL aggregates, unpacked, in order
	base   int        // the index in the batch of its first record
}

// records appends c's records to out: a KPL aggregate as its user records
// (see appendUnpacked), any other record as itself.
func (c *pageChunk) records(out []Record) []Record {
	agg := c.unpack
	for j := c.from; j < c.to; j++ {
		rec := c.page.record(j, c.origin)
		var u *unpacked
		if kpl.IsAggregate(rec.Data) {
			u, agg = &agg[0], agg[1:]
		}
		out = appendUnpacked(out, rec, u)
	}
	return out
}

// appendKinesisRecord converts a record read from origin (a shard) and
// appends it to out: a KPL aggregate as its user records (see package kpl),
// each with its own partition and explicit hash keys and its sub-sequence
// number; a record that opens with the KPL magic bytes but fails to unpack
// (its MD5, its protobuf) as itself with Err saying why; any other record
// as itself. An aggregate is never split across batches: plans count
// Kinesis records, so a replay reads the same aggregates and unpacks the
// same user records.
func appendKinesisRecord(out []Record, rec Record) []Record {
	if !kpl.IsAggregate(rec.Data) {
		return appendUnpacked(out, rec, nil)
	}
	users, err := kpl.Deaggregate(rec.Data)
	return appendUnpacked(out, rec, &unpacked{users, err})
}

// appendUnpacked is appendKinesisRecord for a record whose aggregate, if
// it is one, u holds already unpacked (nil: not an aggregate).
func appendUnpacked(out []Record, rec Record, u *unpacked) []Record {
	if u == nil {
		return append(out, rec)
	}
	if u.err != nil {
		rec.setRare(nil, "", "kinesis: "+u.err.Error())
		return append(out, rec)
	}
	for i, u := range u.users {
		ur := rec
		ur.Data, ur.PartitionKey = u.Data, u.PartitionKey
		ur.setRare(nil, u.ExplicitHashKey, "")
		ur.Aggregated, ur.SubSequenceNumber = true, int32(i)
		out = append(out, ur)
	}
	return out
}

// checkTrimmed compares a checkpointed sequence number with the first
// record still in the shard: when that record comes after it, the
// checkpointed record itself has been trimmed and anything between the two
// is gone. (Kinesis sequence numbers are not contiguous, so whether any
// record lay between cannot be known; the range is reported as possible
// loss.)
func (k *Kinesis) checkTrimmed(ctx context.Context, shard, after string) (*checkpoint.DataLoss, error) {
	it, err := k.iterator(ctx, shard, checkpoint.Start{Type: checkpoint.TrimHorizon})
	if err != nil {
		return nil, err
	}
	buf := new(readBuffers)
	res, err := k.getRecords(ctx, it, 1, buf)
	if err != nil {
		return nil, fmt.Errorf("kinesis: read the trim horizon of %s: %w", shard, err)
	}
	p := buf.takePage(res)
	if p.len() == 0 {
		return nil, nil
	}
	first := strings.Clone(p.seq(0))
	if CompareSequence(first, after) <= 0 {
		return nil, nil
	}
	return &checkpoint.DataLoss{ShardID: shard, Partition: -1, From: after, To: first, DetectedAt: k.clk.Now().UTC()}, nil
}

// Replay reads exactly the records of planned's shard ranges, starting at
// each range's first sequence number (or its start) and stopping at its end.
// Shards are read in parallel; the records come in the plan's shard order.
func (k *Kinesis) Replay(ctx context.Context, planned *checkpoint.Offsets) (*Batch, error) {
	b := &Batch{Shards: planned.Shards, DataLoss: planned.DataLoss}
	per := make([][]Record, len(planned.Shards))
	errs := make([]error, len(planned.Shards))
	var wg sync.WaitGroup
	for i, r := range planned.Shards {
		if r.Records == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			per[i], errs[i] = k.replayShard(ctx, planned.BatchID, r)
		}()
	}
	wg.Wait()
	total := 0
	for i := range per {
		if errs[i] != nil {
			return nil, errs[i]
		}
		total += len(per[i])
	}
	b.Records = make([]Record, 0, total)
	for i := range per {
		b.Records = append(b.Records, per[i]...)
		per[i] = nil
	}
	k.lastRead = nil
	return b, nil
}

// replayShard reads exactly the records of range r of batch id.
func (k *Kinesis) replayShard(ctx context.Context, id int64, r checkpoint.ShardRange) ([]Record, error) {
	pos := r.Start
	if r.FirstSequenceNumber != "" {
		pos = checkpoint.Start{Type: "AT_SEQUENCE_NUMBER", SequenceNumber: r.FirstSequenceNumber}
	}
	it, err := k.iterator(ctx, r.ShardID, pos)
	if err != nil {
		return nil, fmt.Errorf("kinesis: replay batch %d: %w", id, err)
	}
	out := make([]Record, 0, r.Records) // more if it holds KPL aggregates
	var got int64
	buf := new(readBuffers)
	origin := &Origin{ShardID: r.ShardID, Partition: -1}
	for got < r.Records {
		res, err := k.getRecords(ctx, it, int(min(int64(k.cfg.MaxRecordPerRead), r.Records-got, getRecordsMaxLimit)), buf)
		if err != nil {
			return nil, fmt.Errorf("kinesis: replay batch %d: get records from %s: %w", id, r.ShardID, err)
		}
		p := buf.takePage(res)
		for j := range p.len() {
			if got >= r.Records || CompareSequence(p.seq(j), r.EndSequenceNumber) > 0 {
				break
			}
			out = appendKinesisRecord(out, p.record(j, origin))
			got++
		}
		if got < r.Records && (res.NextShardIterator == nil ||
			(p.len() == 0 && aws.ToInt64(res.MillisBehindLatest) == 0)) {
			return nil, fmt.Errorf("kinesis: replay batch %d: shard %s has %d of the %d planned records up to %s (trimmed?)",
				id, r.ShardID, got, r.Records, r.EndSequenceNumber)
		}
		if n := p.len(); n > 0 && CompareSequence(p.seq(n-1), r.EndSequenceNumber) >= 0 {
			break
		}
		it = res.NextShardIterator
	}
	if got != r.Records {
		return nil, fmt.Errorf("kinesis: replay batch %d: shard %s gave %d records up to %s, plan says %d",
			id, r.ShardID, got, r.EndSequenceNumber, r.Records)
	}
	return out, nil
}

// CompareSequence compares two Kinesis sequence numbers (decimal strings of
// up to 128 bits) as integers.
func CompareSequence(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (k *Kinesis) iterator(ctx context.Context, shard string, pos checkpoint.Start) (*string, error) {
	in := &kinesis.GetShardIteratorInput{ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorType(pos.Type)}
	if k.cfg.StreamARN != "" {
		in.StreamARN = aws.String(k.cfg.StreamARN)
	} else {
		in.StreamName = aws.String(k.cfg.StreamName)
	}
	switch pos.Type {
	case checkpoint.AfterSequenceNumber, "AT_SEQUENCE_NUMBER":
		in.StartingSequenceNumber = aws.String(pos.SequenceNumber)
	case checkpoint.AtTimestamp:
		in.Timestamp = aws.Time(pos.Timestamp)
	}
	var out *kinesis.GetShardIteratorOutput
	err := k.retry(ctx, "get shard iterator", func() error {
		var err error
		out, err = k.api.GetShardIterator(ctx, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kinesis: get shard iterator for %s at %s %s: %w", shard, pos.Type, pos.SequenceNumber, err)
	}
	return out.ShardIterator, nil
}

// getRecords calls GetRecords, decoding the response in buf's memory
// (see readBuffers), which one reader uses for one call at a time.
func (k *Kinesis) getRecords(ctx context.Context, it *string, limit int, buf *readBuffers) (*kinesis.GetRecordsOutput, error) {
	var out *kinesis.GetRecordsOutput
	err := k.retry(ctx, "get records", func() error {
		var err error
		buf.page, buf.cbor = nil, !k.cfg.JSON && !k.noCBOR.Load()
		in := &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(int32(limit))}
		if k.cfg.SDKDecoder {
			out, err = k.api.GetRecords(ctx, in)
			return err
		}
		out, err = k.api.GetRecords(ctx, in, decodeInto(buf))
		var de *DecodeError
		if err != nil && buf.cbor && errors.As(err, &de) {
			// An iterator may be used again: the same call in JSON
			// answers the same records.
			if k.noCBOR.CompareAndSwap(false, true) {
				k.log.Warn("kinesis: the endpoint answers GetRecords in a CBOR that is not AWS's; reading in JSON from now on (AWS_CBOR_DISABLE skips the attempt)", "err", err)
			}
			buf.page, buf.cbor = nil, false
			out, err = k.api.GetRecords(ctx, in, decodeInto(buf))
		}
		return err
	})
	return out, err
}

// retry runs f, retrying throttling, server errors and transport errors up
// to NumRetries times with an interval that doubles from RetryInterval up to
// MaxRetryInterval, on the injected clock.
func (k *Kinesis) retry(ctx context.Context, what string, f func() error) error {
	wait := k.cfg.RetryInterval
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || !Retryable(err) || attempt >= k.cfg.NumRetries || ctx.Err() != nil {
			return err
		}
		k.log.Debug("retrying kinesis call", "call", what, "attempt", attempt+1, "wait", wait, "err", err)
		if err := k.clk.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, k.cfg.MaxRetryInterval)
	}
}

// Retryable reports whether err is worth retrying: throttling, a 5xx, or a
// transport error.
func Retryable(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException",
			"InternalFailure", "InternalServerError", "ServiceUnavailable", "ThrottlingException", "SlowDown":
			return true
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *smithy.OperationError
	return errors.As(err, &oe) && ae == nil
}
