//go:build !linux

package hugepage

// Enabled reports whether Advise has an effect: never, outside Linux.
func Enabled() bool { return false }

func advise(p, n uintptr) {}
