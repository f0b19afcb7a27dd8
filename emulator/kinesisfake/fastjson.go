package kinesisfake

import (
	"encoding/base64"
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
	if !p.eat('{') {
		return false
	}
	var out putRecordsInput
	if !p.eat('}') {
		for {
			key, ok := p.str()
			if !ok || !p.eat(':') {
				return false
			}
			switch string(key) {
			case "StreamName":
				if out.StreamName, ok = p.text(); !ok {
					return false
				}
			case "StreamARN":
				if out.StreamARN, ok = p.text(); !ok {
					return false
				}
			case "Records":
				if out.Records, ok = p.records(); !ok {
					return false
				}
			default:
				return false
			}
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				break
			}
			return false
		}
	}
	p.ws()
	if p.i != len(p.b) {
		return false
	}
	*in = out
	return true
}

// records reads the Records array, decoding every Data into one shared
// buffer.
func (p *jsonScan) records() ([]putRecordsEntry, bool) {
	if !p.eat('[') {
		return nil, false
	}
	recs := make([]putRecordsEntry, 0, 16)
	if p.eat(']') {
		return recs, true
	}
	arena := make([]byte, 0, base64.StdEncoding.DecodedLen(len(p.b)-p.i))
	for {
		if !p.eat('{') {
			return nil, false
		}
		var r putRecordsEntry
		if !p.eat('}') {
			for {
				key, ok := p.str()
				if !ok || !p.eat(':') {
					return nil, false
				}
				switch string(key) {
				case "Data":
					enc, ok := p.str()
					if !ok {
						return nil, false
					}
					start := len(arena)
					n, err := base64.StdEncoding.Decode(arena[start:start+base64.StdEncoding.DecodedLen(len(enc))], enc)
					if err != nil {
						return nil, false
					}
					arena = arena[:start+n]
					r.Data = arena[start : start+n : start+n]
				case "PartitionKey":
					if r.PartitionKey, ok = p.text(); !ok {
						return nil, false
					}
				case "ExplicitHashKey":
					if r.ExplicitHashKey, ok = p.text(); !ok {
						return nil, false
					}
				default:
					return nil, false
				}
				if p.eat(',') {
					continue
				}
				if p.eat('}') {
					break
				}
				return nil, false
			}
		}
		recs = append(recs, r)
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return recs, true
		}
		return nil, false
	}
}
