package main

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/streamcheck/streamcheck/assertions"
)

func init() {
	register(&command{
		name:    "query",
		example: "  streamcheck query --job examples/ventilator/job.yaml \"SELECT manufacturer, count(*) FROM output GROUP BY ALL\"",
		summary: "Run SQL (DuckDB) over a job's output as table output, and dead_letter, as with Athena.",
		usage:   `query (--job FILE | --output URI) [--dead-letter URI] [--ledger FILE] [--format table|csv|json] [--endpoint URL] "SQL"`,
		run:     runQuery,
	})
}

func runQuery(ctx context.Context, e *env, args []string) error {
	c := commands["query"]
	fs := newFlagSet(c)
	var src sourceFlags
	src.register(fs)
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usagef("no SQL given")
	case fs.NArg() > 1:
		return usagef("unexpected argument %q (quote the SQL as one argument)", fs.Arg(1))
	}
	switch *format {
	case "table", "csv", "json":
	default:
		return usagef("--format %q: want table, csv or json", *format)
	}
	cfg, err := src.config(ctx, e)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	release, err := checkInputs(ctx, &cfg)
	if err != nil {
		return err
	}
	defer release()
	s, err := assertions.Open(ctx, cfg)
	if err != nil {
		return plainDuckDB(err)
	}
	defer s.Close()
	t, err := s.Query(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		return writeCSV(e.stdout, t)
	case "json":
		return writeJSONRows(e.stdout, t)
	default:
		writeTable(e.stdout, t)
		return nil
	}
}

// cell renders a value for the table and CSV formats; NULL is "" in CSV.
func cell(v any, null string) string {
	switch x := v.(type) {
	case nil:
		return null
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case *big.Int:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// writeTable prints an aligned table with a header rule and a row count.
// Columns are padded by their width in runes; numbers are right-aligned.
func writeTable(w io.Writer, t *assertions.Table) {
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	cells := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := strings.ReplaceAll(cell(v, "NULL"), "\n", `\n`)
			cells[r][i] = s
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	numeric := make([]bool, len(t.Columns))
	for i, typ := range t.Types {
		switch strings.ToUpper(typ) {
		case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE":
			numeric[i] = true
		default:
			numeric[i] = strings.HasPrefix(strings.ToUpper(typ), "DECIMAL")
		}
	}
	line := func(vals []string) {
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v))
			switch {
			case numeric[i]:
				b.WriteString(pad + v)
			case i < len(vals)-1:
				b.WriteString(v + pad)
			default:
				b.WriteString(v)
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(t.Columns)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, r := range cells {
		line(r)
	}
	noun := "rows"
	if len(t.Rows) == 1 {
		noun = "row"
	}
	fmt.Fprintf(w, "(%d %s)\n", len(t.Rows), noun)
}

func writeCSV(w io.Writer, t *assertions.Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = cell(v, "")
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// writeJSONRows prints one JSON object per row, in column order, as JSON
// lines.
func writeJSONRows(w io.Writer, t *assertions.Table) error {
	for _, row := range t.Rows {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(t.Columns[i])
			b.Write(k)
			b.WriteByte(':')
			val := v
			switch x := v.(type) {
			case []byte:
				val = cell(x, "")
			case *big.Int:
				val = json.Number(x.String())
			case duckdb.Decimal:
				val = json.Number(x.String())
			}
			enc, err := json.Marshal(val)
			if err != nil {
				enc, _ = json.Marshal(cell(v, ""))
			}
			b.Write(enc)
		}
		b.WriteString("}\n")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return nil
}
