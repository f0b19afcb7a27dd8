package sink

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/streamcheck/streamcheck/engine/record"
)

// Codecs are the compression codec names a job may use.
var Codecs = []string{"snappy", "gzip", "zstd", "none"}

// Parquet encodes rows of a fixed schema as Parquet files the way Spark's
// Parquet writer (parquet-mr) does by default, so that every lake engine
// reads them: version 1 data pages, PLAIN and dictionary encodings only
// (levels RLE), dictionary encoding where it pays (judged per column and
// file as parquet-mr judges it, see dictionaryPays) and falling back to
// PLAIN when the dictionary outgrows DictionaryPageSize, statistics on every column chunk and page, and
// created_by in the "<application> version <version> (build <hash>)" form
// with streamcheck's own version (see CreatedBy). ParquetConfig selects the
// knobs Spark exposes.
//
// Every column is optional (nullable). Types map as Spark writes them:
// string is BYTE_ARRAY STRING; binary BYTE_ARRAY with no logical type;
// int INT32; bigint INT64; double, float and boolean their physical types;
// date INT32 DATE; timestamp as OutputTimestampType says (INT96 by default,
// Spark's default; TIMESTAMP_MICROS and TIMESTAMP_MILLIS are INT64 with
// isAdjustedToUTC=true, Spark's TimestampType); decimal(p,s) DECIMAL(p,s)
// on INT32 for p <= 9, INT64 for p <= 18 and FIXED_LEN_BYTE_ARRAY (the
// fewest bytes that hold p digits) beyond, as Spark writes it; a struct a
// group of optional fields in the type's order; an array the three-level
// LIST (optional group, repeated group "list", optional "element"); a map
// the three-level MAP (repeated group "key_value" of a required "key" and an
// optional "value"). Column order is the schema's order. A Parquet is safe
// for concurrent use.
type Parquet struct {
	cols   []record.Column
	leaves []leaf
	cfg    ParquetConfig
	codec  compress.Codec
	ext    string
	opts   []parquet.WriterOption
	// building is 0 while NewParquetConfig finds the leaves, then their
	// number; dict says, while a schema is built, which leaves take
	// dictionary encoding (see schemaFor).
	building int
	dict     []bool
	nextLeaf int
	// schemas caches a schema per choice of dictionary leaves.
	mu      sync.Mutex
	schemas map[string]*parquet.Schema
}

// The timestamp representations of ParquetConfig.OutputTimestampType, named
// as Spark's spark.sql.parquet.outputTimestampType names them.
const (
	TimestampInt96  = "INT96"
	TimestampMicros = "TIMESTAMP_MICROS"
	TimestampMillis = "TIMESTAMP_MILLIS"
)

// Defaults of ParquetConfig, those of Spark 3.3 (Glue 4.0) and parquet-mr.
const (
	// DefaultOutputTimestampType is spark.sql.parquet.outputTimestampType's
	// default.
	DefaultOutputTimestampType = TimestampInt96
	// DefaultWriterVersion is parquet.writer.version's default (v1 data
	// pages, PLAIN and dictionary encodings).
	DefaultWriterVersion = "v1"
	// DefaultBlockSize is parquet.block.size, the row group size: 128 MiB.
	DefaultBlockSize = 128 << 20
	// DefaultPageSize is parquet.page.size: 1 MiB.
	DefaultPageSize = 1 << 20
	// DefaultDictionaryPageSize is parquet.dictionary.page.size: 1 MiB.
	DefaultDictionaryPageSize = 1 << 20
)

