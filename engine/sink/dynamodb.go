package sink

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/record"
)

// Defaults of WindowTableConfig.
const (
	// DefaultWindowSortKey is the sort key attribute: the window's start,
	// as the blog's items carry it ("start").
	DefaultWindowSortKey = "start"
	// DefaultDynamoDBRetry is how often a throttled or failed write is
	// tried again, Glue's default for dynamodb.output.retry.
	DefaultDynamoDBRetry = 10
	// DefaultDynamoDBParallelTasks is how many writes are in flight at once.
	DefaultDynamoDBParallelTasks = 8
	// DefaultOutputMode is Spark's update output mode, as the blog's
	// writeStream sets it.
	DefaultOutputMode = OutputUpdate
)

// Output modes of WindowTableConfig.OutputMode, named as Spark's.
const (
	// OutputUpdate writes, after every batch, each window the batch
	// changed (open ones with their running averages, final false) and
	// each window it closed (final true).
	OutputUpdate = "update"
	// OutputAppend writes each window once, when the watermark closes it.
	OutputAppend = "append"
)

// Attributes every window item carries besides its key and its values.
const (
	// AttrBatchID holds the id of the batch that wrote the item: the
	// guard against a stale write (see WindowTable).
	AttrBatchID = "batch_id"
	// AttrCheckpoint holds the token of the checkpoint whose batches the
	// batch ids count (CheckpointToken).
	AttrCheckpoint = "checkpoint"
	// AttrFinal is true once the watermark has passed the window's end:
	// no later batch changes the item.
	AttrFinal = "final"
	// AttrEnd holds the window's end, formatted as the sort key.
	AttrEnd = "end"
	// AttrStatus holds the most severe alert level among the window's
	// readings: RED, ORANGE or GREEN.
	AttrStatus = "status"
)

// ErrWindowTable is wrapped by errors of WindowTableConfig.Validate and
// NewWindowTable about the configuration.
var ErrWindowTable = errors.New("sink: windows table")

// WindowTableConfig is a job's sink.windowsTable: the DynamoDB table an
// aggregating job writes its windows to, one item per device and window.
// Option names follow Glue's DynamoDB connection options.
type WindowTableConfig struct {
	// TableName is the table ("dynamodb.output.tableName"); required. It
	// must exist with PartitionKey as its partition key and SortKey as its
	// sort key (an S attribute).
	TableName string `yaml:"dynamodb.output.tableName"`
	// Endpoint overrides the DynamoDB endpoint (a local DynamoDB); empty:
	// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else AWS.
	Endpoint string `yaml:"dynamodb.endpoint"`
	// Region overrides the region of the AWS configuration.
	Region string `yaml:"dynamodb.region"`
	// Retry is how often a write that DynamoDB throttled or failed with a
	// 5xx (or that lost a connection) is tried again, with backoff, before
	// the batch fails and is retried from the checkpoint; 0 means
	// DefaultDynamoDBRetry, -1 no retry.
	Retry int `yaml:"dynamodb.output.retry"`
	// ParallelTasks is how many writes are in flight at once; 0 means
	// DefaultDynamoDBParallelTasks.
	ParallelTasks int `yaml:"dynamodb.output.numParallelTasks"`
	// OutputMode is OutputUpdate (default) or OutputAppend.
	OutputMode string `yaml:"outputMode"`
	// PartitionKey is the partition key attribute, holding the device key;
	// empty means the aggregate's keyColumn.
	PartitionKey string `yaml:"partitionKey"`
	// SortKey is the sort key attribute, holding the window's start as
	// "2006-01-02 15:04:05" (UTC; with microseconds when windows may start
	// within a second), so that a device's windows sort by time; empty
	// means DefaultWindowSortKey.
	SortKey string `yaml:"sortKey"`
}

// tableNameRE matches DynamoDB table names.
var tableNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// Validate checks c and names the first bad field (under
// sink.windowsTable).
func (c *WindowTableConfig) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: sink.windowsTable.%s: %s", ErrWindowTable, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.TableName == "":
		return bad("dynamodb.output.tableName", "empty; want the table the windows are written to")
	case !tableNameRE.MatchString(c.TableName):
		return bad("dynamodb.output.tableName", "%q; want 3 to 255 letters, digits, '_', '-' or '.'", c.TableName)
	case c.Retry < -1:
		return bad("dynamodb.output.retry", "%d; want -1 (no retry), 0 (the default, %d) or more", c.Retry, DefaultDynamoDBRetry)
	case c.ParallelTasks < 0 || c.ParallelTasks > 256:
		return bad("dynamodb.output.numParallelTasks", "%d; want 0 (the default, %d) to 256", c.ParallelTasks, DefaultDynamoDBParallelTasks)
	}
	switch c.OutputMode {
	case "", OutputUpdate, OutputAppend:
	default:
		return bad("outputMode", "%q; want %q or %q", c.OutputMode, OutputUpdate, OutputAppend)
	}
	if c.Endpoint != "" && !strings.Contains(c.Endpoint, "://") {
		return bad("dynamodb.endpoint", "%q; want a URL such as http://127.0.0.1:4566", c.Endpoint)
	}
	if c.PartitionKey != "" && c.PartitionKey == c.SortKey {
		return bad("sortKey", "%q is also the partition key; want another attribute", c.SortKey)
	}
	return nil
}

