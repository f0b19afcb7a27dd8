package blob_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamcheck/streamcheck/engine/blob"
)

func TestDirCreatesNestedDirectories(t *testing.T) {
	root := filepath.Join(t.TempDir(), "new", "root")
	d, err := blob.NewDir(root)
	if err != nil {
		t.Fatalf("NewDir(%s): %v", root, err)
	}
	if _, err := d.Put(t.Context(), "a/b/c/obj", []byte("x"), blob.Cond{}); err != nil {
		t.Fatalf("Put a/b/c/obj: %v", err)
	}
	got, _, err := d.Get(t.Context(), "a/b/c/obj")
	if err != nil || string(got) != "x" {
		t.Errorf("Get a/b/c/obj = %q, %v; want \"x\"", got, err)
	}
}

func TestDirPutUnderAFileFails(t *testing.T) {
	root := t.TempDir()
	d, err := blob.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a"), []byte("file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(t.Context(), "a/b", []byte("x"), blob.Cond{}); err == nil {
		t.Error("Put a/b where a is a file succeeded, want an error")
	}
	if _, err := blob.NewDir(filepath.Join(root, "a")); err == nil {
		t.Error("NewDir on a file succeeded, want an error")
	}
}
