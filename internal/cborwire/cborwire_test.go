package cborwire_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/streamcheck/streamcheck/internal/cborwire"
)

// Every head size, text and integer is what an independent CBOR encoder
// writes for the same value.
func TestAppendMatchesEncoder(t *testing.T) {
	for _, v := range []int64{0, 1, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -24, -25, -256, -257, -65537, math.MinInt64} {
		want, _ := cbor.Marshal(v)
		if got := cborwire.AppendInt(nil, v); !bytes.Equal(got, want) {
			t.Errorf("AppendInt(%d) = %x, want %x", v, got, want)
		}
	}
	for _, n := range []int{0, 23, 24, 255, 256, 70000} {
		s := string(bytes.Repeat([]byte{'a'}, n))
		want, _ := cbor.Marshal(s)
		if got := cborwire.AppendText(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendText of %d bytes = %x..., want %x...", n, got[:min(len(got), 8)], want[:min(len(want), 8)])
		}
		arr, _ := cbor.Marshal(make([]bool, n))
		if got := cborwire.AppendHead(nil, cborwire.Array, uint64(n)); !bytes.HasPrefix(arr, got) || len(got) != len(arr)-n {
			t.Errorf("AppendHead(Array, %d) = %x, want the head of %x...", n, got, arr[:min(len(arr), 8)])
		}
	}
}
