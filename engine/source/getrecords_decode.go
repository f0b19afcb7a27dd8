package source

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/streamcheck/streamcheck/internal/cborwire"
)

// maxDecodeDepth bounds the nesting of unknown members the decoder skips
// (the SDK's parser allows 10,000; a GetRecords response nests 4 deep).
const maxDecodeDepth = 1000

// DecodeError is a GetRecords response body that is not valid JSON (or
// CBOR, for a response in CBOR) or does not have the shape of
// GetRecordsOutput.
type DecodeError struct {
	Offset int    // byte offset in the body where decoding stopped
	Path   string // the member being decoded, e.g. "Records[3].Data"; "" at the top
	Msg    string // what was wrong
}

// Error says what was wrong and where.
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("decode GetRecords response at offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("decode GetRecords response at offset %d, %s: %s", e.Offset, e.Path, e.Msg)
}

// DecodeGetRecords decodes an awsJson1.1 GetRecords response body into the
// output the AWS SDK's own deserializer returns for it: the same records,
// with Data base64-decoded, arrival times at millisecond precision in UTC,
// nulls and unknown members ignored, duplicate members resolved last-wins,
// null list elements kept as zero values. An empty body gives an empty
// output. It is stricter than the SDK in a few malformed cases: data after
// the top-level object and nesting deeper than 1,000 (which the SDK
// tolerates) and string timestamps such as "NaN" (on which it panics).
// Those, and anything that is not valid JSON of the right shape, give a
// *DecodeError naming the offset, the member and what was expected.
//
// The output does not refer to body: records share a few large allocations
// (one for all Data, one for all strings) instead of several per record.
func DecodeGetRecords(body []byte) (*kinesis.GetRecordsOutput, error) {
	d := getDecoder()
	defer putDecoder(d)
	return d.decode(body)
}

// strSpan locates a decoded string: body[from:to], or esc[from:to] when the
// JSON string had escapes (then it holds the unquoted bytes).
type strSpan struct {
	from, to int
	esc      bool
}

const (
	hasData = 1 << iota
	hasPK
	hasSeq
	hasEnc
	hasTime
)

// recSpans is one record found by the scan, before the output is built.
type recSpans struct {
	data, pk, seq, enc strSpan
	dataAt             int // offset of Data's token, for errors
	at                 time.Time
	has                uint8
}

type decoder struct {
	b    []byte
	i    int
	esc  []byte // unquoted escaped strings
	recs []recSpans
	key  []byte // an unquoted escaped member name
	idx  int    // the record being read, for errors
	// pages: build the records as a page (set to page, nil without a
	// Records member) instead of the output's Records.
	pages bool
	page  *page
	// cbor: the body is CBOR (see getrecords_cbor.go), not JSON.
	cbor bool
}

// scratch larger than this is not kept for the next decode.
const maxScratchRecords = 20000

func (d *decoder) reset(body []byte) {
	d.b, d.i, d.page = body, 0, nil
	d.esc, d.recs, d.key, d.idx = d.esc[:0], d.recs[:0], d.key[:0], 0
}

