package kinesisfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Wire formats a request can arrive in. The answer uses the same one.
type wireFormat int

const (
	formatJSON wireFormat = iota // application/x-amz-json-1.1
	formatCBOR                   // application/x-amz-cbor-1.1
)

const (
	contentTypeJSON = "application/x-amz-json-1.1"
	contentTypeCBOR = "application/x-amz-cbor-1.1"
)

// formatOf chooses the wire format from a Content-Type header. An empty
// header is read as JSON, as AWS does.
func formatOf(contentType string) (wireFormat, error) {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch ct {
	case "", contentTypeJSON, "application/x-amz-json-1.0", "application/json":
		return formatJSON, nil
	case contentTypeCBOR, "application/cbor":
		return formatCBOR, nil
	}
	return 0, newError(codeSerialization, "Content-Type %q is not supported: send %s or %s", contentType, contentTypeJSON, contentTypeCBOR)
}

var (
	cborDec cbor.DecMode
	cborEnc cbor.EncMode
)

func init() {
	var err error
	cborDec, err = cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 20000,
		MaxMapPairs:      20000,
		DupMapKey:        cbor.DupMapKeyQuiet,
		IndefLength:      cbor.IndefLengthAllowed,
		DefaultMapType:   reflect.TypeOf(map[string]any(nil)),
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("kinesisfake: cbor decoder options: %v", err))
	}
	cborEnc, err = cbor.EncOptions{}.EncMode()
	if err != nil {
		panic(fmt.Sprintf("kinesisfake: cbor encoder options: %v", err))
	}
}

// decodeRequest reads body, in format f, into v (a pointer to an operation's
// input struct). An empty body is an empty input. Errors are
// SerializationExceptions that say what could not be read and where.
func decodeRequest(f wireFormat, body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	switch f {
	case formatCBOR:
		if err := cborDec.Unmarshal(body, v); err != nil {
			return newError(codeSerialization, "request body is not a valid CBOR map for this operation: %v", err)
		}
		return nil
	default:
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(v); err != nil {
			return newError(codeSerialization, "request body is not valid JSON for this operation: %s", describeJSONError(err, len(body)))
		}
		if dec.More() {
			return newError(codeSerialization, "request body has data after the JSON object at offset %d", dec.InputOffset())
		}
		return nil
	}
}

func describeJSONError(err error, n int) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("the JSON ends early at offset %d", n)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at offset %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q at offset %d is a JSON %s, want %s", te.Field, te.Offset, te.Value, te.Type)
	}
	return err.Error()
}

// fastJSON is implemented by answers that write their own JSON on the hot path.
type fastJSON interface {
	appendJSON(b []byte) []byte
}

// encodeResponse renders v in format f.
func encodeResponse(f wireFormat, v any) ([]byte, error) {
	if f == formatCBOR {
		return cborEnc.Marshal(v)
	}
	if fj, ok := v.(fastJSON); ok {
		return fj.appendJSON(make([]byte, 0, 256)), nil
	}
	return json.Marshal(v)
}

// awsTime is a timestamp on the wire: epoch seconds with a fraction in JSON,
// CBOR tag 1 over epoch milliseconds in CBOR (the AWS SDKs' convention for
// Kinesis, not RFC 8949's seconds).
type awsTime struct{ time.Time }

func newAWSTime(t time.Time) *awsTime { return &awsTime{t} }

func msTime(ms int64) *awsTime { return &awsTime{time.UnixMilli(ms).UTC()} }

// MarshalJSON writes epoch seconds with millisecond precision.
func (t awsTime) MarshalJSON() ([]byte, error) {
	return appendEpochSeconds(nil, t.UnixMilli()), nil
}

func appendEpochSeconds(b []byte, ms int64) []byte {
	if ms < 0 {
		return strconv.AppendFloat(b, float64(ms)/1000, 'f', 3, 64)
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	b = append(b, '.')
	frac := ms % 1000
	b = append(b, byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}

// UnmarshalJSON reads epoch seconds, with or without a fraction.
func (t *awsTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		// A quoted ISO 8601 date is what some clients send.
		if ts, perr := time.Parse(time.RFC3339Nano, s); perr == nil {
			t.Time = ts.UTC()
			return nil
		}
		return fmt.Errorf("timestamp %s: want epoch seconds", string(b))
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	return nil
}

// MarshalCBOR writes tag 1 over integer epoch milliseconds.
func (t awsTime) MarshalCBOR() ([]byte, error) {
	return cborEnc.Marshal(cbor.Tag{Number: 1, Content: t.UnixMilli()})
}

// UnmarshalCBOR reads tag 1 (or an untagged number) over epoch milliseconds.
func (t *awsTime) UnmarshalCBOR(b []byte) error {
	var v any
	if len(b) > 0 && b[0] == 0xc1 {
		b = b[1:]
	}
	if err := cborDec.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	var ms float64
	switch x := v.(type) {
	case nil:
		return nil
	case uint64:
		ms = float64(x)
	case int64:
		ms = float64(x)
	case float64:
		ms = x
	default:
		return fmt.Errorf("timestamp is a %T, want epoch milliseconds", v)
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || math.Abs(ms) > 1e16 {
		return fmt.Errorf("timestamp %v out of range", ms)
	}
	t.Time = time.UnixMilli(int64(ms)).UTC()
	return nil
}

// appendJSONBytes is appendJSONString for a []byte, without a copy.
func appendJSONBytes(b []byte, s []byte) []byte {
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

const hexDigit = "0123456789abcdef"
