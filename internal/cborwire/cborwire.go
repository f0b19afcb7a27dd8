// Package cborwire appends CBOR (RFC 8949) items without reflection, for
// the hand-written encoders of the emulators and the engine: the heads of
// items in their shortest form, as an encoder in canonical or core
// deterministic mode writes them, text strings and integers.
package cborwire

import (
	"encoding/binary"
	"math"
)

// Major types.
const (
	Uint   byte = 0
	Negint byte = 1
	Bytes  byte = 2
	Text   byte = 3
	Array  byte = 4
	Map    byte = 5
	Tag    byte = 6
	Simple byte = 7
)

// AppendHead appends the head of an item of major type major with argument
// arg (a value, a length or a count) in its shortest form.
func AppendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), arg)
}

// AppendText appends s as a definite-length text string.
func AppendText(b []byte, s string) []byte {
	return append(AppendHead(b, Text, uint64(len(s))), s...)
}

// AppendInt appends v as an integer.
func AppendInt(b []byte, v int64) []byte {
	if v < 0 {
		return AppendHead(b, Negint, uint64(-1-v))
	}
	return AppendHead(b, Uint, uint64(v))
}
