package aggregate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Table is a loaded reference table: the normal ranges of each device, by
// the device key's text (a bigint 7 and a string "7" are the same key). A
// Table is read-only once built and safe for concurrent use.
type Table struct {
	rows   map[string][]Bound
	digest [32]byte
}

// NewTable builds a Table from bounds by key; every slice must have one
// Bound per metric. It keeps rows.
func NewTable(rows map[string][]Bound) *Table {
	t := &Table{rows: rows}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	var buf []byte
	for _, k := range keys {
		buf = appendString(buf[:0], k)
		for _, b := range rows[k] {
			buf = appendBool(buf, b.Valid)
			buf = appendFloat(buf, b.Min)
			buf = appendFloat(buf, b.Max)
		}
		h.Write(buf)
	}
	h.Sum(t.digest[:0])
	return t
}

// Lookup returns key's bounds and whether the table has key.
func (t *Table) Lookup(key string) ([]Bound, bool) {
	b, ok := t.rows[key]
	return b, ok
}

// Len returns the number of keys.
func (t *Table) Len() int { return len(t.rows) }

// Digest returns a SHA-256 over the table's content, independent of the
// order it was loaded in.
func (t *Table) Digest() [32]byte { return t.digest }

// ErrReference is wrapped by errors about the reference table's content.
var ErrReference = errors.New("aggregate: reference table")

// ParseReference reads a reference table in format "csv" (a header row,
// then one row per device) or "json" (one object per line). Each row needs
// keyColumn; a missing or empty bound is null. Bounds may be numbers or
// numeric strings. name is used in errors. A key seen twice is an error.
func ParseReference(r io.Reader, name, format, keyColumn string, metrics []Metric) (*Table, error) {
	rows := map[string][]Bound{}
	add := func(line int, get func(col string) (string, bool)) error {
		key, ok := get(keyColumn)
		if !ok || key == "" {
			return fmt.Errorf("%w %s: line %d: no %q (the key column)", ErrReference, name, line, keyColumn)
		}
		if _, dup := rows[key]; dup {
			return fmt.Errorf("%w %s: line %d: key %q seen twice", ErrReference, name, line, key)
		}
		bounds := make([]Bound, len(metrics))
		for i, m := range metrics {
			lo, lok := get(m.MinColumn)
			hi, hok := get(m.MaxColumn)
			if !lok || !hok || lo == "" || hi == "" {
				continue
			}
			var err error
			if bounds[i].Min, err = parseBound(lo); err != nil {
				return fmt.Errorf("%w %s: line %d: %s: %w", ErrReference, name, line, m.MinColumn, err)
			}
			if bounds[i].Max, err = parseBound(hi); err != nil {
				return fmt.Errorf("%w %s: line %d: %s: %w", ErrReference, name, line, m.MaxColumn, err)
			}
			bounds[i].Valid = true
		}
		rows[key] = bounds
		return nil
	}
	switch format {
	case "csv":
		cr := csv.NewReader(r)
		cr.TrimLeadingSpace = true
		header, err := cr.Read()
		if err != nil {
			return nil, fmt.Errorf("%w %s: read header: %w", ErrReference, name, err)
		}
		col := map[string]int{}
		for i, h := range header {
			col[strings.TrimSpace(h)] = i
		}
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%w %s: %w", ErrReference, name, err)
			}
			get := func(c string) (string, bool) {
				i, ok := col[c]
				if !ok || i >= len(rec) {
					return "", false
				}
				return strings.TrimSpace(rec[i]), true
			}
			if err := add(line, get); err != nil {
				return nil, err
			}
		}
	case "json":
		dec := json.NewDecoder(r)
		dec.UseNumber()
		for line := 1; ; line++ {
			var obj map[string]any
			if err := dec.Decode(&obj); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%w %s: object %d: %w", ErrReference, name, line, err)
			}
			get := func(c string) (string, bool) {
				v, ok := obj[c]
				if !ok || v == nil {
					return "", false
				}
				switch v := v.(type) {
				case string:
					return v, true
				case json.Number:
					return v.String(), true
				}
				return fmt.Sprint(v), true
			}
			if err := add(line, get); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%w %s: format %q; want csv or json", ErrReference, name, format)
	}
	return NewTable(rows), nil
}

func parseBound(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// Loader loads a reference table.
type Loader interface {
	Load(ctx context.Context) (*Table, error)
}

// FileLoader reads a local CSV or JSON lines file.
type FileLoader struct {
	Path, Format, KeyColumn string
	Metrics                 []Metric
}

// Load reads the file.
func (l *FileLoader) Load(ctx context.Context) (*Table, error) {
	b, err := os.ReadFile(l.Path)
	if err != nil {
		return nil, fmt.Errorf("aggregate: load reference: %w", err)
	}
	return ParseReference(bytes.NewReader(b), l.Path, l.Format, l.KeyColumn, l.Metrics)
}

// S3Loader reads a CSV or JSON lines object with GetObject.
type S3Loader struct {
	Client            *s3.Client
	Bucket, Key       string
	Format, KeyColumn string
	Metrics           []Metric
}

// Load gets the object.
func (l *S3Loader) Load(ctx context.Context) (*Table, error) {
	name := "s3://" + l.Bucket + "/" + l.Key
	out, err := l.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key)})
	if err != nil {
		return nil, fmt.Errorf("aggregate: load reference %s: %w", name, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("aggregate: load reference %s: %w", name, err)
	}
	return ParseReference(bytes.NewReader(b), name, l.Format, l.KeyColumn, l.Metrics)
}

