package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/record"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// SinkKinesis is the sink kind that writes JSON records to a Kinesis
// stream.
const SinkKinesis = "kinesis"

// KinesisSink is a Kinesis sink's stream and Glue's write options, under
// Glue's names, in the sink section. Zero values take Glue's defaults
// (sink.Default*).
//
// Kinesis has no idempotent write: the sink delivers at least once. A batch
// retried or replayed after a crash sends the records of its plan again,
// the same records in the same order with the same partition keys and
// aggregates, so duplicates are exact copies that verify counts.
type KinesisSink struct {
	// StreamName or StreamARN names the stream written (Glue's streamARN).
	StreamName string `yaml:"streamName"`
	StreamARN  string `yaml:"streamARN"`
	// EndpointURL is the stream's Kinesis endpoint; empty: the source's
	// endpoint, else AWS_ENDPOINT_URL, else AWS. The region is streamARN's,
	// else the source's.
	EndpointURL string `yaml:"endpointUrl"`
	// PartitionKey names the output column whose text is each record's
	// partition key; empty: a key derived from the batch's object name and
	// the row (the same on a replay), spreading records over the shards.
	PartitionKey string `yaml:"partitionKey"`
	// AggregationEnabled packs records into KPL aggregates (default true).
	AggregationEnabled *bool `yaml:"aggregationEnabled"`
	// AggregationMaxSize bounds an aggregate in bytes (default 51200); a
	// larger record bypasses the aggregator.
	AggregationMaxSize int `yaml:"aggregationMaxSize"`
	// AggregationMaxCount bounds the records in an aggregate (default
	// 4294967295).
	AggregationMaxCount int64 `yaml:"aggregationMaxCount"`
	// RecordMaxBufferedTime is how long, in ms, a record may wait to be sent
	// (default 1000); a batch's records are sent as the batch writes.
	RecordMaxBufferedTime int `yaml:"recordMaxBufferedTime"`
	// ProducerRateLimit caps the rate per shard as a percentage of the
	// shard's limits (default 150).
	ProducerRateLimit int `yaml:"producerRateLimit"`
	// CollectionMaxCount and CollectionMaxSize bound a PutRecords request
	// (defaults 500 and 5242880 bytes).
	CollectionMaxCount int `yaml:"collectionMaxCount"`
	CollectionMaxSize  int `yaml:"collectionMaxSize"`
}

// config returns the sink's settings with the defaults filled in.
func (k KinesisSink) config() sink.KinesisConfig {
	c := sink.DefaultKinesisConfig()
	c.StreamName, c.StreamARN = k.StreamName, k.StreamARN
	if a, err := ParseStreamARN(k.StreamARN); err == nil && c.StreamName == "" {
		c.StreamName = a.Name
	}
	if k.AggregationEnabled != nil {
		c.AggregationEnabled = *k.AggregationEnabled
	}
	if k.AggregationMaxSize != 0 {
		c.AggregationMaxSize = k.AggregationMaxSize
	}
	if k.AggregationMaxCount != 0 {
		c.AggregationMaxCount = k.AggregationMaxCount
	}
	if k.RecordMaxBufferedTime != 0 {
		c.RecordMaxBufferedTime = time.Duration(k.RecordMaxBufferedTime) * time.Millisecond
	}
	if k.ProducerRateLimit != 0 {
		c.ProducerRateLimit = k.ProducerRateLimit
	}
	if k.CollectionMaxCount != 0 {
		c.CollectionMaxCount = k.CollectionMaxCount
	}
	if k.CollectionMaxSize != 0 {
		c.CollectionMaxSize = k.CollectionMaxSize
	}
	return c
}

// set reports whether the keys that only a Kinesis sink has are given
// (the write options alone, as in the reference job file, are harmless).
func (k KinesisSink) set() bool {
	return k.StreamName != "" || k.StreamARN != "" || k.EndpointURL != "" || k.PartitionKey != ""
}