// Updates reports whether c's output mode writes open windows too.
func (c *WindowTableConfig) Updates() bool { return c.OutputMode != OutputAppend }

// DynamoDBAPI is the part of the DynamoDB client a WindowTable uses;
// *dynamodb.Client has it.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// WindowTableParams is what a WindowTable needs besides its configuration.
type WindowTableParams struct {
	// Columns are the windows' columns, as aggregate's WindowColumns gives
	// them: the device key, window_start, window_end (timestamps), one
	// avg_<metric> double per metric, then count, red_count, orange_count
	// and green_count (bigints).
	Columns []record.Column
	// SubSecond says windows may start within a second (the window or the
	// slide is not whole seconds): times then carry microseconds.
	SubSecond bool
	// DefaultPartitionKey is the partition key when the configuration
	// names none: the aggregate's key column.
	DefaultPartitionKey string
	// Clock times the backoff between retries; nil means clock.Real().
	Clock clock.Clock
}

// WindowTable writes an aggregating job's windows to DynamoDB as items
// keyed by device and window start. Create it with NewWindowTable; it is
// safe for concurrent use.
type WindowTable struct {
	api     DynamoDBAPI
	cfg     WindowTableConfig
	cols    []record.Column
	metrics int
	layout  string
	clk     clock.Clock
	cond    string
	names   map[string]string
}

