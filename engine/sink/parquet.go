package sink

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/streamcheck/streamcheck/engine/record"
)

// Codecs are the compression codec names a job may use.
var Codecs = []string{"snappy", "gzip", "zstd", "none"}

// Parquet encodes rows of a fixed schema as Parquet files. Every column is
// optional (nullable). Timestamps are TIMESTAMP(MICROS) holding UTC wall-clock
// time with isAdjustedToUTC=false, which DuckDB reads as TIMESTAMP; dates are
// DATE; decimal columns arrive as double. Column order is the schema's
// order. A Parquet is safe for concurrent use.
type Parquet struct {
	cols   []record.Column
	schema *parquet.Schema
	codec  compress.Codec
	ext    string
}

// NewParquet returns an encoder for cols with the named codec.
func NewParquet(cols []record.Column, codec string) (*Parquet, error) {
	p := &Parquet{cols: cols}
	switch codec {
	case "", "snappy":
		p.codec, p.ext = &parquet.Snappy, "snappy.parquet"
	case "gzip":
		p.codec, p.ext = &parquet.Gzip, "gz.parquet"
	case "zstd":
		p.codec, p.ext = &parquet.Zstd, "zstd.parquet"
	case "none", "uncompressed":
		p.codec, p.ext = &parquet.Uncompressed, "parquet"
	default:
		return nil, fmt.Errorf("sink: unknown codec %q (want one of %v)", codec, Codecs)
	}
	g := parquet.Group{}
	order := make([]string, len(cols))
	for i, c := range cols {
		var n parquet.Node
		switch c.Type {
		case record.String:
			n = parquet.String()
		case record.Int:
			n = parquet.Int(32)
		case record.Bigint:
			n = parquet.Int(64)
		case record.Double:
			n = parquet.Leaf(parquet.DoubleType)
		case record.Float:
			n = parquet.Leaf(parquet.FloatType)
		case record.Boolean:
			n = parquet.Leaf(parquet.BooleanType)
		case record.Timestamp:
			n = parquet.TimestampAdjusted(parquet.Microsecond, false)
		case record.Date:
			n = parquet.Date()
		default:
			return nil, fmt.Errorf("sink: column %q has no Parquet type for %s", c.Name, c.Type)
		}
		if _, dup := g[c.Name]; dup {
			return nil, fmt.Errorf("sink: column %q appears twice", c.Name)
		}
		g[c.Name] = parquet.Optional(n)
		order[i] = c.Name
	}
	p.schema = parquet.NewSchema("schema", orderedGroup{Group: g, order: order})
	return p, nil
}

// Ext returns the file extension for the codec, e.g. "snappy.parquet".
func (p *Parquet) Ext() string { return p.ext }

// Columns returns the schema's columns.
func (p *Parquet) Columns() []record.Column { return p.cols }

// Encode writes one Parquet file holding the rows picked by idx (indexes
// into rows, a flat slice with len(Columns()) values per row) to w.
func (p *Parquet) Encode(w io.Writer, rows []record.Value, idx []int) error {
	all := make([]int, len(p.cols))
	for i := range all {
		all[i] = i
	}
	return p.EncodeProjected(w, rows, len(p.cols), all, idx)
}

// EncodeProjected is Encode for rows of width values of which the file's
// columns are those at positions cols (one per Columns() entry). Columns are
// encoded in parallel, each by its own parquet-go column writer.
func (p *Parquet) EncodeProjected(w io.Writer, rows []record.Value, width int, cols []int, idx []int) error {
	pw := parquet.NewWriter(w, p.schema, parquet.Compression(p.codec), parquet.CreatedBy("streamcheck", "1", ""))
	writers := pw.ColumnWriters()
	errs := make([]error, len(cols))
	work := make(chan int, len(cols))
	for c := range cols {
		work <- c
	}
	close(work)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(cols)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			const chunk = 4096
			vals := make([]parquet.Value, 0, chunk)
			for c := range work {
				from, t := cols[c], p.cols[c].Type
				for start := 0; start < len(idx) && errs[c] == nil; start += chunk {
					vals = vals[:0]
					for _, r := range idx[start:min(start+chunk, len(idx))] {
						v := rows[r*width+from]
						vals = append(vals, parquetValue(v, t).Level(0, def(v), c))
					}
					if _, err := writers[c].WriteRowValues(vals); err != nil {
						errs[c] = fmt.Errorf("sink: write parquet column %q: %w", p.cols[c].Name, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("sink: close parquet writer: %w", err)
	}
	return nil
}

func def(v record.Value) int {
	if v.Null() {
		return 0
	}
	return 1
}

func parquetValue(v record.Value, t record.Type) parquet.Value {
	if v.Null() {
		return parquet.NullValue()
	}
	switch t {
	case record.String:
		return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v.S), len(v.S)))
	case record.Int, record.Date:
		return parquet.Int32Value(int32(v.I))
	case record.Bigint, record.Timestamp:
		return parquet.Int64Value(v.I)
	case record.Double:
		return parquet.DoubleValue(v.F)
	case record.Float:
		return parquet.FloatValue(float32(v.F))
	case record.Boolean:
		return parquet.BooleanValue(v.I != 0)
	}
	return parquet.NullValue()
}

// orderedGroup is a parquet.Group whose fields keep the job's column order
// instead of parquet-go's alphabetical one.
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields returns the group's fields in the job's order.
func (g orderedGroup) Fields() []parquet.Field {
	fields := g.Group.Fields()
	rank := map[string]int{}
	for i, n := range g.order {
		rank[n] = i
	}
	out := slices.Clone(fields)
	slices.SortFunc(out, func(a, b parquet.Field) int { return rank[a.Name()] - rank[b.Name()] })
	return out
}