// errAt makes a DecodeError at offset off. A "[]" in path (a constant on
// the hot path) stands for the index of the record being read.
func (d *decoder) errAt(off int, path, format string, args ...any) error {
	path = strings.Replace(path, "[]", "["+strconv.Itoa(d.idx)+"]", 1)
	return &DecodeError{Offset: off, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// found describes the byte at the decoder's position for errors.
func (d *decoder) found() string {
	if d.cbor {
		return d.cborFound()
	}
	if d.i >= len(d.b) {
		return "end of input"
	}
	c := d.b[d.i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *decoder) ws() {
	for !d.cbor && d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// null consumes a null literal if one is next.
func (d *decoder) null() bool {
	if d.cbor {
		return d.cborNullNext()
	}
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads an object at the position, calling member for each member
// with the position at its value (whitespace skipped); member must consume
// the value.
func (d *decoder) object(path string, member func(key []byte) error) error {
	if d.cbor {
		return d.cborMap(path, member)
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return d.errAt(d.i, path, "expected an object, found %s", d.found())
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.errAt(d.i, path, "expected a member name, found %s", d.found())
		}
		sp, err := d.str(path)
		if err != nil {
			return err
		}
		key := d.memberName(sp)
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.errAt(d.i, path, "expected ':' after member name, found %s", d.found())
		}
		d.i++
		d.ws()
		if err := member(key); err != nil {
			return err
		}
		d.ws()
		if d.i >= len(d.b) {
			return d.errAt(d.i, path, "expected ',' or '}', found end of input")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return nil
		default:
			return d.errAt(d.i, path, "expected ',' or '}', found %s", d.found())
		}
	}
}

// memberName returns the bytes of the member name at sp. A name unquoted
// (or, in CBOR, joined from chunks) into esc moves to key: esc holds only
// the spans that stay live.
func (d *decoder) memberName(sp strSpan) []byte {
	if !sp.esc {
		return d.b[sp.from:sp.to]
	}
	d.key = append(d.key[:0], d.esc[sp.from:sp.to]...)
	d.esc = d.esc[:sp.from]
	return d.key
}

// array reads an array at the position, calling elem with the position at
// each element (whitespace skipped); elem must consume it.
func (d *decoder) array(path string, elem func(n int) error) error {
	if d.cbor {
		return d.cborArrayOf(path, elem)
	}
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return d.errAt(d.i, path, "expected an array, found %s", d.found())
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return nil
	}
	for n := 0; ; n++ {
		if err := elem(n); err != nil {
			return err
		}
		d.ws()
		if d.i >= len(d.b) {
			return d.errAt(d.i, path, "expected ',' or ']', found end of input")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			return nil
		default:
			return d.errAt(d.i, path, "expected ',' or ']', found %s", d.found())
		}
	}
}

// str reads a string at the position. Without escapes the span is the raw
// bytes (as the SDK keeps them); with escapes the unquoted bytes are
// appended to esc, with invalid UTF-8 and lone surrogates replaced by
// U+FFFD as encoding/json (and the SDK) do.
func (d *decoder) str(path string) (strSpan, error) {
	if d.cbor {
		return d.cborString(path, cborwire.Text)
	}
	start := d.i
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return strSpan{}, d.errAt(d.i, path, "expected a string, found %s", d.found())
	}
	i := d.i + 1
	for ; i < len(d.b); i++ {
		c := d.b[i]
		if c == '"' {
			d.i = i + 1
			return strSpan{from: start + 1, to: i}, nil
		}
		if c == '\\' {
			return d.escapedStr(path, start)
		}
		if c < 0x20 {
			return strSpan{}, d.errAt(i, path, "control character 0x%02x in string", c)
		}
	}
	return strSpan{}, d.errAt(start, path, "unterminated string")
}

func (d *decoder) escapedStr(path string, start int) (strSpan, error) {
	from := len(d.esc)
	i := start + 1
	for i < len(d.b) {
		c := d.b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return strSpan{from: from, to: len(d.esc), esc: true}, nil
		case c == '\\':
			if i+1 >= len(d.b) {
				return strSpan{}, d.errAt(i, path, "unterminated escape")
			}
			switch e := d.b[i+1]; e {
			case '"', '\\', '/':
				d.esc = append(d.esc, e)
			case 'b':
				d.esc = append(d.esc, '\b')
			case 'f':
				d.esc = append(d.esc, '\f')
			case 'n':
				d.esc = append(d.esc, '\n')
			case 'r':
				d.esc = append(d.esc, '\r')
			case 't':
				d.esc = append(d.esc, '\t')
			case 'u':
				r, ok := hex4(d.b[i+2:])
				if !ok {
					return strSpan{}, d.errAt(i, path, "invalid \\u escape: want 4 hex digits")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := u4(d.b[i:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							d.esc = utf8.AppendRune(d.esc, dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				d.esc = utf8.AppendRune(d.esc, r)
				continue
			default:
				return strSpan{}, d.errAt(i, path, "invalid escape '\\%c'", e)
			}
			i += 2
		case c < 0x20:
			return strSpan{}, d.errAt(i, path, "control character 0x%02x in string", c)
		case c < utf8.RuneSelf:
			d.esc = append(d.esc, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.b[i:])
			d.esc = utf8.AppendRune(d.esc, r) // RuneError for invalid UTF-8
			i += size
		}
	}
	return strSpan{}, d.errAt(start, path, "unterminated string")
}

// hex4 parses 4 hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// u4 parses a \uXXXX escape at the start of b.
func u4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	return hex4(b[2:])
}

// dataStr reads Data's string. Base64 has no escapes, so the fast path
// finds the closing quote with IndexByte and leaves the validation of the
// bytes to the base64 decoder, except for CR and LF, which the decoder
// ignores but JSON forbids raw in a string.
func (d *decoder) dataStr(path string) (strSpan, error) {
	if d.cbor {
		return d.cborString(path, cborwire.Bytes)
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return strSpan{}, d.errAt(d.i, path, "expected a base64 string, found %s", d.found())
	}
	start := d.i
	n := bytes.IndexByte(d.b[start+1:], '"')
	if n < 0 {
		return strSpan{}, d.errAt(start, path, "unterminated string")
	}
	raw := d.b[start+1 : start+1+n]
	if bytes.IndexByte(raw, '\\') >= 0 {
		return d.str(path)
	}
	if j := bytes.IndexByte(raw, '\n'); j >= 0 {
		return strSpan{}, d.errAt(start+1+j, path, "control character 0x0a in string")
	}
	if j := bytes.IndexByte(raw, '\r'); j >= 0 {
		return strSpan{}, d.errAt(start+1+j, path, "control character 0x0d in string")
	}
	d.i = start + 1 + n + 1
	return strSpan{from: start + 1, to: start + 1 + n}, nil
}

// number reads a JSON number token.
func (d *decoder) number(path string) ([]byte, error) {
	start, i, b := d.i, d.i, d.b
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		d.i = i
		return nil, d.errAt(i, path, "expected a number, found %s", d.found())
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return nil, d.errAt(i, path, "expected a digit after the decimal point")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return nil, d.errAt(i, path, "expected a digit in the exponent")
		}
	}
	d.i = i
	return b[start:i], nil
}

// skip reads and discards any JSON value.
func (d *decoder) skip(path string, depth int) error {
	if d.cbor {
		return d.cborSkip(path, depth)
	}
	if depth > maxDecodeDepth {
		return d.errAt(d.i, path, "nested deeper than %d", maxDecodeDepth)
	}
	if d.i >= len(d.b) {
		return d.errAt(d.i, path, "expected a value, found end of input")
	}
	switch d.b[d.i] {
	case '{':
		return d.object(path, func([]byte) error { return d.skip(path, depth+1) })
	case '[':
		return d.array(path, func(int) error { return d.skip(path, depth+1) })
	case '"':
		_, err := d.str(path)
		return err
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if d.i+len(lit) <= len(d.b) && string(d.b[d.i:d.i+len(lit)]) == lit {
				d.i += len(lit)
				return nil
			}
		}
		return d.errAt(d.i, path, "invalid literal")
	default:
		_, err := d.number(path)
		return err
	}
}

