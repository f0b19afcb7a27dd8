package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// Special offsets in KafkaConfig.StartingOffsets, as in Spark's and Glue's
// per-partition JSON.
const (
	OffsetEarliest int64 = -2
	OffsetLatest   int64 = -1
)

// KafkaConfig holds the Glue Kafka connection options the source honours.
// Exactly one of Topic, Assign and SubscribePattern is set. The engine
// fills it from a job, with Glue's defaults.
type KafkaConfig struct {
	// Brokers are the bootstrap servers (host:port).
	Brokers []string
	// Topic is topicName: every partition of one topic.
	Topic string
	// Assign is assign: fixed partitions of topics.
	Assign map[string][]int32
	// SubscribePattern is subscribePattern: every partition of every topic
	// whose whole name matches.
	SubscribePattern *regexp.Regexp
	// StartingOffsets applies to the partitions known when a checkpoint is
	// fresh: topic → partition → offset, with OffsetEarliest and
	// OffsetLatest; a partition it does not name starts at
	// DefaultStartingOffset. Partitions found later always start at the
	// earliest offset, as in Spark.
	StartingOffsets       map[string]map[int32]int64
	DefaultStartingOffset int64
	// StartingTimestamp, when set, overrides the starting offsets of a
	// fresh checkpoint: each partition starts at its first record with a
	// timestamp at or after it (or at its end if there is none).
	StartingTimestamp time.Time
	// MaxOffsetsPerTrigger caps the offsets one batch reads, split across
	// partitions in proportion to their backlog; 0 means no cap (a batch
	// reads up to the end offsets listed when it starts).
	MaxOffsetsPerTrigger int64
	// PollTimeout bounds one fetch (pollTimeoutMs); a batch stops reading
	// a partition that gave nothing within it.
	PollTimeout time.Duration
	// NumRetries and RetryInterval govern retries of broker errors
	// (leadership moves, transport errors).
	NumRetries    int
	RetryInterval time.Duration
	// MetadataInterval is how often topics and partitions are listed again
	// to pick up new ones; 0 lists before every batch.
	MetadataInterval time.Duration
	FailOnDataLoss   bool
	// ClientOptions are extra kgo options: TLS, SASL, dialer.
	ClientOptions []kgo.Opt
}

// Header is a Kafka record header.
type Header struct {
	Key   string
	Value []byte
}

// DataLossError is returned by Read when retention (or DeleteRecords)
// removed records the source had not read and FailOnDataLoss is set.
type DataLossError struct {
	// Loss is the range that was lost.
	Loss checkpoint.DataLoss
}

// Error names the shard or partition and the range.
func (e *DataLossError) Error() string {
	l := e.Loss
	if l.Topic != "" {
		return fmt.Sprintf("data loss: topic %s partition %d: offsets [%s, %s) were removed before they were read (failOnDataLoss)", l.Topic, l.Partition, l.From, l.To)
	}
	if l.To == "" {
		return fmt.Sprintf("data loss: shard %s expired after %q before it was drained (failOnDataLoss)", l.ShardID, l.From)
	}
	return fmt.Sprintf("data loss: shard %s: records after %s and before %s were removed before they were read (failOnDataLoss)", l.ShardID, l.From, l.To)
}

// ErrDataLoss is matched by errors.Is for every *DataLossError.
var ErrDataLoss = errors.New("data loss")

// Is makes errors.Is(err, ErrDataLoss) true.
func (e *DataLossError) Is(target error) bool { return target == ErrDataLoss }

type topicPartition struct {
	topic     string
	partition int32
}

type kafkaPartition struct {
	tp     topicPartition
	next   int64 // next offset to read; < 0 while unresolved (OffsetEarliest, OffsetLatest)
	atTime bool  // unresolved, start at StartingTimestamp
}

type partitionMeta struct {
	leader  int32
	topicID [16]byte
}

