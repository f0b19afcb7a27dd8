package parquetcheck

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Report is what Check found in one file.
type Report struct {
	CreatedBy string
	Rows      int64
	RowGroups int
	// Columns maps each leaf column's dotted path to its types, as
	// "PHYSICAL" or "PHYSICAL LOGICAL" (e.g. "INT64 Decimal(precision=18, scale=4)").
	Columns map[string]string
	// Groups maps each group node's dotted path to its logical type
	// ("List", "Map"), for the groups that have one.
	Groups map[string]string
	// Encodings maps each leaf's path to the encodings its pages use, sorted.
	Encodings map[string][]string
	// PageTypes lists the page types seen, sorted.
	PageTypes []string
	// Problems lists what a Spark 3.3 (Glue 4.0) reader would reject.
	Problems []string
}

// allowed are the encodings parquet-mr's v1 writer uses, which every
// reader supports.
var allowed = map[parquet.Encoding]bool{
	parquet.Encodings.Plain:     true,
	parquet.Encodings.RLE:       true,
	parquet.Encodings.BitPacked: true,
	parquet.Encodings.PlainDict: true,
	parquet.Encodings.RLEDict:   true,
}

// Check reads the Parquet file in b page by page and returns its report.
// An error means the reader could not read the file at all.
func Check(b []byte) (*Report, error) {
	rdr, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parquetcheck: open: %w", err)
	}
	defer rdr.Close()
	md := rdr.MetaData()
	r := &Report{CreatedBy: md.GetCreatedBy(), Rows: rdr.NumRows(), RowGroups: rdr.NumRowGroups(),
		Columns: map[string]string{}, Groups: map[string]string{}, Encodings: map[string][]string{}}
	if r.CreatedBy == "" {
		r.Problems = append(r.Problems, "no created_by")
	}
	walk(md.Schema.Root(), "", r)
	pageTypes := map[string]bool{}
	for g := range rdr.NumRowGroups() {
		rg := rdr.RowGroup(g)
		for c := range md.Schema.NumColumns() {
			path := md.Schema.Column(c).Path()
			cc, err := rg.MetaData().ColumnChunk(c)
			if err != nil {
				return nil, fmt.Errorf("parquetcheck: row group %d column %s: %w", g, path, err)
			}
			for _, e := range cc.Encodings() {
				if !allowed[e] {
					r.Problems = append(r.Problems, fmt.Sprintf("column %s: encoding %s in the column chunk", path, e))
				}
			}
			// INT96 has no defined sort order: parquet-mr writes no
			// statistics for it either.
			if ok, _ := cc.StatsSet(); !ok && cc.Type() != parquet.Types.Int96 {
				r.Problems = append(r.Problems, fmt.Sprintf("column %s: no statistics", path))
			}
			pr, err := rg.GetColumnPageReader(c)
			if err != nil {
				return nil, fmt.Errorf("parquetcheck: row group %d column %s: %w", g, path, err)
			}
			encs := map[string]bool{}
			for _, e := range r.Encodings[path] {
				encs[e] = true
			}
			for pr.Next() {
				p := pr.Page()
				pt := p.Type().String()
				pageTypes[pt] = true
				enc := parquet.Encoding(p.Encoding())
				encs[enc.String()] = true
				if !allowed[enc] {
					r.Problems = append(r.Problems, fmt.Sprintf("column %s: %s page encoded %s", path, pt, enc))
				}
				if pt != "DATA_PAGE" && pt != "DICTIONARY_PAGE" {
					r.Problems = append(r.Problems, fmt.Sprintf("column %s: page type %s, want DATA_PAGE (v1)", path, pt))
				}
			}
			if err := pr.Err(); err != nil {
				return nil, fmt.Errorf("parquetcheck: read pages of %s: %w", path, err)
			}
			r.Encodings[path] = sortedKeys(encs)
		}
	}
	r.PageTypes = sortedKeys(pageTypes)
	return r, nil
}

func walk(n schema.Node, prefix string, r *Report) {
	if g, ok := n.(*schema.GroupNode); ok {
		if prefix != "" {
			if lt := g.LogicalType(); lt != nil && !lt.Equals(schema.NoLogicalType{}) {
				r.Groups[prefix] = lt.String()
			}
		}
		for i := range g.NumFields() {
			f := g.Field(i)
			p := f.Name()
			if prefix != "" {
				p = prefix + "." + p
			}
			walk(f, p, r)
		}
		return
	}
	pn := n.(*schema.PrimitiveNode)
	t := pn.PhysicalType().String()
	if lt := pn.LogicalType(); lt != nil && !lt.Equals(schema.NoLogicalType{}) {
		t += " " + lt.String()
	}
	r.Columns[prefix] = t
}

// Values reads the whole file with the Arrow reader (pqarrow) and returns
// each top-level column's values as text (arrow's ValueStr; "(null)" for
// null), one slice per column by name.
func Values(ctx context.Context, b []byte) (map[string][]string, error) {
	rdr, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parquetcheck: open: %w", err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("parquetcheck: arrow reader: %w", err)
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		return nil, fmt.Errorf("parquetcheck: read table: %w", err)
	}
	defer tbl.Release()
	out := map[string][]string{}
	for i := range int(tbl.NumCols()) {
		col := tbl.Column(i)
		var vals []string
		for _, chunk := range col.Data().Chunks() {
			for j := range chunk.Len() {
				if chunk.IsNull(j) {
					vals = append(vals, "(null)")
					continue
				}
				vals = append(vals, valueText(chunk, j))
			}
		}
		out[col.Name()] = vals
	}
	return out, nil
}

func valueText(a arrow.Array, i int) string {
	return strings.TrimSpace(a.ValueStr(i))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
