package assertions

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/duckdb/duckdb-go/v2"
)

// DefaultScanSegments is how many parallel Scan segments read a
// dynamodb:// output.
const DefaultScanSegments = 4

// ErrNoTable is wrapped by the error of Open when a dynamodb:// output names
// a table that does not exist.
var ErrNoTable = errors.New("no such table")

// tableName matches DynamoDB table names: 3 to 255 of a-z, A-Z, 0-9, _ - .
var tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

// tableItems is the name of the Parquet file a table's items become.
const tableItems = "items.parquet"

// materializeTable reads a whole DynamoDB table with a consistent,
// paginated Scan in parallel segments, writes its items as JSON lines
// (one file per segment, under dir/.items) and has DuckDB turn them into
// one Parquet file, dir/items.parquet, which the checks then read like any
// output object. An empty table leaves dir without it.
//
// Attribute values become JSON: S a string, N a JSON number with the
// attribute's exact decimal text, BOOL, NULL null, L an array, M an object,
// SS/NS/BS arrays, B and BS elements base64 text. DuckDB infers the column
// types from all items (integers as BIGINT, other numbers as DOUBLE,
// objects as STRUCT); an attribute missing from an item is null.
func materializeTable(ctx context.Context, client *dynamodb.Client, l location, dir string, segments int) (string, error) {
	if client == nil {
		return "", fmt.Errorf("read %s: no DynamoDB client", l.raw)
	}
	if segments <= 0 {
		segments = DefaultScanSegments
	}
	raw := filepath.Join(dir, ".items")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	files := make([]string, segments)
	counts := make([]int64, segments)
	nonString := make([]map[string]bool, segments) // per segment: attributes seen with another type than S
	errs := make([]error, segments)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for seg := range segments {
		files[seg] = filepath.Join(raw, fmt.Sprintf("segment-%04d.jsonl", seg))
		wg.Go(func() {
			nonString[seg] = map[string]bool{}
			counts[seg], errs[seg] = scanSegment(ctx, client, l, seg, segments, files[seg], nonString[seg])
			if errs[seg] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	var total int64
	for i, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return "", err
		}
		total += counts[i]
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	if total == 0 {
		return dir, nil
	}
	notS := map[string]bool{}
	for _, m := range nonString {
		for k := range m {
			notS[k] = true
		}
	}
	if err := jsonToParquet(ctx, files, notS, filepath.Join(dir, tableItems)); err != nil {
		return "", fmt.Errorf("read %s: convert %d items: %w", l.raw, total, err)
	}
	return dir, nil
}

// scanSegment writes one Scan segment's items to dst as JSON lines and
// returns how many there were. It marks in nonString the attributes seen
// with another type than S.
func scanSegment(ctx context.Context, client *dynamodb.Client, l location, seg, total int, dst string, nonString map[string]bool) (int64, error) {
	f, err := os.Create(dst)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", l.raw, err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	in := &dynamodb.ScanInput{TableName: aws.String(l.table), ConsistentRead: aws.Bool(true)}
	if total > 1 {
		in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(total))
	}
	var n int64
	var buf []byte
	p := dynamodb.NewScanPaginator(client, in)
	for page := 1; p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return 0, fmt.Errorf("read %s: table %q: %w (ResourceNotFoundException)", l.raw, l.table, ErrNoTable)
			}
			return 0, fmt.Errorf("read %s: scan segment %d of %d, page %d: %w", l.raw, seg, total, page, err)
		}
		for _, item := range out.Items {
			for k, v := range item {
				if _, ok := v.(*types.AttributeValueMemberS); !ok {
					nonString[k] = true
				}
			}
			if buf, err = appendItemJSON(buf[:0], item); err != nil {
				return 0, fmt.Errorf("read %s: segment %d page %d: %w", l.raw, seg, page, err)
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return 0, fmt.Errorf("read %s: %w", l.raw, err)
			}
			n++
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("read %s: %w", l.raw, err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("read %s: %w", l.raw, err)
	}
	return n, nil
}

