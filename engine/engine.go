package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/engine/source"
	"github.com/streamcheck/streamcheck/engine/transform"
	"github.com/streamcheck/streamcheck/internal/hugepage"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// batchBackoff is Glue's backoff between retries of a failed batch.
var batchBackoff = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second}

// Engine runs one job. Create it with New; Run may be called once.
type Engine struct {
	job       *Job
	clk       clock.Clock
	awsCfg    *aws.Config
	log       *slog.Logger
	crash     *CrashPoint
	reg       prometheus.Registerer
	random    io.Reader
	untilIdle bool
	id        string
	// sdkDecoder: GetRecords responses through the SDK's deserializer
	// (WithSDKGetRecordsDecoder).
	sdkDecoder bool
	// json: GetRecords in JSON, not CBOR (WithGetRecordsJSON).
	json bool
	// smallPages: no huge-page advice for a batch's memory
	// (WithoutHugePages).
	smallPages bool

	metrics  *metrics
	src      source.Source
	out, dlq blob.Store
	cp       blob.Store
	ckpt     *checkpoint.Log
	// token scopes exactly-once object names to the checkpoint
	// (sink.CheckpointToken of its metadata id).
	token   string
	fixed   []record.Column // the table's columns; nil to infer per batch
	format  record.Format
	firstID int64 // the first batch this Run processes, for crash points
	// ahead is the next batch, being read while the current one is
	// written (forEachBatch.readAheadBytes); nil when none is.
	ahead *readAhead
	// windowStart is when the batch under way began: its window's start.
	windowStart time.Time
	// objectSize is the size of the largest object encoded so far: the
	// next encodings start with a buffer that large instead of doubling
	// up to it, copying and touching fresh memory at each step.
	objectSize atomic.Int64

	// With an aggregate section: the operator (reset from the checkpoint
	// by recover), its input columns, the reference table's cache and the
	// windows' store.
	agg     *aggregate.Operator
	aggCols []record.Column
	ref     *aggregate.Cache
	win     blob.Store

	// winTable writes sink.windowsTable; nil without one.
	winTable *sink.WindowTable
}