// Kafka is a Source over Kafka topics, read partition by partition with
// plain Fetch requests to each partition's leader: positions live in the
// checkpoint, not in consumer-group commits.
type Kafka struct {
	cl    *kgo.Client
	cfg   KafkaConfig
	clk   clock.Clock
	log   *slog.Logger
	parts map[topicPartition]*kafkaPartition
	meta  map[topicPartition]partitionMeta
	fresh bool
	// listed is when metadata was last listed (zero: list before the next read).
	listed time.Time
	// wire is the bytes a record took on the wire in each partition's last
	// Fetch answer (see partitionMaxBytes).
	wire map[topicPartition]float64
}

// NewKafka returns a Kafka source and its client (no connection is made
// yet). log may be nil. Close releases the client.
func NewKafka(cfg KafkaConfig, clk clock.Clock, log *slog.Logger) (*Kafka, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.RequestRetries(0)}, cfg.ClientOptions...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: create client for %v: %w", cfg.Brokers, err)
	}
	return &Kafka{cl: cl, cfg: cfg, clk: clk, log: log, parts: map[topicPartition]*kafkaPartition{}, fresh: true, wire: map[topicPartition]float64{}}, nil
}

// Close closes the client.
func (k *Kafka) Close() { k.cl.Close() }

// Info names the topic, the assigned topics or the pattern.
func (k *Kafka) Info() checkpoint.SourceInfo {
	name := k.cfg.Topic
	switch {
	case k.cfg.SubscribePattern != nil:
		name = k.cfg.SubscribePattern.String()
	case name == "" && len(k.cfg.Assign) > 0:
		topics := make([]string, 0, len(k.cfg.Assign))
		for t := range k.cfg.Assign {
			topics = append(topics, t)
		}
		sort.Strings(topics)
		name = topics[0]
		for _, t := range topics[1:] {
			name += "," + t
		}
	}
	return checkpoint.SourceInfo{Kind: "kafka", Stream: name}
}

// Restore sets every partition's position to the end of the committed plan.
func (k *Kafka) Restore(_ context.Context, committed *checkpoint.Offsets) error {
	k.parts = map[topicPartition]*kafkaPartition{}
	k.listed = time.Time{}
	k.fresh = committed == nil
	if committed != nil {
		k.Commit(committed)
	}
	return nil
}

// Commit moves each partition of planned to its range's end.
func (k *Kafka) Commit(planned *checkpoint.Offsets) {
	for _, r := range planned.Partitions {
		tp := topicPartition{r.Topic, r.Partition}
		k.parts[tp] = &kafkaPartition{tp: tp, next: r.EndOffset}
	}
	k.fresh = false
}

func (k *Kafka) wanted(topic string, partition int32) bool {
	switch {
	case k.cfg.SubscribePattern != nil:
		loc := k.cfg.SubscribePattern.FindStringIndex(topic)
		return loc != nil && loc[0] == 0 && loc[1] == len(topic)
	case len(k.cfg.Assign) > 0:
		for _, p := range k.cfg.Assign[topic] {
			if p == partition {
				return true
			}
		}
		return false
	}
	return topic == k.cfg.Topic
}

// refresh lists topics and partitions (when MetadataInterval has passed or
// force is set), tracking new partitions unless only leaders are wanted.
func (k *Kafka) refresh(ctx context.Context, force bool) error {
	return k.list(ctx, force, true)
}

// refreshLeaders lists partitions' leaders without tracking new ones.
func (k *Kafka) refreshLeaders(ctx context.Context) error {
	return k.list(ctx, true, false)
}

