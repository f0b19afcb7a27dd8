package kinesisfake

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"unicode/utf8"
)

// fastDecoder is implemented by hot-path inputs that can read the common
// shape of their JSON without reflection. decodeFastJSON reports false for
// anything it does not handle (escapes, nulls, numbers, unknown members,
// bad base64, invalid UTF-8); the caller then decodes with encoding/json,
// which also produces the error message. Both paths give the same result on
// the inputs the fast one accepts (FuzzDecodeJSON checks this).
type fastDecoder interface {
	decodeFastJSON(body []byte) bool
}

// jsonScan walks a JSON document without allocating.
type jsonScan struct {
	b []byte
	i int
}

func (p *jsonScan) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// eat consumes c after optional white space.
func (p *jsonScan) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters and returns its
// bytes, a view into the document.
func (p *jsonScan) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.b[start:p.i]
			p.i++
			return s, true
		}
		if c == '\\' || c < 0x20 {
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// text reads a string that must be valid UTF-8.
func (p *jsonScan) text() (string, bool) {
	s, ok := p.str()
	if !ok || !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

func (in *putRecordsInput) decodeFastJSON(b []byte) bool {
	p := jsonScan{b: b}
	var out putRecordsInput
	if !p.object(func(key []byte) (ok bool) {
		switch string(key) {
		case "StreamName":
			out.StreamName, ok = p.text()
		case "StreamARN":
			out.StreamARN, ok = p.text()
		case "Records":
			out.Records, out.scratch, ok = p.records()
		}
		return ok
	}) || !p.end() {
		return false
	}
	*in = out
	return true
}

// putRecordsScratch is the memory the fast reader decodes a PutRecords
// body into: the records, their data and their partition keys. It is
// reused across requests (putRecordsInput.release), so a request leaves
// little garbage behind.
type putRecordsScratch struct {
	recs  []putRecordsEntry
	arena []byte     // every record's Data
	keys  []byte     // every record's PartitionKey, made one string at the end
	spans [][2]int32 // each record's PartitionKey in keys
}

var scratchPool = sync.Pool{New: func() any { return new(putRecordsScratch) }}

// maxPooledScratch bounds the data buffer a scratch keeps for reuse.
const maxPooledScratch = 8 << 20

// release returns the input's scratch memory for reuse. The records' Data
// must not be used afterwards: every reader copies what it keeps.
func (in *putRecordsInput) release() {
	sc := in.scratch
	if sc == nil {
		return
	}
	in.scratch, in.Records = nil, nil
	clear(sc.recs)
	sc.recs = sc.recs[:0]
	if cap(sc.arena) <= maxPooledScratch {
		scratchPool.Put(sc)
	}
}

// object reads a JSON object, calling member for each key with the scanner
// at its value; member reads the value and reports whether it was one the
// fast reader takes (false for an unknown key, which encoding/json then
// reads and words). It reports whether the object was read whole.
func (p *jsonScan) object(member func(key []byte) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.eat(':') || !member(key) {
			return false
		}
		if !p.eat(',') {
			return p.eat('}')
		}
	}
}

// end reports whether nothing but whitespace is left.
func (p *jsonScan) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// records reads the Records array, decoding every Data into one shared
// buffer and every PartitionKey into one string.
func (p *jsonScan) records() ([]putRecordsEntry, *putRecordsScratch, bool) {
	if !p.eat('[') {
		return nil, nil, false
	}
	if p.eat(']') {
		return []putRecordsEntry{}, nil, true
	}
	sc := scratchPool.Get().(*putRecordsScratch)
	recs, keys, spans := sc.recs[:0], sc.keys[:0], sc.spans[:0]
	arena := sc.arena[:0]
	if need := base64.StdEncoding.DecodedLen(len(p.b) - p.i); cap(arena) < need {
		arena = make([]byte, 0, need)
	}
	fail := func() ([]putRecordsEntry, *putRecordsScratch, bool) {
		sc.recs, sc.arena, sc.keys, sc.spans = recs[:0], arena[:0], keys[:0], spans[:0]
		clear(recs)
		if cap(arena) <= maxPooledScratch {
			scratchPool.Put(sc)
		}
		return nil, nil, false
	}
	for {
		var r putRecordsEntry
		span := [2]int32{-1, -1}
		if !p.object(func(key []byte) (ok bool) {
			switch string(key) {
			case "Data":
				arena, r.Data, ok = p.base64(arena)
			case "PartitionKey":
				var k []byte
				if k, ok = p.str(); ok && utf8.Valid(k) {
					span = [2]int32{int32(len(keys)), int32(len(keys) + len(k))}
					keys = append(keys, k...)
				} else {
					ok = false
				}
			case "ExplicitHashKey":
				r.ExplicitHashKey, ok = p.text()
			}
			return ok
		}) {
			return fail()
		}
		recs = append(recs, r)
		spans = append(spans, span)
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			break
		}
		return fail()
	}
	all := string(keys)
	for i, sp := range spans {
		if sp[0] >= 0 {
			recs[i].PartitionKey = all[sp[0]:sp[1]]
		}
	}
	sc.recs, sc.arena, sc.keys, sc.spans = recs, arena, keys, spans
	return recs, sc, true
}

