package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// EnvSoak is the environment variable that sets how many times the SIGKILL
// soak kills the engine process; see WithEngineProcess.
const EnvSoak = "STREAMCHECK_SOAK"

// WithEngineProcess runs the engine as a real child process, bin (a built
// streamcheck binary) with `run --job JOB --until-idle`, against the stack's
// endpoints (emulator.Stack.Env), instead of in this process. The run kills
// it with SIGKILL kills times, each at a moment drawn from the seed between
// 200 ms and 1.5 s after its start, and starts it again on the same
// checkpoint, as a supervisor restarts a killed Glue job; a start refused
// because the dead process's lease has not expired yet is retried. The
// scenario's Crashes are not used in this mode.
func WithEngineProcess(bin string, kills int) Option {
	return optionFunc(func(o *options) error {
		if bin == "" || kills < 0 {
			return fmt.Errorf("WithEngineProcess(%q, %d): want a binary and zero or more kills", bin, kills)
		}
		o.engineBin, o.kills = bin, kills
		return nil
	})
}

// WithEngineBinary names the streamcheck binary that scenarios with Kills
// run as the engine process, instead of the one EngineBinary finds. The
// CLI passes its own executable.
func WithEngineBinary(bin string) Option {
	return optionFunc(func(o *options) error { o.binary = bin; return nil })
}

// errKilled is what runProcess returns for a child it killed.
var errKilled = errors.New("engine process killed with SIGKILL")

// runProcess runs the engine binary once on job, killing it after killAfter
// when that is positive. It returns errKilled for a kill, nil for a clean
// exit after the stream went idle, and otherwise an error with the end of
// the child's stderr.
func runProcess(ctx context.Context, bin, job string, stack *emulator.Stack, killAfter time.Duration) error {
	cmd := exec.CommandContext(ctx, bin, "run", "--job", job, "--until-idle")
	cmd.Env = append(os.Environ(), stack.Env()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if killAfter > 0 {
		t := time.NewTimer(killAfter)
		defer t.Stop()
		timer = t.C
	}
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("engine process: %w: %s", err, tail(stderr.String(), 600))
		}
		return nil
	case <-timer:
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			return fmt.Errorf("kill engine process %d: %w", cmd.Process.Pid, err)
		}
		<-done
		return errKilled
	}
}

// killSchedule draws the moments of the kills from the seed.
func killSchedule(seed uint64, kills int) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 0x5191c))
	out := make([]time.Duration, kills)
	for i := range out {
		out[i] = 200*time.Millisecond + time.Duration(rng.Int64N(int64(1300*time.Millisecond)))
	}
	return out
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// runProcesses runs the engine process until the load is over and the
// stream drained, with the kills of o.
func runProcesses(ctx context.Context, o *options, res *Result, stack *emulator.Stack, seed uint64, loadDone <-chan struct{}, say func(string, ...any)) error {
	kills := killSchedule(seed, o.kills)
	killed := 0
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("engine process run %d: %w", res.EngineRuns+1, err)
		}
		loadOver := closed(loadDone)
		var after time.Duration
		if killed < len(kills) {
			after = kills[killed]
		}
		res.EngineRuns++
		err := runProcess(ctx, o.engineBin, res.Job, stack, after)
		switch {
		case errors.Is(err, errKilled):
			killed++
			res.Crashes = append(res.Crashes, fmt.Sprintf("SIGKILL %v after start", after.Round(time.Millisecond)))
			say("engine process killed with SIGKILL %v after its start (%d of %d); restarting it", after.Round(time.Millisecond), killed, len(kills))
			res.timeline.add(report.KindCrash, "SIGKILL of the engine process %v after its start", after.Round(time.Millisecond))
			continue
		case err != nil && strings.Contains(err.Error(), "in use by another engine"):
			// The killed process's lease has not expired yet.
			if err := sleep(ctx, 500*time.Millisecond); err != nil {
				return fmt.Errorf("wait for the killed engine's lease: %w", err)
			}
			continue
		case err != nil:
			return err
		}
		if loadOver {
			if killed < len(kills) {
				res.failf("the engine process was killed %d times, want %d (the load ended first)", killed, len(kills))
			}
			return nil
		}
	}
}