func (k *Kafka) list(ctx context.Context, force, track bool) error {
	now := k.clk.Now()
	if !force && !k.listed.IsZero() && now.Sub(k.listed) < k.cfg.MetadataInterval {
		return nil
	}
	req := kmsg.NewPtrMetadataRequest()
	if k.cfg.SubscribePattern == nil {
		topics := []string{k.cfg.Topic}
		if len(k.cfg.Assign) > 0 {
			topics = topics[:0]
			for t := range k.cfg.Assign {
				topics = append(topics, t)
			}
			sort.Strings(topics)
		}
		for _, t := range topics {
			rt := kmsg.NewMetadataRequestTopic()
			rt.Topic = kmsg.StringPtr(t)
			req.Topics = append(req.Topics, rt)
		}
	}
	var resp *kmsg.MetadataResponse
	err := k.retry(ctx, "list topics", func() error {
		r, err := req.RequestWith(ctx, k.cl)
		resp = r
		return err
	})
	if err != nil {
		return fmt.Errorf("kafka: list topics of %s: %w", k.Info().Stream, err)
	}
	meta := map[topicPartition]partitionMeta{}
	for _, t := range resp.Topics {
		name := ""
		if t.Topic != nil {
			name = *t.Topic
		}
		if t.ErrorCode != 0 {
			if k.cfg.SubscribePattern == nil {
				k.log.Warn("topic not readable yet", "topic", name, "err", kerr.ErrorForCode(t.ErrorCode))
			}
			continue
		}
		for _, p := range t.Partitions {
			if !k.wanted(name, p.Partition) {
				continue
			}
			tp := topicPartition{name, p.Partition}
			meta[tp] = partitionMeta{leader: p.Leader, topicID: t.TopicID}
			if _, ok := k.parts[tp]; ok || !track {
				continue
			}
			kp := &kafkaPartition{tp: tp, next: OffsetEarliest}
			if k.fresh {
				kp.next = k.cfg.DefaultStartingOffset
				if o, ok := k.cfg.StartingOffsets[name][p.Partition]; ok {
					kp.next = o
				}
				kp.atTime = !k.cfg.StartingTimestamp.IsZero()
			}
			k.parts[tp] = kp
		}
	}
	k.meta = meta
	if track {
		k.listed = now
	}
	return nil
}

func (k *Kafka) sorted() []*kafkaPartition {
	out := make([]*kafkaPartition, 0, len(k.parts))
	for _, p := range k.parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].tp.topic != out[j].tp.topic {
			return out[i].tp.topic < out[j].tp.topic
		}
		return out[i].tp.partition < out[j].tp.partition
	})
	return out
}

// listOffsets asks the leaders for each partition's offset at ts
// (OffsetEarliest, OffsetLatest or milliseconds since the epoch); a
// partition with no record at or after ts maps to -1.
func (k *Kafka) listOffsets(ctx context.Context, parts []*kafkaPartition, ts func(*kafkaPartition) int64) (map[topicPartition]int64, error) {
	out := map[topicPartition]int64{}
	if len(parts) == 0 {
		return out, nil
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	byTopic := map[string]int{}
	for _, p := range parts {
		i, ok := byTopic[p.tp.topic]
		if !ok {
			i = len(req.Topics)
			byTopic[p.tp.topic] = i
			rt := kmsg.NewListOffsetsRequestTopic()
			rt.Topic = p.tp.topic
			req.Topics = append(req.Topics, rt)
		}
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p.tp.partition
		rp.Timestamp = ts(p)
		rp.CurrentLeaderEpoch = -1
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	err := k.retry(ctx, "list offsets", func() error {
		resp, err := req.RequestWith(ctx, k.cl)
		if err != nil {
			return err
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return fmt.Errorf("topic %s partition %d: %w", t.Topic, p.Partition, err)
				}
				out[topicPartition{t.Topic, p.Partition}] = p.Offset
			}
		}
		return nil
	})
	if err != nil {
		k.listed = time.Time{}
		return nil, fmt.Errorf("kafka: list offsets: %w", err)
	}
	return out, nil
}

