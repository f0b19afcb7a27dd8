package record

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The classifications a Format accepts, named as in a Glue table's
// classification property.
const (
	JSON = "json"
	CSV  = "csv"
	Avro = "avro"
	Grok = "grok"
)

// DefaultDelimiter is the CSV field separator when Format.Delimiter is 0.
const DefaultDelimiter = ','

// RowDecoder decodes one stream record into a row with one Value per column.
// Decode returns an error (a *DecodeError for malformed payloads) and never
// panics, whatever the payload; the caller sends a record that fails to the
// dead letter. String values may point into the payload (as the JSON
// Decoder's do), so the caller must not modify a payload while its row is in
// use. A RowDecoder is not safe for concurrent use; make one per goroutine.
type RowDecoder interface {
	Decode(payload []byte, row []Value) error
}

var _ RowDecoder = (*Decoder)(nil)

// Format describes how the payloads of a stream are encoded, with the
// options Glue reads from a streaming table or connection.
type Format struct {
	// Classification is json (the default when empty), csv, avro or grok,
	// case-insensitive.
	Classification string

	// Delimiter separates CSV fields; DefaultDelimiter when 0. It may not
	// be '"', '\r', '\n' or an invalid rune.
	Delimiter rune
	// WithHeader says each CSV payload starts with a header line naming
	// its fields; the line after it is the record, and fields are mapped to
	// columns by name (case-insensitively) instead of by position.
	WithHeader bool
	// SkipFirst says each CSV payload starts with a line to discard; the
	// line after it is the record, mapped to columns by position. At most
	// one of WithHeader and SkipFirst may be set.
	SkipFirst bool

	// AvroSchema is the writer schema (Avro JSON, a record at the top) of
	// every payload, each of which is then one binary-encoded datum. When
	// empty, each payload must be an Avro object container file carrying its
	// own schema and exactly one datum.
	AvroSchema string

	// GrokPattern is the Grok expression a payload must match; required for
	// grok. Its named captures (%{SYNTAX:name} or %{SYNTAX:name:type}) fill
	// the columns of the same name.
	GrokPattern string
	// GrokCustomPatterns defines extra patterns, one "NAME PATTERN" per
	// line (blank lines ignored), on top of the standard library.
	GrokCustomPatterns string
}

// ErrFormat is wrapped by every error Format.Validate returns.
var ErrFormat = errors.New("invalid record format")

func (f Format) classification() string {
	c := strings.ToLower(strings.TrimSpace(f.Classification))
	if c == "" {
		return JSON
	}
	return c
}

// Validate checks f and returns an error naming the first bad field. It
// compiles the Avro schema and the Grok pattern, so a Format that validates
// always yields a decoder.
func (f Format) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrFormat, field, fmt.Sprintf(format, args...))
	}
	c := f.classification()
	switch c {
	case JSON, CSV, Avro, Grok:
	default:
		return bad("Classification", "unknown classification %q (want json, csv, avro or grok)", f.Classification)
	}
	if c != CSV && (f.Delimiter != 0 || f.WithHeader || f.SkipFirst) {
		return bad("Delimiter", "Delimiter, WithHeader and SkipFirst apply to csv only, not %s", c)
	}
	if c != Avro && f.AvroSchema != "" {
		return bad("AvroSchema", "applies to avro only, not %s", c)
	}
	if c != Grok && (f.GrokPattern != "" || f.GrokCustomPatterns != "") {
		return bad("GrokPattern", "GrokPattern and GrokCustomPatterns apply to grok only, not %s", c)
	}
	switch c {
	case CSV:
		if d := f.Delimiter; d == '"' || d == '\r' || d == '\n' || (d != 0 && !utf8.ValidRune(d)) || d == utf8.RuneError {
			return bad("Delimiter", "%q cannot separate CSV fields", d)
		}
		if f.WithHeader && f.SkipFirst {
			return bad("WithHeader", "WithHeader and SkipFirst are both set; pick one")
		}
	case Avro:
		if f.AvroSchema != "" {
			if _, err := parseAvroSchema(f.AvroSchema); err != nil {
				return bad("AvroSchema", "%v", err)
			}
		}
	case Grok:
		if strings.TrimSpace(f.GrokPattern) == "" {
			return bad("GrokPattern", "required for grok")
		}
		if _, err := compileGrok(f.GrokPattern, f.GrokCustomPatterns); err != nil {
			return bad("GrokPattern", "%v", err)
		}
		if _, err := GrokColumns(f.GrokPattern, f.GrokCustomPatterns); err != nil {
			return bad("GrokPattern", "%v", err)
		}
	}
	return nil
}

// NewFormatDecoder returns a RowDecoder for payloads in format f decoded into
// cols. It validates f first, and refuses struct columns for csv and grok,
// whose fields are flat text. For json it returns NewDecoder(cols).
func NewFormatDecoder(f Format, cols []Column) (RowDecoder, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	switch c := f.classification(); c {
	case CSV, Grok:
		for _, col := range cols {
			if col.Type.Nested() {
				return nil, fmt.Errorf("%w: column %q: %s fields are text and cannot fill a %s column (struct, array and map columns need json or avro)", ErrFormat, col.Name, c, col.Type)
			}
		}
	}
	switch f.classification() {
	case CSV:
		return newCSVDecoder(f, cols), nil
	case Avro:
		return newAvroDecoder(f, cols)
	case Grok:
		return newGrokDecoder(f, cols)
	}
	return NewDecoder(cols), nil
}
