package sink

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/internal/jsontext"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// Defaults of the Kinesis sink, Glue's write options where Glue has them.
const (
	DefaultAggregationEnabled    = true
	DefaultAggregationMaxSize    = 51200
	DefaultAggregationMaxCount   = 4294967295
	DefaultRecordMaxBufferedTime = time.Second
	DefaultProducerRateLimit     = 150 // percent of the shard limits
	DefaultCollectionMaxCount    = 500
	DefaultCollectionMaxSize     = 5 << 20
	// DefaultPutAttempts bounds how often a PutRecords entry is sent before
	// the write fails (the batch is then retried whole).
	DefaultPutAttempts = 10
)

// Kinesis limits the sink honours: PutRecords takes at most 500 entries
// and 5 MiB; a shard takes 1,000 records and 1 MiB a second.
const (
	maxPutRecordsEntries = 500
	maxPutRecordsBytes   = 5 << 20
	shardRecordsPerSec   = 1000
	shardBytesPerSec     = 1 << 20
)

// KinesisAPI is the part of the Kinesis client the sink uses.
type KinesisAPI interface {
	PutRecords(context.Context, *kinesis.PutRecordsInput, ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

// KinesisConfig is the Kinesis sink's settings, with Glue's write options.
type KinesisConfig struct {
	// StreamName or StreamARN names the stream written.
	StreamName, StreamARN string
	// AggregationEnabled packs records into KPL aggregates of at most
	// AggregationMaxSize bytes and AggregationMaxCount records; a record
	// larger than AggregationMaxSize is sent alone.
	AggregationEnabled  bool
	AggregationMaxSize  int
	AggregationMaxCount int64
	// RecordMaxBufferedTime is how long a record may wait to be sent; a
	// batch's records are sent as the batch writes, so none waits longer
	// than the write.
	RecordMaxBufferedTime time.Duration
	// ProducerRateLimit caps the rate sent to each shard, as a percentage
	// of the shard's limits (1,000 records, 1 MiB a second), over the
	// stream's open shards.
	ProducerRateLimit int
	// CollectionMaxCount and CollectionMaxSize bound a PutRecords request.
	CollectionMaxCount int
	CollectionMaxSize  int
	// PutAttempts bounds how often an entry is sent; RetryInterval, doubled
	// up to MaxRetryInterval, separates the attempts.
	PutAttempts                     int
	RetryInterval, MaxRetryInterval time.Duration
}

// DefaultKinesisConfig returns the defaults, with Glue's values.
func DefaultKinesisConfig() KinesisConfig {
	return KinesisConfig{
		AggregationEnabled: DefaultAggregationEnabled, AggregationMaxSize: DefaultAggregationMaxSize,
		AggregationMaxCount: DefaultAggregationMaxCount, RecordMaxBufferedTime: DefaultRecordMaxBufferedTime,
		ProducerRateLimit: DefaultProducerRateLimit, CollectionMaxCount: DefaultCollectionMaxCount,
		CollectionMaxSize: DefaultCollectionMaxSize, PutAttempts: DefaultPutAttempts,
		RetryInterval: 100 * time.Millisecond, MaxRetryInterval: 5 * time.Second,
	}
}

// Validate names the first setting out of range.
func (c KinesisConfig) Validate() error {
	switch {
	case c.StreamName == "" && c.StreamARN == "":
		return errors.New("kinesis sink: want a stream name or ARN")
	case c.AggregationMaxSize < 1 || c.AggregationMaxSize > 1<<20:
		return fmt.Errorf("kinesis sink: aggregationMaxSize %d: want 1 to 1048576 bytes", c.AggregationMaxSize)
	case c.AggregationMaxCount < 1 || c.AggregationMaxCount > DefaultAggregationMaxCount:
		return fmt.Errorf("kinesis sink: aggregationMaxCount %d: want 1 to 4294967295", c.AggregationMaxCount)
	case c.RecordMaxBufferedTime < 0:
		return fmt.Errorf("kinesis sink: recordMaxBufferedTime %v: want 0 or more", c.RecordMaxBufferedTime)
	case c.ProducerRateLimit < 1:
		return fmt.Errorf("kinesis sink: producerRateLimit %d: want a positive percentage", c.ProducerRateLimit)
	case c.CollectionMaxCount < 1 || c.CollectionMaxCount > maxPutRecordsEntries:
		return fmt.Errorf("kinesis sink: collectionMaxCount %d: want 1 to 500 (the PutRecords limit)", c.CollectionMaxCount)
	case c.CollectionMaxSize < 1 || c.CollectionMaxSize > maxPutRecordsBytes:
		return fmt.Errorf("kinesis sink: collectionMaxSize %d: want 1 to 5242880 bytes (the PutRecords limit)", c.CollectionMaxSize)
	case c.PutAttempts < 1:
		return fmt.Errorf("kinesis sink: put attempts %d: want at least 1", c.PutAttempts)
	}
	return nil
}

// KinesisRecord is one user record for the stream.
type KinesisRecord struct {
	PartitionKey string
	Data         []byte
}

// Kinesis writes a batch's rows to a Kinesis data stream as JSON records
// with PutRecords, as Glue writes DynamicFrames to Kinesis.
//
// Kinesis has no idempotent write, so the sink delivers at least once: a
// batch retried or replayed after a crash sends its records again. The
// replay sends exactly the records of the first attempt, in the same order,
// with the same partition keys and the same aggregates (the rows come from
// the batch's plan), so every duplicate is an exact copy that a reader can
// count.
type Kinesis struct {
	api    KinesisAPI
	cfg    KinesisConfig
	clk    clock.Clock
	shards int       // open shards, for the rate limit; 0 until known
	next   time.Time // when the rate limit lets the next request go
	// Stats counts what the sink has sent.
	Stats KinesisStats
}

// KinesisStats are the Kinesis sink's counters.
type KinesisStats struct {
	UserRecords    int64 // rows written, counted once however often sent
	KinesisRecords int64 // PutRecords entries accepted
	Requests       int64 // PutRecords calls
	Retried        int64 // entries sent again after a partial failure
}

// NewKinesis returns a Kinesis sink. It checks cfg.
func NewKinesis(api KinesisAPI, cfg KinesisConfig, clk clock.Clock) (*Kinesis, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Kinesis{api: api, cfg: cfg, clk: clk}, nil
}

// URL returns the sink's location for key: kinesis://STREAM/key.
func (k *Kinesis) URL(key string) string {
	name := k.cfg.StreamName
	if name == "" {
		name = k.cfg.StreamARN
	}
	return "kinesis://" + name + "/" + key
}

// EncodeJSON appends row as a JSON object of the columns, in order.
func EncodeJSON(out []byte, cols []record.Column, row []record.Value) []byte {
	out = append(out, '{')
	for i, c := range cols {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsontext.AppendString(out, c.Name)
		out = append(out, ':')
		out = row[i].AppendJSON(out)
	}
	return append(out, '}')
}

// DerivedPartitionKey is the partition key of row i of object when the job
// names no partition key column: a hash of both, so that records spread
// over the shards and a replay uses the same keys.
func DerivedPartitionKey(object string, i int) string {
	h := fnv.New64a()
	h.Write([]byte(object))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(i), 10))
	return strconv.FormatUint(h.Sum64(), 16)
}

