package hugepage

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseMarksTheArena checks, in /proc/self/smaps, that the mapping
// holding a buffer and the rest of its arena carry the kernel's "hg" flag
// (MADV_HUGEPAGE) after Advise, and that an arena Advise was not given
// does not.
func TestAdviseMarksTheArena(t *testing.T) {
	if !Enabled() {
		t.Skip("transparent huge pages are not in mode madvise here (/sys/kernel/mm/transparent_hugepage/enabled); Advise does nothing")
	}
	// A buffer of 1 MiB in one arena, and one of more than an arena, so
	// that its last byte is in an arena that does not hold the first.
	a := make([]byte, 1<<20)
	b := make([]byte, arenaBytes+1)
	pa := uintptr(unsafe.Pointer(&a[0]))
	pb := uintptr(unsafe.Pointer(&b[len(b)-1]))
	arena := pa &^ (arenaBytes - 1)
	if arena == pb&^(arenaBytes-1) {
		t.Fatal("both buffers end in one arena")
	}
	if flags := vmFlags(t, pb); strings.Contains(flags, " hg") {
		t.Skipf("the arena at %#x was marked before this test (flags%s)", pb, flags)
	}
	Advise(a)
	// The whole arena, not only the buffer: its first and last bytes.
	for _, p := range []uintptr{pa, arena, arena + arenaBytes - 1} {
		if flags := vmFlags(t, p); !strings.Contains(flags, " hg") {
			t.Errorf("%#x (buffer at %#x): VmFlags%s, want hg", p, pa, flags)
		}
	}
	if flags := vmFlags(t, pb); strings.Contains(flags, " hg") {
		t.Errorf("%#x, in an arena never advised: VmFlags%s", pb, flags)
	}
	Advise(b)
	if flags := vmFlags(t, pb); !strings.Contains(flags, " hg") {
		t.Errorf("%#x after Advise(b): VmFlags%s, want hg", pb, flags)
	}
	Advise([]int(nil)) // nothing to mark
}

// vmFlags returns the VmFlags line (after its name) of the mapping of
// /proc/self/smaps that holds address p.
func vmFlags(t *testing.T, p uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= p && p < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimPrefix(line, "VmFlags:")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping holds %#x", p)
	return ""
}

// mappingRange parses a mapping's first line, "lo-hi perms ...".
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	r, _, _ := strings.Cut(line, " ")
	l, h, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(l, 16, 64)
	b, err2 := strconv.ParseUint(h, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(a), uintptr(b), true
}
