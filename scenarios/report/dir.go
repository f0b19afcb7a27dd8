package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The file names WriteDir writes.
const (
	HTMLFile  = "report.html"
	JSONFile  = "report.json"
	JUnitFile = "junit.xml"
)

// WriteDir writes runs into dir, creating it if needed, as HTMLFile,
// JSONFile and JUnitFile (with the suite name "streamcheck"). Each file
// is written to a temporary file, synced and renamed into place, so a
// reader never sees half a report; existing reports are replaced.
func WriteDir(dir string, runs ...Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: create %s: %w", dir, err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{HTMLFile, func(w io.Writer) error { return WriteHTML(w, runs...) }},
		{JSONFile, func(w io.Writer) error { return WriteJSON(w, runs...) }},
		{JUnitFile, func(w io.Writer) error { return WriteJUnit(w, "streamcheck", runs...) }},
	}
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes data to path through a synced temporary file in the
// same directory and a rename.
func writeFile(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("report: sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("report: close %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: rename into %s: %w", path, err)
	}
	return nil
}
