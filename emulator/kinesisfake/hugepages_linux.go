package kinesisfake

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on x86-64 and arm64.
const hugePage = 2 << 20

// hugePageChunk returns an empty chunk of capacity size (a multiple of
// hugePage) that starts on a huge-page boundary and asks the kernel to back
// it with transparent huge pages, where the system grants them to memory
// that asks (the "madvise" setting). The allocation has room for the
// alignment; its unused head and tail are never touched, so they take
// address space, not memory. The advice changes how the memory is paged,
// never what it holds, and is best effort: refused, the chunk has ordinary
// pages.
func hugePageChunk(size int) []byte {
	buf := make([]byte, size+hugePage)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	off := int((hugePage - start%hugePage) % hugePage)
	c := buf[off : off+size : off+size]
	_ = unix.Madvise(c, unix.MADV_HUGEPAGE)
	return c[:0]
}
