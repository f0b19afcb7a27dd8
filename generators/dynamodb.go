package generators

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/clock"
)

// Columns of the ventilator reference table, as the aggregation job reads
// it (engine/aggregate's DefaultKeyColumn and DefaultMetrics).
const (
	ReferenceKeyColumn = "ventilatorid"
)

// ReferenceBoundColumns returns the bound columns of the ventilator
// reference table, min then max of pressurecontrol, o2stats and
// minutevolume.
func ReferenceBoundColumns() []string {
	return []string{"pressure_control_min", "pressure_control_max", "o2_stats_min", "o2_stats_max", "minute_volume_min", "minute_volume_max"}
}

// Defaults of the DynamoDB writes.
const (
	// DefaultWriteAttempts is how many BatchWriteItem requests an item
	// gets before WriteItems gives up on it.
	DefaultWriteAttempts = 8
	// DefaultWriteBaseBackoff and DefaultWriteMaxBackoff bound the
	// backoff before a retry of unprocessed items.
	DefaultWriteBaseBackoff = 50 * time.Millisecond
	DefaultWriteMaxBackoff  = 5 * time.Second
	// batchWriteLimit is BatchWriteItem's limit of items per request.
	batchWriteLimit = 25
)

// ErrUnprocessed is wrapped by the error of WriteItems when items were
// still unprocessed after the last attempt.
var ErrUnprocessed = errors.New("items left unprocessed")

// Item is one DynamoDB item.
type Item = map[string]types.AttributeValue

// VentilatorReference returns the normal-ranges reference table of the
// ventilator data set, as the Glue blog's DynamoDB table holds it: one item
// per ventilatorid in VentilatorIDs(), keyed by ventilatorid (N), with the
// bounds of NormalPressureControl, NormalO2Stats and NormalMinuteVolume as
// N attributes (ReferenceBoundColumns), in key order.
func VentilatorReference() []Item {
	ids := VentilatorIDs()
	n := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	items := make([]Item, 0, ids.Max-ids.Min+1)
	pc, o2, mv := NormalPressureControl(), NormalO2Stats(), NormalMinuteVolume()
	cols := ReferenceBoundColumns()
	for id := ids.Min; id <= ids.Max; id++ {
		items = append(items, Item{
			ReferenceKeyColumn: n(id),
			cols[0]:            n(pc.Min), cols[1]: n(pc.Max),
			cols[2]: n(o2.Min), cols[3]: n(o2.Max),
			cols[4]: n(mv.Min), cols[5]: n(mv.Max),
		})
	}
	return items
}

// TableAdminAPI is the part of the DynamoDB client CreateTable uses.
type TableAdminAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// CreateTable creates an on-demand table whose hash key is keyColumn of
// keyType (N for the reference table, as its ventilatorid is a number),
// unless it exists, and waits on clk (polling every 100 ms) until it is
// ACTIVE or ctx ends. An existing table is kept as it is.
func CreateTable(ctx context.Context, client TableAdminAPI, clk clock.Clock, table, keyColumn string, keyType types.ScalarAttributeType) error {
	if clk == nil {
		clk = clock.Real()
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(keyColumn), AttributeType: keyType}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(keyColumn), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamodb: create table %s keyed by %s (%s): %w", table, keyColumn, keyType, err)
	}
	for {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return fmt.Errorf("dynamodb: describe table %s: %w", table, err)
		}
		if out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if err := clk.Sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("dynamodb: wait for table %s to become active: %w", table, err)
		}
	}
}

// ItemWriteAPI is the part of the DynamoDB client WriteItems uses.
type ItemWriteAPI interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// WriteOption configures WriteItems. An invalid option makes WriteItems
// return its error.
type WriteOption interface{ apply(*writeConfig) error }

type writeOptionFunc func(*writeConfig) error

func (f writeOptionFunc) apply(c *writeConfig) error { return f(c) }

type writeConfig struct {
	clock      clock.Clock
	attempts   int
	base, ceil time.Duration
	ledger     *Ledger
	keyColumn  string
}

// WithWriteClock sets the clock that times backoffs and the ledger's
// sent_at_ms and acked_at_ms. The default is clock.Real().
func WithWriteClock(c clock.Clock) WriteOption {
	return writeOptionFunc(func(w *writeConfig) error {
		if c == nil {
			return errors.New("WithWriteClock(nil): want a clock")
		}
		w.clock = c
		return nil
	})
}

