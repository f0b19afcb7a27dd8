package generators

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/internal/kpl"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// Kinesis limits a KinesisSink fills its requests to.
const (
	KinesisMaxBatchRecords = 500     // records per PutRecords request
	KinesisMaxBatchBytes   = 5 << 20 // data and partition keys per PutRecords request
	KinesisMaxRecordBytes  = 1 << 20 // data and partition key per record
)

// Defaults of KinesisSink.
const (
	DefaultMaxAttempts    = 10
	DefaultBaseBackoff    = 50 * time.Millisecond
	DefaultMaxBackoff     = 5 * time.Second
	DefaultRequestTimeout = 30 * time.Second
)

// PutRecordsAPI is the part of the Kinesis client a KinesisSink uses.
type PutRecordsAPI interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// KinesisSink sends records with PutRecords. Requests are filled to
// KinesisMaxBatchRecords and KinesisMaxBatchBytes; a record above
// KinesisMaxRecordBytes goes alone, so that the service's rejection of it
// does not take others along. Records the service refuses with
// ProvisionedThroughputExceededException or InternalFailure, and whole
// requests answered with a throttling error or a 5xx status, are retried
// after an exponential backoff with full jitter, up to MaxAttempts sends;
// other rejections are final (failed). A request that gets no answer — a
// timeout, a dropped connection — may have been applied, so its records are
// not retried but recorded as unknown.
//
// The client must not retry by itself (set its Retryer to aws.NopRetryer, as
// NewKinesisClient does): a retry the sink does not see would hide a
// duplicate.
type KinesisSink struct {
	// Client and Stream are required.
	Client PutRecordsAPI
	Stream string
	// Ordered keeps records of one partition key in order: at most one
	// record per key is in flight, and later ones wait for it, retries
	// included. The order is each producer's: use one producer (or keys
	// no two producers share) for one order per key over the whole run.
	Ordered bool
	// MaxAttempts bounds the sends of one record; default
	// DefaultMaxAttempts.
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the backoff before retry n, drawn
	// uniformly from [0, min(MaxBackoff, BaseBackoff×2^(n-1))); defaults
	// DefaultBaseBackoff and DefaultMaxBackoff.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// RequestTimeout bounds one PutRecords call; default
	// DefaultRequestTimeout. A call that runs out of time leaves its records
	// unknown.
	RequestTimeout time.Duration
	// Clock times sends, acknowledgements and backoffs; default
	// clock.Real().
	Clock clock.Clock
	// Seed seeds the backoff jitter.
	Seed uint64
	// Aggregate packs up to Aggregate consecutive records into each
	// Kinesis record as the KPL does (its AggregationMaxCount): the KPL's
	// aggregated format (package kpl), at most KPLMaxAggregateBytes of user
	// records (its AggregationMaxSize), sent with the first record's
	// partition key. Each record keeps its own ledger row, with the shard
	// and sequence number of the Kinesis record that carried it. 0 or 1
	// sends every record on its own.
	Aggregate int
}

// KPLMaxAggregateBytes is the KPL's default AggregationMaxSize: the most
// bytes of user records one aggregated Kinesis record holds.
const KPLMaxAggregateBytes = 51200

// Target returns "kinesis://STREAM".
func (k *KinesisSink) Target() string { return "kinesis://" + k.Stream }

type sendClass int

const (
	classRetry   sendClass = iota // refused, not applied: send again
	classFailed                   // rejected for good
	classUnknown                  // no answer: may have been applied
)

var retryableCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"LimitExceededException":                 true,
	"KMSThrottlingException":                 true,
	"InternalFailure":                        true,
	"ServiceUnavailable":                     true,
}

func isThrottle(code string) bool {
	return code != "InternalFailure" && code != "ServiceUnavailable" && retryableCodes[code]
}

// classifyError sorts a PutRecords call error: an answer with a retryable
// code or a 5xx status is retried, another answer is final, and no answer is
// unknown.
func classifyError(err error) (sendClass, bool) {
	var re *smithyhttp.ResponseError
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) || !errors.As(err, &re) || re.Response == nil || re.HTTPStatusCode() == 0 {
		return classUnknown, false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && retryableCodes[ae.ErrorCode()] {
		return classRetry, isThrottle(ae.ErrorCode())
	}
	if re.HTTPStatusCode() >= 500 {
		return classRetry, false
	}
	if re.HTTPStatusCode() == http.StatusTooManyRequests {
		return classRetry, true
	}
	return classFailed, false
}

