//go:build !unix

package s3fake

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir opens a lock file in dir; off Unix it does not stop a second
// server from using the same directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("s3fake: lock data dir %s: %w", dir, err)
	}
	return f, nil
}