// ParquetConfig holds the Parquet writer's settings. The zero value of every
// field means its default.
type ParquetConfig struct {
	// Codec is snappy (default), gzip, zstd or none.
	Codec string
	// OutputTimestampType is INT96 (default), TIMESTAMP_MICROS or
	// TIMESTAMP_MILLIS.
	OutputTimestampType string
	// WriterVersion is v1 (default: version 1 data pages, PLAIN and
	// dictionary encodings) or v2 (version 2 data pages with the delta
	// encodings parquet-mr's v2 writer uses, which Spark's vectorized
	// reader rejects before Spark 3.4).
	WriterVersion string
	// DisableDictionary turns dictionary encoding off (every column PLAIN).
	DisableDictionary bool
	// BlockSize is the target row group size in bytes, estimated from the
	// values before encoding; 0 means DefaultBlockSize.
	BlockSize int64
	// PageSize is the page size in bytes before encoding and compression;
	// 0 means DefaultPageSize.
	PageSize int
	// DictionaryPageSize is the most bytes a column chunk's dictionary may
	// hold before the chunk falls back to PLAIN; 0 means
	// DefaultDictionaryPageSize.
	DictionaryPageSize int64
}

// Validate reports the first invalid field, naming it.
func (c ParquetConfig) Validate() error {
	switch strings.ToUpper(c.OutputTimestampType) {
	case "", TimestampInt96, TimestampMicros, TimestampMillis:
	default:
		return fmt.Errorf("outputTimestampType %q: want INT96, TIMESTAMP_MICROS or TIMESTAMP_MILLIS", c.OutputTimestampType)
	}
	switch strings.ToLower(c.WriterVersion) {
	case "", "v1", "v2":
	default:
		return fmt.Errorf("writerVersion %q: want v1 or v2", c.WriterVersion)
	}
	if c.BlockSize < 0 || c.PageSize < 0 || c.DictionaryPageSize < 0 {
		return fmt.Errorf("blockSize %d, pageSize %d, dictionaryPageSize %d: want sizes of 0 (the default) or more", c.BlockSize, c.PageSize, c.DictionaryPageSize)
	}
	return nil
}

func (c ParquetConfig) withDefaults() ParquetConfig {
	c.OutputTimestampType = strings.ToUpper(cmp.Or(c.OutputTimestampType, DefaultOutputTimestampType))
	c.WriterVersion = strings.ToLower(cmp.Or(c.WriterVersion, DefaultWriterVersion))
	c.BlockSize = cmp.Or(c.BlockSize, DefaultBlockSize)
	c.PageSize = cmp.Or(c.PageSize, DefaultPageSize)
	c.DictionaryPageSize = cmp.Or(c.DictionaryPageSize, DefaultDictionaryPageSize)
	return c
}

// NewParquet returns an encoder for cols with the named codec and every
// other setting at its default.
func NewParquet(cols []record.Column, codec string) (*Parquet, error) {
	return NewParquetConfig(cols, ParquetConfig{Codec: codec})
}

// NewParquetConfig returns an encoder for cols with the settings of cfg.
func NewParquetConfig(cols []record.Column, cfg ParquetConfig) (*Parquet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sink: parquet %w", err)
	}
	p := &Parquet{cols: cols, cfg: cfg.withDefaults()}
	switch cfg.Codec {
	case "", "snappy":
		p.codec, p.ext = &fastSnappy{}, "snappy.parquet"
	case "gzip":
		p.codec, p.ext = &parquet.Gzip, "gz.parquet"
	case "zstd":
		p.codec, p.ext = &parquet.Zstd, "zstd.parquet"
	case "none", "uncompressed":
		p.codec, p.ext = &parquet.Uncompressed, "parquet"
	default:
		return nil, fmt.Errorf("sink: unknown codec %q (want one of %v)", cfg.Codec, Codecs)
	}
	seen := map[string]bool{}
	for i, c := range cols {
		if seen[c.Name] {
			return nil, fmt.Errorf("sink: column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if _, err := p.node(i, nil, c.Type); err != nil {
			return nil, fmt.Errorf("sink: column %q: %w", c.Name, err)
		}
	}
	p.building = len(p.leaves)
	p.opts = writerOptions(p.cfg, p.codec)
	return p, nil
}

func writerOptions(cfg ParquetConfig, codec compress.Codec) []parquet.WriterOption {
	version := 1
	if cfg.WriterVersion == "v2" {
		version = 2
	}
	return []parquet.WriterOption{
		parquet.Compression(codec),
		createdBy(CreatedBy()),
		parquet.DataPageVersion(version),
		parquet.DataPageStatistics(true),
		parquet.PageBufferSize(cfg.PageSize),
		parquet.DictionaryMaxBytes(cfg.DictionaryPageSize),
	}
}

