package treetest_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/streamcheck/streamcheck/internal/treetest"
)

func TestCopyListRemove(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	for _, f := range []string{"b/2.json", "a.txt", "b/c/3.parquet"} {
		p := filepath.Join(from, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	treetest.Copy(t, from, to)
	want := []string{"a.txt", "b/2.json", "b/c/3.parquet"}
	if got := treetest.List(t, to); !slices.Equal(got, want) {
		t.Fatalf("List after Copy = %v, want %v", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(to, "b", "c", "3.parquet")); string(b) != "b/c/3.parquet" {
		t.Errorf("copied content %q, want b/c/3.parquet", b)
	}
	treetest.Remove(t, to, 1)
	if got := treetest.List(t, to); !slices.Equal(got, want[1:]) {
		t.Errorf("List after Remove(1) = %v, want %v", got, want[1:])
	}
	treetest.Remove(t, to, -1)
	if got := treetest.List(t, to); len(got) != 0 {
		t.Errorf("List after Remove(-1) = %v, want none", got)
	}
}
