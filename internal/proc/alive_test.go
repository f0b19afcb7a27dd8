package proc_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/streamcheck/streamcheck/internal/proc"
)

func TestAlive(t *testing.T) {
	if !proc.Alive(os.Getpid()) {
		t.Fatal("this process should be alive")
	}
	if proc.Alive(0) || proc.Alive(-1) {
		t.Fatal("pids <= 0 are never alive")
	}
	if runtime.GOOS == "windows" {
		t.Skip("a finished process cannot be told from a live one on windows")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("needs the true command: %v", err)
	}
	if proc.Alive(cmd.Process.Pid) {
		t.Fatalf("pid %d has exited and been reaped; Alive should be false", cmd.Process.Pid)
	}
}