// jsonToParquet has DuckDB read JSON lines files, inferring the columns
// from every line, and write them as one Parquet file. Attributes that
// are S in every item stay VARCHAR: DuckDB would otherwise read text that
// looks like a UUID, a date or a timestamp as such, and the schema check
// would see a type the table does not have. (Strings nested in L and M are
// left to DuckDB's inference.)
func jsonToParquet(ctx context.Context, files []string, nonString map[string]bool, dst string) error {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	list := make([]outFile, len(files))
	for i, f := range files {
		list[i].path = f
	}
	src := fmt.Sprintf(`read_json(%s, format='newline_delimited', sample_size=-1, union_by_name=true`, pathList(list))
	rows, err := db.QueryContext(ctx, `DESCRIBE SELECT * FROM `+src+`)`)
	if err != nil {
		return fmt.Errorf("infer columns: %w", err)
	}
	var cols []string
	for rows.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			rows.Close()
			return fmt.Errorf("infer columns: %w", err)
		}
		if !nonString[name] {
			typ = "VARCHAR"
		}
		cols = append(cols, sqlIdent(name)+": "+sqlString(typ))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("infer columns: %w", err)
	}
	q := fmt.Sprintf(`COPY (SELECT * FROM %s, columns={%s})) TO %s (FORMAT parquet)`, src, strings.Join(cols, ", "), sqlString(dst))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return err
	}
	return nil
}

// appendItemJSON appends item as a JSON object, attributes in name order.
func appendItemJSON(b []byte, item map[string]types.AttributeValue) ([]byte, error) {
	return appendAttr(b, &types.AttributeValueMemberM{Value: item})
}