// New validates job and returns an Engine for it. Clients and stores are
// created here (no network calls yet).
func New(job *Job, opts ...Option) (*Engine, error) {
	if err := job.Validate(); err != nil {
		return nil, err
	}
	o := options{clk: clock.Real(), log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if err := opt.apply(&o); err != nil {
			return nil, err
		}
	}
	e := &Engine{
		job: job, clk: o.clk, awsCfg: o.awsCfg, log: o.log, crash: o.crash, reg: o.reg,
		untilIdle: o.untilIdle, id: o.id, sdkDecoder: o.sdkDecoder, json: o.json || cborDisabled(),
		smallPages: o.smallPages, random: rand.Reader, firstID: -1,
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.log = e.log.With("job", job.Name)
	if e.id == "" {
		var b [16]byte
		if _, err := io.ReadFull(e.random, b[:]); err != nil {
			return nil, fmt.Errorf("engine: make instance id: %w", err)
		}
		e.id = strings.TrimSuffix(strings.TrimPrefix(sink.RandomName(b, ""), "part-"), ".")
	}
	m, err := newMetrics(e.reg, job.Name)
	if err != nil {
		return nil, fmt.Errorf("engine: register metrics: %w", err)
	}
	e.metrics = m
	e.fixed = job.columns()
	if len(e.fixed) == 0 {
		e.fixed = nil
	}
	e.format = job.Source.format()
	return e, nil
}

func (e *Engine) connect(ctx context.Context) error {
	var cfg aws.Config
	if e.awsCfg != nil {
		cfg = e.awsCfg.Copy()
	} else {
		var err error
		cfg, err = config.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("engine: load AWS config: %w", err)
		}
	}
	// Emulators and LocalStack answer on loopback within microseconds, which
	// trips a race in the SDK's request-body handling (see sdkhttp).
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	j := e.job
	var s3c *s3.Client
	needS3 := blob.IsS3(j.Sink.Path) || blob.IsS3(j.Sink.DeadLetterPath) || blob.IsS3(j.ForEachBatch.CheckpointLocation)
	if j.Aggregate != nil {
		needS3 = needS3 || blob.IsS3(j.Sink.WindowsPath) || blob.IsS3(j.Aggregate.Reference.Path)
	}
	if needS3 {
		s3c = s3.NewFromConfig(cfg, func(o *s3.Options) {
			if j.Sink.Region != "" {
				o.Region = j.Sink.Region
			}
			if j.Sink.Endpoint != "" {
				o.BaseEndpoint = aws.String(j.Sink.Endpoint)
			}
			o.UsePathStyle = j.Sink.ForcePathStyle || o.BaseEndpoint != nil
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	var err error
	_, region := j.Source.KinesisStream()
	role := newRoleCredentials(cfg, j.Options, region, e.clk)
	if j.Sink.Kind == SinkKinesis {
		if e.out, err = e.openKinesisSink(cfg, role); err != nil {
			return err
		}
	} else if e.out, err = blob.Open(j.Sink.Path, s3c); err != nil {
		return fmt.Errorf("engine: open sink.path: %w", err)
	}
	if e.dlq, err = blob.Open(j.Sink.DeadLetterPath, s3c); err != nil {
		return fmt.Errorf("engine: open sink.deadLetterPath: %w", err)
	}
	if e.cp, err = blob.Open(j.ForEachBatch.CheckpointLocation, s3c); err != nil {
		return fmt.Errorf("engine: open forEachBatch.checkpointLocation: %w", err)
	}
	j.Sink.useMultipart(e.out, e.dlq)
	if j.Aggregate != nil {
		if err := e.connectAggregate(cfg, s3c); err != nil {
			return err
		}
	}
	if j.Source.Kind == KindKafka {
		kcfg, err := j.kafkaConfig()
		if err != nil {
			return err
		}
		src, err := source.NewKafka(kcfg, e.clk, e.log)
		if err != nil {
			return fmt.Errorf("engine: %w", err)
		}
		e.src = src
		return nil
	}
	kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if region != "" {
			o.Region = region
		}
		if ep := j.Source.KinesisEndpoint(); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
		if role != nil {
			o.Credentials = role
		}
		o.RetryMaxAttempts = 1 // numRetries/retryIntervalMs govern, as in Glue
	})
	var api source.KinesisAPI = kc
	if role != nil {
		api = roleKinesis{kc, role}
	}
	start, _ := startingPosition(j.Options.StartingPosition)
	o := j.Options
	idle := time.Duration(0)
	if o.AddIdleTimeBetweenReads {
		idle = time.Duration(o.IdleTimeBetweenReadsInMs) * time.Millisecond
	}
	kcfg := source.KinesisConfig{
		StreamName:              j.Source.StreamName,
		StreamARN:               j.Source.StreamARN,
		StartingPosition:        start,
		MaxFetchTime:            time.Duration(o.MaxFetchTimeInMs) * time.Millisecond,
		MaxFetchRecordsPerShard: o.MaxFetchRecordsPerShard,
		MaxRecordPerRead:        o.MaxRecordPerRead,
		IdleTimeBetweenReads:    idle,
		DescribeShardInterval:   time.Duration(o.DescribeShardInterval),
		NumRetries:              o.NumRetries,
		RetryInterval:           time.Duration(o.RetryIntervalMs) * time.Millisecond,
		MaxRetryInterval:        time.Duration(o.MaxRetryIntervalMs) * time.Millisecond,
		FailOnDataLoss:          o.FailOnDataLoss,
		SDKDecoder:              e.sdkDecoder,
		JSON:                    e.json,
	}
	if o.FanoutConsumerARN != "" {
		e.src = source.NewEFO(kc, o.FanoutConsumerARN, kcfg, e.clk, e.log)
		return nil
	}
	e.src = source.NewKinesis(api, kcfg, e.clk, e.log)
	return nil
}

// connectAggregate opens the windows' store and the reference table's
// loader (a DynamoDB client shares cfg, and so its HTTP client).
func (e *Engine) connectAggregate(cfg aws.Config, s3c *s3.Client) error {
	j := e.job
	a := *j.Aggregate
	var ddb *dynamodb.Client
	if a.Reference.DynamoDBTable != "" {
		ddb = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			if a.Reference.DynamoDBEndpoint != "" {
				o.BaseEndpoint = aws.String(a.Reference.DynamoDBEndpoint)
			}
		})
	}
	loader, err := aggregate.NewLoader(a, s3c, ddb)
	if err != nil {
		return fmt.Errorf("engine: aggregate reference: %w", err)
	}
	e.ref = &aggregate.Cache{Loader: loader, Interval: time.Duration(a.Reference.RefreshInterval)}
	tr, err := j.transform(e.fixed)
	if err != nil {
		return fmt.Errorf("engine: transforms: %w", err)
	}
	e.aggCols = j.outputColumns(tr)
	if _, err := aggregate.New(a, e.aggCols); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if j.Sink.WindowsPath != "" {
		if e.win, err = blob.Open(j.Sink.WindowsPath, s3c); err != nil {
			return fmt.Errorf("engine: open sink.windowsPath: %w", err)
		}
		j.Sink.useMultipart(e.win)
	}
	return e.connectWindowsTable(cfg)
}

// restoreAggregate resets the operator to the state committed with batch
// committed (none: empty state). Called by every recover, so a retried
// batch never counts its readings twice.
func (e *Engine) restoreAggregate(ctx context.Context, committed *checkpoint.Offsets) error {
	op, err := aggregate.New(*e.job.Aggregate, e.aggCols, e.aggregateOptions()...)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if committed != nil {
		key := aggregate.StateKey(committed.BatchID)
		data, _, err := e.cp.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("engine: read aggregate state %s of committed batch %d: %w", e.cp.URL(key), committed.BatchID, err)
		}
		if err := op.Restore(data); err != nil {
			return fmt.Errorf("engine: restore aggregate state %s: %w", e.cp.URL(key), err)
		}
	}
	e.agg = op
	return nil
}

func startingPosition(s string) (checkpoint.Start, error) {
	switch strings.ToLower(s) {
	case "latest":
		return checkpoint.Start{Type: checkpoint.Latest}, nil
	case "trim_horizon", "earliest":
		return checkpoint.Start{Type: checkpoint.TrimHorizon}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return checkpoint.Start{}, err
	}
	return checkpoint.Start{Type: checkpoint.AtTimestamp, Timestamp: t.UTC()}, nil
}