// WriterOptions returns parquet-go writer options that make a writer whose
// schema names no encodings (one read back from a file, as compaction
// copies) write as Parquet does under cfg: version 1 pages (unless
// WriterVersion is v2), dictionary encoding for every column but booleans
// (PLAIN with DisableDictionary), falling back to PLAIN past
// DictionaryPageSize, statistics and streamcheck's created_by. cfg.Codec
// selects the compression.
func WriterOptions(cfg ParquetConfig) ([]parquet.WriterOption, error) {
	p, err := NewParquetConfig(nil, cfg)
	if err != nil {
		return nil, err
	}
	opts := p.opts
	if p.cfg.WriterVersion == "v1" {
		enc := encoding.Encoding(&parquet.RLEDictionary)
		if p.cfg.DisableDictionary {
			enc = &parquet.Plain
		}
		for _, k := range []parquet.Kind{parquet.Int32, parquet.Int64, parquet.Int96, parquet.Float, parquet.Double, parquet.ByteArray, parquet.FixedLenByteArray} {
			opts = append(opts, parquet.DefaultEncodingFor(k, enc))
		}
		opts = append(opts, parquet.DefaultEncodingFor(parquet.Boolean, &parquet.Plain))
	}
	return opts, nil
}

// fastSnappy is Parquet's SNAPPY codec with s2's standard snappy block
// encoder instead of the "better" one parquet-go uses, which spends about
// twice the CPU for pages a few percent smaller. The blocks are standard
// snappy either way; decoding is parquet-go's.
type fastSnappy struct{ snappy.Codec }

// Encode compresses src as one snappy block into dst.
func (*fastSnappy) Encode(dst, src []byte) ([]byte, error) {
	return s2.EncodeSnappy(dst, src), nil
}

// createdBy sets created_by verbatim (parquet-go's CreatedBy option leaves
// out the space before "(build").
type createdBy string

func (c createdBy) ConfigureWriter(cfg *parquet.WriterConfig) { cfg.CreatedBy = string(c) }

// CreatedBy returns the created_by a file's footer carries: "streamcheck
// version <version> (build <vcs revision>)", from the binary's build
// information ("devel" and "unknown" where it has none), in the form
// parquet-mr writes "parquet-mr version 1.12.2 (build <hash>)".
func CreatedBy() string {
	createdByOnce.Do(func() {
		version, build := "devel", "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if v := bi.Main.Version; v != "" && v != "(devel)" {
				version = v
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && s.Value != "" {
					build = s.Value
				}
			}
		}
		createdByText = "streamcheck version " + version + " (build " + build + ")"
	})
	return createdByText
}

var (
	createdByOnce sync.Once
	createdByText string
)

// step is one step from a column's value down to a leaf: into field idx of
// a struct, into the elements of an array, or into the keys (idx 0) or
// values (idx 1) of a map.
type step struct {
	t   record.Type // the type stepped into
	idx int
}

// leaf is one Parquet leaf column: a scalar column, or a scalar inside a
// struct, array or map column found by following steps from the column.
type leaf struct {
	col   int
	steps []step
	t     record.Type
	// repeated: a step goes through an array or map.
	repeated bool
}

