//go:build !linux

package kinesisfake

// hugePageChunk returns an empty chunk of capacity size; huge pages are
// asked for on Linux only.
func hugePageChunk(size int) []byte { return make([]byte, 0, size) }
