// Package record holds the typed values that flow through the engine: the
// column types a Glue user declares (string, int, bigint, double, float,
// boolean, timestamp, date, decimal(p,s), binary, struct<name:type,...>,
// array<T> and map<K,V>), rows
// of Values, and the decoders that turn a stream record's payload into a row
// for each of Glue's streaming classifications: json, csv, avro and grok.
//
// # Types
//
// Scalar types are the Type constants. A struct type (Glue's
// struct<name:type,...>), an array type (array<T>), a map type (map<K,V>)
// and a decimal type (decimal(p,s)) are made by StructOf, ArrayOf, MapOf,
// DecimalOf or ParseType; they are interned, so the same definition gives
// the same Type and Types compare with ==. A binary Value holds its raw
// bytes in S; a struct Value holds one Value per field (StructValue,
// Value.Fields), an array or map Value its elements or entries
// (ArrayValue, MapValue, Value.Elems); a decimal Value its unscaled integer,
// exactly (ParseDecimal, Value.Unscaled). A decoder gives each struct Value fresh
// memory, so rows stay valid after the next record is decoded.
//
// # Decoders
//
// NewFormatDecoder(Format, columns) returns a RowDecoder; NewDecoder(columns)
// is the JSON one, which reads a payload straight into a row without building
// a map per record. Every decoder is permissive to the dead letter: a payload
// that does not fit yields an error (a *DecodeError naming the column, the
// byte offset and the expected type where there is one) and never a panic, so
// the caller can send the record to the dead letter and go on. A column that
// a record does not fill is null; a Required column left null is an error.
//
// # JSON
//
// One object per payload, valid UTF-8; unknown fields are checked and
// ignored; nested objects and arrays fill string columns with their JSON
// text. A binary column takes a standard, padded base64 string. A struct
// column takes an object: its fields fill the struct fields of the same name
// (exactly, else ignoring case), unknown ones are ignored and missing ones are
// null; an error inside it names the field as column.field. An array column
// takes an array (errors name column[i]), a map column an object whose names
// are parsed as the key type (errors name column["key"]). A decimal column
// takes a number, read from its own digits (never through a float), or a
// string holding one; it is rounded half up to the scale, and one too large
// for the precision is an error.
//
// # CSV
//
// One RFC 4180 record per payload: fields separated by Format.Delimiter
// (',' by default, any rune but '"', CR or LF), optionally quoted with '"'
// (a quoted field may hold the delimiter, line breaks and doubled quotes),
// and at most one final line break. Glue reads files where a header line
// precedes many records; a stream record is a single record, so the two
// header options are read per payload:
//
//   - withHeader (Format.WithHeader): the payload's first line is a header
//     and the second the record; fields go to the columns named in the
//     header (case-insensitively), header names without a column are
//     ignored and columns missing from the header are null.
//   - skipFirst (Format.SkipFirst): the payload's first line is discarded
//     and the second line is mapped by position.
//   - neither: the payload is the record, mapped by position.
//
// A record must have exactly one field per column (per header name with
// withHeader). An empty field is null, except that a quoted empty field is
// the empty string in a string or binary column. A binary column takes the
// field's text bytes as they are; a struct column cannot be filled from
// text, so NewFormatDecoder refuses one. Numbers use Go's syntax for base-10
// integers and floats, booleans are true or false in any case, timestamps
// and dates use the layouts of the JSON decoder.
//
// # Avro
//
// With Format.AvroSchema set (Glue's avroSchema, or schema for avro), each
// payload is one binary-encoded datum of that writer schema. Without it,
// each payload must be an Avro object container file (codec null, deflate,
// snappy or zstandard) whose header carries the schema, as Glue requires
// when schema detection is on; since each stream record is one datum, a
// container with no datum or more than one is rejected. Bytes after the
// datum are an error. The top-level schema must be a record; its fields fill
// the columns of the same name (AvroColumns derives those columns). Glue's
// conversions apply:
//
//   - enum → string (the symbol);
//   - fixed and bytes → binary (the raw bytes; base64 text in a string
//     column);
//   - records → struct of their fields, filled by name (a record that
//     contains itself is JSON text instead);
//   - a union of null and one type → that type, nullable; int with long →
//     bigint and float with double → double, as Spark reads them; any other
//     union of several types → Glue's struct with fields member0, member1,
//     ... (one per non-null branch, in order, all null but the one written;
//     the null branch makes the struct null). A string column takes the
//     struct's JSON text and a scalar column the written branch's value
//     directly;
//   - arrays → array<T> and maps → map<string,T>, element by element;
//     declared as string columns (as records and unions may be) they give
//     their JSON text, with bytes as base64, decimals as numbers and dates
//     and timestamps as strings;
//   - logical types: date → date, timestamp-millis/-micros (and the local
//     variants, read as UTC) → timestamp, decimal → decimal(p,s), exact
//     (its text in a string column), uuid → string.
//
// # Grok
//
// Each payload is one log line (a final line break is dropped) matched
// against Format.GrokPattern over the standard pattern library (the default
// set plus the AWS, HTTPD, syslog, Java and other log libraries of
// github.com/elastic/go-grok) and Format.GrokCustomPatterns, one "NAME
// PATTERN" definition a line. Named captures fill the columns of the same
// name, converted to the column's type as CSV fields are (a type suffix such
// as %{NUMBER:bytes:int} is accepted; the column's declared type decides).
// A line that does not match is an error; an empty or absent capture is null.
// GrokColumns derives the columns a pattern captures, typed by its suffixes.
//
// # Schema inference
//
// Infer guesses a schema from a batch of JSON payloads, as Glue's
// inferSchema does: integers are bigint, other numbers double, nested values
// string, and a field seen with different kinds gets the type Widen gives
// (int → bigint → double, date → timestamp, any other mix → string). Glue
// does not allow a job whose schema is inferred to join streaming data with
// other data; the job's validation rejects that combination.
package record