func (k *KinesisSink) defaults() (clock.Clock, int, time.Duration, time.Duration, time.Duration) {
	clk := k.Clock
	if clk == nil {
		clk = clock.Real()
	}
	ma, base, mx, rt := k.MaxAttempts, k.BaseBackoff, k.MaxBackoff, k.RequestTimeout
	if ma <= 0 {
		ma = DefaultMaxAttempts
	}
	if base <= 0 {
		base = DefaultBaseBackoff
	}
	if mx <= 0 {
		mx = DefaultMaxBackoff
	}
	if rt <= 0 {
		rt = DefaultRequestTimeout
	}
	return clk, ma, base, mx, rt
}

// Send implements Sink.
func (k *KinesisSink) Send(ctx context.Context, batch []*Attempt, st *Stats) error {
	if k.Aggregate > 1 {
		return k.sendAggregated(ctx, batch, st)
	}
	return k.send(ctx, batch, st)
}

// sendAggregated packs batch into KPL aggregates, sends those, and gives
// each record the outcome of the aggregate that carried it.
func (k *KinesisSink) sendAggregated(ctx context.Context, batch []*Attempt, st *Stats) error {
	var carriers []*Attempt
	var groups [][]*Attempt
	for i := 0; i < len(batch); {
		j, size := i, 0
		for j < len(batch) && j-i < k.Aggregate {
			n := len(batch[j].Payload) + len(batch[j].PartitionKey)
			if j > i && size+n > KPLMaxAggregateBytes {
				break
			}
			size += n
			j++
		}
		group := batch[i:j]
		recs := make([]kpl.Record, len(group))
		for g, a := range group {
			recs[g] = kpl.Record{PartitionKey: a.PartitionKey, Data: a.Payload}
		}
		c := &Attempt{Record: Record{Seq: group[0].Seq, PartitionKey: group[0].PartitionKey, Payload: kpl.Aggregate(recs)}}
		carriers = append(carriers, c)
		groups = append(groups, group)
		i = j
	}
	err := k.send(ctx, carriers, st)
	for c, group := range groups {
		cr := carriers[c].Row
		for _, a := range group {
			a.Row.Outcome, a.Row.Error, a.Row.Attempts = cr.Outcome, cr.Error, cr.Attempts
			a.Row.ShardID, a.Row.SequenceNumber = cr.ShardID, cr.SequenceNumber
			a.Row.SentAtMs, a.Row.AckedAtMs = cr.SentAtMs, cr.AckedAtMs
		}
	}
	return err
}

// send sends every record of batch on its own.
func (k *KinesisSink) send(ctx context.Context, batch []*Attempt, st *Stats) error {
	if len(batch) == 0 {
		return nil
	}
	clk, maxAttempts, base, maxBackoff, timeout := k.defaults()
	jitter := rand.New(rand.NewPCG(k.Seed, uint64(batch[0].Seq)))
	pending := slices.Clone(batch)
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			for _, a := range pending {
				a.Row.Outcome = OutcomeFailed
				if a.Row.Error == "" {
					a.Row.Error = "not sent: " + err.Error()
				}
			}
			return nil
		}
		req, rest := k.pick(pending)
		retry := k.put(ctx, req, clk, timeout, maxAttempts, st)
		pending = slices.Concat(retry, rest)
		slices.SortFunc(pending, func(a, b *Attempt) int { return compareInt64(a.Seq, b.Seq) })
		if len(retry) > 0 {
			n := 0
			for _, a := range retry {
				n = max(n, int(a.Row.Attempts))
			}
			ceiling := min(maxBackoff, base<<min(n-1, 30))
			if ceiling > 0 {
				_ = clk.Sleep(ctx, time.Duration(jitter.Int64N(int64(ceiling))))
			}
		}
	}
	return nil
}

// pick takes the next request's records from pending, in order: up to the
// request limits, a record above the record limit alone, and when Ordered at
// most one record per partition key.
func (k *KinesisSink) pick(pending []*Attempt) (req, rest []*Attempt) {
	size := 0
	var keys map[string]bool
	if k.Ordered {
		keys = make(map[string]bool)
	}
	for i, a := range pending {
		n := len(a.Payload) + len(a.PartitionKey)
		switch {
		case len(req) >= KinesisMaxBatchRecords,
			n > KinesisMaxRecordBytes && len(req) > 0,
			len(req) == 1 && len(req[0].Payload)+len(req[0].PartitionKey) > KinesisMaxRecordBytes,
			size+n > KinesisMaxBatchBytes && len(req) > 0,
			keys != nil && keys[a.PartitionKey]:
			rest = append(rest, pending[i])
			continue
		}
		if keys != nil {
			keys[a.PartitionKey] = true
		}
		req = append(req, a)
		size += n
	}
	return req, rest
}

