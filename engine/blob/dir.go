package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Dir is a Store in a local directory. ETags are content hashes. Conditional
// replaces (IfMatch) are serialised by a lock held in the process and, on
// Unix, an flock on <root>/.lock, so that two processes cannot both win.
type Dir struct {
	root string
	mu   sync.Mutex
}

// NewDir returns a Store rooted at dir, creating it (durably, see
// mkdirAllSync) if missing.
func NewDir(dir string) (*Dir, error) {
	if err := mkdirAllSync(dir); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", dir, err)
	}
	return &Dir{root: dir}, nil
}

func (d *Dir) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

func etag(b []byte) string {
	h := sha256.Sum256(b)
	return `"` + hex.EncodeToString(h[:16]) + `"`
}

// URL returns the object's local path.
func (d *Dir) URL(key string) string { return d.path(key) }

// Get reads the object.
func (d *Dir) Get(_ context.Context, key string) ([]byte, string, error) {
	b, err := os.ReadFile(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("blob: get %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("blob: get %s: %w", key, err)
	}
	return b, etag(b), nil
}

// Put writes the object durably: temp file in the same directory, fsync,
// then rename (or link for IfAbsent, which fails if the key exists), then
// fsync of the directory, whose error is returned: a Put that returns nil
// survives a power cut. Directories it creates are made durable the same way.
func (d *Dir) Put(_ context.Context, key string, data []byte, cond Cond) (string, error) {
	dst := d.path(key)
	if err := mkdirAllSync(filepath.Dir(dst)); err != nil {
		return "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("blob: put %s: sync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	switch {
	case cond.IfAbsent:
		if err := os.Link(tmp.Name(), dst); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return "", fmt.Errorf("blob: put %s: %w", key, ErrPrecondition)
			}
			return "", fmt.Errorf("blob: put %s: %w", key, err)
		}
	case cond.IfMatch != "":
		d.mu.Lock()
		defer d.mu.Unlock()
		unlock, err := lockFile(filepath.Join(d.root, ".lock"))
		if err != nil {
			return "", fmt.Errorf("blob: put %s: lock: %w", key, err)
		}
		defer unlock()
		cur, err := os.ReadFile(dst)
		if err != nil || etag(cur) != cond.IfMatch {
			return "", fmt.Errorf("blob: put %s: %w", key, ErrPrecondition)
		}
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return "", fmt.Errorf("blob: put %s: %w", key, err)
		}
	default:
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return "", fmt.Errorf("blob: put %s: %w", key, err)
		}
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	return etag(data), nil
}

// syncDir fsyncs a directory, making the names created, renamed or removed
// in it durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// mkdirAllSync is os.MkdirAll that also fsyncs the parent of every directory
// it creates, so a directory that exists when it returns nil is still there
// after a crash (a rename into a directory whose own entry was lost would be
// lost with it).
func mkdirAllSync(dir string) error {
	dir = filepath.Clean(dir)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSync(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made concurrently
		}
		return err
	}
	return syncDir(parent)
}

// List walks the directory for keys under prefix, skipping temp files.
func (d *Dir) List(_ context.Context, prefix string) ([]string, error) {
	var keys []string
	start := d.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = d.path(prefix[:i])
	}
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".tmp-") || e.Name() == ".lock" {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		k := filepath.ToSlash(rel)
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blob: list %s: %w", prefix, err)
	}
	sort.Strings(keys)
	return keys, nil
}

// Delete removes the object.
func (d *Dir) Delete(_ context.Context, key string) error {
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}
