package generators

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Outcomes of an attempted record, as docs/formats.md defines them.
const (
	OutcomeAck     = "ack"     // the stream acknowledged it
	OutcomeFailed  = "failed"  // the stream definitely rejected it
	OutcomeUnknown = "unknown" // no answer: it may or may not be in the stream
)

// LedgerRow is one attempted record: the ledger's columns, in the order and
// with the names and types of docs/formats.md.
type LedgerRow struct {
	Seq            int64  `json:"seq" parquet:"seq"`
	Producer       int32  `json:"producer" parquet:"producer"`
	Key            string `json:"key" parquet:"key"`
	PartitionKey   string `json:"partition_key" parquet:"partition_key"`
	PayloadSHA256  string `json:"payload_sha256" parquet:"payload_sha256"`
	Size           int32  `json:"size" parquet:"size"`
	Malformed      string `json:"malformed" parquet:"malformed"`
	DuplicateOf    int64  `json:"duplicate_of" parquet:"duplicate_of"`
	EventTimeMs    int64  `json:"event_time_ms" parquet:"event_time_ms"`
	Outcome        string `json:"outcome" parquet:"outcome"`
	Attempts       int32  `json:"attempts" parquet:"attempts"`
	Error          string `json:"error" parquet:"error"`
	Target         string `json:"target" parquet:"target"`
	ShardID        string `json:"shard_id" parquet:"shard_id"`
	SequenceNumber string `json:"sequence_number" parquet:"sequence_number"`
	Partition      int32  `json:"partition" parquet:"partition"`
	Offset         int64  `json:"offset" parquet:"offset"`
	SentAtMs       int64  `json:"sent_at_ms" parquet:"sent_at_ms"`
	AckedAtMs      int64  `json:"acked_at_ms" parquet:"acked_at_ms"`
}

// LedgerFormat returns "jsonl" or "parquet" for a ledger path by its
// extension, or an error naming the path.
func LedgerFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl":
		return "jsonl", nil
	case ".parquet":
		return "parquet", nil
	}
	return "", fmt.Errorf("ledger %s: extension %q: want .jsonl or .parquet", path, filepath.Ext(path))
}

// Ledger writes ledger rows to a file. The rows go to a temporary file next
// to it that Close syncs and renames into place, so a reader never sees half
// a ledger. It is not safe for concurrent use.
type Ledger struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	pw   *parquet.GenericWriter[LedgerRow]
	buf  []byte
	done bool
}

// CreateLedger starts a ledger at path, JSON lines or Parquet by the
// extension (.jsonl, .parquet).
func CreateLedger(path string) (*Ledger, error) {
	format, err := LedgerFormat(path)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("ledger: create %s: %w", path, err)
	}
	l := &Ledger{path: path, f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	if format == "parquet" {
		l.pw = parquet.NewGenericWriter[LedgerRow](l.bw)
	}
	return l, nil
}

// Write appends rows.
func (l *Ledger) Write(rows ...LedgerRow) error {
	if l.pw != nil {
		if _, err := l.pw.Write(rows); err != nil {
			return fmt.Errorf("ledger: write %s: %w", l.path, err)
		}
		return nil
	}
	for i := range rows {
		l.buf = appendLedgerJSON(l.buf[:0], &rows[i])
		if _, err := l.bw.Write(l.buf); err != nil {
			return fmt.Errorf("ledger: write %s: %w", l.path, err)
		}
	}
	return nil
}

// appendLedgerJSON appends r as one JSON line, with the field names and
// order of encoding/json and LedgerRow's tags, without reflection.
func appendLedgerJSON(b []byte, r *LedgerRow) []byte {
	str := func(name, v string) {
		b = append(b, name...)
		b = jsontext.AppendString(b, v)
	}
	num := func(name string, v int64) {
		b = append(b, name...)
		b = strconv.AppendInt(b, v, 10)
	}
	num(`{"seq":`, r.Seq)
	num(`,"producer":`, int64(r.Producer))
	str(`,"key":`, r.Key)
	str(`,"partition_key":`, r.PartitionKey)
	str(`,"payload_sha256":`, r.PayloadSHA256)
	num(`,"size":`, int64(r.Size))
	str(`,"malformed":`, r.Malformed)
	num(`,"duplicate_of":`, r.DuplicateOf)
	num(`,"event_time_ms":`, r.EventTimeMs)
	str(`,"outcome":`, r.Outcome)
	num(`,"attempts":`, int64(r.Attempts))
	str(`,"error":`, r.Error)
	str(`,"target":`, r.Target)
	str(`,"shard_id":`, r.ShardID)
	str(`,"sequence_number":`, r.SequenceNumber)
	num(`,"partition":`, int64(r.Partition))
	num(`,"offset":`, r.Offset)
	num(`,"sent_at_ms":`, r.SentAtMs)
	num(`,"acked_at_ms":`, r.AckedAtMs)
	return append(b, "}\n"...)
}

// Close completes the file and moves it to its path. Calling it again does
// nothing.
func (l *Ledger) Close() error {
	if l.done {
		return nil
	}
	l.done = true
	err := func() error {
		if l.pw != nil {
			if err := l.pw.Close(); err != nil {
				return err
			}
		}
		if err := l.bw.Flush(); err != nil {
			return err
		}
		if err := l.f.Sync(); err != nil {
			return err
		}
		return l.f.Close()
	}()
	if err != nil {
		l.f.Close()
		os.Remove(l.f.Name())
		return fmt.Errorf("ledger: complete %s: %w", l.path, err)
	}
	if err := os.Rename(l.f.Name(), l.path); err != nil {
		os.Remove(l.f.Name())
		return fmt.Errorf("ledger: move into place %s: %w", l.path, err)
	}
	return nil
}

// ReadLedger reads a ledger written by Ledger, by its extension.
func ReadLedger(path string) ([]LedgerRow, error) {
	format, err := LedgerFormat(path)
	if err != nil {
		return nil, err
	}
	if format == "parquet" {
		rows, err := parquet.ReadFile[LedgerRow](path)
		if err != nil {
			return nil, fmt.Errorf("ledger: read %s: %w", path, err)
		}
		return rows, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: read %s: %w", path, err)
	}
	var rows []LedgerRow
	dec := json.NewDecoder(bytes.NewReader(data))
	for line := 1; ; line++ {
		var r LedgerRow
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return rows, nil
		} else if err != nil {
			return nil, fmt.Errorf("ledger: read %s: row %d: %w", path, line, err)
		}
		rows = append(rows, r)
	}
}