// Write sends recs, in order, packed into aggregates when aggregation is
// on, in PutRecords requests within the collection bounds and the rate
// limit. Entries a request refuses (throttled, internal failure) are sent
// again, in their order, up to PutAttempts times; an error then names how
// many were not written.
func (k *Kinesis) Write(ctx context.Context, recs []KinesisRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if err := k.discoverShards(ctx); err != nil {
		return err
	}
	var entries []ktypes.PutRecordsRequestEntry
	if k.cfg.AggregationEnabled {
		users := make([]kpl.Record, len(recs))
		for i, r := range recs {
			users[i] = kpl.Record{PartitionKey: r.PartitionKey, Data: r.Data}
		}
		for _, p := range kpl.Pack(users, k.cfg.AggregationMaxSize, k.cfg.AggregationMaxCount) {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(p.PartitionKey), Data: p.Data})
		}
	} else {
		for _, r := range recs {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(r.PartitionKey), Data: r.Data})
		}
	}
	for len(entries) > 0 {
		n, size := 0, 0
		for n < len(entries) && n < k.cfg.CollectionMaxCount {
			s := len(entries[n].Data) + len(aws.ToString(entries[n].PartitionKey))
			if n > 0 && size+s > k.cfg.CollectionMaxSize {
				break
			}
			size += s
			n++
		}
		if err := k.put(ctx, entries[:n], size); err != nil {
			return err
		}
		entries = entries[n:]
	}
	k.Stats.UserRecords += int64(len(recs))
	return nil
}