// Read reads, from every partition, the records from its position up to
// the end offset listed at the start of the read (capped by
// MaxOffsetsPerTrigger), detecting offsets that retention removed first.
func (k *Kafka) Read(ctx context.Context) (*Batch, error) {
	if err := k.refresh(ctx, false); err != nil {
		return nil, err
	}
	parts := k.sorted()
	// Resolve symbolic starting positions.
	var pending []*kafkaPartition
	for _, p := range parts {
		if p.next < 0 || p.atTime {
			pending = append(pending, p)
		}
	}
	if len(pending) > 0 {
		starts, err := k.listOffsets(ctx, pending, func(p *kafkaPartition) int64 {
			if p.atTime {
				return k.cfg.StartingTimestamp.UnixMilli()
			}
			return p.next
		})
		if err != nil {
			return nil, err
		}
		ends, err := k.listOffsets(ctx, pending, func(*kafkaPartition) int64 { return OffsetLatest })
		if err != nil {
			return nil, err
		}
		for _, p := range pending {
			o := starts[p.tp]
			if o < 0 { // no record at or after the timestamp
				o = ends[p.tp]
			}
			p.next, p.atTime = o, false
		}
	}
	earliest, err := k.listOffsets(ctx, parts, func(*kafkaPartition) int64 { return OffsetEarliest })
	if err != nil {
		return nil, err
	}
	latest, err := k.listOffsets(ctx, parts, func(*kafkaPartition) int64 { return OffsetLatest })
	if err != nil {
		return nil, err
	}
	b := &Batch{CaughtUp: true}
	starts := map[topicPartition]int64{}
	for _, p := range parts {
		if lo, ok := earliest[p.tp]; ok && lo > p.next {
			loss := checkpoint.DataLoss{Topic: p.tp.topic, Partition: p.tp.partition, From: strconv.FormatInt(p.next, 10),
				To: strconv.FormatInt(lo, 10), DetectedAt: k.clk.Now().UTC()}
			if k.cfg.FailOnDataLoss {
				return nil, fmt.Errorf("kafka: %w", &DataLossError{Loss: loss})
			}
			k.log.Warn("records removed by retention before they were read; continuing at the earliest offset",
				"topic", p.tp.topic, "partition", p.tp.partition, "from", p.next, "to", lo)
			b.DataLoss = append(b.DataLoss, loss)
			p.next = lo
		}
		starts[p.tp] = p.next
	}
	ends := k.limits(parts, latest)
	ranges := make([]checkpoint.PartitionRange, len(parts))
	for i, p := range parts {
		ranges[i] = checkpoint.PartitionRange{Topic: p.tp.topic, Partition: p.tp.partition, StartOffset: p.next, EndOffset: ends[p.tp]}
		if ends[p.tp] < latest[p.tp] {
			b.CaughtUp = false
		}
	}
	recs, reached, err := k.fetch(ctx, ranges, false)
	if err != nil {
		return nil, err
	}
	for i := range ranges {
		ranges[i].EndOffset = reached[i]
		if reached[i] < latest[topicPartition{ranges[i].Topic, ranges[i].Partition}] {
			b.CaughtUp = false
		}
	}
	b.Records = recs
	b.Partitions = ranges
	if n := len(recs); n > 0 && !b.CaughtUp {
		b.MillisBehindLatest = max(0, k.clk.Now().Sub(recs[n-1].ArrivalTime()).Milliseconds())
	}
	return b, nil
}

// limits returns each partition's end offset for a read: the listed end,
// or with MaxOffsetsPerTrigger its share of the cap in proportion to its
// backlog (at least one offset for a partition with any backlog, as Spark
// rounds small shares up).
func (k *Kafka) limits(parts []*kafkaPartition, latest map[topicPartition]int64) map[topicPartition]int64 {
	ends := map[topicPartition]int64{}
	var total int64
	for _, p := range parts {
		end := max(latest[p.tp], p.next)
		ends[p.tp] = end
		total += end - p.next
	}
	capN := k.cfg.MaxOffsetsPerTrigger
	if capN <= 0 || total <= capN {
		return ends
	}
	for _, p := range parts {
		backlog := ends[p.tp] - p.next
		if backlog == 0 {
			continue
		}
		share := float64(capN) * float64(backlog) / float64(total)
		n := int64(share)
		if share < 1 {
			n = 1
		}
		ends[p.tp] = p.next + min(backlog, n)
	}
	return ends
}