// Run processes one batch per window until ctx is cancelled (it then
// finishes the batch under way, releases the checkpoint and returns nil),
// until the source is idle with WithUntilIdle, or until an error that
// batchMaxRetries retries did not cure. It returns checkpoint.ErrLocked if
// another engine holds the checkpoint and ErrCrashed at a crash point.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.connect(ctx); err != nil {
		return err
	}
	if c, ok := e.src.(interface{ Close() }); ok {
		defer c.Close()
	}
	lease := time.Duration(e.job.ForEachBatch.LeaseTimeout)
	if lease == 0 {
		lease = 2*time.Duration(e.job.ForEachBatch.WindowSize) + time.Minute
	}
	ckpt, err := checkpoint.Open(ctx, e.cp, checkpoint.Options{Job: e.job.Name, LeaseTimeout: lease, Clock: e.clk, ID: e.id})
	if err != nil {
		return fmt.Errorf("engine: open checkpoint %s: %w", e.job.ForEachBatch.CheckpointLocation, err)
	}
	e.ckpt = ckpt
	e.token = sink.CheckpointToken(ckpt.Metadata.ID)
	work := context.WithoutCancel(ctx) // a batch under way finishes on cancel
	err = e.loop(ctx, work)
	if errors.Is(err, ErrCrashed) {
		ckpt.Abandon()
		return err
	}
	if errors.Is(err, checkpoint.ErrLeaseLost) {
		ckpt.Abandon()
		return fmt.Errorf("engine: %w", err)
	}
	if rerr := ckpt.Release(work); rerr != nil && err == nil {
		err = fmt.Errorf("engine: release checkpoint: %w", rerr)
	}
	return err
}

func (e *Engine) loop(ctx, work context.Context) error {
	defer e.dropReadAhead() // a batch read ahead but not planned is only in memory
	window := time.Duration(e.job.ForEachBatch.WindowSize)
	failures := 0
	next, err := e.recover(work)
	caughtUp := false
	for {
		if err == nil && ctx.Err() != nil {
			return nil //nolint:nilerr // a cancelled context is the way Run is stopped: a clean stop
		}
		start := e.clk.Now()
		e.windowStart = start
		var res batchResult
		if err == nil {
			res, err = e.runBatch(work, next)
		}
		if errors.Is(err, ErrCrashed) || errors.Is(err, checkpoint.ErrLeaseLost) || errors.Is(err, checkpoint.ErrExists) {
			return err
		}
		if errors.Is(err, source.ErrDataLoss) {
			// failOnDataLoss: another try would find the same gap.
			return fmt.Errorf("engine: batch %d: %w", next, err)
		}
		if what := missingResource(err); what != "" {
			// Glue would retry, but a missing stream, bucket or table
			// is not there on the next try either.
			return fmt.Errorf("engine: batch %d: %s does not exist, which no retry can change: %w", next, what, err)
		}
		if err != nil {
			failures++
			if failures > e.job.ForEachBatch.BatchMaxRetries {
				return fmt.Errorf("engine: batch %d failed %d times: %w", next, failures, err)
			}
			wait := batchBackoff[min(failures-1, len(batchBackoff)-1)]
			e.log.Warn("batch failed; restarting from the checkpoint", "batch", next, "attempt", failures, "wait", wait, "err", err)
			if serr := e.clk.Sleep(ctx, wait); serr != nil {
				return nil //nolint:nilerr // stopped during the backoff: a clean stop; the batch is replayed by the next run
			}
			next, err = e.recover(work)
			continue
		}
		failures = 0
		if res.committed {
			next++
		}
		if e.untilIdle && res.caughtUp && res.records == 0 && caughtUp {
			e.log.Info("source drained for a window; stopping")
			return nil
		}
		caughtUp = res.caughtUp
		wait := window - e.clk.Now().Sub(start)
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-e.clk.After(wait):
			}
		}
	}
}

// recover reads the checkpoint, positions the source after the last
// committed batch and replays a planned but uncommitted one. It returns
// the id of the next batch to plan.
func (e *Engine) recover(ctx context.Context) (int64, error) {
	e.dropReadAhead() // read from positions Restore is about to reset
	st, err := e.ckpt.Latest(ctx)
	if err != nil {
		return 0, err
	}
	if err := e.src.Restore(ctx, st.Committed); err != nil {
		return 0, fmt.Errorf("engine: restore source: %w", err)
	}
	if e.job.Aggregate != nil {
		// The state of the last committed batch, never a later one: a
		// pending batch N is replayed from state N-1 even if its own
		// state was written before the crash.
		if err := e.restoreAggregate(ctx, st.Committed); err != nil {
			return 0, err
		}
	}
	if st.Pending == nil {
		return st.NextBatchID(), nil
	}
	p := st.Pending
	if p.Delivery == AtLeastOnce {
		// Stock forEachBatch has no replay plan: the batch is read and
		// written again, under new names, from the committed positions.
		e.log.Info("uncommitted at-least-once batch is read again", "batch", p.BatchID)
		return p.BatchID + 1, nil
	}
	e.log.Info("replaying planned batch", "batch", p.BatchID, "objects", len(p.Objects))
	b, err := e.src.Replay(ctx, p)
	if err != nil {
		return 0, err
	}
	e.metrics.replays.Inc()
	if err := e.process(ctx, p.BatchID, b, p); err != nil {
		return 0, err
	}
	return p.BatchID + 1, nil
}

type batchResult struct {
	committed bool
	caughtUp  bool
	records   int
}

func (e *Engine) runBatch(ctx context.Context, id int64) (batchResult, error) {
	t0 := e.clk.Now()
	var b *source.Batch
	var err error
	if e.ahead != nil {
		b, err = e.takeReadAhead()
	} else {
		b, err = e.src.Read(ctx)
	}
	if err != nil {
		return batchResult{}, err
	}
	e.log.Debug("batch read", "batch", id, "records", b.Len(), "readTimeInMs", e.clk.Now().Sub(t0).Milliseconds())
	res := batchResult{caughtUp: b.CaughtUp, records: b.Len()}
	if b.Len() == 0 && e.job.Options.AvoidEmptyBatches && len(b.DataLoss) == 0 {
		// No batch: keep the live iterators (and shard closures) in
		// memory only, and keep the lease.
		e.src.Commit(&checkpoint.Offsets{BatchID: id, Shards: b.Shards, Partitions: b.Partitions})
		return res, e.ckpt.Renew(ctx)
	}
	res.committed = true
	err = e.process(ctx, id, b, nil)
	return res, err
}

