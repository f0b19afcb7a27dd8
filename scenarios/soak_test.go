package scenarios_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

// TestMain removes the streamcheck binary that the tests running the
// engine or the compactor as a process build once per test process.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := scenarios.RemoveBuiltEngine(); err != nil {
		os.Stderr.WriteString("remove the built engine: " + err.Error() + "\n")
	}
	os.Exit(code)
}

// TestWithEngineBinary: a scenario with Kills runs the binary it is given,
// not one it finds or builds; a binary that is not there fails the run
// saying which.
func TestWithEngineBinary(t *testing.T) {
	s := scenarios.Scenario{Name: "sigkill", Kills: 1, Load: scenarios.Load{Rate: 800, Records: 2000}}
	bin := filepath.Join(t.TempDir(), "no-such-streamcheck")
	_, err := scenarios.Execute(t.Context(), s, scenarios.WithEngineBinary(bin), scenarios.WithDir(t.TempDir()), scenarios.WithProgress(io.Discard))
	if err == nil || !strings.Contains(err.Error(), bin) {
		t.Errorf("Execute with a missing engine binary: %v, want an error naming %s", err, bin)
	}
}