// Replay reads exactly the records of planned's partition ranges.
func (k *Kafka) Replay(ctx context.Context, planned *checkpoint.Offsets) (*Batch, error) {
	if err := k.refreshLeaders(ctx); err != nil {
		return nil, err
	}
	recs, reached, err := k.fetch(ctx, planned.Partitions, true)
	if err != nil {
		return nil, fmt.Errorf("kafka: replay batch %d: %w", planned.BatchID, err)
	}
	for i, r := range planned.Partitions {
		if reached[i] < r.EndOffset {
			return nil, fmt.Errorf("kafka: replay batch %d: topic %s partition %d: read up to offset %d of the planned [%d, %d)",
				planned.BatchID, r.Topic, r.Partition, reached[i], r.StartOffset, r.EndOffset)
		}
	}
	return &Batch{Records: recs, Partitions: planned.Partitions, DataLoss: planned.DataLoss, CaughtUp: true}, nil
}

// fetch reads the records of every range [StartOffset, EndOffset) with
// Fetch requests to the partitions' leaders, and returns them in range
// order with the offset each range was read up to. A partition that gives
// nothing new within PollTimeout stops early unless exact is set (a
// replay), which instead fails after NumRetries more tries. An offset out
// of range during exact reading is an error: the planned records are gone.
func (k *Kafka) fetch(ctx context.Context, ranges []checkpoint.PartitionRange, exact bool) ([]Record, []int64, error) {
	reached := make([]int64, len(ranges))
	per := make([][]Record, len(ranges))
	stalls := make([]int, len(ranges))
	wire := make([]float64, len(ranges)) // bytes a record, by range (k.wire's, updated as answers come)
	idx := map[topicPartition]int{}
	for i, r := range ranges {
		reached[i] = r.StartOffset
		wire[i] = k.wire[topicPartition{r.Topic, r.Partition}]
		idx[topicPartition{r.Topic, r.Partition}] = i
		// Offsets are dense unless compacted: size for the whole range.
		per[i] = make([]Record, 0, min(r.EndOffset-r.StartOffset, 1<<20))
	}
	failures := 0
	decomp := kgo.DefaultDecompressor()
	for {
		// Group the unfinished ranges by leader.
		byLeader := map[int32][]int{}
		for i, r := range ranges {
			if reached[i] >= r.EndOffset || (!exact && stalls[i] > 0) {
				continue
			}
			m, ok := k.meta[topicPartition{r.Topic, r.Partition}]
			if !ok {
				if err := k.refreshLeaders(ctx); err != nil {
					return nil, nil, err
				}
				m, ok = k.meta[topicPartition{r.Topic, r.Partition}]
				if !ok {
					return nil, nil, fmt.Errorf("kafka: topic %s partition %d is not in the cluster's metadata", r.Topic, r.Partition)
				}
			}
			byLeader[m.leader] = append(byLeader[m.leader], i)
		}
		if len(byLeader) == 0 {
			break
		}
		leaders := make([]int32, 0, len(byLeader))
		for l := range byLeader {
			leaders = append(leaders, l)
		}
		sort.Slice(leaders, func(i, j int) bool { return leaders[i] < leaders[j] })
		// Leaders are fetched from in parallel: each call touches only its
		// own partitions' entries of reached, per and stalls.
		errs := make([]error, len(leaders))
		var wg sync.WaitGroup
		for li, leader := range leaders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[li] = k.fetchFrom(ctx, leader, byLeader[leader], ranges, reached, per, stalls, wire, idx, decomp)
			}()
		}
		wg.Wait()
		var retry error
		for _, err := range errs {
			var lost *DataLossError
			if errors.As(err, &lost) {
				return nil, nil, err
			}
			if ctx.Err() != nil {
				return nil, nil, cmp.Or(err, ctx.Err())
			}
			if err != nil {
				retry = err
			}
		}
		if retry == nil {
			failures = 0
			if exact {
				for i := range stalls {
					if stalls[i] > k.cfg.NumRetries {
						r := ranges[i]
						return nil, nil, fmt.Errorf("kafka: topic %s partition %d: nothing at offset %d after %d polls of %s", r.Topic, r.Partition, reached[i], stalls[i], k.cfg.PollTimeout)
					}
				}
			}
			continue
		}
		failures++
		if failures > k.cfg.NumRetries {
			return nil, nil, fmt.Errorf("kafka: fetch: %w", retry)
		}
		k.log.Debug("retrying kafka fetch", "attempt", failures, "err", retry)
		if err := k.clk.Sleep(ctx, k.cfg.RetryInterval); err != nil {
			return nil, nil, err
		}
		if err := k.refreshLeaders(ctx); err != nil {
			return nil, nil, err
		}
	}
	for i, r := range ranges {
		if wire[i] > 0 {
			k.wire[topicPartition{r.Topic, r.Partition}] = wire[i]
		}
	}
	n := 0
	for _, p := range per {
		n += len(p)
	}
	out := make([]Record, 0, n)
	for _, p := range per {
		out = append(out, p...)
	}
	return out, reached, nil
}