// base64 reads a string of standard, padded base64 and appends what it
// decodes to arena, returning the grown arena and a view of the decoded
// bytes (empty, not nil, for an empty string). It accepts only what
// base64.StdEncoding decodes to the same bytes: anything else (escapes,
// line breaks, misplaced padding) reports false, for encoding/json to read
// and word the error. The closing quote is found first, then the text is
// decoded eight characters at a time, so the string is read once.
func (p *jsonScan) base64(arena []byte) ([]byte, []byte, bool) {
	if !p.eat('"') {
		return arena, nil, false
	}
	n := bytes.IndexByte(p.b[p.i:], '"')
	if n < 0 {
		return arena, nil, false
	}
	src := p.b[p.i : p.i+n]
	start := len(arena)
	arena, ok := appendBase64(arena, src)
	if !ok {
		return arena[:start], nil, false
	}
	p.i += n + 1
	return arena, arena[start:len(arena):len(arena)], true
}

// b64Value maps a standard base64 character to its 6-bit value, and every
// other byte to 0xff.
var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// appendBase64 appends the decoding of src, standard base64 with padding,
// to dst; ok is false for anything else. Like base64.StdEncoding (not
// Strict) it ignores the unused bits of the last character.
func appendBase64(dst, src []byte) ([]byte, bool) {
	if len(src)%4 != 0 {
		return dst, false
	}
	if len(src) == 0 {
		return dst, true
	}
	// The last quartet may hold padding; the rest may not.
	body, last := src[:len(src)-4], src[len(src)-4:]
	di := len(dst)
	need := di + len(body)/4*3 + 3 + 2 // 2 bytes of slack for the 8-byte stores
	if cap(dst) < need {
		dst = append(dst[:cap(dst)], make([]byte, need-cap(dst))...)
	}
	out := dst[:cap(dst)]
	for len(body) >= 8 {
		a, b, c, d := b64Value[body[0]], b64Value[body[1]], b64Value[body[2]], b64Value[body[3]]
		e, f, g, h := b64Value[body[4]], b64Value[body[5]], b64Value[body[6]], b64Value[body[7]]
		if (a|b|c|d|e|f|g|h)&0xc0 != 0 {
			return dst[:di], false
		}
		v := uint64(a)<<58 | uint64(b)<<52 | uint64(c)<<46 | uint64(d)<<40 |
			uint64(e)<<34 | uint64(f)<<28 | uint64(g)<<22 | uint64(h)<<16
		binary.BigEndian.PutUint64(out[di:], v)
		di += 6
		body = body[8:]
	}
	if len(body) == 4 {
		a, b, c, d := b64Value[body[0]], b64Value[body[1]], b64Value[body[2]], b64Value[body[3]]
		if (a|b|c|d)&0xc0 != 0 {
			return dst[:di], false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		out[di], out[di+1], out[di+2] = byte(v>>16), byte(v>>8), byte(v)
		di += 3
	}
	a, b := b64Value[last[0]], b64Value[last[1]]
	if (a|b)&0xc0 != 0 {
		return dst[:di], false
	}
	v := uint32(a)<<18 | uint32(b)<<12
	switch {
	case last[2] == '=' && last[3] == '=':
		out[di] = byte(v >> 16)
		di++
	case last[3] == '=':
		c := b64Value[last[2]]
		if c&0xc0 != 0 {
			return dst[:di], false
		}
		v |= uint32(c) << 6
		out[di], out[di+1] = byte(v>>16), byte(v>>8)
		di += 2
	default:
		c, d := b64Value[last[2]], b64Value[last[3]]
		if (c|d)&0xc0 != 0 {
			return dst[:di], false
		}
		v |= uint32(c)<<6 | uint32(d)
		out[di], out[di+1], out[di+2] = byte(v>>16), byte(v>>8), byte(v)
		di += 3
	}
	return out[:di], true
}

func (in *getRecordsInput) decodeFastJSON(b []byte) bool {
	p := jsonScan{b: b}
	var out getRecordsInput
	if !p.object(func(key []byte) (ok bool) {
		switch string(key) {
		case "ShardIterator":
			out.ShardIterator, ok = p.text()
		case "StreamARN":
			out.StreamARN, ok = p.text()
		case "Limit":
			var n int
			if n, ok = p.smallInt(); ok {
				out.Limit = &n
			}
		}
		return ok
	}) || !p.end() {
		return false
	}
	*in = out
	return true
}

// smallInt reads a non-negative JSON integer of at most 9 digits; anything
// else (a sign, a fraction, an exponent, null) reports false.
func (p *jsonScan) smallInt() (int, bool) {
	p.ws()
	start, n := p.i, 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 9 || (digits > 1 && p.b[start] == '0') {
		return 0, false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}
