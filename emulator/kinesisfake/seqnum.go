package kinesisfake

import (
	"strconv"
	"strings"
)

// A sequence number is 56 decimal digits: "49", the shard's index (16
// digits), the stream-wide write counter (20 digits) and the stream's creation
// time in milliseconds (18 digits). Within a shard the counter makes numbers
// unique and increasing when compared as big integers (they all have the same
// length); a child shard's index is above its parents', so its numbers are
// above theirs too; and the creation time keeps the numbers of a re-created
// stream apart from the old one's.
const seqLen = 56

// appendSeq writes the sequence number of a record.
func appendSeq(b []byte, shard int, counter uint64, createdMs int64) []byte {
	b = append(b, '4', '9')
	b = appendPadded(b, uint64(shard), 16)
	b = appendPadded(b, counter, 20)
	return appendPadded(b, uint64(createdMs), 18)
}

// seqTemplate is the sequence number of a shard's records with the
// counter left at zero: the numbers of a GetRecords answer differ only in
// their counters, so the rest is rendered once per answer.
type seqTemplate [seqLen]byte

func newSeqTemplate(shard int, createdMs int64) (t seqTemplate) {
	appendSeq(t[:0], shard, 0, createdMs)
	return t
}

// appendSeq appends the sequence number of the record with this counter,
// as the package's appendSeq does.
func (t *seqTemplate) appendSeq(b []byte, counter uint64) []byte {
	b = append(b, t[:]...)
	// The counter's last digit is the 19th byte from the end: the 18
	// digits of the creation time follow it.
	for i := len(b) - 19; counter > 0; i-- {
		b[i] = byte('0' + counter%10)
		counter /= 10
	}
	return b
}

func formatSeq(shard int, counter uint64, createdMs int64) string {
	var buf [seqLen]byte
	return string(appendSeq(buf[:0], shard, counter, createdMs))
}

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// parseSeq reads a sequence number made by appendSeq; ok is false for anything
// else, including numbers from another server's scheme.
func parseSeq(s string) (shard int, counter uint64, createdMs int64, ok bool) {
	if len(s) != seqLen || s[0] != '4' || s[1] != '9' {
		return 0, 0, 0, false
	}
	sh, err1 := strconv.ParseUint(s[2:18], 10, 64)
	c, err2 := strconv.ParseUint(s[18:38], 10, 64)
	cr, err3 := strconv.ParseUint(s[38:56], 10, 63)
	if err1 != nil || err2 != nil || err3 != nil || sh > 1<<31 {
		return 0, 0, 0, false
	}
	return int(sh), c, int64(cr), true
}

// validSeqSyntax reports whether s has AWS's sequence number pattern
// 0|([1-9]\d{0,128}).
func validSeqSyntax(s string) bool {
	if s == "0" {
		return true
	}
	if len(s) == 0 || len(s) > 129 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func shardIDOf(idx int) string {
	var buf [20]byte
	b := append(buf[:0], "shardId-"...)
	return string(appendPadded(b, uint64(idx), 12))
}

func appendShardID(b []byte, idx int) []byte {
	b = append(b, "shardId-"...)
	return appendPadded(b, uint64(idx), 12)
}

// parseShardID resolves a shard ID the way AWS does: the part after the
// first hyphen (or the whole ID when it has none), which must be decimal
// digits for a number up to 2^31-1. So "shardId-000000000007", "shardId-7",
// "anything-7" and "7" are all shard 7.
func parseShardID(s string) (int, bool) {
	d := s
	if i := strings.IndexByte(s, '-'); i >= 0 {
		d = s[i+1:]
		if j := strings.IndexByte(d, '-'); j >= 0 {
			d = d[:j]
		}
		if d == "" {
			d = s
		}
	}
	if d == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<31-1 {
			return 0, false
		}
	}
	return n, true
}