func appendAttr(b []byte, a types.AttributeValue) ([]byte, error) {
	var err error
	switch v := a.(type) {
	case *types.AttributeValueMemberS:
		return strconv.AppendQuote(b, v.Value), nil
	case *types.AttributeValueMemberN:
		return appendNumber(b, v.Value)
	case *types.AttributeValueMemberBOOL:
		return strconv.AppendBool(b, v.Value), nil
	case *types.AttributeValueMemberNULL:
		return append(b, "null"...), nil
	case *types.AttributeValueMemberB:
		return strconv.AppendQuote(b, base64.StdEncoding.EncodeToString(v.Value)), nil
	case *types.AttributeValueMemberSS:
		b = append(b, '[')
		for i, s := range v.Value {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, s)
		}
		return append(b, ']'), nil
	case *types.AttributeValueMemberNS:
		b = append(b, '[')
		for i, s := range v.Value {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendNumber(b, s); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *types.AttributeValueMemberBS:
		b = append(b, '[')
		for i, s := range v.Value {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, base64.StdEncoding.EncodeToString(s))
		}
		return append(b, ']'), nil
	case *types.AttributeValueMemberL:
		b = append(b, '[')
		for i, e := range v.Value {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendAttr(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *types.AttributeValueMemberM:
		names := make([]string, 0, len(v.Value))
		for k := range v.Value {
			names = append(names, k)
		}
		slices.Sort(names)
		b = append(b, '{')
		for i, k := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k)
			b = append(b, ':')
			if b, err = appendAttr(b, v.Value[k]); err != nil {
				return nil, fmt.Errorf("attribute %q: %w", k, err)
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("attribute value of type %T: not a DynamoDB type", a)
}

// appendNumber appends an N value's decimal text as a JSON number: as it
// is when it is one, else (a leading "+" or ".", a trailing ".") the same
// value written as one.
func appendNumber(b []byte, n string) ([]byte, error) {
	if json.Valid([]byte(n)) {
		if _, err := strconv.ParseFloat(n, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return append(b, n...), nil
		}
	}
	r, ok := new(big.Rat).SetString(n)
	if !ok {
		return nil, fmt.Errorf("number %q: not a decimal", n)
	}
	if r.IsInt() {
		return append(b, r.Num().String()...), nil
	}
	f, _, err := big.ParseFloat(n, 10, 256, big.ToNearestEven)
	if err != nil {
		return nil, fmt.Errorf("number %q: %w", n, err)
	}
	return append(b, f.Text('g', -1)...), nil
}

// tableOutput says the output is a DynamoDB table or a Kinesis stream
// rather than objects.
func (s *Session) tableOutput() bool { return s.outLoc.table != "" || s.outLoc.stream != "" }

// tableNoLag is why lag is not measured on a DynamoDB output without
// Config.VisibleAtColumn.
const tableNoLag = "not measurable for this output: a DynamoDB item has no write time (set a commit-time attribute to measure it)"

// tableLag measures the lag of a dynamodb:// output: per item, the
// commit time the job wrote in Config.VisibleAtColumn minus the arrival
// time (acked_at_ms) of the ledger attempt it is paired with: a key's
// i-th item by commit time with its i-th acknowledgement. Items without a
// readable commit time or without an attempt are counted, not measured.
// There are no batches, so no restarts or recovery lag.
func (s *Session) tableLag(ctx context.Context) (Result, error) {
	switch {
	case s.outLoc.stream != "":
		return skipped(CheckLag, streamNoLag), nil
	case s.cfg.VisibleAtColumn == "":
		return skipped(CheckLag, tableNoLag), nil
	case s.ledger == "":
		return skipped(CheckLag, "no ledger"), nil
	case s.cfg.KeyColumn == "" || s.cfg.KeyColumn == KeyRowHash:
		return skipped(CheckLag, "no key column to match rows with the ledger"), nil
	}
	if len(s.out) == 0 {
		return skipped(CheckLag, "the table is empty"), nil
	}
	vis := ""
	for _, c := range s.columns {
		if strings.EqualFold(c, s.cfg.VisibleAtColumn) {
			vis = "o." + sqlIdent(c)
		}
	}
	if vis == "" {
		return Result{}, fmt.Errorf("assertions: commit-time attribute %q: not in %s (attributes: %s)", s.cfg.VisibleAtColumn, s.cfg.Output, strings.Join(s.columns, ", "))
	}
	key, err := s.keyExpr()
	if err != nil {
		return Result{}, err
	}
	if err := s.ensure(ctx, "sc_ledger"); err != nil {
		return Result{}, err
	}
	visMs := fmt.Sprintf(`coalesce(TRY_CAST(%[1]s AS BIGINT), epoch_ms(TRY_CAST(%[1]s AS TIMESTAMPTZ)))`, vis)
	if err := s.exec(ctx, "measure lag", `DROP TABLE IF EXISTS sc_lag`, fmt.Sprintf(`CREATE TABLE sc_lag AS
	WITH r AS (SELECT %s AS k, %s AS vis FROM output o),
	ri AS (SELECT k, vis, row_number() OVER (PARTITION BY k ORDER BY vis NULLS LAST) AS i FROM r),
	a AS (SELECT key, acked_at_ms, row_number() OVER (PARTITION BY key ORDER BY acked_at_ms, seq) AS i
		FROM sc_ledger WHERE malformed = '' AND outcome = 'ack' AND acked_at_ms > 0)
	SELECT -1::BIGINT AS batch, 0::BIGINT AS file_id, ri.k AS key, ri.vis IS NOT NULL AS committed,
		CASE WHEN ri.vis IS NOT NULL THEN ri.vis - a.acked_at_ms END AS lag_ms, a.acked_at_ms IS NOT NULL AS matched
	FROM ri LEFT JOIN a ON a.key = ri.k AND a.i = ri.i`, key, visMs)); err != nil {
		return Result{}, err
	}
	r := Result{Check: CheckLag, Lag: &LagReport{}}
	overall, err := s.lagStats(ctx, "true")
	if err != nil {
		return Result{}, err
	}
	r.Lag.Overall = overall
	var unmatched, noTime sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE NOT matched), count(*) FILTER (WHERE NOT committed) FROM sc_lag`).Scan(&unmatched, &noTime); err != nil {
		return Result{}, fmt.Errorf("assertions: count lag: %w", err)
	}
	r.add("records", overall.Records)
	r.add("no_arrival_time", unmatched.Int64)
	r.add("no_commit_time", noTime.Int64)
	var failed []string
	bound := time.Duration(0)
	if b := s.cfg.MaxLagP99; b > 0 {
		bound = b
		if overall.P99 > b {
			failed = append(failed, fmt.Sprintf("p99 %v > %v", overall.P99, b))
		}
	}
	if b := s.cfg.MaxLagMax; b > 0 {
		bound = b
		if overall.Max > b {
			failed = append(failed, fmt.Sprintf("max %v > %v", overall.Max, b))
		}
	}
	r.Status = Pass
	if len(failed) > 0 {
		ex, err := s.examples(ctx, `SELECT 'lagging_item', key, '', -1, -1, printf('lag %d ms', lag_ms)
			FROM sc_lag WHERE lag_ms > ? ORDER BY lag_ms DESC LIMIT ?`, bound.Milliseconds(), s.cfg.maxExamples())
		if err != nil {
			return Result{}, err
		}
		r.Examples = ex
		r.Status, r.Detail = Fail, fmt.Sprint(failed)
	}
	return r, nil
}