func (e *Engine) crashAt(at CrashAt, id int64) bool {
	cp := e.crash
	if cp == nil || cp.At != at {
		return false
	}
	if cp.Batch >= 0 {
		return cp.Batch == id
	}
	return id == e.firstID
}

// output is one object a batch writes.
type output struct {
	key  string // key in its store
	url  string
	rows []int // row indexes for Parquet output
	dead bool
	// windows: the aggregate's closed windows, under sink.windowsPath.
	windows bool
}

// batchWork is what one batch carries from step to step of process.
type batchWork struct {
	id     int64
	t0     time.Time // when processing began
	ingest time.Time // the batch's ingest time (the plan's, on a replay)
	// Rows after decode and transform (and join), keep[r] for the rows
	// that go to the output.
	rows  record.Rows
	keep  []bool
	nkept int64
	dead  []sink.DeadLetter
	// windows: the aggregate's closed windows, flat; updated: the open
	// windows the batch changed (for a windows table in update mode).
	windows, updated []record.Value
	// The output's columns, the file's columns among them, and the
	// encoders of the output and of the windows.
	outCols  []record.Column
	fileCols []int
	pq       *sink.Parquet
	winPQ    *sink.Parquet
	outs     []output
	// read is the batch's records, oldest the earliest arrival time among
	// them (zero if none has one): what is kept of the records once they
	// are decoded.
	read   int
	oldest time.Time
	// payloadBytes is the records' payload bytes (see
	// ForEachBatch.ReadAheadBytes); sourceMoved is set once the source
	// was moved past the plan for a read-ahead.
	payloadBytes int64
	sourceMoved  bool
}

// process takes batch id through the steps that the crash points name, in
// order: decode and transform, plan (AtAfterPlan), write (AtInSink,
// AtAfterSink), commit (AtAfterCommit). With planned (a replay) the plan
// step must name exactly planned's objects; else it records a new plan.
//
// The steps follow one another; within a step the work is spread over
// GOMAXPROCS cores where the batch allows it: shards and Kafka leaders are
// read in parallel (in the source), records are decoded and transformed in
// chunks, objects are encoded and put several at a time, and each Parquet
// file's columns are encoded in parallel. Every parallel part writes to its
// own place in a result laid out in plan order, so names and bytes are the
// same at any core count.
func (e *Engine) process(ctx context.Context, id int64, b *source.Batch, planned *checkpoint.Offsets) error {
	if e.firstID < 0 {
		e.firstID = id
	}
	w := &batchWork{id: id, t0: e.clk.Now()}
	w.ingest = w.t0.UTC()
	if planned != nil {
		w.ingest = planned.IngestTime
	}
	if err := e.decodeAndTransform(ctx, w, b); err != nil {
		return err
	}
	// From here on the batch is its rows: the records (the pages they are
	// made from, and what the rows do not point into) go back before the
	// objects are encoded, which keeps the peak heap of a batch down.
	b.Release()
	plan, err := e.plan(ctx, w, b, planned)
	if err != nil {
		return err
	}
	if e.crashAt(AtAfterPlan, id) {
		return ErrCrashed
	}
	// The plan is durable, so the source may move past it: the next batch
	// can be read while this one is written. A failure from here on goes
	// through recover, which drops it and restores the source from the
	// checkpoint.
	readAhead := func(during string) {
		e.src.Commit(plan)
		w.sourceMoved = true
		e.startReadAhead(ctx, id+1, during)
	}
	ahead := e.job.ForEachBatch.ReadAheadBytes
	if planned == nil && ahead > 0 && w.payloadBytes <= ahead {
		readAhead("write")
	}
	encoded := func() {
		// Every object is encoded: the rows go back, and what is left
		// of the batch is its uploads and its commit. If the window is
		// over, the next batch would start the moment this one commits:
		// it is read now, while the objects upload.
		w.rows = record.Rows{}
		window := time.Duration(e.job.ForEachBatch.WindowSize)
		if planned == nil && !w.sourceMoved && ahead >= 0 && e.clk.Now().Sub(e.windowStart) >= window {
			// A collection first: one already marking when the rows
			// went would count them live to its end, beside the pages
			// read meanwhile, and the peak heap would be that of two
			// batches. With the rows gone it marks little.
			runtime.GC()
			readAhead("uploads")
		}
	}
	if err := e.write(ctx, w, encoded); err != nil {
		return err
	}
	if err := e.commit(ctx, w, b, plan); err != nil {
		return err
	}
	if e.crashAt(AtAfterCommit, id) {
		return ErrCrashed
	}
	return nil
}

