package kinesisfake

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// TestAppendBase64 checks the fast reader's base64 against
// base64.StdEncoding: the same bytes where it accepts a string, and a
// refusal wherever StdEncoding refuses one.
func TestAppendBase64(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "empty", in: "", ok: true},
		{name: "one byte", in: "AA==", ok: true},
		{name: "two bytes", in: "AAE=", ok: true},
		{name: "three bytes", in: "AAEC", ok: true},
		{name: "eight characters", in: "AAECAwQF", ok: true},
		{name: "unused bits set", in: "AB==", ok: true},
		{name: "unpadded", in: "AA"},
		{name: "padding inside", in: "AA==AAAA"},
		{name: "all padding", in: "===="},
		{name: "three padding", in: "A==="},
		{name: "padding then data", in: "AA=A"},
		{name: "line break", in: "AAEC\nAAEC"},
		{name: "escape", in: `AAE\u0041`},
		{name: "url alphabet", in: "AA-_"},
		{name: "quote", in: `AA"A`},
		{name: "high byte", in: "AA\xffA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := appendBase64([]byte("x"), []byte(tt.in))
			if ok != tt.ok {
				t.Fatalf("appendBase64(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if !ok {
				return
			}
			want, err := base64.StdEncoding.DecodeString(tt.in)
			if err != nil {
				t.Fatalf("StdEncoding refuses %q (%v), appendBase64 accepted it", tt.in, err)
			}
			if !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Fatalf("appendBase64(%q) = %q, want x%q", tt.in, got, want)
			}
		})
	}
}

// TestAppendBase64Random compares appendBase64 with base64.StdEncoding on
// the encodings of random data of every length up to 100, into buffers
// with and without room to spare.
func TestAppendBase64Random(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 100 {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		enc := []byte(base64.StdEncoding.EncodeToString(data))
		for _, room := range []int{0, 1, 2, 200} {
			got, ok := appendBase64(make([]byte, 0, room), enc)
			if !ok || !bytes.Equal(got, data) {
				t.Fatalf("appendBase64(%q) = %x, %v; want %x", enc, got, ok, data)
			}
		}
		if n > 0 {
			// A character outside the alphabet anywhere is refused.
			bad := bytes.Clone(enc)
			bad[rng.IntN(len(bad))] = '!'
			if _, ok := appendBase64(nil, bad); ok {
				t.Fatalf("appendBase64(%q) accepted a '!'", bad)
			}
		}
	}
}