// DynamoDBLoader reads a whole table with a paginated Scan (consistent
// reads, so a table written just before is seen). Keys and bounds may be
// N or S attributes; a missing or NULL bound is null.
type DynamoDBLoader struct {
	Client    *dynamodb.Client
	Table     string
	KeyColumn string
	Metrics   []Metric
}

// Load scans the table.
func (l *DynamoDBLoader) Load(ctx context.Context) (*Table, error) {
	name := "dynamodb://" + l.Table
	p := dynamodb.NewScanPaginator(l.Client, &dynamodb.ScanInput{TableName: aws.String(l.Table), ConsistentRead: aws.Bool(true)})
	rows := map[string][]Bound{}
	for page := 1; p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aggregate: load reference %s: scan page %d: %w", name, page, err)
		}
		for i, item := range out.Items {
			key, ok := attrText(item[l.KeyColumn])
			if !ok || key == "" {
				return nil, fmt.Errorf("%w %s: page %d item %d: no %q (the key column)", ErrReference, name, page, i, l.KeyColumn)
			}
			if _, dup := rows[key]; dup {
				return nil, fmt.Errorf("%w %s: page %d item %d: key %q seen twice", ErrReference, name, page, i, key)
			}
			bounds := make([]Bound, len(l.Metrics))
			for j, m := range l.Metrics {
				lo, lok := attrText(item[m.MinColumn])
				hi, hok := attrText(item[m.MaxColumn])
				if !lok || !hok {
					continue
				}
				if bounds[j].Min, err = parseBound(lo); err != nil {
					return nil, fmt.Errorf("%w %s: key %q: %s: %w", ErrReference, name, key, m.MinColumn, err)
				}
				if bounds[j].Max, err = parseBound(hi); err != nil {
					return nil, fmt.Errorf("%w %s: key %q: %s: %w", ErrReference, name, key, m.MaxColumn, err)
				}
				bounds[j].Valid = true
			}
			rows[key] = bounds
		}
	}
	return NewTable(rows), nil
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

// NewLoader returns the Loader for c.Reference: a DynamoDB table (through
// ddb, which must then be non-nil), an s3:// object (through s3c, likewise)
// or a local file. The caller builds the clients, with the engine's HTTP
// client and endpoints.
func NewLoader(c Config, s3c *s3.Client, ddb *dynamodb.Client) (Loader, error) {
	if err := c.ValidateReference(); err != nil {
		return nil, err
	}
	r := c.Reference
	if r.DynamoDBTable != "" {
		if ddb == nil {
			return nil, bad("reference.dynamodb.input.tableName", "%q needs a DynamoDB client", r.DynamoDBTable)
		}
		return &DynamoDBLoader{Client: ddb, Table: r.DynamoDBTable, KeyColumn: c.KeyColumn, Metrics: c.Metrics}, nil
	}
	format, _ := r.format()
	if strings.HasPrefix(r.Path, "s3://") || strings.HasPrefix(r.Path, "s3a://") {
		u, err := url.Parse(r.Path)
		if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return nil, bad("reference.path", "%q; want s3://bucket/key", r.Path)
		}
		if s3c == nil {
			return nil, bad("reference.path", "%q needs an S3 client", r.Path)
		}
		return &S3Loader{Client: s3c, Bucket: u.Host, Key: strings.TrimPrefix(u.Path, "/"), Format: format, KeyColumn: c.KeyColumn, Metrics: c.Metrics}, nil
	}
	return &FileLoader{Path: strings.TrimPrefix(r.Path, "file://"), Format: format, KeyColumn: c.KeyColumn, Metrics: c.Metrics}, nil
}

// Cache keeps the table a Loader returned and loads it again once
// Interval has passed. Time is the caller's: the engine passes each batch's
// planned ingest time, so no clock is read. A Cache is not safe for
// concurrent use.
type Cache struct {
	Loader   Loader
	Interval time.Duration // zero: load once

	table    *Table
	loadedAt time.Time
	loads    int
}

// Get returns the table, loading it when there is none yet or when now is
// Interval or more after the last load. A failed reload returns the error
// and keeps the previous table for the next call.
func (c *Cache) Get(ctx context.Context, now time.Time) (*Table, error) {
	if c.table != nil && (c.Interval <= 0 || now.Sub(c.loadedAt) < c.Interval) {
		return c.table, nil
	}
	t, err := c.Loader.Load(ctx)
	if err != nil {
		return nil, err
	}
	c.table, c.loadedAt = t, now
	c.loads++
	return t, nil
}

// Loads returns how many times the Cache has loaded the table.
func (c *Cache) Loads() int { return c.loads }
