package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports", "run")
	for range 2 { // a second write replaces the first
		if err := WriteDir(dir, sampleRun()); err != nil {
			t.Fatalf("WriteDir: %v", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, ","), "junit.xml,report.html,report.json"; got != want {
		t.Errorf("files: got %s, want %s (no temporary files left)", got, want)
	}
	f, err := os.Open(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runs, err := ReadJSON(f)
	if err != nil || len(runs) != 1 || runs[0].Name != sampleRun().Name {
		t.Errorf("report.json: got %d runs, %v", len(runs), err)
	}
}

func TestWriteDirReportsBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteDir(filepath.Join(file, "sub"), sampleRun())
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("WriteDir under a file: got %v, want an error naming %s", err, file)
	}
}