// put sends one PutRecords request and returns the records to retry.
func (k *KinesisSink) put(ctx context.Context, req []*Attempt, clk clock.Clock, timeout time.Duration, maxAttempts int, st *Stats) []*Attempt {
	entries := make([]types.PutRecordsRequestEntry, len(req))
	now := clk.Now().UnixMilli()
	for i, a := range req {
		entries[i] = types.PutRecordsRequestEntry{Data: a.Payload, PartitionKey: aws.String(a.PartitionKey)}
		if a.Row.Attempts == 0 {
			a.Row.SentAtMs = now
		} else {
			st.Retries.Add(1)
		}
		a.Row.Attempts++
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	out, err := k.Client.PutRecords(cctx, &kinesis.PutRecordsInput{StreamName: aws.String(k.Stream), Records: entries})
	cancel()
	var retry []*Attempt
	// again retries a, or fails it when its attempts are used up.
	again := func(a *Attempt, msg string) {
		a.Row.Error = msg
		if int(a.Row.Attempts) >= maxAttempts {
			a.Row.Outcome = OutcomeFailed
			a.Row.Error = fmt.Sprintf("gave up after %d attempts: %s", a.Row.Attempts, msg)
			return
		}
		retry = append(retry, a)
	}
	if err != nil {
		class, throttled := classifyError(err)
		for _, a := range req {
			switch class {
			case classRetry:
				if throttled {
					st.Throttled.Add(1)
				}
				again(a, err.Error())
			case classFailed:
				a.Row.Outcome, a.Row.Error = OutcomeFailed, err.Error()
			default:
				a.Row.Outcome, a.Row.Error = OutcomeUnknown, err.Error()
			}
		}
		return retry
	}
	if len(out.Records) != len(req) {
		for _, a := range req {
			a.Row.Outcome = OutcomeUnknown
			a.Row.Error = fmt.Sprintf("PutRecords answered %d results for %d records", len(out.Records), len(req))
		}
		return nil
	}
	acked := clk.Now().UnixMilli()
	for i, r := range out.Records {
		a := req[i]
		code := aws.ToString(r.ErrorCode)
		switch {
		case code == "":
			a.Row.Outcome, a.Row.Error = OutcomeAck, ""
			a.Row.ShardID = aws.ToString(r.ShardId)
			a.Row.SequenceNumber = aws.ToString(r.SequenceNumber)
			a.Row.AckedAtMs = acked
		case retryableCodes[code]:
			if isThrottle(code) {
				st.Throttled.Add(1)
			}
			again(a, code+": "+aws.ToString(r.ErrorMessage))
		default:
			a.Row.Outcome, a.Row.Error = OutcomeFailed, code+": "+aws.ToString(r.ErrorMessage)
		}
	}
	return retry
}

// NewKinesisClient returns a Kinesis client for a KinesisSink: the SDK's own
// retries are off, and when endpoint is not "" it overrides the endpoint the
// SDK resolves (from AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL or the
// region). cfg comes from config.LoadDefaultConfig or is built by hand.
//
// The client's HTTP client is made safe for loopback endpoints (see package
// sdkhttp).
func NewKinesisClient(cfg aws.Config, endpoint string) *kinesis.Client {
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.Retryer = aws.NopRetryer{}
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// StreamAdminAPI is the part of the Kinesis client CreateKinesisStream uses.
type StreamAdminAPI interface {
	CreateStream(ctx context.Context, in *kinesis.CreateStreamInput, optFns ...func(*kinesis.Options)) (*kinesis.CreateStreamOutput, error)
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
}

// CreateKinesisStream creates a provisioned stream with the given number of
// shards, unless it exists, and waits on clk (polling every 100 ms) until it
// is ACTIVE or ctx ends.
func CreateKinesisStream(ctx context.Context, client StreamAdminAPI, clk clock.Clock, stream string, shards int32) error {
	if clk == nil {
		clk = clock.Real()
	}
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(shards)})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("kinesis: create stream %s with %d shards: %w", stream, shards, err)
	}
	for {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		if err != nil {
			return fmt.Errorf("kinesis: describe stream %s: %w", stream, err)
		}
		if out.StreamDescriptionSummary != nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		if err := clk.Sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("kinesis: wait for stream %s to become active: %w", stream, err)
		}
	}
}