func (k *Kafka) fetchFrom(ctx context.Context, leader int32, which []int, ranges []checkpoint.PartitionRange, reached []int64,
	per [][]Record, stalls []int, wire []float64, idx map[topicPartition]int, decomp kgo.Decompressor) error {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = -1
	req.MaxWaitMillis = int32(k.cfg.PollTimeout.Milliseconds())
	req.MinBytes = 1
	req.MaxBytes = 64 << 20
	req.SessionEpoch = -1 // no fetch session
	byTopic := map[string]int{}
	ids := map[[16]byte]string{}
	for _, i := range which {
		r := ranges[i]
		m := k.meta[topicPartition{r.Topic, r.Partition}]
		ids[m.topicID] = r.Topic
		t, ok := byTopic[r.Topic]
		if !ok {
			t = len(req.Topics)
			byTopic[r.Topic] = t
			rt := kmsg.NewFetchRequestTopic()
			rt.Topic = r.Topic
			rt.TopicID = m.topicID
			req.Topics = append(req.Topics, rt)
		}
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition = r.Partition
		rp.FetchOffset = reached[i]
		rp.LogStartOffset = -1
		rp.CurrentLeaderEpoch = -1
		rp.PartitionMaxBytes = partitionMaxBytes(r.EndOffset-reached[i], wire[i])
		req.Topics[t].Partitions = append(req.Topics[t].Partitions, rp)
	}
	resp, err := req.RequestWith(ctx, k.cl.Broker(int(leader)))
	if err != nil {
		return fmt.Errorf("broker %d: %w", leader, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return fmt.Errorf("broker %d: %w", leader, err)
	}
	// The partitions' records are decoded in parallel, each into its own
	// per[i]; errors and progress are then taken in response order.
	type job struct {
		name string
		rp   *kmsg.FetchResponseTopicPartition
		i    int
		err  error // a retryable error, or a *DataLossError
		next bool  // reached moved
	}
	var jobs []job
	answered := map[int]bool{}
	for ti := range resp.Topics {
		t := &resp.Topics[ti]
		name := t.Topic
		if name == "" {
			name = ids[t.TopicID]
		}
		for pi := range t.Partitions {
			rp := &t.Partitions[pi]
			i, ok := idx[topicPartition{name, rp.Partition}]
			if !ok || answered[i] {
				continue // not asked for, or answered twice
			}
			answered[i] = true
			jobs = append(jobs, job{name: name, rp: rp, i: i})
		}
	}
	var wg sync.WaitGroup
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jb := &jobs[j]
			jb.next, jb.err = k.takePartition(jb.name, jb.rp, ranges[jb.i], &reached[jb.i], &per[jb.i], &wire[jb.i], decomp)
			if jb.next {
				stalls[jb.i] = 0
			}
		}()
	}
	wg.Wait()
	var retry error
	progressed := false
	for _, jb := range jobs {
		var lost *DataLossError
		if errors.As(jb.err, &lost) {
			return jb.err
		}
		if jb.err != nil {
			retry = jb.err
		}
		progressed = progressed || jb.next
	}
	if !progressed && retry == nil {
		// A response can leave partitions out when others filled it, so
		// only a response with nothing for anyone counts as a stall.
		for _, i := range which {
			stalls[i]++
		}
	}
	for _, i := range which {
		if !answered[i] {
			retry = fmt.Errorf("broker %d did not answer for topic %s partition %d", leader, ranges[i].Topic, ranges[i].Partition)
		}
	}
	return retry
}