// NewWindowTable returns a WindowTable writing through api. It checks cfg
// and that no attribute name is used twice.
func NewWindowTable(api DynamoDBAPI, cfg WindowTableConfig, p WindowTableParams) (*WindowTable, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(p.Columns)
	if n < 8 || p.Columns[1].Name != "window_start" || p.Columns[2].Name != "window_end" || p.Columns[n-4].Name != "count" {
		return nil, fmt.Errorf("%w: %d window columns: want key, window_start, window_end, avg_<metric>..., count, red_count, orange_count, green_count", ErrWindowTable, n)
	}
	if cfg.PartitionKey == "" {
		cfg.PartitionKey = p.DefaultPartitionKey
	}
	if cfg.PartitionKey == "" {
		return nil, fmt.Errorf("%w: sink.windowsTable.partitionKey: empty and no aggregate keyColumn to default to", ErrWindowTable)
	}
	cfg.SortKey = cmpOr(cfg.SortKey, DefaultWindowSortKey)
	cfg.OutputMode = cmpOr(cfg.OutputMode, DefaultOutputMode)
	switch cfg.Retry {
	case 0:
		cfg.Retry = DefaultDynamoDBRetry
	case -1:
		cfg.Retry = 0
	}
	if cfg.ParallelTasks == 0 {
		cfg.ParallelTasks = DefaultDynamoDBParallelTasks
	}
	t := &WindowTable{api: api, cfg: cfg, cols: p.Columns, metrics: n - 7, layout: "2006-01-02 15:04:05", clk: p.Clock}
	if p.SubSecond {
		t.layout = "2006-01-02 15:04:05.000000"
	}
	if t.clk == nil {
		t.clk = clock.Real()
	}
	seen := map[string]string{}
	for _, a := range t.attrNames() {
		if prev, ok := seen[a.name]; ok {
			return nil, fmt.Errorf("%w: attribute %q is both the %s and the %s; rename the key (sink.windowsTable.partitionKey or sortKey)", ErrWindowTable, a.name, prev, a.role)
		}
		seen[a.name] = a.role
	}
	// A write passes unless the stored item was written by a later batch
	// of the same checkpoint: a replay rewrites its own items, a new
	// checkpoint (which counts batches from 0 again) overwrites the old
	// one's, and a stale writer never regresses a window.
	t.cond = "attribute_not_exists(#b) OR #c <> :c OR #b <= :b"
	t.names = map[string]string{"#b": AttrBatchID, "#c": AttrCheckpoint}
	return t, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type attrName struct{ name, role string }

func (t *WindowTable) attrNames() []attrName {
	out := []attrName{{t.cfg.PartitionKey, "partition key"}, {t.cfg.SortKey, "sort key"}, {AttrEnd, "window end"}}
	for _, c := range t.cols[3 : 3+t.metrics] {
		out = append(out, attrName{c.Name, "average " + c.Name})
	}
	for _, c := range t.cols[3+t.metrics:] {
		out = append(out, attrName{c.Name, c.Name})
	}
	return append(out, attrName{AttrStatus, "status"}, attrName{AttrFinal, "final flag"},
		attrName{AttrBatchID, "batch id"}, attrName{AttrCheckpoint, "checkpoint token"})
}

// Config returns the configuration with its defaults filled in.
func (t *WindowTable) Config() WindowTableConfig { return t.cfg }

// WindowItem is one window as a DynamoDB item.
type WindowItem struct {
	// Key is the item's primary key: partition and sort key attributes.
	Key map[string]types.AttributeValue
	// Item is the whole item, Key's attributes included.
	Item map[string]types.AttributeValue
	// Name is "<device> <start>", for errors and logs.
	Name string
}

// Items turns batch's windows into items: updated (open windows the batch
// changed, written only in update mode) with final false, then closed
// (windows the batch closed) with final true. Both are flat rows of
// Columns. token is the checkpoint's token. Equal arguments give equal
// items, so a replayed batch writes what it wrote before.
func (t *WindowTable) Items(batch int64, token string, updated, closed []record.Value) ([]WindowItem, error) {
	w := len(t.cols)
	if len(updated)%w != 0 || len(closed)%w != 0 {
		return nil, fmt.Errorf("sink: windows table %s: batch %d: %d and %d values are not whole rows of %d columns", t.cfg.TableName, batch, len(updated), len(closed), w)
	}
	if !t.cfg.Updates() {
		updated = nil
	}
	items := make([]WindowItem, 0, (len(updated)+len(closed))/w)
	for _, part := range []struct {
		rows  []record.Value
		final bool
	}{{updated, false}, {closed, true}} {
		for i := 0; i < len(part.rows); i += w {
			it, err := t.item(batch, token, part.rows[i:i+w], part.final)
			if err != nil {
				return nil, fmt.Errorf("sink: windows table %s: batch %d: %w", t.cfg.TableName, batch, err)
			}
			items = append(items, it)
		}
	}
	return items, nil
}

func (t *WindowTable) item(batch int64, token string, row []record.Value, final bool) (WindowItem, error) {
	key, err := keyValue(row[0])
	if err != nil {
		return WindowItem{}, fmt.Errorf("window key %s: %w", t.cols[0].Name, err)
	}
	start := time.UnixMicro(row[1].I).UTC().Format(t.layout)
	end := time.UnixMicro(row[2].I).UTC().Format(t.layout)
	it := WindowItem{
		Key:  map[string]types.AttributeValue{t.cfg.PartitionKey: key, t.cfg.SortKey: &types.AttributeValueMemberS{Value: start}},
		Name: row[0].Text() + " " + start,
	}
	m := map[string]types.AttributeValue{
		t.cfg.PartitionKey: key,
		t.cfg.SortKey:      &types.AttributeValueMemberS{Value: start},
		AttrEnd:            &types.AttributeValueMemberS{Value: end},
		AttrFinal:          &types.AttributeValueMemberBOOL{Value: final},
		AttrBatchID:        &types.AttributeValueMemberN{Value: strconv.FormatInt(batch, 10)},
		AttrCheckpoint:     &types.AttributeValueMemberS{Value: token},
	}
	for i, c := range t.cols[3 : 3+t.metrics] {
		v := row[3+i]
		if v.Null() {
			m[c.Name] = &types.AttributeValueMemberNULL{Value: true}
			continue
		}
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			return WindowItem{}, fmt.Errorf("window %s: %s is %v; DynamoDB numbers are finite", it.Name, c.Name, v.Float())
		}
		m[c.Name] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(v.Float(), 'f', -1, 64)}
	}
	counts := row[3+t.metrics:]
	for i, c := range t.cols[3+t.metrics:] {
		m[c.Name] = &types.AttributeValueMemberN{Value: strconv.FormatInt(counts[i].I, 10)}
	}
	status := "GREEN"
	switch {
	case counts[1].I > 0:
		status = "RED"
	case counts[2].I > 0:
		status = "ORANGE"
	}
	m[AttrStatus] = &types.AttributeValueMemberS{Value: status}
	it.Item = m
	return it, nil
}