// validateKinesisSink checks sink.kind and, for a Kinesis sink, its stream
// and write options.
func (j *Job) validateKinesisSink() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: "sink." + field, Value: value, Want: want})
	}
	s := j.Sink
	switch s.Kind {
	case "":
		if s.Kinesis.set() {
			bad("kind", s.Kind, `"kinesis" with the Kinesis sink's keys (streamName, streamARN, endpointUrl, partitionKey)`)
		}
		return errs
	case SinkKinesis:
	default:
		bad("kind", s.Kind, `"" (Parquet under sink.path) or "kinesis"`)
		return errs
	}
	k := s.Kinesis
	if s.Path != "" {
		bad("path", s.Path, "empty with kind kinesis (the stream is the output)")
	}
	if k.StreamName == "" && k.StreamARN == "" {
		bad("streamName", k.StreamName, "a stream name (or sink.streamARN)")
	}
	if k.StreamARN != "" {
		a, err := ParseStreamARN(k.StreamARN)
		switch {
		case err != nil:
			bad("streamARN", k.StreamARN, "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME ("+err.Error()+")")
		case k.StreamName != "" && k.StreamName != a.Name:
			bad("streamName", k.StreamName, fmt.Sprintf("%q, the stream streamARN names, or empty", a.Name))
		}
	}
	if k.EndpointURL != "" {
		src := Source{EndpointURL: k.EndpointURL}
		for _, err := range src.validateKinesisTarget() {
			bad("endpointUrl", k.EndpointURL, "an http:// or https:// URL ("+err.Error()+")")
		}
	}
	if err := k.config().Validate(); err != nil && (k.StreamName != "" || k.StreamARN != "") {
		errs = append(errs, fmt.Errorf("job: sink: %w", err))
	}
	if k.PartitionKey != "" {
		if cols := j.columns(); len(cols) > 0 {
			if tr, err := j.transform(cols); err == nil && !slices.ContainsFunc(j.outputColumns(tr), func(c record.Column) bool { return c.Name == k.PartitionKey }) {
				bad("partitionKey", k.PartitionKey, "an output column")
			}
		}
	}
	return errs
}

// kinesisOutput is the output store of a Kinesis sink: the plan names each
// batch's objects kinesis://STREAM/KEY as for files, and writeRows sends an
// object's rows as records. It holds no objects to get or list.
type kinesisOutput struct {
	w     *sink.Kinesis
	pkCol string
}

var _ blob.Store = (*kinesisOutput)(nil)

var errKinesisOutput = errors.New("engine: a Kinesis sink holds records, not objects")

// Get implements blob.Store; a Kinesis sink has no objects.
func (*kinesisOutput) Get(context.Context, string) ([]byte, string, error) {
	return nil, "", errKinesisOutput
}

// Put implements blob.Store; rows go through writeRows.
func (*kinesisOutput) Put(context.Context, string, []byte, blob.Cond) (string, error) {
	return "", errKinesisOutput
}

// List implements blob.Store: there is nothing to list.
func (*kinesisOutput) List(context.Context, string) ([]string, error) { return nil, nil }

// Delete implements blob.Store: there is nothing to delete.
func (*kinesisOutput) Delete(context.Context, string) error { return nil }

// URL implements blob.Store: kinesis://STREAM/key.
func (k *kinesisOutput) URL(key string) string { return k.w.URL(key) }

// writeRows sends the rows idx of rows (columns cols) as the records of
// object key.
func (k *kinesisOutput) writeRows(ctx context.Context, key string, cols []record.Column, rows record.Rows, idx []int) error {
	pk := -1
	if k.pkCol != "" {
		pk = slices.IndexFunc(cols, func(c record.Column) bool { return c.Name == k.pkCol })
	}
	recs := make([]sink.KinesisRecord, len(idx))
	var data []byte
	for i, r := range idx {
		row := rows.Row(r)[:len(cols)]
		start := len(data)
		data = sink.EncodeJSON(data, cols, row)
		recs[i].Data = data[start:len(data):len(data)]
		switch {
		case pk >= 0 && !row[pk].Null() && row[pk].Text() != "":
			recs[i].PartitionKey = row[pk].Text()
		default:
			recs[i].PartitionKey = sink.DerivedPartitionKey(key, i)
		}
	}
	if err := k.w.Write(ctx, recs); err != nil {
		return fmt.Errorf("engine: write %s: %w", k.URL(key), err)
	}
	return nil
}

// openKinesisSink returns the output store of a Kinesis sink, its client
// sharing cfg and, with awsSTSRoleARN, the role's credentials.
func (e *Engine) openKinesisSink(cfg aws.Config, role *roleCredentials) (*kinesisOutput, error) {
	j := e.job
	k := j.Sink.Kinesis
	_, region := j.Source.KinesisStream()
	if a, err := ParseStreamARN(k.StreamARN); err == nil {
		region = a.Region
	}
	kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if region != "" {
			o.Region = region
		}
		if k.EndpointURL != "" {
			o.BaseEndpoint = aws.String(k.EndpointURL)
		} else if ep := j.Source.KinesisEndpoint(); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
		if role != nil {
			o.Credentials = role
		}
	})
	var api sink.KinesisAPI = kc
	if role != nil {
		api = roleKinesis{kc, role}
	}
	w, err := sink.NewKinesis(api, k.config(), e.clk)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return &kinesisOutput{w: w, pkCol: k.PartitionKey}, nil
}

// OutputLocation returns where the sink's rows can be read back: kinesis://
// and the stream's name for a Kinesis sink, else Path.
func (s Sink) OutputLocation() string {
	if s.Kind != SinkKinesis {
		return s.Path
	}
	name := s.Kinesis.StreamName
	if a, err := ParseStreamARN(s.Kinesis.StreamARN); err == nil && name == "" {
		name = a.Name
	}
	return "kinesis://" + name
}