// decodeAndTransform fills w's rows: the schema (declared, or inferred from
// the batch), decoded and transformed rows, dead letters, and with an
// aggregate section the joined rows and closed windows.
func (e *Engine) decodeAndTransform(ctx context.Context, w *batchWork, b *source.Batch) error {
	id := w.id
	info := e.src.Info()
	cols := e.fixed
	if cols == nil || e.agg != nil {
		// Inferring a schema reads every payload first, and a join's dead
		// letters take their records by index after decoding.
		b.All()
	}
	if cols == nil {
		payloads := make([][]byte, 0, len(b.Records))
		for _, r := range b.Records {
			if r.Err() == "" {
				payloads = append(payloads, r.Data)
			}
		}
		if strings.EqualFold(e.format.Classification, record.Avro) {
			cols = record.InferAvro(payloads) // from the schemas the containers carry
		} else {
			cols = record.Infer(payloads)
		}
	}
	tr, err := e.job.transform(cols)
	if err != nil {
		return fmt.Errorf("engine: batch %d: transforms: %w", id, err)
	}
	outCols := tr.Output()
	outCols = append(outCols[:len(outCols):len(outCols)], e.extraColumns()...)
	if err := e.decode(w, b, info, cols, tr, len(outCols)); err != nil {
		return err
	}
	if e.agg != nil {
		var more []sink.DeadLetter
		var joined []record.Value
		joined, w.keep, w.windows, w.updated, more, err = e.joinAndWindow(ctx, id, w.ingest, b, info, w.rows, w.keep)
		if err != nil {
			return err
		}
		w.dead = append(w.dead, more...)
		outCols = e.agg.JoinedColumns()
		w.rows = record.FlatRows(joined, len(outCols))
	}
	w.outCols = outCols
	return nil
}

// plan groups w's rows into partitions, names the objects the batch
// writes and records the plan in the checkpoint (on a replay, checks that
// the names are the planned ones and returns that plan).
func (e *Engine) plan(ctx context.Context, w *batchWork, b *source.Batch, planned *checkpoint.Offsets) (*checkpoint.Offsets, error) {
	id := w.id
	var partIdx []int
	w.fileCols, partIdx = e.splitPartitionColumns(w.outCols)
	var err error
	if w.pq, err = sink.NewParquetConfig(project(w.outCols, w.fileCols), e.job.Sink.parquetConfig()); err != nil {
		return nil, fmt.Errorf("engine: batch %d: %w", id, err)
	}
	groups := e.groupRows(w, partIdx)
	paths := make([]string, 0, len(groups))
	for p := range groups {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	// A replay names its objects as the plan did: a plan written before
	// names carried the checkpoint's token keeps the form without it.
	token := e.token
	if planned != nil && !scopedNames(planned) {
		token = ""
	}
	for i, p := range paths {
		name, err := e.objectName(id, i, token, w.pq.Ext())
		if err != nil {
			return nil, err
		}
		key := name
		if p != "" {
			key = p + "/" + name
		}
		w.outs = append(w.outs, output{key: key, url: e.out.URL(key), rows: groups[p]})
	}
	if len(w.windows) > 0 && e.win != nil {
		if w.winPQ, err = sink.NewParquetConfig(e.agg.WindowColumns(), e.job.Sink.parquetConfig()); err != nil {
			return nil, fmt.Errorf("engine: batch %d: windows: %w", id, err)
		}
		name, err := e.objectName(id, 0, token, w.winPQ.Ext())
		if err != nil {
			return nil, err
		}
		w.outs = append(w.outs, output{key: name, url: e.win.URL(name), windows: true})
	}
	if len(w.dead) > 0 {
		name, err := e.objectName(id, 0, token, "jsonl")
		if err != nil {
			return nil, err
		}
		w.outs = append(w.outs, output{key: name, url: e.dlq.URL(name), dead: true})
	}

	plan := &checkpoint.Offsets{
		Version:    checkpoint.Version,
		BatchID:    id,
		PlannedAt:  w.t0.UTC(),
		IngestTime: w.ingest,
		Delivery:   e.job.Delivery,
		Source:     e.src.Info(),
		Shards:     b.Shards,
		Partitions: b.Partitions,
		DataLoss:   b.DataLoss,
		EngineID:   e.id,
	}
	if plan.Shards == nil {
		plan.Shards = []checkpoint.ShardRange{}
	}
	if plan.Partitions == nil {
		plan.Partitions = []checkpoint.PartitionRange{}
	}
	if plan.DataLoss == nil {
		plan.DataLoss = []checkpoint.DataLoss{}
	}
	plan.Objects, plan.DeadLetterObjects = []string{}, []string{}
	for _, o := range w.outs {
		switch {
		case o.dead:
			plan.DeadLetterObjects = append(plan.DeadLetterObjects, o.url)
		case o.windows:
			plan.WindowsObjects = append(plan.WindowsObjects, o.url)
		default:
			plan.Objects = append(plan.Objects, o.url)
		}
	}
	if planned != nil {
		if e.job.Delivery == ExactlyOnce && (!slices.Equal(plan.Objects, planned.Objects) || !slices.Equal(plan.DeadLetterObjects, planned.DeadLetterObjects) || !slices.Equal(plan.WindowsObjects, planned.WindowsObjects)) {
			return nil, fmt.Errorf("engine: replay of batch %d would write %v + %v + %v, plan says %v + %v + %v",
				id, plan.Objects, plan.DeadLetterObjects, plan.WindowsObjects, planned.Objects, planned.DeadLetterObjects, planned.WindowsObjects)
		}
		return planned, nil
	}
	if err := e.ckpt.Plan(ctx, plan); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return plan, nil
}

// groupRows returns the kept rows of w by output path (partIdx: the
// partition columns), each group in row order, and counts them in
// w.nkept. Unpartitioned or by ingest time, the batch has one path: its
// rows are listed in one pass, without a lookup per row.
func (e *Engine) groupRows(w *batchWork, partIdx []int) map[string][]int {
	groups := map[string][]int{}
	if e.job.Sink.Partitioning != PartitionByColumns {
		rows := make([]int, 0, len(w.keep))
		for r, k := range w.keep {
			if k {
				rows = append(rows, r)
			}
		}
		if w.nkept = int64(len(rows)); w.nkept == 0 {
			return groups
		}
		var p string
		if e.job.Sink.Partitioning == PartitionByIngestTime {
			p = sink.IngestPath(w.ingest)
		}
		groups[p] = rows
		return groups
	}
	// Rows with the same partition values share a group, found by the
	// values' raw fields (which a scalar's text follows) without
	// formatting anything: the path is formatted once per group. Nested
	// values, whose text is their elements', are formatted row by row.
	type group struct {
		path string
		rows []int
	}
	byRaw := map[string]*group{}
	vals := make([]string, len(partIdx))
	path := func(r int) string {
		for i, c := range partIdx {
			vals[i] = w.rows.At(r, c).Text()
		}
		return sink.ColumnPath(e.job.Sink.PartitionKeys, vals)
	}
	var raw []byte
	for r := range w.keep {
		if !w.keep[r] {
			continue
		}
		w.nkept++
		raw = raw[:0]
		nested := false
		for _, c := range partIdx {
			v := w.rows.At(r, c)
			nested = nested || v.Type.Nested()
			raw = binary.LittleEndian.AppendUint16(raw, uint16(v.Type))
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v.I))
			raw = binary.LittleEndian.AppendUint64(raw, uint64(len(v.S)))
			raw = append(raw, v.S...)
		}
		if nested {
			p := path(r)
			groups[p] = append(groups[p], r)
			continue
		}
		g := byRaw[string(raw)]
		if g == nil {
			g = &group{path: path(r)}
			byRaw[string(raw)] = g
		}
		g.rows = append(g.rows, r)
	}
	for _, g := range byRaw {
		rows, merged := groups[g.path]
		groups[g.path] = append(rows, g.rows...)
		if merged { // different fields with one text (NaNs of other bits, a nested value's): back in row order
			slices.Sort(groups[g.path])
		}
	}
	return groups
}