func (d *decoder) int64(path string) (int64, error) {
	if d.cbor {
		return d.cborInt(path)
	}
	at := d.i
	tok, err := d.number(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		return 0, d.errAt(at, path, "expected a 64-bit integer, found %s", tok)
	}
	return n, nil
}

// epochSeconds reads a timestamp in epoch seconds as the SDK does: to the
// millisecond, truncated, in UTC.
func (d *decoder) epochSeconds(path string) (time.Time, error) {
	if d.cbor {
		return d.cborTime(path)
	}
	at := d.i
	tok, err := d.number(path)
	if err != nil {
		return time.Time{}, err
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return time.Time{}, d.errAt(at, path, "timestamp %s out of range", tok)
	}
	if v > -9e9 && v < 9e9 {
		// v*1e3 rounds as the SDK's 53-bit big.Float product does, and
		// the nanoseconds fit in an int64.
		return time.Unix(0, int64(v*1e3)*1e6).UTC(), nil
	}
	return smithytime.ParseEpochSeconds(v), nil
}

func (d *decoder) decode(body []byte) (*kinesis.GetRecordsOutput, error) {
	d.reset(body)
	out := &kinesis.GetRecordsOutput{}
	if len(body) == 0 {
		return out, nil // as the SDK: an empty body is an empty output
	}
	d.ws()
	var (
		records            bool
		millis             int64
		hasMillis, hasIter bool
		iter               strSpan
		childShards        []types.ChildShard
		childShardsSet     bool
	)
	err := d.object("", func(key []byte) error {
		switch string(key) {
		case "Records":
			if d.null() {
				return nil
			}
			records = true
			// The SDK decodes a Records list that a later one replaces,
			// so its bad base64 is an error too.
			for i := range d.recs {
				d.idx = i
				if err := d.checkData(&d.recs[i]); err != nil {
					return err
				}
			}
			d.recs = slices.Grow(d.recs[:0], d.recordsHint())
			return d.array("Records", func(n int) error {
				d.recs = append(d.recs, recSpans{})
				d.idx = n
				if d.null() {
					return nil
				}
				return d.record()
			})
		case "NextShardIterator":
			if d.null() {
				return nil
			}
			sp, err := d.str("NextShardIterator")
			iter, hasIter = sp, err == nil
			return err
		case "MillisBehindLatest":
			if d.null() {
				return nil
			}
			n, err := d.int64("MillisBehindLatest")
			millis, hasMillis = n, true
			return err
		case "ChildShards":
			if d.null() {
				return nil
			}
			cs, err := d.childShards()
			childShards, childShardsSet = cs, true
			return err
		}
		return d.skip(string(key), 2)
	})
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i != len(d.b) {
		return nil, d.errAt(d.i, "", "unexpected %s after the response object", d.found())
	}
	if hasIter {
		out.NextShardIterator = new(string)
		*out.NextShardIterator = d.string(iter)
	}
	if hasMillis {
		out.MillisBehindLatest = &millis
	}
	if childShardsSet {
		out.ChildShards = childShards
	}
	switch {
	case records && d.pages:
		if d.page, err = d.buildPage(); err != nil {
			return nil, err
		}
	case records:
		if out.Records, err = d.build(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bytes returns the bytes of a span.
func (d *decoder) bytes(s strSpan) []byte {
	if s.esc {
		return d.esc[s.from:s.to]
	}
	return d.b[s.from:s.to]
}

func (d *decoder) string(s strSpan) string { return string(d.bytes(s)) }

func (d *decoder) record() error {
	r := &d.recs[len(d.recs)-1]
	return d.object("Records[]", func(key []byte) error {
		var err error
		switch string(key) {
		case "Data":
			if d.null() {
				return nil
			}
			if err = d.checkData(r); err != nil {
				return err // a Data member that this one replaces
			}
			r.dataAt = d.i
			r.data, err = d.dataStr("Records[].Data")
			r.has |= hasData
		case "PartitionKey":
			if d.null() {
				return nil
			}
			r.pk, err = d.str("Records[].PartitionKey")
			r.has |= hasPK
		case "SequenceNumber":
			if d.null() {
				return nil
			}
			r.seq, err = d.str("Records[].SequenceNumber")
			r.has |= hasSeq
		case "ApproximateArrivalTimestamp":
			if d.null() {
				return nil
			}
			r.at, err = d.epochSeconds("Records[].ApproximateArrivalTimestamp")
			r.has |= hasTime
		case "EncryptionType":
			if d.null() {
				return nil
			}
			r.enc, err = d.str("Records[].EncryptionType")
			r.has |= hasEnc
		default:
			err = d.skip("Records[]."+string(key), 4)
		}
		return err
	})
}

// build makes the records from the scan: one allocation each for the
// records, their arrival times, their string fields, the string bytes and
// the Data bytes.
func (d *decoder) build() ([]types.Record, error) {
	recs := make([]types.Record, len(d.recs))
	var nTime, nStr, strBytes, dataBytes int
	for i := range d.recs {
		r := &d.recs[i]
		if r.has&hasTime != 0 {
			nTime++
		}
		if r.has&hasPK != 0 {
			nStr++
			strBytes += r.pk.to - r.pk.from
		}
		if r.has&hasSeq != 0 {
			nStr++
			strBytes += r.seq.to - r.seq.from
		}
		if r.has&hasEnc != 0 && encType(d.bytes(r.enc)) == "" {
			strBytes += r.enc.to - r.enc.from
		}
		if r.has&hasData != 0 {
			dataBytes += d.dataLen(r.data)
		}
	}
	times := make([]time.Time, nTime)
	strs := make([]string, nStr)
	data := make([]byte, dataBytes)
	var sb strings.Builder
	sb.Grow(strBytes)
	for i := range d.recs {
		r := &d.recs[i]
		if r.has&hasPK != 0 {
			sb.Write(d.bytes(r.pk))
		}
		if r.has&hasSeq != 0 {
			sb.Write(d.bytes(r.seq))
		}
		if r.has&hasEnc != 0 && encType(d.bytes(r.enc)) == "" {
			sb.Write(d.bytes(r.enc))
		}
	}
	all := sb.String()
	take := func(s strSpan) string {
		v := all[:s.to-s.from]
		all = all[s.to-s.from:]
		return v
	}
	for i := range d.recs {
		r, out := &d.recs[i], &recs[i]
		if r.has&hasPK != 0 {
			strs[0] = take(r.pk)
			out.PartitionKey, strs = &strs[0], strs[1:]
		}
		if r.has&hasSeq != 0 {
			strs[0] = take(r.seq)
			out.SequenceNumber, strs = &strs[0], strs[1:]
		}
		if r.has&hasEnc != 0 {
			if e := encType(d.bytes(r.enc)); e != "" {
				out.EncryptionType = e
			} else {
				out.EncryptionType = types.EncryptionType(take(r.enc))
			}
		}
		if r.has&hasTime != 0 {
			times[0] = r.at
			out.ApproximateArrivalTimestamp, times = &times[0], times[1:]
		}
		if r.has&hasData != 0 {
			n, err := d.decodeData(data, r.data)
			if err != nil {
				return nil, d.dataErr(i, err)
			}
			out.Data, data = data[:n:n], data[n:]
		}
	}
	return recs, nil
}

// dataLen is the length of the Data at s once decoded, at most (base64
// padding makes it less).
func (d *decoder) dataLen(s strSpan) int {
	if d.cbor {
		return s.to - s.from
	}
	return base64.StdEncoding.DecodedLen(s.to - s.from)
}

// decodeData writes the Data at s to dst (which has room for it): CBOR's
// bytes as they are, JSON's base64 decoded.
func (d *decoder) decodeData(dst []byte, s strSpan) (int, error) {
	if d.cbor {
		return copy(dst, d.bytes(s)), nil
	}
	return base64.StdEncoding.Decode(dst, d.bytes(s))
}

// dataErr is the error for record i's Data, which err found bad base64.
func (d *decoder) dataErr(i int, err error) error {
	r := &d.recs[i]
	var ce base64.CorruptInputError
	off := r.dataAt
	if errors.As(err, &ce) && !r.data.esc {
		off = r.data.from + int(ce)
	}
	d.idx = i
	return d.errAt(off, "Records[].Data", "invalid base64: %v", err)
}

// page is the records of one GetRecords response as the Kinesis source
// holds them until Read places them in the batch. DecodeGetRecords's
// output takes 120 bytes a record besides the Data and strings (the
// record, its timestamp and two string headers, for the pointers the SDK's
// types have); a page takes 32, and Read builds each Record from it
// straight into the batch. A page from the SDK's deserializer (or from a
// KinesisAPI other than the SDK's client) keeps the SDK's records.
type page struct {
	sdk  []types.Record
	data []byte // every record's Data, one after another
	strs string // every record's partition key, then sequence number
	recs []pageRecord
}

// pageRecord locates one record of a page.
type pageRecord struct {
	data, dataLen      uint32 // Data is data[data:data+dataLen]
	str, pkLen, seqLen uint32 // PartitionKey at strs[str:], SequenceNumber after it
	hasData, hasTime   bool
	arrival            int64 // ApproximateArrivalTimestamp in Unix milliseconds
}

// len is the number of records in p.
func (p *page) len() int { return len(p.sdk) + len(p.recs) }

// seq is record i's sequence number.
func (p *page) seq(i int) string {
	if p.sdk != nil {
		return aws.ToString(p.sdk[i].SequenceNumber)
	}
	r := &p.recs[i]
	return p.strs[r.str+r.pkLen : r.str+r.pkLen+r.seqLen]
}

// record is record i as a Record read from origin (not unpacked, if it is
// a KPL aggregate).
func (p *page) record(i int, origin *Origin) Record {
	if p.sdk != nil {
		return sdkRecord(&p.sdk[i], origin)
	}
	r := &p.recs[i]
	rec := Record{
		PartitionKey:   p.strs[r.str : r.str+r.pkLen],
		SequenceNumber: p.strs[r.str+r.pkLen : r.str+r.pkLen+r.seqLen],
		Offset:         -1,
		origin:         origin,
		arrival:        r.arrival,
		hasArrival:     r.hasTime,
	}
	if r.hasData {
		rec.Data = p.data[r.data : r.data+r.dataLen : r.data+r.dataLen]
	}
	return rec
}

// payload is record i's Data.
func (p *page) payload(i int) []byte {
	if p.sdk != nil {
		return p.sdk[i].Data
	}
	r := &p.recs[i]
	if !r.hasData {
		return nil
	}
	return p.data[r.data : r.data+r.dataLen : r.data+r.dataLen]
}

// sdkRecord converts a record of the SDK's type read from origin.
func sdkRecord(r *types.Record, origin *Origin) Record {
	rec := Record{
		Data:           r.Data,
		PartitionKey:   aws.ToString(r.PartitionKey),
		SequenceNumber: aws.ToString(r.SequenceNumber),
		Offset:         -1,
		origin:         origin,
	}
	if r.ApproximateArrivalTimestamp != nil {
		rec.SetArrivalTime(*r.ApproximateArrivalTimestamp)
	}
	return rec
}

// buildPage is build for a page: the same strings and Data (and errors),
// one allocation each for the records, the strings and the Data.
func (d *decoder) buildPage() (*page, error) {
	var strBytes, dataBytes int
	for i := range d.recs {
		r := &d.recs[i]
		if r.has&hasPK != 0 {
			strBytes += r.pk.to - r.pk.from
		}
		if r.has&hasSeq != 0 {
			strBytes += r.seq.to - r.seq.from
		}
		if r.has&hasData != 0 {
			dataBytes += d.dataLen(r.data)
		}
	}
	if strBytes > math.MaxUint32 || dataBytes > math.MaxUint32 {
		return nil, d.errAt(0, "Records", "more than 4 GiB of records")
	}
	p := &page{recs: make([]pageRecord, len(d.recs)), data: make([]byte, dataBytes)}
	var sb strings.Builder
	sb.Grow(strBytes)
	at := 0
	for i := range d.recs {
		r, out := &d.recs[i], &p.recs[i]
		out.str = uint32(sb.Len())
		if r.has&hasPK != 0 {
			sb.Write(d.bytes(r.pk))
			out.pkLen = uint32(r.pk.to - r.pk.from)
		}
		if r.has&hasSeq != 0 {
			sb.Write(d.bytes(r.seq))
			out.seqLen = uint32(r.seq.to - r.seq.from)
		}
		if r.has&hasTime != 0 {
			out.hasTime, out.arrival = true, r.at.UnixMilli()
		}
		if r.has&hasData != 0 {
			n, err := d.decodeData(p.data[at:], r.data)
			if err != nil {
				return nil, d.dataErr(i, err)
			}
			out.hasData, out.data, out.dataLen = true, uint32(at), uint32(n)
			at += n
		}
	}
	p.strs = sb.String()
	return p, nil
}

// checkData reports bad base64 in r's Data, if it has one, as build
// would. (It is called only for Data that a duplicate member replaces.)
func (d *decoder) checkData(r *recSpans) error {
	if d.cbor || r.has&hasData == 0 {
		return nil
	}
	if _, err := base64.StdEncoding.DecodeString(string(d.bytes(r.data))); err != nil {
		return d.errAt(r.dataAt, "Records[].Data", "invalid base64: %v", err)
	}
	return nil
}

// encType returns the known encryption types without allocating.
func encType(b []byte) types.EncryptionType {
	switch string(b) {
	case "NONE":
		return types.EncryptionTypeNone
	case "KMS":
		return types.EncryptionTypeKms
	}
	return ""
}

func (d *decoder) childShards() ([]types.ChildShard, error) {
	out := make([]types.ChildShard, 0)
	err := d.array("ChildShards", func(n int) error {
		out = append(out, types.ChildShard{})
		if d.null() {
			return nil
		}
		c := &out[len(out)-1]
		path := "ChildShards[" + strconv.Itoa(n) + "]"
		return d.object(path, func(key []byte) error {
			switch string(key) {
			case "ShardId":
				if d.null() {
					return nil
				}
				sp, err := d.str(path + ".ShardId")
				if err != nil {
					return err
				}
				c.ShardId = new(string)
				*c.ShardId = d.string(sp)
				return nil
			case "ParentShards":
				if d.null() {
					return nil
				}
				c.ParentShards = make([]string, 0)
				return d.array(path+".ParentShards", func(int) error {
					if d.null() {
						c.ParentShards = append(c.ParentShards, "")
						return nil
					}
					sp, err := d.str(path + ".ParentShards")
					if err != nil {
						return err
					}
					c.ParentShards = append(c.ParentShards, d.string(sp))
					return nil
				})
			case "HashKeyRange":
				if d.null() {
					return nil
				}
				h := &types.HashKeyRange{}
				c.HashKeyRange = h
				return d.object(path+".HashKeyRange", func(key []byte) error {
					var dst **string
					switch string(key) {
					case "StartingHashKey":
						dst = &h.StartingHashKey
					case "EndingHashKey":
						dst = &h.EndingHashKey
					default:
						return d.skip(path+".HashKeyRange", 5)
					}
					if d.null() {
						return nil
					}
					sp, err := d.str(path + ".HashKeyRange." + string(key))
					if err != nil {
						return err
					}
					*dst = new(string)
					**dst = d.string(sp)
					return nil
				})
			}
			return d.skip(path, 4)
		})
	})
	return out, err
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

func getDecoder() *decoder { return decoders.Get().(*decoder) }

// putDecoder keeps d's scratch for the next decode unless it grew past what
// a full GetRecords response needs.
func putDecoder(d *decoder) {
	d.b = nil
	if cap(d.recs) > maxScratchRecords || cap(d.esc) > 1<<20 {
		return
	}
	decoders.Put(d)
}