// node returns the Parquet node of type t for column col at path, adding
// its leaves to p.leaves in the order Parquet numbers them (depth first).
func (p *Parquet) node(col int, path []step, t record.Type) (parquet.Node, error) {
	var n parquet.Node
	dict := !p.cfg.DisableDictionary
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
		dict = false // parquet-mr never dictionary-encodes booleans
	case record.Timestamp:
		switch p.cfg.OutputTimestampType {
		case TimestampMicros:
			n = parquet.TimestampAdjusted(parquet.Microsecond, true)
		case TimestampMillis:
			n = parquet.TimestampAdjusted(parquet.Millisecond, true)
		default:
			n = parquet.Leaf(parquet.Int96Type)
		}
	case record.Date:
		n = parquet.Date()
	default:
		if prec, scale, ok := t.Decimal(); ok {
			switch {
			case prec <= 9:
				n = parquet.Decimal(scale, prec, parquet.Int32Type)
			case prec <= 18:
				n = parquet.Decimal(scale, prec, parquet.Int64Type)
			default:
				n = parquet.Decimal(scale, prec, parquet.FixedLenByteArrayType(record.DecimalBytesFor(prec)))
			}
			break
		}
		return p.group(col, path, t)
	}
	if p.building > 0 {
		dict = dict && p.dict[p.nextLeaf]
		p.nextLeaf++
	}
	if p.cfg.WriterVersion == "v1" {
		if dict {
			n = parquet.Encoded(n, &parquet.RLEDictionary)
		} else {
			n = parquet.Encoded(n, &parquet.Plain)
		}
	} else if dict {
		n = parquet.Encoded(n, &parquet.RLEDictionary)
	}
	if p.building > 0 {
		return n, nil
	}
	lf := leaf{col: col, steps: path, t: t}
	for _, s := range path {
		lf.repeated = lf.repeated || s.t.Array() || s.t.Map()
	}
	p.leaves = append(p.leaves, lf)
	return n, nil
}