// write encodes and puts the batch's planned objects (crash point
// AtInSink after the first Objects of them), then with an aggregate section
// the operator's state (crash point AtAfterSink follows). Objects are
// encoded and put several at a time (see putObjects, which calls encoded
// once they are all encoded); each one's bytes depend on the batch alone,
// never on the order or the core count.
func (e *Engine) write(ctx context.Context, w *batchWork, encoded func()) error {
	id := w.id
	outs := w.outs
	crashIn := e.crashAt(AtInSink, id)
	if crashIn {
		outs = outs[:min(len(outs), e.crash.Objects)]
	}
	if err := e.putObjects(ctx, w, outs, encoded); err != nil {
		return err
	}
	if crashIn && len(outs) < len(w.outs) {
		return ErrCrashed // among the objects
	}
	if err := e.writeWindowsTable(ctx, w, len(outs)); err != nil {
		return err
	}
	if crashIn {
		return ErrCrashed
	}
	if e.agg != nil {
		// The state goes next to the commit, before it: a crash between
		// the two replays this batch from the previous state, and the
		// replay writes the same bytes here again.
		st, err := e.agg.Snapshot()
		if err != nil {
			return fmt.Errorf("engine: batch %d: aggregate state: %w", id, err)
		}
		key := aggregate.StateKey(id)
		if _, err := e.cp.Put(ctx, key, st, blob.Cond{}); err != nil {
			return fmt.Errorf("engine: batch %d: write aggregate state %s: %w", id, e.cp.URL(key), err)
		}
	}
	if e.crashAt(AtAfterSink, id) {
		return ErrCrashed
	}
	return nil
}

// putObjects encodes and puts outs, up to GOMAXPROCS of them at a time,
// each into its own buffer (so at most that many encoded objects are held
// at once). Once every one of them is encoded (or failed to be), it calls
// encoded while the last uploads go on. It returns the error of the first
// object, in plan order, that failed; the others still under way finish
// first.
func (e *Engine) putObjects(ctx context.Context, w *batchWork, outs []output, encoded func()) error {
	errs := make([]error, len(outs))
	next := make(chan int)
	done := make(chan struct{}, len(outs)) // an object encoded (or failed to)
	var wg sync.WaitGroup
	workers := min(len(outs), runtime.GOMAXPROCS(0))
	if isKinesis(e.out) {
		workers = min(len(outs), 1) // a stream's records go in plan order, so a replay sends them alike
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range next {
				buf.Reset()
				buf.Grow(int(e.objectSize.Load()))
				var store blob.Store
				store, errs[i] = e.encodeObject(ctx, w, &outs[i], &buf)
				done <- struct{}{}
				if errs[i] == nil && store != nil {
					errs[i] = e.put(ctx, w, store, &outs[i], &buf)
				}
				if n := int64(buf.Len()); n > e.objectSize.Load() {
					e.objectSize.Store(n) // a race between workers keeps one of the sizes: either will do
				}
			}
		}()
	}
	for i := range outs {
		next <- i
	}
	close(next)
	for range outs {
		<-done
	}
	encoded()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// isKinesis reports whether store is a Kinesis sink's stream.
func isKinesis(store blob.Store) bool {
	_, ok := store.(*kinesisOutput)
	return ok
}

