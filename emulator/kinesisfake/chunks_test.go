package kinesisfake

import (
	"bytes"
	"fmt"
	"testing"
	"unsafe"
)

// TestChunkSizes checks that a shard's chunks grow from minChunk to
// maxChunk, that a record larger than maxChunk gets a chunk of its own, and
// that chunks of maxChunk start on a huge-page boundary.
func TestChunkSizes(t *testing.T) {
	var got []int
	last := 0
	for range 8 {
		c := newChunk(last, 1)
		if len(c) != 0 {
			t.Fatalf("newChunk(%d, 1): len %d, want 0", last, len(c))
		}
		got = append(got, cap(c))
		last = cap(c)
	}
	want := []int{minChunk, 2 * minChunk, 4 * minChunk, 8 * minChunk, 16 * minChunk, 32 * minChunk, maxChunk, maxChunk}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("chunk capacities: got %v, want %v", got, want)
	}
	if c := newChunk(maxChunk, maxChunk+1); cap(c) != maxChunk+1 {
		t.Errorf("chunk for a record of maxChunk+1 bytes: cap %d, want %d", cap(c), maxChunk+1)
	}
	for range 4 {
		c := newChunk(maxChunk, 1)
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(c[:1]))); p%(2<<20) != 0 {
			t.Errorf("chunk of maxChunk at %#x: not on a 2 MiB boundary", p)
		}
	}
}

// TestChunksKeepRecords stores records across several chunks of every size
// (one larger than a chunk among them) and reads every key and payload back.
func TestChunksKeepRecords(t *testing.T) {
	sh := &shard{}
	type stored struct {
		r         rec
		key, data []byte
	}
	var all []stored
	total, big := 0, 0
	for i := 0; total < 3*maxChunk; i++ {
		size := 1 + i%5000
		if i == 2000 {
			size = maxChunk + 10
		}
		key := fmt.Appendf(nil, "key-%d", i)
		data := bytes.Repeat([]byte{byte(i)}, size)
		if size > maxChunk {
			big = len(key) + size
		}
		all = append(all, stored{sh.append(uint64(i), int64(i), string(key), data), key, data})
		total += len(key) + size
	}
	caps := map[int]bool{}
	for _, c := range sh.chunks {
		caps[cap(c)] = true
	}
	if !caps[minChunk] || !caps[maxChunk] || !caps[big] {
		t.Fatalf("%d bytes in %d chunks of capacities %v: want chunks of %d, %d and %d among them", total, len(sh.chunks), caps, minChunk, maxChunk, big)
	}
	for i, s := range all {
		if !bytes.Equal(sh.key(s.r), s.key) || !bytes.Equal(sh.data(s.r), s.data) {
			t.Fatalf("record %d: key %q and %d data bytes read back differ from what was stored", i, sh.key(s.r), len(sh.data(s.r)))
		}
	}
}