// WithWriteAttempts sets how many BatchWriteItem requests an item gets.
// The default is DefaultWriteAttempts.
func WithWriteAttempts(n int) WriteOption {
	return writeOptionFunc(func(w *writeConfig) error {
		if n < 1 {
			return fmt.Errorf("WithWriteAttempts(%d): want at least 1", n)
		}
		w.attempts = n
		return nil
	})
}

// WithWriteBackoff sets the bounds of the exponential backoff, with full
// jitter, before a retry of unprocessed items. The defaults are
// DefaultWriteBaseBackoff and DefaultWriteMaxBackoff.
func WithWriteBackoff(base, ceiling time.Duration) WriteOption {
	return writeOptionFunc(func(w *writeConfig) error {
		if base <= 0 || ceiling < base {
			return fmt.Errorf("WithWriteBackoff(%v, %v): want 0 < base <= ceiling", base, ceiling)
		}
		w.base, w.ceil = base, ceiling
		return nil
	})
}

// WithWriteLedger writes a ledger row per item to l once the items are
// written or given up on: seq from 0 in item order, key the text of the
// item's keyColumn attribute (N or S), payload_sha256 over the item's
// canonical JSON, target dynamodb://table, outcome ack or failed. The
// caller closes l.
func WithWriteLedger(l *Ledger, keyColumn string) WriteOption {
	return writeOptionFunc(func(w *writeConfig) error {
		if l == nil || keyColumn == "" {
			return errors.New("WithWriteLedger: want a ledger and a key column")
		}
		w.ledger, w.keyColumn = l, keyColumn
		return nil
	})
}

// WriteStats counts what WriteItems did.
type WriteStats struct {
	Items       int64 // items written
	Failed      int64 // items still unprocessed after the last attempt
	Requests    int64 // BatchWriteItem requests sent
	Unprocessed int64 // items returned unprocessed and sent again
}