// encodeObject encodes o into buf and returns the store it goes to, or nil
// for a Kinesis sink, which sends the object's rows as records instead.
func (e *Engine) encodeObject(ctx context.Context, w *batchWork, o *output, buf *bytes.Buffer) (blob.Store, error) {
	id := w.id
	switch {
	case o.dead:
		if err := sink.EncodeDeadLetters(buf, w.dead); err != nil {
			return nil, fmt.Errorf("engine: batch %d: %w", id, err)
		}
		return e.dlq, nil
	case o.windows:
		if err := w.winPQ.Encode(buf, w.windows, seq(len(w.windows)/len(e.agg.WindowColumns()))); err != nil {
			return nil, fmt.Errorf("engine: batch %d: encode %s: %w", id, o.url, err)
		}
		return e.win, nil
	case isKinesis(e.out):
		if err := e.out.(*kinesisOutput).writeRows(ctx, o.key, w.outCols, w.rows, o.rows); err != nil {
			return nil, fmt.Errorf("engine: batch %d: %w", id, err)
		}
		return nil, nil
	}
	if err := w.pq.EncodeProjected(buf, w.rows, w.fileCols, o.rows); err != nil {
		return nil, fmt.Errorf("engine: batch %d: encode %s: %w", id, o.url, err)
	}
	return e.out, nil
}

// put writes o's encoded bytes, buf, to store.
func (e *Engine) put(ctx context.Context, w *batchWork, store blob.Store, o *output, buf *bytes.Buffer) error {
	if _, err := store.Put(ctx, o.key, buf.Bytes(), blob.Cond{}); err != nil {
		return fmt.Errorf("engine: batch %d: write output: %w", w.id, err)
	}
	return nil
}

// commit records the batch as committed in the checkpoint, moves the
// source past it and reports its metrics.
func (e *Engine) commit(ctx context.Context, w *batchWork, b *source.Batch, plan *checkpoint.Offsets) error {
	now := e.clk.Now()
	var lag int64
	if !w.oldest.IsZero() {
		lag = max(0, now.Sub(w.oldest).Milliseconds())
	}
	c := &checkpoint.Commit{
		BatchID:               w.id,
		CommittedAt:           now.UTC(),
		NumRecords:            w.nkept,
		NumDeadLetter:         int64(len(w.dead)),
		BatchProcessingTimeMs: now.Sub(w.t0).Milliseconds(),
		MaxConsumerLagMs:      lag,
		MillisBehindLatest:    b.MillisBehindLatest,
		EngineID:              e.id,
	}
	if err := e.ckpt.Commit(ctx, c); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if !w.sourceMoved {
		e.src.Commit(plan)
	}
	e.report(c, w.read)
	return nil
}

func (e *Engine) report(c *checkpoint.Commit, read int) {
	m := e.metrics
	m.numRecords.Set(float64(c.NumRecords))
	m.processingTime.Set(float64(c.BatchProcessingTimeMs))
	m.consumerLag.Set(float64(c.MaxConsumerLagMs))
	m.behindLatest.Set(float64(c.MillisBehindLatest))
	m.batchID.Set(float64(c.BatchID))
	m.records.Add(float64(c.NumRecords))
	m.deadLetters.Add(float64(c.NumDeadLetter))
	m.batches.Inc()
	attrs := []any{"batch", c.BatchID, "numRecords", c.NumRecords, "numDeadLetter", c.NumDeadLetter, "read", read,
		"batchProcessingTimeInMs", c.BatchProcessingTimeMs, "MillisBehindLatest", c.MillisBehindLatest}
	if e.job.Options.EmitConsumerLagMetrics {
		attrs = append(attrs, "maxConsumerLagInMs", c.MaxConsumerLagMs)
	}
	e.log.Info("batch committed", attrs...)
}

// objectName names file idx of batch id: under exactly-once
// sink.ScopedObjectName with token (the checkpoint's, or "" to replay a plan
// written without it), else a random sink.RandomName.
func (e *Engine) objectName(id int64, idx int, token, ext string) (string, error) {
	if e.job.Delivery == ExactlyOnce {
		return sink.ScopedObjectName(token, id, idx, ext), nil
	}
	var b [16]byte
	if _, err := io.ReadFull(e.random, b[:]); err != nil {
		return "", fmt.Errorf("engine: batch %d: random object name: %w", id, err)
	}
	return sink.RandomName(b, ext), nil
}

// scopedNames reports whether plan names its exactly-once objects with a
// checkpoint token; a plan without objects counts as scoped.
func scopedNames(plan *checkpoint.Offsets) bool {
	for _, list := range [][]string{plan.Objects, plan.DeadLetterObjects, plan.WindowsObjects} {
		for _, u := range list {
			if p, ok := sink.ParseObjectName(path.Base(u)); ok {
				return p.Token != ""
			}
		}
	}
	return true
}

// splitPartitionColumns returns the indexes of the columns written to files
// and of the partition columns (in PartitionKeys order).
func (e *Engine) splitPartitionColumns(cols []record.Column) (file, part []int) {
	isKey := map[string]int{}
	if e.job.Sink.Partitioning == PartitionByColumns {
		for i, k := range e.job.Sink.PartitionKeys {
			isKey[k] = i
		}
	}
	part = make([]int, len(isKey))
	for i, c := range cols {
		if k, ok := isKey[c.Name]; ok {
			part[k] = i
		} else {
			file = append(file, i)
		}
	}
	return file, part
}

func project(cols []record.Column, idx []int) []record.Column {
	out := make([]record.Column, len(idx))
	for i, c := range idx {
		out[i] = cols[c]
	}
	return out
}

// extraColumns are the columns the engine adds after the transforms:
// __src_timestamp (addRecordTimestamp), then headers (includeHeaders, Kafka).
func (e *Engine) extraColumns() []record.Column {
	var cols []record.Column
	if e.job.Options.AddRecordTimestamp {
		cols = append(cols, record.Column{Name: "__src_timestamp", Type: record.Timestamp})
	}
	if e.job.Options.IncludeHeaders && e.job.Source.Kind == KindKafka {
		cols = append(cols, record.Column{Name: "headers", Type: record.String})
	}
	return cols
}

