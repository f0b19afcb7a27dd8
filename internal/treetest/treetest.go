// Package treetest lists, copies and thins out directory trees in tests:
// the scenarios' must-reject checks run on a copy of a run's files with some
// of them spoilt or removed.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// List returns the files under dir, relative to it, with slashes, in
// lexical order.
func List(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	return out
}

// Remove deletes the first n files of List(dir), or all of them when n < 0.
func Remove(t testing.TB, dir string, n int) {
	t.Helper()
	for i, f := range List(t, dir) {
		if n >= 0 && i >= n {
			return
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
}

// Copy copies the files under from to the same paths under to, creating
// directories as needed.
func Copy(t testing.TB, from, to string) {
	t.Helper()
	for _, f := range List(t, from) {
		b, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(to, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
