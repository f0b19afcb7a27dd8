// Package record holds the typed values that flow through the engine: the
// column types a Glue user declares (string, int, bigint, double, float,
// boolean, timestamp, date, decimal), rows of Values, and a JSON decoder that
// reads a payload straight into a row without building a map per record.
//
// The decoder is strict about what a record must be: valid UTF-8 JSON, one
// object, each known field of its declared type, each required field present.
// A record that does not fit yields an error naming the field and the
// expected type; callers send it to the dead letter.
package record