// fillExtra fills the extraColumns of r.
func (e *Engine) fillExtra(r *source.Record, row []record.Value) {
	i := 0
	if e.job.Options.AddRecordTimestamp {
		row[i] = record.Value{Type: record.Timestamp, I: r.ArrivalTime().UnixMicro()}
		i++
	}
	if i < len(row) {
		row[i] = record.Value{Type: record.String, S: headersJSON(r.Headers())}
	}
}

// headersJSON renders headers as a JSON array of {"key","value"} objects,
// values as strings.
func headersJSON(hs []source.Header) string {
	type kv struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	out := make([]kv, len(hs))
	for i, h := range hs {
		out[i] = kv{h.Key, string(h.Value)}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// ownStrings gives the kept rows lo..hi of rows their own copies of the
// strings they hold, in one allocation, so that they no longer point into
// the records they were decoded from; the rows not kept are cleared. (A
// nested value's elements are left as they are: a page they point into
// stays until the rows go.)
func ownStrings(rows record.Rows, keep []bool, lo, hi int) {
	size := 0
	for i := lo; i < hi; i++ {
		row := rows.Row(i)
		if !keep[i] {
			clear(row)
			continue
		}
		for c := range row {
			size += len(row[c].S) // 0 for a nested value (see record.Value)
		}
	}
	if size == 0 {
		return
	}
	own := make([]byte, 0, size)
	for i := lo; i < hi; i++ {
		if !keep[i] {
			continue
		}
		row := rows.Row(i)
		for c := range row {
			if v := &row[c]; len(v.S) > 0 {
				at := len(own)
				own = append(own, v.S...)
				v.S = unsafe.String(&own[at], len(v.S))
			}
		}
	}
}

// earliest returns the earlier of a and b, a zero time standing for none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// rowBlockShift sets the rows a block of a batch's rows holds: 4,096.
const rowBlockShift = 12

// decode decodes and transforms every record of b in parallel into w's
// rows, a chunk of the batch at a time (see source.Batch.Chunk); rejected
// records become w's dead letters, in source order. It also sets what w
// keeps of the records: how many were read, the earliest arrival and the
// payload bytes.
//
// The batch is decoded into rows as it is let go: each block of rows is
// made when the first chunk that reaches it is decoded, and a decoded
// chunk's kept rows take copies of the strings they hold (see ownStrings)
// before the chunk is dropped, so that a page of records goes back once
// its last chunk is decoded. The batch's records and its rows are never
// all held at once. (With an aggregate, the join takes the records by
// index and the rows packed: the records stay, and the rows are one
// block.)
func (e *Engine) decode(w *batchWork, b *source.Batch, info checkpoint.SourceInfo, cols []record.Column, tr *transform.Transform, width int) error {
	id := w.id
	n := b.Len()
	shift := uint(rowBlockShift)
	if e.agg != nil {
		shift = record.OneBlock
	}
	// Fresh rows for each batch: rows kept from batch to batch stay live
	// while the next batch is read, on top of the read at the peak heap.
	rows := record.NewRows(n, width, shift)
	made := make([]sync.Once, rows.Blocks())
	keep := make([]bool, n)
	chunks := b.Chunks()
	dead := make([][]sink.DeadLetter, chunks) // by chunk, to join in source order
	workers := max(1, min(runtime.GOMAXPROCS(0), chunks))
	type part struct {
		payload int64
		oldest  time.Time
		err     error
	}
	parts := make([]part, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	nTr := len(tr.Output())
	for p := range parts {
		part := &parts[p]
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec, err := record.NewFormatDecoder(e.format, cols)
			if err != nil {
				part.err = fmt.Errorf("engine: batch %d: decoder: %w", id, err)
				return
			}
			in := make([]record.Value, len(cols))
			var buf []source.Record
			for k := int(next.Add(1) - 1); k < chunks; k = int(next.Add(1) - 1) {
				var base int
				base, buf = b.Chunk(k, buf)
				if len(buf) == 0 {
					continue
				}
				for blk := rows.Block(base); blk <= rows.Block(base+len(buf)-1); blk++ {
					made[blk].Do(func() {
						vals := rows.MakeBlock(blk)
						if !e.smallPages {
							hugepage.Advise(vals)
						}
					})
				}
				for j := range buf {
					i, r := base+j, &buf[j]
					part.payload += int64(len(r.Data))
					part.oldest = earliest(part.oldest, r.ArrivalTime())
					row := rows.Row(i)
					if msg := r.Err(); msg != "" {
						dead[k] = append(dead[k], deadLetter(r, id, info, msg))
						continue
					}
					err := dec.Decode(r.Data, in)
					if err == nil {
						var ok bool
						ok, err = tr.Apply(in, row[:nTr])
						keep[i] = ok && err == nil
						if width > nTr {
							e.fillExtra(r, row[nTr:])
						}
					}
					if err != nil {
						dead[k] = append(dead[k], deadLetter(r, id, info, err.Error()))
						keep[i] = false
					}
				}
				if e.agg == nil { // the join keeps the records
					ownStrings(rows, keep, base, base+len(buf))
				}
				b.Drop(k)
			}
			clear(in) // the last record's values point into its page
		}()
	}
	wg.Wait()
	w.rows, w.keep, w.read, w.dead = rows, keep, n, nil
	for _, p := range parts {
		if p.err != nil {
			return p.err
		}
		w.payloadBytes += p.payload
		w.oldest = earliest(w.oldest, p.oldest)
	}
	for _, d := range dead {
		w.dead = append(w.dead, d...)
	}
	return nil
}