// put sends one request's entries, retrying those refused.
func (k *Kinesis) put(ctx context.Context, entries []ktypes.PutRecordsRequestEntry, size int) error {
	wait := k.cfg.RetryInterval
	for attempt := 1; ; attempt++ {
		if err := k.pace(ctx, len(entries), size); err != nil {
			return err
		}
		in := &kinesis.PutRecordsInput{Records: entries}
		if k.cfg.StreamARN != "" {
			in.StreamARN = aws.String(k.cfg.StreamARN)
		} else {
			in.StreamName = aws.String(k.cfg.StreamName)
		}
		k.Stats.Requests++
		out, err := k.api.PutRecords(ctx, in)
		var failed []ktypes.PutRecordsRequestEntry
		var lastCode, lastMsg string
		switch {
		case err != nil && !retryablePut(err):
			return fmt.Errorf("kinesis sink: put %d records to %s: %w", len(entries), k.URL(""), err)
		case err != nil:
			failed, lastCode, lastMsg = entries, "", err.Error()
		default:
			for i, r := range out.Records {
				if r.ErrorCode != nil && i < len(entries) {
					failed = append(failed, entries[i])
					lastCode, lastMsg = aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage)
				}
			}
			k.Stats.KinesisRecords += int64(len(entries) - len(failed))
		}
		if len(failed) == 0 {
			return nil
		}
		if attempt >= k.cfg.PutAttempts {
			return fmt.Errorf("kinesis sink: put to %s: %d of %d records not written after %d attempts (last: %s %s)",
				k.URL(""), len(failed), len(entries), attempt, lastCode, lastMsg)
		}
		k.Stats.Retried += int64(len(failed))
		if err := k.clk.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, k.cfg.MaxRetryInterval)
		entries, size = failed, 0
		for _, e := range failed {
			size += len(e.Data) + len(aws.ToString(e.PartitionKey))
		}
	}
}

// discoverShards counts the stream's open shards once, for the rate limit.
func (k *Kinesis) discoverShards(ctx context.Context) error {
	if k.shards > 0 {
		return nil
	}
	in := &kinesis.ListShardsInput{}
	if k.cfg.StreamARN != "" {
		in.StreamARN = aws.String(k.cfg.StreamARN)
	} else {
		in.StreamName = aws.String(k.cfg.StreamName)
	}
	open := 0
	for {
		out, err := k.api.ListShards(ctx, in)
		if err != nil {
			return fmt.Errorf("kinesis sink: list shards of %s: %w", k.URL(""), err)
		}
		for _, s := range out.Shards {
			if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
				open++
			}
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	k.shards = max(open, 1)
	return nil
}

// pace waits until the rate limit lets a request of n records and size
// bytes go, then books it.
func (k *Kinesis) pace(ctx context.Context, n, size int) error {
	now := k.clk.Now()
	if k.next.After(now) {
		if err := k.clk.Sleep(ctx, k.next.Sub(now)); err != nil {
			return err
		}
		now = k.clk.Now()
	}
	pct := float64(k.cfg.ProducerRateLimit) / 100 * float64(k.shards)
	cost := max(float64(n)/(shardRecordsPerSec*pct), float64(size)/(shardBytesPerSec*pct))
	k.next = now.Add(time.Duration(cost * float64(time.Second)))
	return nil
}

// retryablePut reports a PutRecords error worth sending again: throttling,
// a 5xx or a transport error.
func retryablePut(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException",
			"InternalFailure", "ServiceUnavailable", "ThrottlingException", "ExpiredTokenException":
			return true
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500
	}
	return !errors.As(err, &ae)
}
