package scenarios

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator"
)

// Run executes s inside a test: the stack and the run's directory are the
// test's (t.TempDir), the engine's progress goes to t.Log, and a run that
// could not be carried out or did not meet its expectations fails the test
// with the seed and the command that replays it. Pass WithSeed to fix the
// seed; otherwise STREAMCHECK_SEED or DefaultSeed applies. A scenario with
// emulator faults is skipped on a backend that cannot inject them, and one
// that runs the engine as a process where no streamcheck binary can be had.
func Run(t testing.TB, s Scenario, opts ...Option) *Result {
	t.Helper()
	o := append([]Option{WithDir(t.TempDir()), WithProgress(testWriter{t})}, opts...)
	resolved, err := newOptions(o)
	if err != nil {
		t.Fatalf("scenario %s: %v", s.Name, err)
		return nil
	}
	if b := resolved.getenv(emulator.EnvBackend); len(s.Faults) > 0 && b != "" && b != string(emulator.Embedded) {
		t.Skipf("scenario %s injects emulator faults, which need the embedded backend (%s=%s)", s.Name, emulator.EnvBackend, b)
	}
	res, err := Execute(t.Context(), s, o...)
	if errors.Is(err, emulator.ErrFaultsUnavailable) {
		t.Skipf("scenario %s injects emulator faults, which need the embedded backend: %v", s.Name, err)
	}
	if errors.Is(err, ErrNoEngineBinary) {
		t.Skipf("scenario %s runs the engine as a process: %v", s.Name, err)
	}
	if err != nil {
		seed, _ := resolved.resolveSeed()
		t.Fatalf("scenario %s (seed %d) could not run: %v\nreplay: %s", s.Name, seed, err, testReplay(t, resolved, seed))
		return nil
	}
	if !res.Passed {
		res.Replay = testReplay(t, resolved, res.Seed)
		t.Errorf("scenario %s failed (seed %d):\n  - %s\nreplay: %s", s.Name, res.Seed, strings.Join(res.Failures, "\n  - "), res.Replay)
	}
	return res
}

// testReplay is the command that replays the current test with seed: the
// one WithReplay gave, else the go test command of the test.
func testReplay(t testing.TB, o *options, seed uint64) string {
	if o.replay != "" {
		return expandReplay(o.replay, seed)
	}
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	pkg := "."
	if wd, err := os.Getwd(); err == nil && strings.HasSuffix(wd, string(os.PathSeparator)+"scenarios") {
		pkg = "./scenarios"
	}
	return fmt.Sprintf("%s=%d go test %s -run '%s'", EnvSeed, seed, pkg, strings.Join(parts, "/"))
}

// testWriter writes progress lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
