package scenarios_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/scenarios"
)

// TestSIGKILLSoak builds the streamcheck binary, runs `streamcheck run --job`
// as a child process against the in-process stack, kills it with SIGKILL at
// moments drawn from the seed STREAMCHECK_SOAK times, restarts it each
// time, and verifies the output exactly once. It is opt-in, since building
// the binary (DuckDB included) takes a while: STREAMCHECK_SOAK=3 go test
// ./scenarios -run TestSIGKILLSoak.
func TestSIGKILLSoak(t *testing.T) {
	v := os.Getenv(scenarios.EnvSoak)
	if v == "" {
		t.Skipf("the SIGKILL soak builds the streamcheck binary; set %s=N (e.g. 3) to run it with N kills", scenarios.EnvSoak)
	}
	kills, err := strconv.Atoi(v)
	if err != nil || kills < 1 {
		t.Fatalf("%s=%q: want a positive number of kills", scenarios.EnvSoak, v)
	}
	bin := filepath.Join(t.TempDir(), "streamcheck")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "../cmd/streamcheck")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ../cmd/streamcheck: %v\n%s", err, out)
	}
	s := scenarios.Scenario{
		Name:        "sigkill-soak",
		Description: "The engine runs as a real process and is killed with SIGKILL at seeded moments, then restarted on its checkpoint; every record still arrives once.",
		Load:        scenarios.Load{Rate: 500, Records: int64(3000 * kills)},
	}
	res := scenarios.Run(t, s, scenarios.WithEngineProcess(bin, kills), scenarios.WithTimeout(time.Minute+time.Duration(kills)*20*time.Second))
	if res != nil {
		t.Logf("sigkill-soak: %d kills, %d engine runs, %d delivered, %d duplicated, %v", len(res.Crashes), res.EngineRuns, res.Delivered, res.Duplicated, res.Elapsed)
		if len(res.Crashes) != kills {
			t.Errorf("%d kills, want %d", len(res.Crashes), kills)
		}
	}
}
