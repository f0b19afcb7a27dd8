package record

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// csvDecoder reads one RFC 4180 record per payload. Fields map to columns by
// position, or by the names of a header line when withHeader is set.
type csvDecoder struct {
	cols   []Column
	delim  []byte
	header bool // first line names the fields
	skip   bool // first line is discarded
	fields []csvField
	buf    []byte

	// The mapping of the last header seen: field i goes to column byField[i]
	// (-1 for a field no column wants). Reused while the header repeats.
	lastHeader []byte
	byField    []int
	seen       []bool
}

type csvField struct {
	s      string
	off    int
	quoted bool
}

func newCSVDecoder(f Format, cols []Column) *csvDecoder {
	d := f.Delimiter
	if d == 0 {
		d = DefaultDelimiter
	}
	return &csvDecoder{cols: cols, delim: utf8.AppendRune(nil, d), header: f.WithHeader, skip: f.SkipFirst, seen: make([]bool, len(cols))}
}

func csvErr(field string, off int, format string, args ...any) error {
	return &DecodeError{Format: "CSV", Field: field, Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// Decode parses payload (one record, optionally after a header line, with an
// optional final line break) into row.
func (d *csvDecoder) Decode(payload []byte, row []Value) error {
	for i := range row {
		row[i] = Value{}
	}
	if !utf8.Valid(payload) {
		return csvErr("", invalidUTF8At(payload), "invalid UTF-8")
	}
	if len(payload) == 0 {
		return csvErr("", 0, "empty payload, want one CSV record")
	}
	pos := 0
	if d.header || d.skip {
		fields, next, err := d.record(payload, 0)
		if err != nil {
			return err
		}
		if next >= len(payload) {
			return csvErr("", len(payload), "payload holds only its first line, want a record after it")
		}
		if d.header {
			d.mapHeader(payload[:next], fields)
		}
		pos = next
	}
	fields, next, err := d.record(payload, pos)
	if err != nil {
		return err
	}
	if next < len(payload) {
		return csvErr("", next, "payload holds more than one record, want one")
	}
	if d.header {
		if len(fields) != len(d.byField) {
			return csvErr("", pos, "record has %d fields, header has %d", len(fields), len(d.byField))
		}
		for i := range d.seen {
			d.seen[i] = false
		}
		for i, f := range fields {
			ci := d.byField[i]
			if ci < 0 {
				continue
			}
			d.seen[ci] = true
			if err := d.set(row, ci, i, f); err != nil {
				return err
			}
		}
	} else {
		if len(fields) != len(d.cols) {
			return csvErr("", pos, "record has %d fields, want %d (one per column)", len(fields), len(d.cols))
		}
		for i, f := range fields {
			if err := d.set(row, i, i, f); err != nil {
				return err
			}
		}
	}
	for i, c := range d.cols {
		if c.Required && row[i].Null() {
			if d.header && !d.seen[i] {
				return csvErr(c.Name, 0, "missing required column of type %s in the header", c.Type)
			}
			return csvErr(c.Name, len(payload), "empty value for a required column of type %s", c.Type)
		}
	}
	return nil
}

func (d *csvDecoder) set(row []Value, ci, fi int, f csvField) error {
	c := d.cols[ci]
	if f.s == "" && f.quoted && (c.Type == String || c.Type == Binary) {
		row[ci] = Value{Type: c.Type}
		return nil
	}
	v, reason := parseText(f.s, c)
	if reason != "" {
		return csvErr(c.Name, f.off, "CSV field %d: %s", fi+1, reason)
	}
	row[ci] = v
	return nil
}

// mapHeader maps header fields to columns, case-insensitively.
func (d *csvDecoder) mapHeader(line []byte, fields []csvField) {
	if d.byField != nil && string(line) == string(d.lastHeader) {
		return
	}
	d.lastHeader = append(d.lastHeader[:0], line...)
	d.byField = d.byField[:0]
	for _, f := range fields {
		ci := -1
		for j, c := range d.cols {
			if strings.EqualFold(strings.TrimSpace(f.s), c.Name) {
				ci = j
				break
			}
		}
		d.byField = append(d.byField, ci)
	}
}

// record parses one record starting at pos and returns its fields and the
// offset after its line break (len(b) at the end of input). Unquoted fields
// and quoted fields without doubled quotes point into b; others into d.buf.
func (d *csvDecoder) record(b []byte, pos int) ([]csvField, int, error) {
	d.fields = d.fields[:0]
	i := pos
	for {
		start := i
		if i < len(b) && b[i] == '"' {
			i++
			parts := d.buf[:0]
			copied := false
			from := i
			for {
				q := indexByte(b, i, '"')
				if q < 0 {
					return nil, 0, csvErr("", start, "unterminated quoted field")
				}
				if q+1 < len(b) && b[q+1] == '"' {
					copied = true
					parts = append(parts, b[from:q+1]...)
					i = q + 2
					from = i
					continue
				}
				var s string
				if copied {
					parts = append(parts, b[from:q]...)
					s = string(parts)
					d.buf = parts
				} else if q > from {
					s = unsafe.String(&b[from], q-from)
				}
				d.fields = append(d.fields, csvField{s: s, off: start, quoted: true})
				i = q + 1
				break
			}
			switch {
			case i == len(b):
				return d.fields, i, nil
			case hasPrefixAt(b, i, d.delim):
				i += len(d.delim)
				continue
			case b[i] == '\n':
				return d.fields, i + 1, nil
			case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
				return d.fields, i + 2, nil
			}
			return nil, 0, csvErr("", i, "want a delimiter or line break after the closing quote of CSV field %d", len(d.fields))
		}
		for d0 := d.delim[0]; i < len(b); i++ {
			c := b[i]
			if c == '\n' || (c == d0 && (len(d.delim) == 1 || hasPrefixAt(b, i, d.delim))) {
				break
			}
			if c == '"' {
				return nil, 0, csvErr("", i, "bare quote in unquoted CSV field %d", len(d.fields)+1)
			}
		}
		end := i
		if end > start && b[end-1] == '\r' && end < len(b) && b[end] == '\n' {
			end--
		}
		var s string
		if end > start {
			s = unsafe.String(&b[start], end-start)
		}
		d.fields = append(d.fields, csvField{s: s, off: start})
		switch {
		case i == len(b):
			return d.fields, i, nil
		case b[i] == '\n':
			return d.fields, i + 1, nil
		}
		i += len(d.delim)
	}
}

func indexByte(b []byte, from int, c byte) int {
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

func hasPrefixAt(b []byte, i int, p []byte) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == string(p)
}