// takePartition decodes one partition of a Fetch response into *recs:
// the records of r from *reached on, moving *reached past them, and sets
// *wire to the bytes a record took in the response. It reports whether
// *reached moved; its error is a *DataLossError when retention removed the
// offset being read, else one worth retrying.
func (k *Kafka) takePartition(name string, rp *kmsg.FetchResponseTopicPartition, r checkpoint.PartitionRange, reached *int64, recs *[]Record, wire *float64, decomp kgo.Decompressor) (bool, error) {
	raw := len(rp.RecordBatches)
	fp, next := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Offset: *reached, Topic: name, Partition: rp.Partition}, rp, decomp, nil)
	if len(fp.Records) > 0 {
		*wire = float64(raw) / float64(len(fp.Records))
	}
	if fp.Err != nil {
		if errors.Is(fp.Err, kerr.OffsetOutOfRange) && fp.LogStartOffset > *reached {
			return false, &DataLossError{Loss: checkpoint.DataLoss{Topic: name, Partition: rp.Partition,
				From: strconv.FormatInt(*reached, 10), To: strconv.FormatInt(fp.LogStartOffset, 10), DetectedAt: k.clk.Now().UTC()}}
		}
		return false, fmt.Errorf("topic %s partition %d at offset %d: %w", name, rp.Partition, *reached, fp.Err)
	}
	var origin *Origin // shared by the partition's records
	for _, kr := range fp.Records {
		if kr.Offset < *reached || kr.Offset >= r.EndOffset {
			continue
		}
		if origin == nil || origin.Partition != kr.Partition {
			origin = &Origin{Topic: name, Partition: kr.Partition}
		}
		rec := Record{Data: kr.Value, PartitionKey: string(kr.Key), Offset: kr.Offset, origin: origin}
		rec.SetArrivalTime(kr.Timestamp)
		if len(kr.Headers) > 0 {
			hs := make([]Header, len(kr.Headers))
			for h, kh := range kr.Headers {
				hs[h] = Header{Key: kh.Key, Value: kh.Value}
			}
			rec.setRare(hs, "", "")
		}
		*recs = append(*recs, rec)
	}
	if next > *reached {
		*reached = min(next, r.EndOffset)
		return true, nil
	}
	return false, nil
}

// The bounds of a partition's share of a Fetch (see partitionMaxBytes).
const (
	minPartitionFetch   = 64 << 10
	firstPartitionFetch = 1 << 20
	maxPartitionFetch   = 16 << 20
)

// partitionMaxBytes sizes a partition's share of a Fetch to the records
// its range still needs (remaining offsets), at wire bytes a record as the
// partition's last answer showed (0: not known yet), with a tenth to
// spare. A broker returns the first record batch whole however low the
// limit (KIP-74), so a low guess costs a round trip, never progress; a
// high one costs records fetched and decoded past the range's end, and
// the response they came in is held with the batch's records.
func partitionMaxBytes(remaining int64, wire float64) int32 {
	if wire <= 0 {
		return firstPartitionFetch
	}
	want := float64(remaining)*wire*1.1 + 16<<10
	return int32(min(max(want, minPartitionFetch), maxPartitionFetch))
}

// retry runs f, retrying retriable Kafka errors and transport errors up to
// NumRetries times, RetryInterval apart, on the injected clock.
func (k *Kafka) retry(ctx context.Context, what string, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt >= k.cfg.NumRetries || ctx.Err() != nil || !kafkaRetryable(err) {
			return err
		}
		k.log.Debug("retrying kafka call", "call", what, "attempt", attempt+1, "err", err)
		k.listed = time.Time{}
		if err := k.clk.Sleep(ctx, k.cfg.RetryInterval); err != nil {
			return err
		}
	}
}

func kafkaRetryable(err error) bool {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Retriable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// Other client errors (a broker connection that dropped) are worth
	// another try; a closed client or a cancelled context is not.
	return !errors.Is(err, kgo.ErrClientClosed) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