// WriteItems puts items into table with BatchWriteItem, 25 a request.
// Items DynamoDB returns as UnprocessedItems are sent again after a
// backoff, up to the attempt limit; an error of a request itself ends the
// write (its items are in the ledger as unknown). When items remain
// unprocessed, the error wraps ErrUnprocessed and names how many and the
// first item; they are in the ledger as failed. The ledger holds the items
// up to the last request sent.
func WriteItems(ctx context.Context, client ItemWriteAPI, table string, items []Item, opts ...WriteOption) (WriteStats, error) {
	cfg := writeConfig{attempts: DefaultWriteAttempts, base: DefaultWriteBaseBackoff, ceil: DefaultWriteMaxBackoff}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return WriteStats{}, fmt.Errorf("generators: %w", err)
		}
	}
	if cfg.clock == nil {
		cfg.clock = clock.Real()
	}
	jitter := rand.New(rand.NewPCG(1, 0x6464627772697465)) // fixed: jitter never changes what is written
	var st WriteStats
	rows := make([]LedgerRow, len(items))
	for i, item := range items {
		rows[i] = LedgerRow{Seq: int64(i), Producer: 0, DuplicateOf: -1, Partition: -1, Offset: -1, Target: "dynamodb://" + table}
		if cfg.ledger != nil {
			key, ok := attrText(item[cfg.keyColumn])
			if !ok {
				return st, fmt.Errorf("generators: item %d: no N or S attribute %q (the key column)", i, cfg.keyColumn)
			}
			sum := sha256.Sum256(canonicalItem(item))
			rows[i].Key, rows[i].PartitionKey, rows[i].PayloadSHA256 = key, key, hex.EncodeToString(sum[:])
			rows[i].Size = int32(len(canonicalItem(item)))
		}
	}
	for start := 0; start < len(items); start += batchWriteLimit {
		end := min(start+batchWriteLimit, len(items))
		pending := make([]int, 0, end-start) // indexes into items
		for i := start; i < end; i++ {
			pending = append(pending, i)
		}
		sent := cfg.clock.Now().UnixMilli()
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 1 {
				ceiling := min(cfg.ceil, cfg.base<<min(attempt-2, 30))
				if err := cfg.clock.Sleep(ctx, time.Duration(jitter.Int64N(int64(ceiling))+1)); err != nil {
					return st, fmt.Errorf("generators: write %s: %w", table, err)
				}
			}
			reqs := make([]types.WriteRequest, len(pending))
			for j, i := range pending {
				reqs[j] = types.WriteRequest{PutRequest: &types.PutRequest{Item: items[i]}}
				rows[i].Attempts = int32(attempt)
				rows[i].SentAtMs = sent
			}
			st.Requests++
			out, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
			if err != nil {
				// No answer for these items: they may or may not be in the table.
				for _, i := range pending {
					rows[i].Outcome, rows[i].Error = OutcomeUnknown, err.Error()
				}
				err = fmt.Errorf("generators: write %s: BatchWriteItem of items %d to %d (attempt %d): %w", table, start, end-1, attempt, err)
				return st, errors.Join(err, writeLedgerRows(cfg.ledger, rows[:end]))
			}
			left := out.UnprocessedItems[table]
			now := cfg.clock.Now().UnixMilli()
			back := map[int]bool{}
			for _, r := range left {
				if r.PutRequest == nil {
					continue
				}
				for _, i := range pending {
					if !back[i] && sameItem(items[i], r.PutRequest.Item) {
						back[i] = true
						break
					}
				}
			}
			next := pending[:0]
			for _, i := range pending {
				if back[i] {
					next = append(next, i)
					continue
				}
				rows[i].Outcome, rows[i].AckedAtMs = OutcomeAck, now
				st.Items++
			}
			pending = next
			st.Unprocessed += int64(len(pending))
			if len(pending) > 0 && attempt == cfg.attempts {
				for _, i := range pending {
					rows[i].Outcome, rows[i].Error = OutcomeFailed, "unprocessed after the last attempt"
				}
				st.Failed += int64(len(pending))
				st.Unprocessed -= int64(len(pending))
				if err := writeLedgerRows(cfg.ledger, rows[:end]); err != nil {
					return st, err
				}
				return st, fmt.Errorf("generators: write %s: %d items (the first item %d) after %d attempts: %w",
					table, len(pending), pending[0], cfg.attempts, ErrUnprocessed)
			}
		}
	}
	return st, writeLedgerRows(cfg.ledger, rows)
}

func writeLedgerRows(l *Ledger, rows []LedgerRow) error {
	if l == nil {
		return nil
	}
	if err := l.Write(rows...); err != nil {
		return fmt.Errorf("generators: write ledger: %w", err)
	}
	return nil
}

// attrText returns an N or S attribute's text.
func attrText(a types.AttributeValue) (string, bool) {
	switch v := a.(type) {
	case *types.AttributeValueMemberN:
		return v.Value, true
	case *types.AttributeValueMemberS:
		return v.Value, true
	}
	return "", false
}

// sameItem says two items are the same for matching unprocessed items with
// those sent: their canonical forms are equal.
func sameItem(a, b Item) bool { return string(canonicalItem(a)) == string(canonicalItem(b)) }

// canonicalItem writes an item as JSON in DynamoDB's attribute-value form,
// attributes in name order, so equal items give equal bytes.
func canonicalItem(item Item) []byte {
	return appendCanonical(nil, &types.AttributeValueMemberM{Value: item})
}