// schemaFor returns the file schema in which the leaves marked in dict
// take dictionary encoding and the others PLAIN.
func (p *Parquet) schemaFor(dict []bool) *parquet.Schema {
	key := make([]byte, len(dict))
	for i, d := range dict {
		key[i] = '0'
		if d {
			key[i] = '1'
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.schemas[string(key)]; ok {
		return s
	}
	p.dict, p.nextLeaf = dict, 0
	g := parquet.Group{}
	order := make([]string, len(p.cols))
	for i, c := range p.cols {
		n, _ := p.node(i, nil, c.Type) // built once without error in NewParquetConfig
		g[c.Name] = parquet.Optional(n)
		order[i] = c.Name
	}
	s := parquet.NewSchema("spark_schema", orderedGroup{Group: g, order: order})
	if p.schemas == nil {
		p.schemas = map[string]*parquet.Schema{}
	}
	p.schemas[string(key)] = s
	return s
}

// dictionaryPays decides, per leaf, whether dictionary encoding pays for
// the rows of idx, as parquet-mr decides after a column chunk's first page
// (its isCompressionSatisfying): on a sample of up to 1,024 rows, the
// distinct values' bytes plus an index per value must be smaller than the
// values' plain bytes. A leaf inside an array or map is always tried with a
// dictionary; parquet-go still falls back to PLAIN once the dictionary
// outgrows DictionaryPageSize.
func (p *Parquet) dictionaryPays(rows record.Rows, cols []int, idx []int) []bool {
	out := make([]bool, len(p.leaves))
	if p.cfg.DisableDictionary {
		return out
	}
	sample := min(len(idx), 1024)
	distinct := distinctSets.Get().(*distinctSet)
	defer distinctSets.Put(distinct)
	for l := range p.leaves {
		lf := &p.leaves[l]
		if lf.t == record.Boolean {
			continue
		}
		if lf.repeated || sample == 0 {
			out[l] = true
			continue
		}
		distinct.reset()
		var raw, dict, n int
		for k := range sample {
			v := *rows.At(idx[k*len(idx)/sample], cols[lf.col])
			for i := 0; i < len(lf.steps) && !v.Null(); i++ {
				if v.Type != lf.steps[i].t {
					v = record.Value{}
					break
				}
				v = v.Fields()[lf.steps[i].idx]
			}
			if v.Null() {
				continue
			}
			size := int(valueSize(v))
			n++
			raw += size
			if distinct.add(v, lf.t) {
				dict += size
			}
		}
		out[l] = n == 0 || dict+n*bits.Len(uint(distinct.len()))/8 < raw
	}
	return out
}

// distinctSet is the set of distinct Values dictionaryPays counts in one
// leaf's sample. Two Values of the same type are equal when their I and S
// are, so one whose S is empty is kept by its I (numbers, times, dates) and
// one whose I is 0 by its S (strings, binary), each in a map with a fast
// key; any other Value goes whole to the general map. The maps are reused from sample to
// sample (distinctSets): filling fresh ones cost more than the sampling.
type distinctSet struct {
	ints  map[int64]struct{}
	strs  map[string]struct{}
	other map[record.Value]struct{}
}

var distinctSets = sync.Pool{New: func() any {
	return &distinctSet{ints: map[int64]struct{}{}, strs: map[string]struct{}{}, other: map[record.Value]struct{}{}}
}}

// reset empties the set, keeping its maps' room.
func (d *distinctSet) reset() {
	clear(d.ints)
	clear(d.strs)
	clear(d.other)
}

// len returns the number of distinct Values added since reset.
func (d *distinctSet) len() int { return len(d.ints) + len(d.strs) + len(d.other) }

// add adds v, a non-null Value of a leaf of type t, and reports whether it
// was not in the set yet. A Value of another type (not expected in a leaf)
// goes whole to the general map, so it is never taken for one of type t.
func (d *distinctSet) add(v record.Value, t record.Type) bool {
	switch {
	case v.Type == t && v.S == "":
		n := len(d.ints)
		d.ints[v.I] = struct{}{}
		return len(d.ints) > n
	case v.Type == t && v.I == 0:
		n := len(d.strs)
		d.strs[v.S] = struct{}{}
		return len(d.strs) > n
	}
	n := len(d.other)
	d.other[v] = struct{}{}
	return len(d.other) > n
}

// group returns the node of a struct, array or map type.
func (p *Parquet) group(col int, path []step, t record.Type) (parquet.Node, error) {
	sub := func(idx int, ct record.Type) (parquet.Node, error) {
		return p.node(col, append(path[:len(path):len(path)], step{t: t, idx: idx}), ct)
	}
	switch {
	case t.Array():
		en, err := sub(0, t.Elem())
		if err != nil {
			return nil, err
		}
		return parquet.List(parquet.Optional(en)), nil
	case t.Map():
		kn, err := sub(0, t.Key())
		if err != nil {
			return nil, err
		}
		vn, err := sub(1, t.Elem())
		if err != nil {
			return nil, err
		}
		return parquet.Map(kn, parquet.Optional(vn)), nil
	}
	fields := t.Fields()
	if fields == nil {
		return nil, fmt.Errorf("no Parquet type for %s", t)
	}
	g := parquet.Group{}
	order := make([]string, len(fields))
	for i, f := range fields {
		fn, err := sub(i, f.Type)
		if err != nil {
			return nil, err
		}
		g[f.Name] = parquet.Optional(fn)
		order[i] = f.Name
	}
	return orderedGroup{Group: g, order: order}, nil
}

// Ext returns the file extension for the codec, e.g. "snappy.parquet".
func (p *Parquet) Ext() string { return p.ext }

// Encode writes one Parquet file holding the rows picked by idx (indexes
// into rows, a flat slice with one value per column per row) to w.
func (p *Parquet) Encode(w io.Writer, rows []record.Value, idx []int) error {
	all := make([]int, len(p.cols))
	for i := range all {
		all[i] = i
	}
	return p.EncodeProjected(w, record.FlatRows(rows, len(p.cols)), all, idx)
}

// EncodeProjected is Encode for rows of which the file's columns are the
// values at positions cols (one per column of the schema). Rows are
// cut into row groups of about BlockSize bytes. Leaf columns (each scalar
// inside a struct, array or map is one) are encoded in parallel, each by
// its own parquet-go column writer. A nested column must hold Values of its
// own type (or null); any other is an error naming the column.
func (p *Parquet) EncodeProjected(w io.Writer, rows record.Rows, cols []int, idx []int) error {
	schema := p.schemaFor(p.dictionaryPays(rows, cols, idx))
	pw := parquet.NewWriter(w, append([]parquet.WriterOption{schema}, p.opts...)...)
	for _, group := range p.rowGroups(rows, cols, idx) {
		if err := p.encodeGroup(pw, rows, cols, group); err != nil {
			return err
		}
		if err := pw.Flush(); err != nil {
			return fmt.Errorf("sink: write parquet row group: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("sink: close parquet writer: %w", err)
	}
	return nil
}

// rowGroups cuts idx into row groups of about BlockSize bytes, estimating a
// row's size from a sample of up to 256 rows.
func (p *Parquet) rowGroups(rows record.Rows, cols []int, idx []int) [][]int {
	if len(idx) == 0 {
		return [][]int{idx}
	}
	sample := min(len(idx), 256)
	var bytes int64
	for k := range sample {
		r := idx[k*len(idx)/sample]
		for _, c := range cols {
			bytes += valueSize(*rows.At(r, c))
		}
	}
	perRow := max(1, bytes/int64(sample))
	n := int(max(1, p.cfg.BlockSize/perRow))
	var out [][]int
	for len(idx) > n {
		out = append(out, idx[:n])
		idx = idx[n:]
	}
	return append(out, idx)
}

// valueSize estimates the bytes a value takes before encoding.
func valueSize(v record.Value) int64 {
	switch {
	case v.Null():
		return 0
	case v.Type == record.String || v.Type == record.Binary:
		return int64(len(v.S)) + 4
	case v.Type.Struct():
		var n int64
		for _, f := range v.Fields() {
			n += valueSize(f)
		}
		return n
	case v.Type.Array() || v.Type.Map():
		var n int64
		for _, e := range v.Elems() {
			n += valueSize(e)
		}
		return n
	}
	if _, _, ok := v.Type.Decimal(); ok && len(v.S) > 0 {
		return 16
	}
	return 8
}

// columnWriters is the part of parquet-go's writer encodeGroup uses.
type columnWriters interface {
	ColumnWriters() []*parquet.ColumnWriter
}

// encodeGroup writes the rows of idx as the current row group.
func (p *Parquet) encodeGroup(pw columnWriters, rows record.Rows, cols []int, idx []int) error {
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
			var scratch []byte
			for l := range work {
				lf := &p.leaves[l]
				from := cols[lf.col]
				for start := 0; start < len(idx) && errs[l] == nil; start += chunk {
					vals = vals[:0]
					if len(lf.steps) == 0 {
						vals, scratch = p.appendScalars(vals, scratch, rows, from, idx[start:min(start+chunk, len(idx))], lf.t, l)
					}
					for _, r := range idx[start:min(start+chunk, len(idx))] {
						if len(lf.steps) == 0 {
							break
						}
						v := *rows.At(r, from)
						var err error
						vals, scratch, err = p.shred(vals, scratch, lf, v, 0, true, 0, 0, 0, l)
						if err != nil {
							errs[l] = fmt.Errorf("sink: column %q: %w", p.cols[lf.col].Name, err)
							break
						}
					}
					if errs[l] != nil {
						break
					}
					if _, err := writers[l].WriteRowValues(vals); err != nil {
						errs[l] = fmt.Errorf("sink: write parquet column %q: %w", p.cols[lf.col].Name, err)
					}
				}
				// The column's last page is written here, beside the other
				// columns', rather than one column after another when the
				// writer flushes the row group.
				if err := writers[l].Flush(); err != nil && errs[l] == nil {
					errs[l] = fmt.Errorf("sink: write parquet column %q: %w", p.cols[lf.col].Name, err)
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// appendScalars appends to out the Parquet values of scalar column leaf l
// of type t in the rows of idx (the value at position from of each row), as
// leafValue makes them, with one type switch for all of them rather than
// one per value. A value's levels (Level(0, 1, l)) are set in place once it
// is stored: setting them on a copy that is then stored costs a stall per
// value, the copy's bytes, just written one by one, being read back as
// whole words.
func (p *Parquet) appendScalars(out []parquet.Value, scratch []byte, rows record.Rows, from int, idx []int, t record.Type, l int) ([]parquet.Value, []byte) {
	null := parquet.NullValue().Level(0, 0, l)
	switch {
	case t == record.String || t == record.Binary:
		for _, r := range idx {
			v := rows.At(r, from)
			if v.Type == record.Invalid { // v.Null() would copy *v
				out = append(out, null)
				continue
			}
			out = append(out, parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v.S), len(v.S))))
			out[len(out)-1].SetDefinitionLevel(1)
			out[len(out)-1].SetColumnIndex(l)
		}
	case t == record.Int || t == record.Date:
		for _, r := range idx {
			v := rows.At(r, from)
			if v.Type == record.Invalid { // v.Null() would copy *v
				out = append(out, null)
				continue
			}
			out = append(out, parquet.Int32Value(int32(v.I)))
			out[len(out)-1].SetDefinitionLevel(1)
			out[len(out)-1].SetColumnIndex(l)
		}
	case t == record.Bigint || t == record.Timestamp && p.cfg.OutputTimestampType == TimestampMicros:
		for _, r := range idx {
			v := rows.At(r, from)
			if v.Type == record.Invalid { // v.Null() would copy *v
				out = append(out, null)
				continue
			}
			out = append(out, parquet.Int64Value(v.I))
			out[len(out)-1].SetDefinitionLevel(1)
			out[len(out)-1].SetColumnIndex(l)
		}
	case t == record.Double:
		for _, r := range idx {
			v := rows.At(r, from)
			if v.Type == record.Invalid { // v.Null() would copy *v
				out = append(out, null)
				continue
			}
			out = append(out, parquet.DoubleValue(v.Float()))
			out[len(out)-1].SetDefinitionLevel(1)
			out[len(out)-1].SetColumnIndex(l)
		}
	case t == record.Timestamp && p.cfg.OutputTimestampType == TimestampInt96:
		// One buffer for the chunk's 12-byte values (parquet-go's
		// Int96Value would allocate each): the values point into it until
		// the column writer has copied them, so the buffer serves chunk
		// after chunk.
		scratch = scratch[:0]
		if need := 12 * len(idx); cap(scratch) < need {
			scratch = make([]byte, 0, need)
		}
		for _, r := range idx {
			v := rows.At(r, from)
			if v.Type == record.Invalid { // v.Null() would copy *v
				out = append(out, null)
				continue
			}
			ts := int96(v.I)
			at := len(scratch)
			scratch = binary.LittleEndian.AppendUint32(scratch, ts[0])
			scratch = binary.LittleEndian.AppendUint32(scratch, ts[1])
			scratch = binary.LittleEndian.AppendUint32(scratch, ts[2])
			out = append(out, parquet.FixedLenByteArrayValue(scratch[at:at+12:at+12]))
			out[len(out)-1].SetDefinitionLevel(1)
			out[len(out)-1].SetColumnIndex(l)
		}
	default:
		for _, r := range idx {
			v := *rows.At(r, from)
			var pv parquet.Value
			pv, scratch = p.leafValue(v, t, scratch)
			out = append(out, pv.Level(0, def(v), l))
		}
	}
	return out, scratch
}

// shred appends the values of leaf lf found in v, the value at step i of
// the leaf's path, with their repetition and definition levels (Dremel's
// record shredding): rep is the level of the first value appended, def the
// definition level above v, depth the repeated fields above v. optional is
// false only for a map's key, which may not be null.
func (p *Parquet) shred(out []parquet.Value, scratch []byte, lf *leaf, v record.Value, i int, optional bool, rep, def, depth, col int) ([]parquet.Value, []byte, error) {
	if v.Null() {
		if !optional {
			return out, scratch, errors.New("null map key")
		}
		return append(out, parquet.NullValue().Level(rep, def, col)), scratch, nil
	}
	if optional {
		def++
	}
	if i == len(lf.steps) {
		pv, scratch := p.leafValue(v, lf.t, scratch)
		return append(out, pv.Level(rep, def, col)), scratch, nil
	}
	st := lf.steps[i]
	if v.Type != st.t {
		return out, scratch, fmt.Errorf("value of type %s where %s belongs", v.Type, st.t)
	}
	if st.t.Struct() {
		return p.shred(out, scratch, lf, v.Fields()[st.idx], i+1, true, rep, def, depth, col)
	}
	n := v.Len()
	if n == 0 {
		// The list or map is there but empty.
		return append(out, parquet.NullValue().Level(rep, def, col)), scratch, nil
	}
	elems := v.Elems()
	stride := 1
	if st.t.Map() {
		stride = 2
	}
	var err error
	for k := range n {
		r := rep
		if k > 0 {
			r = depth + 1
		}
		e := elems[k*stride]
		if st.t.Map() {
			e = elems[2*k+st.idx]
		}
		out, scratch, err = p.shred(out, scratch, lf, e, i+1, !st.t.Map() || st.idx != 0, r, def+1, depth+1, col)
		if err != nil {
			return out, scratch, err
		}
	}
	return out, scratch, nil
}

func def(v record.Value) int {
	if v.Null() {
		return 0
	}
	return 1
}

// leafValue returns the Parquet value of a scalar v of type t. Decimals on
// FIXED_LEN_BYTE_ARRAY are built in scratch, which it returns grown.
func (p *Parquet) leafValue(v record.Value, t record.Type, scratch []byte) (parquet.Value, []byte) {
	if v.Null() {
		return parquet.NullValue(), scratch
	}
	switch t {
	case record.String, record.Binary:
		return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v.S), len(v.S))), scratch
	case record.Int, record.Date:
		return parquet.Int32Value(int32(v.I)), scratch
	case record.Bigint:
		return parquet.Int64Value(v.I), scratch
	case record.Timestamp:
		switch p.cfg.OutputTimestampType {
		case TimestampMicros:
			return parquet.Int64Value(v.I), scratch
		case TimestampMillis:
			return parquet.Int64Value(floorDiv(v.I, 1000)), scratch
		}
		// parquet-go's Int96Value allocates 12 bytes per value; the same
		// bytes (little-endian words, as INT96 is stored) come from scratch.
		ts := int96(v.I)
		at := len(scratch)
		if cap(scratch)-at < 12 {
			scratch = make([]byte, 0, 4096) // values already made keep the old buffer
			at = 0
		}
		scratch = binary.LittleEndian.AppendUint32(scratch, ts[0])
		scratch = binary.LittleEndian.AppendUint32(scratch, ts[1])
		scratch = binary.LittleEndian.AppendUint32(scratch, ts[2])
		return parquet.FixedLenByteArrayValue(scratch[at : at+12 : at+12]), scratch
	case record.Double:
		return parquet.DoubleValue(v.Float()), scratch
	case record.Float:
		return parquet.FloatValue(float32(v.Float())), scratch
	case record.Boolean:
		return parquet.BooleanValue(v.I != 0), scratch
	}
	if prec, _, ok := t.Decimal(); ok {
		switch {
		case prec <= 9:
			return parquet.Int32Value(int32(v.I)), scratch
		case prec <= 18:
			return parquet.Int64Value(v.I), scratch
		}
		n := record.DecimalBytesFor(prec)
		at := len(scratch)
		if cap(scratch)-at < n {
			// A new buffer: values already made keep the old one.
			scratch = make([]byte, 0, max(4096, 2*n))
			at = 0
		}
		scratch = v.UnscaledBytes(scratch, n)
		return parquet.FixedLenByteArrayValue(scratch[at : at+n : at+n]), scratch
	}
	return parquet.NullValue(), scratch
}

// int96 converts microseconds since the epoch (UTC) to the INT96 timestamp
// Spark and Hive write: nanoseconds of the day, then the Julian day number.
func int96(micros int64) deprecated.Int96 {
	const julianEpoch = 2440588 // the Julian day of 1970-01-01
	const microsPerDay = 86400 * 1e6
	day := floorDiv(micros, microsPerDay)
	nanos := (micros - day*microsPerDay) * 1000
	return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(day + julianEpoch)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
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