// keyValue renders a device key as a DynamoDB number or string.
func keyValue(v record.Value) (types.AttributeValue, error) {
	switch v.Type {
	case record.Invalid:
		return nil, errors.New("null")
	case record.Int, record.Bigint:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v.I, 10)}, nil
	case record.Double, record.Float:
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			return nil, fmt.Errorf("%v is not a DynamoDB number", v.Float())
		}
		return &types.AttributeValueMemberN{Value: strconv.FormatFloat(v.Float(), 'f', -1, 64)}, nil
	}
	return &types.AttributeValueMemberS{Value: v.Text()}, nil
}

// WriteStats counts what a Write did.
type WriteStats struct {
	// Written is how many items were put.
	Written int64
	// Stale is how many items were left as they were because a later
	// batch of the same checkpoint had already written them (a write that
	// lost a race).
	Stale int64
	// Retries is how many writes were tried again after throttling, a 5xx,
	// a lost connection or a condition that failed against an item it
	// should have passed.
	Retries int64
}

// Write puts items, ParallelTasks at a time, each with the guard of
// NewWindowTable. A throttled or failed write is tried again Retry times
// with backoff (50ms doubling to 2s, on the clock); a write whose condition
// fails is kept out only if the item it met was written by a later batch
// of the checkpoint token names (else it is tried again). It returns the
// first error once the writes under way are done.
func (t *WindowTable) Write(ctx context.Context, batch int64, token string, items []WindowItem) (WriteStats, error) {
	var st struct{ written, stale, retries atomic.Int64 }
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     atomic.Int64
	)
	for range min(t.cfg.ParallelTasks, len(items)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(items) || ctx.Err() != nil {
					return
				}
				stale, retries, err := t.put(ctx, batch, token, items[i])
				st.retries.Add(int64(retries))
				switch {
				case err != nil:
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				case stale:
					st.stale.Add(1)
				default:
					st.written.Add(1)
				}
			}
		})
	}
	wg.Wait()
	stats := WriteStats{Written: st.written.Load(), Stale: st.stale.Load(), Retries: st.retries.Load()}
	return stats, firstErr
}

// retryable is the SDK's own reading of an error as worth retrying:
// throttling codes, 500/502/503/504 and lost connections.
var retryable = retry.IsErrorRetryables(retry.DefaultRetryables)

// backoff is the wait before retry n (from 0).
func backoff(n int) time.Duration {
	if n >= 6 {
		return 2 * time.Second
	}
	return min(50*time.Millisecond<<n, 2*time.Second)
}

// put writes one item; stale reports that a later batch had written it.
func (t *WindowTable) put(ctx context.Context, batch int64, token string, it WindowItem) (stale bool, retries int, err error) {
	in := &dynamodb.PutItemInput{
		TableName:                           aws.String(t.cfg.TableName),
		Item:                                it.Item,
		ConditionExpression:                 aws.String(t.cond),
		ExpressionAttributeNames:            t.names,
		ExpressionAttributeValues:           map[string]types.AttributeValue{":b": it.Item[AttrBatchID], ":c": it.Item[AttrCheckpoint]},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	for attempt := 0; ; attempt++ {
		_, err := t.api.PutItem(ctx, in)
		if err == nil {
			return false, attempt, nil
		}
		var ccf *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &ccf):
			old := ccf.Item
			if old == nil {
				// No item in the answer: read what is stored.
				out, gerr := t.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: in.TableName, Key: it.Key, ConsistentRead: aws.Bool(true)})
				if gerr == nil {
					old = out.Item
				} else if !retryable.IsErrorRetryable(gerr).Bool() {
					return false, attempt, fmt.Errorf("sink: windows table %s: batch %d: read window %s after a failed condition: %w", t.cfg.TableName, batch, it.Name, gerr)
				}
			}
			if later(old, batch, token) {
				return true, attempt, nil
			}
		case retryable.IsErrorRetryable(err).Bool():
		default:
			return false, attempt, fmt.Errorf("sink: windows table %s: batch %d: put window %s: %w", t.cfg.TableName, batch, it.Name, err)
		}
		if attempt >= t.cfg.Retry {
			return false, attempt, fmt.Errorf("sink: windows table %s: batch %d: put window %s: %d attempts: %w", t.cfg.TableName, batch, it.Name, attempt+1, err)
		}
		if err := t.clk.Sleep(ctx, backoff(attempt)); err != nil {
			return false, attempt, fmt.Errorf("sink: windows table %s: batch %d: put window %s: %w", t.cfg.TableName, batch, it.Name, err)
		}
	}
}

// later reports whether old was written by a batch after batch of the
// checkpoint token names.
func later(old map[string]types.AttributeValue, batch int64, token string) bool {
	c, ok := old[AttrCheckpoint].(*types.AttributeValueMemberS)
	if !ok || c.Value != token {
		return false
	}
	b, ok := old[AttrBatchID].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(b.Value, 10, 64)
	return err == nil && n > batch
}
