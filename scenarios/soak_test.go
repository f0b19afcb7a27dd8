package scenarios_test

import (
	"os"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

// TestMain removes the streamcheck binary that the SIGKILL soak
// (sigkill-soak in the catalog) builds once per test process, and the
// catalog runs' files.
func TestMain(m *testing.M) {
	code := m.Run()
	scenarios.RemoveCatalogRuns()
	if err := scenarios.RemoveBuiltEngine(); err != nil {
		os.Stderr.WriteString("remove the built engine: " + err.Error() + "\n")
	}
	os.Exit(code)
}
