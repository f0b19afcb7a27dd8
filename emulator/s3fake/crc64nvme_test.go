package s3fake

import (
	"bytes"
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

func TestCRC64NVMEMatchesTheStandardLibrary(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 2047, 2048, 65536 + 3} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		h := newCRC64NVME()
		// Written in two uneven pieces, as bodies arrive.
		h.Write(data[:n/3])
		h.Write(data[n/3:])
		if got, want := h.Sum64(), crc64.Checksum(data, crc64NVMETable); got != want {
			t.Errorf("%d bytes: got %016x, want %016x", n, got, want)
		}
		ref := crc64.New(crc64NVMETable)
		ref.Write(data)
		if got, want := h.Sum(nil), ref.Sum(nil); !bytes.Equal(got, want) {
			t.Errorf("%d bytes: Sum %x, want %x", n, got, want)
		}
	}
	// A known value: CRC-64/NVME of "123456789" is ae8b14860a799888.
	h := newCRC64NVME()
	h.Write([]byte("123456789"))
	if got := h.Sum64(); got != 0xae8b14860a799888 {
		t.Errorf("check value: got %016x, want ae8b14860a799888", got)
	}
}
