package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/generators"
)

// ledgerCheckLines is how many leading lines of a JSON-lines ledger are
// checked in full before DuckDB reads it; the last line is checked too, so a
// truncated ledger is caught whatever its size.
const ledgerCheckLines = 1000

// ledgerRequired are the columns every ledger row has (docs/formats.md).
var ledgerRequired = []string{"seq", "key", "outcome"}

// checkLedger makes sure path is a ledger before DuckDB reads it: a file
// that exists and can be read, not a pattern, of the shape docs/formats.md
// gives. Its error names the file and, for JSON lines, the line.
func checkLedger(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("ledger %s does not exist", path)
	case err != nil:
		return fmt.Errorf("ledger %s: %w", path, err)
	case st.IsDir():
		return fmt.Errorf("ledger %s is a directory: want the file gen --ledger wrote", path)
	}
	format, err := generators.LedgerFormat(path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ledger %s: %w", path, err)
	}
	defer f.Close()
	if format == "parquet" {
		return checkParquetLedger(path, f, st.Size())
	}
	return checkJSONLedger(path, f, st.Size())
}

func checkParquetLedger(path string, f *os.File, size int64) error {
	pf, err := parquet.OpenFile(f, size)
	if err != nil {
		return fmt.Errorf("ledger %s: not a Parquet file, or a truncated one (%w)", path, err)
	}
	for _, c := range ledgerRequired {
		if _, ok := pf.Schema().Lookup(c); !ok {
			return fmt.Errorf("ledger %s: no column %q: want the columns of a ledger (docs/formats.md)", path, c)
		}
	}
	return nil
}

func checkJSONLedger(path string, f *os.File, size int64) error {
	if size == 0 {
		return nil // an empty ledger: nothing was sent
	}
	r := bufio.NewReaderSize(f, 1<<16)
	for line := 1; line <= ledgerCheckLines; line++ {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			if err := checkLedgerLine(b); err != nil {
				return fmt.Errorf("ledger %s: line %d: %w", path, line, err)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ledger %s: line %d: %w", path, line, err)
		}
	}
	// The last line: a ledger cut short ends in half a row.
	const tailSize = 1 << 16
	off := max(size-tailSize, 0)
	buf := make([]byte, size-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("ledger %s: %w", path, err)
	}
	trimmed := bytes.TrimRight(buf, "\n")
	last := trimmed[bytes.LastIndexByte(trimmed, '\n')+1:]
	if err := checkLedgerLine(last); err != nil {
		n, _ := countLines(path)
		return fmt.Errorf("ledger %s: line %d (the last): %w", path, n, err)
	}
	return nil
}

// checkLedgerLine checks one JSON line: an object with the ledger's
// required fields and no field a ledger does not have.
func checkLedgerLine(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end") {
			return fmt.Errorf("not a JSON object (%w): want one ledger row per line, as gen --ledger writes", err)
		}
		return fmt.Errorf("want a JSON object per line, as gen --ledger writes: %w", err)
	}
	for _, c := range ledgerRequired {
		if _, ok := m[c]; !ok {
			return fmt.Errorf("no field %q: want a ledger row (docs/formats.md)", c)
		}
	}
	var row generators.LedgerRow
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&row); err != nil {
		return fmt.Errorf("%v: want a ledger row (docs/formats.md)", strings.TrimPrefix(err.Error(), "json: "))
	}
	switch row.Outcome {
	case generators.OutcomeAck, generators.OutcomeFailed, generators.OutcomeUnknown:
	default:
		return fmt.Errorf("outcome %q: want ack, failed or unknown", row.Outcome)
	}
	return nil
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// literalPath returns a path DuckDB reads as exactly path, never as a
// pattern: a path holding *, ?, [ or { is linked under a plain name in a
// temporary directory, removed by the returned function.
func literalPath(path string) (string, func(), error) {
	if !strings.ContainsAny(path, "*?[{") {
		return path, func() {}, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "streamcheck-ledger-")
	if err != nil {
		return "", nil, err
	}
	link := filepath.Join(dir, "ledger"+filepath.Ext(path))
	if err := os.Symlink(abs, link); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return link, func() { os.RemoveAll(dir) }, nil
}

// plainDuckDB drops the SQL from an error DuckDB gave: its first line says
// what went wrong; the statement and its position do not help a user.
func plainDuckDB(err error) error {
	msg := err.Error()
	cut := len(msg)
	for _, marker := range []string{"\nLINE ", "\n\nLINE", "\nSELECT", "\nCREATE", "\nWITH "} {
		if i := strings.Index(msg, marker); i >= 0 && i < cut {
			cut = i
		}
	}
	if cut == len(msg) {
		return err
	}
	return &debugError{strings.TrimSpace(msg[:cut]), err}
}
