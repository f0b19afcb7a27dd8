//go:build unix

package s3fake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on dir, so that two servers never share a
// data directory. The lock is released when the returned file is closed.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("s3fake: lock data dir %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("s3fake: lock data dir %s: %w", dir, ErrDataDirInUse)
		}
		return nil, fmt.Errorf("s3fake: lock data dir %s: %w", dir, err)
	}
	return f, nil
}
