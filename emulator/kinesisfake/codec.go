package kinesisfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Wire formats a request can arrive in. The answer uses the same one.
type wireFormat int

const (
	formatJSON       wireFormat = iota // application/x-amz-json-1.1
	formatCBOR                         // application/x-amz-cbor-1.1
	formatLegacyJSON                   // application/json: AWS's old protocol, not served
)

const (
	contentTypeJSON = "application/x-amz-json-1.1"
	contentTypeCBOR = "application/x-amz-cbor-1.1"
)

// formatOf chooses the wire format from a Content-Type header; known is
// false for a type AWS does not serve Kinesis in (no type at all included).
func formatOf(contentType string) (f wireFormat, known bool) {
	if contentType == contentTypeJSON {
		return formatJSON, true
	}
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch ct {
	case contentTypeJSON:
		return formatJSON, true
	case contentTypeCBOR:
		return formatCBOR, true
	case "application/json":
		return formatLegacyJSON, true
	}
	return 0, false
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
// input struct). Errors are SerializationExceptions worded as AWS words them:
// no message for a body that is not JSON (or CBOR) at all, and the Java
// conversion message for a member of the wrong type.
func decodeRequest(f wireFormat, body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errSerialization("")
	}
	switch f {
	case formatCBOR:
		if err := cborDec.Unmarshal(body, v); err != nil {
			var te *cbor.UnmarshalTypeError
			if errors.As(err, &te) {
				return errSerialization(typeMismatch(cborKind(te.CBORType), te.GoType))
			}
			return errSerialization("")
		}
		return nil
	default:
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				if fixed, ok := truncateNumber(body, te); ok {
					return decodeRequest(f, fixed, v)
				}
				return errSerialization(typeMismatch(te.Value, te.Type.String()))
			}
			var ce base64.CorruptInputError
			if errors.As(err, &ce) {
				return errSerialization("Invalid Base64 character at offset " + strconv.FormatInt(int64(ce), 10) + " of a Blob member")
			}
			return errSerialization("")
		}
		if dec.More() {
			return errSerialization("")
		}
		return nil
	}
}

// truncateNumber returns body with the JSON number that te reports as not
// fitting an integer member (a fraction, or out of range) replaced by what
// AWS's deserializer makes of it: the fraction dropped, and the value held
// to the range of a 32-bit Integer (AWS reads every number as a truncating
// big number and converts it, rather than refusing it). It reports false
// where te is about something else.
func truncateNumber(body []byte, te *json.UnmarshalTypeError) ([]byte, bool) {
	if !strings.HasPrefix(te.Value, "number") || te.Type == nil {
		return nil, false
	}
	switch te.Type.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
	default:
		return nil, false
	}
	end := int(te.Offset)
	if end > len(body) {
		return nil, false
	}
	start := end
	for start > 0 && strings.IndexByte("0123456789+-.eE", body[start-1]) >= 0 {
		start--
	}
	if start == end {
		return nil, false
	}
	n, ok := new(big.Float).SetString(string(body[start:end]))
	if !ok {
		return nil, false
	}
	i, _ := n.Int(nil) // toward zero, as Java's conversion
	if n.Sign() < 0 && !n.IsInt() {
		i.Sub(i, big.NewInt(1)) // floor
	}
	if lo := big.NewInt(math.MinInt32); i.Cmp(lo) < 0 {
		i = lo
	}
	if hi := big.NewInt(math.MaxInt32); i.Cmp(hi) > 0 {
		i = hi
	}
	if i.String() == string(body[start:end]) {
		return nil, false // already an integer in range: not a number this can fix
	}
	fixed := make([]byte, 0, len(body))
	fixed = append(fixed, body[:start]...)
	fixed = i.Append(fixed, 10)
	return append(fixed, body[end:]...), true
}

// cborKind names a CBOR type the way encoding/json names JSON values.
func cborKind(t string) string {
	switch {
	case strings.Contains(t, "array"):
		return "array"
	case strings.Contains(t, "map"):
		return "object"
	case strings.Contains(t, "bool"):
		return "bool"
	case strings.Contains(t, "int"), strings.Contains(t, "float"):
		return "number"
	case strings.Contains(t, "string"):
		return "string"
	}
	return t
}

// typeMismatch words a value of JSON kind got (array, object, bool, number,
// string) found where a member of Go type want was expected, as AWS's
// deserializer does.
func typeMismatch(got, want string) string {
	want = strings.TrimPrefix(want, "*")
	var model string
	switch {
	case strings.HasPrefix(want, "[]uint8"):
		model = "a Blob"
	case strings.HasPrefix(want, "[]"):
		model = "List"
	case strings.HasPrefix(want, "map["):
		model = "Map"
	case want == "string":
		model = "an String"
	case want == "int64":
		model = "an Long"
	case strings.HasPrefix(want, "int"), strings.HasPrefix(want, "uint"):
		model = "an Integer"
	case want == "bool":
		model = "an Boolean"
	case strings.HasPrefix(want, "float"):
		model = "an Double"
	default:
		model = "Structure"
	}
	switch got {
	case "array":
		return "Start of list found where not expected"
	case "object":
		return "Start of structure or map found where not expected."
	}
	switch model {
	case "List":
		return "Expected list or null"
	case "Map":
		return "Expected map or null"
	case "Structure":
		return "Expected null"
	}
	switch got {
	case "bool":
		return "class java.lang.Boolean can not be converted to " + model
	case "number":
		return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to " + model
	case "string":
		return "class java.lang.String can not be converted to " + model
	}
	return "Unexpected value of type " + got
}

// fastJSON is implemented by answers that write their own JSON on the hot path.
type fastJSON interface {
	appendJSON(b []byte) []byte
}

// fastCBOR is implemented by answers that write their own CBOR on the hot
// path.
type fastCBOR interface {
	appendCBOR(b []byte) ([]byte, error)
}

// appendResponse appends v rendered in format f to b. Every answer is
// appended, not only those that write their own JSON or CBOR, so that the
// pooled buffer b keeps its room for the next GetRecords.
func appendResponse(b []byte, f wireFormat, v any) ([]byte, error) {
	if fj, ok := v.(fastJSON); ok && f == formatJSON {
		return fj.appendJSON(b), nil
	}
	if fc, ok := v.(fastCBOR); ok && f == formatCBOR {
		return fc.appendCBOR(b)
	}
	var enc []byte
	var err error
	if f == formatCBOR {
		enc, err = cborEnc.Marshal(v)
	} else {
		enc, err = json.Marshal(v)
	}
	return append(b, enc...), err
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
