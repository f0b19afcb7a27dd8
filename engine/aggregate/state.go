package aggregate

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/engine/record"
)

// StateVersion is the version of the encoding Snapshot writes.
//
// Version 1, all integers big-endian:
//
//	magic "SCAGG" | version u8 | config fingerprint [8]
//	last batch i64 | has watermark u8 | watermark µs i64
//	counters: batches, rows, late, unmatched, rejected, emitted (i64 each)
//	metrics u32 | windows u32, then per window, by start then key text:
//	  start µs i64 | key text (u32 length + bytes) | device value (type u8, I i64, F f64 bits, S)
//	  count i64 | red, orange, green i64 | per metric: sum f64 bits, count i64
//	CRC-32C of everything before it, u32
const StateVersion = 1

const stateMagic = "SCAGG"

// ErrState is wrapped by Restore's errors: the bytes are not a state of
// this operator (corrupt, another version, or another configuration).
var ErrState = errors.New("aggregate: unusable state")

// StateKey returns the checkpoint key of batch id's state:
// state/<id>/aggregate, as docs/formats.md reserves it.
func StateKey(id int64) string { return fmt.Sprintf("state/%d/aggregate", id) }

// Snapshot encodes the state. The encoding is deterministic: equal states
// give equal bytes.
func (o *Operator) Snapshot() ([]byte, error) {
	st := &o.st
	keys := make([]winKey, 0, len(st.windows))
	for k := range st.windows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b winKey) int {
		if a.start != b.start {
			return cmpInt(a.start, b.start)
		}
		return strings.Compare(a.key, b.key)
	})
	b := make([]byte, 0, 64+len(keys)*(64+len(o.metIdx)*16))
	b = append(b, stateMagic...)
	b = append(b, StateVersion)
	b = append(b, o.fingerprint[:]...)
	b = appendInt(b, st.lastBatch)
	b = appendBool(b, st.hasWatermark)
	b = appendInt(b, st.watermark)
	c := st.c
	for _, v := range []int64{c.Batches, c.Rows, c.Late, c.Unmatched, c.Rejected, c.Emitted} {
		b = appendInt(b, v)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(o.metIdx)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		a := st.windows[k]
		b = appendInt(b, k.start)
		b = appendString(b, k.key)
		b = append(b, byte(a.device.Type))
		// The state keeps an integer and a float per device value, as
		// when a Value held the two apart.
		di, df := a.device.I, 0.0
		if isFloat(a.device.Type) {
			di, df = 0, a.device.Float()
		}
		b = appendInt(b, di)
		b = appendFloat(b, df)
		b = appendString(b, a.device.S)
		b = appendInt(b, a.n)
		for _, v := range a.alerts {
			b = appendInt(b, v)
		}
		for i := range a.sums {
			b = appendFloat(b, a.sums[i])
			b = appendInt(b, a.counts[i])
		}
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Restore replaces the state with one Snapshot encoded, from an operator
// with the same windowing, key, time and metric configuration. On error
// the state is unchanged.
func (o *Operator) Restore(data []byte) error {
	if len(data) < len(stateMagic)+1+8+4 || string(data[:len(stateMagic)]) != stateMagic {
		return fmt.Errorf("%w: not an aggregate state (%d bytes)", ErrState, len(data))
	}
	if v := data[len(stateMagic)]; v != StateVersion {
		return fmt.Errorf("%w: version %d; this build reads %d", ErrState, v, StateVersion)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("%w: checksum mismatch", ErrState)
	}
	d := decoder{b: body[len(stateMagic)+1:]}
	if fp := d.bytes(8); string(fp) != string(o.fingerprint[:]) {
		return fmt.Errorf("%w: written with another key, time mode, window, slide, watermark delay or metrics; Spark refuses such a change to a stateful query too", ErrState)
	}
	st := newState()
	st.lastBatch = d.int()
	st.hasWatermark = d.bool()
	st.watermark = d.int()
	c := &st.c
	for _, p := range []*int64{&c.Batches, &c.Rows, &c.Late, &c.Unmatched, &c.Rejected, &c.Emitted} {
		*p = d.int()
	}
	if m := d.u32(); d.err == nil && int(m) != len(o.metIdx) {
		return fmt.Errorf("%w: %d metrics, want %d", ErrState, m, len(o.metIdx))
	}
	n := d.u32()
	for i := uint32(0); i < n && d.err == nil; i++ {
		var k winKey
		k.start = d.int()
		k.key = d.string()
		a := &acc{sums: make([]float64, len(o.metIdx)), counts: make([]int64, len(o.metIdx))}
		a.device.Type = record.Type(d.byte())
		a.device.I = d.int()
		if f := d.float(); isFloat(a.device.Type) {
			a.device = record.FloatValue(a.device.Type, f)
		}
		a.device.S = d.string()
		a.n = d.int()
		for j := range a.alerts {
			a.alerts[j] = d.int()
		}
		for j := range a.sums {
			a.sums[j] = d.float()
			a.counts[j] = d.int()
		}
		st.windows[k] = a
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("%w: %w", ErrState, d.err)
	}
	o.st = st
	return nil
}

// Watermark returns the current watermark and whether there is one.
func (o *Operator) Watermark() (time.Time, bool) {
	if !o.st.hasWatermark {
		return time.Time{}, false
	}
	return time.UnixMicro(o.st.watermark).UTC(), true
}

func fingerprint(c Config, keyType record.Type) [8]byte {
	var b []byte
	b = appendString(b, c.KeyColumn)
	b = append(b, byte(keyType))
	b = appendString(b, c.TimeMode)
	if c.TimeMode == EventTime {
		b = appendString(b, c.EventTimeColumn)
	}
	b = appendInt(b, int64(c.WindowDuration))
	b = appendInt(b, int64(c.SlideDuration))
	b = appendInt(b, int64(c.WatermarkDelay))
	for _, m := range c.Metrics {
		b = appendString(b, m.Column)
	}
	h := sha256.Sum256(b)
	return [8]byte(h[:8])
}

func appendInt(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }
func appendFloat(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}
func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// decoder reads the encoding; the first short read sets err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = fmt.Errorf("truncated: want %d more bytes, have %d", n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if v := d.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) bool() bool { return d.byte() != 0 }

func (d *decoder) u32() uint32 {
	if v := d.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) int() int64 {
	if v := d.bytes(8); v != nil {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

func (d *decoder) float() float64 { return math.Float64frombits(uint64(d.int())) }

func (d *decoder) string() string { return string(d.bytes(int(d.u32()))) }

// isFloat reports whether values of t are floating point numbers.
func isFloat(t record.Type) bool { return t == record.Double || t == record.Float }
