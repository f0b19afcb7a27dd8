// Package hugepage asks Linux to back the Go heap with transparent huge
// pages where the system leaves that to each program (THP mode "madvise",
// the default of Debian and Ubuntu).
//
// A batch engine's heap rises and falls with every batch. Between batches
// the Go runtime hands the freed memory back to the kernel, so each batch
// faults its memory in again, a 4 KiB page at a time; on a virtual machine
// a fault costs several microseconds, and a batch of 100,000 records
// touches tens of thousands of pages. Memory the kernel may back with huge
// pages is faulted in 2 MiB at a time instead.
//
// The runtime reserves its heap in arenas (64 MiB on 64-bit platforms)
// aligned to their size. Advise marks the whole arena holding a buffer, so
// that everything the runtime later places there is eligible, not only the
// buffer. The runtime maps an arena's memory a few MiB at a time as the
// heap grows, and a part mapped after Advise is not marked: call Advise on
// a batch's large buffers as each batch makes them. Under mode "always"
// the heap is eligible already and under "never" it cannot be; Advise then
// does nothing, as on other systems.
package hugepage

import "unsafe"

// arenaBytes is the size and alignment of the Go runtime's heap arenas
// on Linux (runtime.heapArenaBytes): 64 MiB on 64-bit platforms, 4 MiB on
// 32-bit ones.
const arenaBytes = 1 << (22 + 4*is64)

const is64 = unsafe.Sizeof(uintptr(0)) / 8 // 1 on 64-bit platforms, else 0

// Advise marks the heap arenas that hold s's backing array as eligible
// for transparent huge pages, where Enabled: one system call. It is a hint:
// the memory and its contents are unchanged.
func Advise[T any](s []T) {
	if cap(s) == 0 {
		return
	}
	var zero T
	advise(uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(cap(s))*unsafe.Sizeof(zero))
}
