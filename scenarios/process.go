package scenarios

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
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
