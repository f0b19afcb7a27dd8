package kpl

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic opens the data of every KPL-aggregated Kinesis record.
var Magic = []byte(magic)

const magic = "\xF3\x89\x9A\xC2"

// MaxRecords bounds the user records one aggregate may hold, so that a
// hostile aggregate cannot cost more than its size suggests (a 1 MiB record
// holds at most some 200,000 empty user records).
const MaxRecords = 1 << 18

// ErrCorrupt is wrapped by the errors of Deaggregate.
var ErrCorrupt = errors.New("corrupt KPL aggregate")

// Record is one user record of an aggregate.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string // "" when the producer gave none
	Data            []byte // shares the aggregate's memory
}

// IsAggregate reports whether data opens with the KPL magic bytes and is
// long enough to hold the MD5 trailer.
func IsAggregate(data []byte) bool {
	// One 4-byte comparison: it runs on every record a consumer reads.
	return len(data) >= len(Magic)+md5.Size && string(data[:4]) == magic
}

// Deaggregate unpacks an aggregated record's user records, in order. An
// aggregate whose MD5 does not match, whose protobuf is malformed, or whose
// records point outside the key tables is an error wrapping ErrCorrupt that says
// what was wrong and where; no user record is returned then.
func Deaggregate(data []byte) ([]Record, error) {
	if !IsAggregate(data) {
		return nil, fmt.Errorf("%w: %d bytes without the magic bytes and MD5 trailer", ErrCorrupt, len(data))
	}
	body := data[len(Magic) : len(data)-md5.Size]
	sum := md5.Sum(body)
	if !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, fmt.Errorf("%w: MD5 of the %d-byte protobuf is %x, the trailer says %x", ErrCorrupt, len(body), sum, data[len(data)-md5.Size:])
	}
	var pks, ehks []string
	type raw struct {
		pk, ehk uint64
		hasPK   bool
		hasEHK  bool
		data    []byte
	}
	var recs []raw
	p := pbReader{b: body}
	for !p.done() {
		field, wire, err := p.key()
		if err != nil {
			return nil, err
		}
		switch {
		case field == 1 && wire == 2:
			s, err := p.bytes()
			if err != nil {
				return nil, err
			}
			pks = append(pks, string(s))
		case field == 2 && wire == 2:
			s, err := p.bytes()
			if err != nil {
				return nil, err
			}
			ehks = append(ehks, string(s))
		case field == 3 && wire == 2:
			msg, err := p.bytes()
			if err != nil {
				return nil, err
			}
			if len(recs) >= MaxRecords {
				return nil, fmt.Errorf("%w: more than %d user records", ErrCorrupt, MaxRecords)
			}
			var r raw
			q := pbReader{b: msg, base: p.i - len(msg)}
			for !q.done() {
				f, w, err := q.key()
				if err != nil {
					return nil, err
				}
				switch {
				case f == 1 && w == 0:
					r.pk, err = q.varint()
					r.hasPK = true
				case f == 2 && w == 0:
					r.ehk, err = q.varint()
					r.hasEHK = true
				case f == 3 && w == 2:
					r.data, err = q.bytes()
				default:
					err = q.skip(w)
				}
				if err != nil {
					return nil, err
				}
			}
			if !r.hasPK || r.data == nil {
				return nil, fmt.Errorf("%w: user record %d lacks its partition key index or data", ErrCorrupt, len(recs))
			}
			recs = append(recs, r)
		default:
			if err := p.skip(wire); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Record, len(recs))
	for i, r := range recs {
		if r.pk >= uint64(len(pks)) {
			return nil, fmt.Errorf("%w: user record %d: partition key index %d, the table has %d", ErrCorrupt, i, r.pk, len(pks))
		}
		out[i] = Record{PartitionKey: pks[r.pk], Data: r.data}
		if r.hasEHK {
			if r.ehk >= uint64(len(ehks)) {
				return nil, fmt.Errorf("%w: user record %d: explicit hash key index %d, the table has %d", ErrCorrupt, i, r.ehk, len(ehks))
			}
			out[i].ExplicitHashKey = ehks[r.ehk]
		}
	}
	return out, nil
}

// Aggregate packs user records into one aggregated record's data, as the
// KPL does: partition and explicit hash keys go to tables in order of first
// use, then the records, then the MD5 trailer.
func Aggregate(recs []Record) []byte {
	var body []byte
	pkIdx, ehkIdx := map[string]uint64{}, map[string]uint64{}
	var pks, ehks []string
	for _, r := range recs {
		if _, ok := pkIdx[r.PartitionKey]; !ok {
			pkIdx[r.PartitionKey] = uint64(len(pks))
			pks = append(pks, r.PartitionKey)
		}
		if r.ExplicitHashKey != "" {
			if _, ok := ehkIdx[r.ExplicitHashKey]; !ok {
				ehkIdx[r.ExplicitHashKey] = uint64(len(ehks))
				ehks = append(ehks, r.ExplicitHashKey)
			}
		}
	}
	for _, k := range pks {
		body = appendPBBytes(body, 1, []byte(k))
	}
	for _, k := range ehks {
		body = appendPBBytes(body, 2, []byte(k))
	}
	var msg []byte
	for _, r := range recs {
		msg = msg[:0]
		msg = binary.AppendUvarint(append(msg, 1<<3), pkIdx[r.PartitionKey]) // field 1, varint
		if r.ExplicitHashKey != "" {
			msg = binary.AppendUvarint(append(msg, 2<<3), ehkIdx[r.ExplicitHashKey]) // field 2, varint
		}
		msg = appendPBBytes(msg, 3, r.Data)
		body = appendPBBytes(body, 3, msg)
	}
	sum := md5.Sum(body)
	out := make([]byte, 0, len(Magic)+len(body)+md5.Size)
	out = append(out, Magic...)
	out = append(out, body...)
	return append(out, sum[:]...)
}

func appendPBBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// pbReader reads protobuf wire format; errors name the byte offset in the
// aggregate's protobuf.
type pbReader struct {
	b    []byte
	i    int
	base int // offset of b in the whole protobuf
}

func (p *pbReader) done() bool { return p.i >= len(p.b) }

func (p *pbReader) fail(what string) error {
	return fmt.Errorf("%w: protobuf byte %d: %s", ErrCorrupt, p.base+p.i, what)
}

func (p *pbReader) varint() (uint64, error) {
	v, n := binary.Uvarint(p.b[p.i:])
	if n <= 0 {
		return 0, p.fail("bad varint")
	}
	p.i += n
	return v, nil
}

func (p *pbReader) key() (field uint64, wire uint64, err error) {
	k, err := p.varint()
	if err != nil {
		return 0, 0, err
	}
	if k>>3 == 0 {
		return 0, 0, p.fail("field number 0")
	}
	return k >> 3, k & 7, nil
}

func (p *pbReader) bytes() ([]byte, error) {
	n, err := p.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(p.b)-p.i) {
		return nil, p.fail(fmt.Sprintf("length %d runs past the end", n))
	}
	s := p.b[p.i : p.i+int(n) : p.i+int(n)]
	p.i += int(n)
	return s, nil
}

func (p *pbReader) skip(wire uint64) error {
	switch wire {
	case 0:
		_, err := p.varint()
		return err
	case 1:
		if len(p.b)-p.i < 8 {
			return p.fail("truncated fixed64")
		}
		p.i += 8
	case 2:
		_, err := p.bytes()
		return err
	case 5:
		if len(p.b)-p.i < 4 {
			return p.fail("truncated fixed32")
		}
		p.i += 4
	default:
		return p.fail(fmt.Sprintf("wire type %d", wire))
	}
	return nil
}
