package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// EnvEngineBinary is the environment variable naming a built streamcheck
// binary for scenarios that run the engine as a process (Scenario.Kills).
const EnvEngineBinary = "STREAMCHECK_ENGINE_BIN"

// enginePackage is the import path of the streamcheck command.
const enginePackage = "github.com/streamcheck/streamcheck/cmd/streamcheck"

// ErrNoEngineBinary is wrapped by EngineBinary's error when there is no
// binary to be had: none named, and no go command to build one.
var ErrNoEngineBinary = errors.New("no streamcheck binary to run the engine as a process")

var built struct {
	sync.Mutex
	dir, bin string
}

// EngineBinary returns a streamcheck binary to run the engine as a child
// process: the one EnvEngineBinary names; else the running executable when
// it is streamcheck itself (not a test binary); else one built with `go
// build` from the module the working directory lies in, once per process
// and reused (RemoveBuiltEngine deletes it).
func EngineBinary(ctx context.Context) (string, error) {
	if bin := os.Getenv(EnvEngineBinary); bin != "" {
		return bin, nil
	}
	if exe, err := os.Executable(); err == nil {
		base := strings.TrimSuffix(filepath.Base(exe), ".exe")
		if strings.HasPrefix(base, "streamcheck") && !strings.HasSuffix(base, ".test") {
			return exe, nil
		}
	}
	built.Lock()
	defer built.Unlock()
	if built.bin != "" {
		return built.bin, nil
	}
	dir, err := os.MkdirTemp("", "streamcheck-engine-")
	if err != nil {
		return "", fmt.Errorf("build the engine binary: %w", err)
	}
	bin := filepath.Join(dir, "streamcheck")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, enginePackage).CombinedOutput()
	if errors.Is(err, exec.ErrNotFound) {
		os.RemoveAll(dir)
		return "", fmt.Errorf("%w: set %s, or put the go command on PATH to build one: %w", ErrNoEngineBinary, EnvEngineBinary, err)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("build the engine binary (go build %s; or set %s): %w: %s", enginePackage, EnvEngineBinary, err, tail(string(out), 600))
	}
	built.dir, built.bin = dir, bin
	return bin, nil
}

// RemoveBuiltEngine deletes the binary EngineBinary built, if any. Call it
// when the process is done with scenarios (a TestMain, say).
func RemoveBuiltEngine() error {
	built.Lock()
	defer built.Unlock()
	if built.dir == "" {
		return nil
	}
	err := os.RemoveAll(built.dir)
	built.dir, built.bin = "", ""
	return err
}
