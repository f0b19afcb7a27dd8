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
// DATE; decimal columns arrive as double; binary is BYTE_ARRAY with no
// logical type (DuckDB's BLOB); a struct is a group of optional fields in the
// type's order (DuckDB's STRUCT), nested as the type nests. Column order is
// the schema's order. A Parquet is safe for concurrent use.
type Parquet struct {
	cols   []record.Column
	leaves []leaf
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
		n, err := p.node(i, nil, c.Type)
		if err != nil {
			return nil, fmt.Errorf("sink: column %q: %w", c.Name, err)
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

// leaf is one Parquet leaf column: a scalar column, or a scalar field of a
// struct column found by following path (field indexes) from the column.
type leaf struct {
	col   int
	path  []int
	types []record.Type // the struct type at each step of path
	t     record.Type
}

// node returns the Parquet node of type t for column col at path, adding
// its leaves to p.leaves in the order Parquet numbers them (depth first).
func (p *Parquet) node(col int, path []int, t record.Type) (parquet.Node, error) {
	var n parquet.Node
	switch t {
	case record.String:
		n = parquet.String()
	case record.Binary:
		n = parquet.Leaf(parquet.ByteArrayType)
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
		fields := t.Fields()
		if fields == nil {
			return nil, fmt.Errorf("no Parquet type for %s", t)
		}
		g := parquet.Group{}
		order := make([]string, len(fields))
		for i, f := range fields {
			sub := append(path[:len(path):len(path)], i)
			fn, err := p.node(col, sub, f.Type)
			if err != nil {
				return nil, err
			}
			g[f.Name] = parquet.Optional(fn)
			order[i] = f.Name
		}
		return orderedGroup{Group: g, order: order}, nil
	}
	types := make([]record.Type, len(path))
	st := p.cols[col].Type
	for i, k := range path {
		types[i] = st
		st = st.Fields()[k].Type
	}
	p.leaves = append(p.leaves, leaf{col: col, path: path, types: types, t: t})
	return n, nil
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
// columns are those at positions cols (one per Columns() entry). Leaf
// columns (each scalar field of a struct is one) are encoded in parallel,
// each by its own parquet-go column writer. A struct column must hold Values
// of its own struct type (or null); any other is an error naming the column.
func (p *Parquet) EncodeProjected(w io.Writer, rows []record.Value, width int, cols []int, idx []int) error {
	pw := parquet.NewWriter(w, p.schema, parquet.Compression(p.codec), parquet.CreatedBy("streamcheck", "1", ""))
	writers := pw.ColumnWriters()
	errs := make([]error, len(p.leaves))
	work := make(chan int, len(p.leaves))
	for l := range p.leaves {
		work <- l
	}
	close(work)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(p.leaves)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			const chunk = 4096
			vals := make([]parquet.Value, 0, chunk)
			for l := range work {
				lf := &p.leaves[l]
				from := cols[lf.col]
				for start := 0; start < len(idx) && errs[l] == nil; start += chunk {
					vals = vals[:0]
					for _, r := range idx[start:min(start+chunk, len(idx))] {
						v := rows[r*width+from]
						if len(lf.path) == 0 {
							vals = append(vals, parquetValue(v, lf.t).Level(0, def(v), l))
							continue
						}
						pv, err := nestedValue(v, lf)
						if err != nil {
							errs[l] = fmt.Errorf("sink: column %q: %w", p.cols[lf.col].Name, err)
							break
						}
						vals = append(vals, pv.Level(0, pv.DefinitionLevel(), l))
					}
					if errs[l] != nil {
						break
					}
					if _, err := writers[l].WriteRowValues(vals); err != nil {
						errs[l] = fmt.Errorf("sink: write parquet column %q: %w", p.cols[lf.col].Name, err)
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

// nestedValue returns the value of a struct field leaf for column value v,
// with its definition level (as Level's def) set: the number of non-null
// structs above it, plus one when the leaf itself is set.
func nestedValue(v record.Value, lf *leaf) (parquet.Value, error) {
	d := 0
	for i, k := range lf.path {
		if v.Null() {
			return parquet.NullValue().Level(0, d, 0), nil
		}
		if v.Type != lf.types[i] {
			return parquet.Value{}, fmt.Errorf("value of type %s where %s belongs", v.Type, lf.types[i])
		}
		d++
		v = v.Fields()[k]
	}
	if v.Null() {
		return parquet.NullValue().Level(0, d, 0), nil
	}
	return parquetValue(v, lf.t).Level(0, d+1, 0), nil
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
	case record.String, record.Binary:
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
