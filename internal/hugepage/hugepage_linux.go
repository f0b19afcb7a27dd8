package hugepage

import (
	"bytes"
	"os"
	"sync"
	"syscall"
)

// Enabled reports whether Advise has an effect: the system's transparent
// huge pages are in mode "madvise".
func Enabled() bool { return madviseMode() }

var madviseMode = sync.OnceValue(func() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && bytes.Contains(b, []byte("[madvise]"))
})

func advise(p, n uintptr) {
	if !Enabled() {
		return
	}
	lo := p &^ (arenaBytes - 1)
	hi := (p + n + arenaBytes - 1) &^ (arenaBytes - 1)
	// A hint: an error (ENOMEM where part of the range is not mapped,
	// which still marks the part that is) leaves the memory as it was.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE)
}