func appendCanonical(b []byte, a types.AttributeValue) []byte {
	list := func(tag string, n int, each func(i int)) {
		b = append(b, `{"`+tag+`":[`...)
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			each(i)
		}
		b = append(b, "]}"...)
	}
	switch v := a.(type) {
	case *types.AttributeValueMemberS:
		b = append(b, `{"S":`...)
		b = append(strconv.AppendQuote(b, v.Value), '}')
	case *types.AttributeValueMemberN:
		b = append(b, `{"N":`...)
		b = append(strconv.AppendQuote(b, v.Value), '}')
	case *types.AttributeValueMemberBOOL:
		b = append(strconv.AppendBool(append(b, `{"BOOL":`...), v.Value), '}')
	case *types.AttributeValueMemberNULL:
		b = append(b, `{"NULL":true}`...)
	case *types.AttributeValueMemberB:
		b = append(b, `{"B":`...)
		b = append(strconv.AppendQuote(b, hex.EncodeToString(v.Value)), '}')
	case *types.AttributeValueMemberSS:
		list("SS", len(v.Value), func(i int) { b = strconv.AppendQuote(b, v.Value[i]) })
	case *types.AttributeValueMemberNS:
		list("NS", len(v.Value), func(i int) { b = strconv.AppendQuote(b, v.Value[i]) })
	case *types.AttributeValueMemberBS:
		list("BS", len(v.Value), func(i int) { b = strconv.AppendQuote(b, hex.EncodeToString(v.Value[i])) })
	case *types.AttributeValueMemberL:
		list("L", len(v.Value), func(i int) { b = appendCanonical(b, v.Value[i]) })
	case *types.AttributeValueMemberM:
		names := make([]string, 0, len(v.Value))
		for k := range v.Value {
			names = append(names, k)
		}
		slices.Sort(names)
		b = append(b, `{"M":{`...)
		for i, k := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(strconv.AppendQuote(b, k), ':')
			b = appendCanonical(b, v.Value[k])
		}
		b = append(b, "}}"...)
	default:
		b = append(b, "null"...)
	}
	return b
}

// KeyAttributeType returns the DynamoDB type of a data set's identity key
// column, the hash key of a table its items go to: N for int and bigint,
// S for the string types.
func KeyAttributeType(ds *Dataset) (types.ScalarAttributeType, error) {
	i := ds.Table.Index(ds.Key)
	if i < 0 {
		return "", fmt.Errorf("%w %q: not in the table", ErrKeyColumn, ds.Key)
	}
	switch ds.Table.Columns[i].Type.Kind {
	case KindTinyint, KindSmallint, KindInt, KindBigint:
		return types.ScalarAttributeTypeN, nil
	case KindString, KindVarchar, KindChar:
		return types.ScalarAttributeTypeS, nil
	}
	return "", fmt.Errorf("%w %q: type %s cannot be a DynamoDB key", ErrKeyColumn, ds.Key, ds.Table.Columns[i].Type)
}

// RecordItem turns a well-formed JSON record into a DynamoDB item: strings
// S, numbers N with their exact text, booleans BOOL, null NULL, arrays L,
// objects M.
func RecordItem(r Record) (Item, error) {
	if r.Malformed != "" {
		return nil, fmt.Errorf("record %d: malformed (%s): not an item", r.Seq, r.Malformed)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Payload))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("record %d: want a JSON object: %w", r.Seq, err)
	}
	item := make(Item, len(obj))
	for k, v := range obj {
		a, err := jsonAttr(v)
		if err != nil {
			return nil, fmt.Errorf("record %d: %s: %w", r.Seq, k, err)
		}
		item[k] = a
	}
	return item, nil
}

func jsonAttr(v any) (types.AttributeValue, error) {
	switch v := v.(type) {
	case nil:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case string:
		return &types.AttributeValueMemberS{Value: v}, nil
	case json.Number:
		return &types.AttributeValueMemberN{Value: v.String()}, nil
	case bool:
		return &types.AttributeValueMemberBOOL{Value: v}, nil
	case []any:
		l := make([]types.AttributeValue, len(v))
		for i, e := range v {
			a, err := jsonAttr(e)
			if err != nil {
				return nil, err
			}
			l[i] = a
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case map[string]any:
		m := make(map[string]types.AttributeValue, len(v))
		for k, e := range v {
			a, err := jsonAttr(e)
			if err != nil {
				return nil, err
			}
			m[k] = a
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("JSON value of type %T", v)
}

// SourceItems generates count records of src (which must encode JSON and
// spoil none) and returns them as items, in sequence order.
func SourceItems(src *Source, count int64) ([]Item, error) {
	if f := src.Config().Format; f != FormatJSON {
		return nil, fmt.Errorf("generators: items from %s records: want json", f)
	}
	w := src.NewWorker()
	items := make([]Item, 0, count)
	for seq := range count {
		r, err := w.Record(seq)
		if err != nil {
			return nil, fmt.Errorf("generators: record %d: %w", seq, err)
		}
		it, err := RecordItem(r)
		if err != nil {
			return nil, fmt.Errorf("generators: %w", err)
		}
		items = append(items, it)
	}
	return items, nil
}
