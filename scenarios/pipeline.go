package scenarios

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/streamcheck/streamcheck/engine"
)

// Pipeline is what a scenario tests: streamcheck's engine (Engine, in this
// process; EngineProcess, as a `streamcheck run` child) or any program that
// reads the scenario's stream or topic and writes to its bucket (Command).
// The runner starts it, kills and restarts it as the scenario says, stops it
// once it has drained, and judges what it wrote.
type Pipeline interface {
	// Start starts one run of the pipeline against env and returns at
	// once. Every restart is another Start on the same env.
	Start(ctx context.Context, env Env) (Process, error)
}

// Process is one run of a Pipeline.
type Process interface {
	// Exited is closed once the run has ended.
	Exited() <-chan struct{}
	// Wait waits for the end of the run and says how it ended: nil for a
	// clean exit, an *ExitError for a process that exited with a status
	// or a signal.
	Wait() error
	// Kill ends the run at once: SIGKILL of a process's whole process
	// group (JVM and Spark pipelines fork children), and for the engine
	// in this process the cancellation of its context. It does not wait.
	Kill() error
	// Stop asks the run to end, with sig for a process, and kills it when
	// it has not ended after grace. It waits for the end and returns
	// ErrGraceExceeded when the kill was needed.
	Stop(sig os.Signal, grace time.Duration) error
	// StderrTail returns the last lines the run wrote to its standard
	// error ("" for the engine in this process).
	StderrTail() string
}

// ErrGraceExceeded is returned by Process.Stop for a run that did not end
// within its grace period after the stop signal and was killed.
var ErrGraceExceeded = errors.New("did not stop within its grace period and was killed with SIGKILL")

// ExitError is how a pipeline process ended when it did not exit cleanly.
type ExitError struct {
	// Command is the process's command line, shortened.
	Command string
	// Status is the exit status, -1 when a signal ended it.
	Status int
	// Signal is the signal that ended it, "" when it exited.
	Signal string
	// Ran is how long it ran.
	Ran time.Duration
	// Stderr is the tail of its standard error.
	Stderr string
}

func (e *ExitError) Error() string {
	how := fmt.Sprintf("exited with status %d", e.Status)
	if e.Signal != "" {
		how = "was ended by " + e.Signal
	}
	msg := fmt.Sprintf("%s %s after %s", e.Command, how, e.Ran.Round(time.Millisecond))
	if e.Stderr != "" {
		msg += "; its last stderr lines:\n" + indent(e.Stderr)
	}
	return msg
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    | " + l
	}
	return strings.Join(lines, "\n")
}

// Engine is streamcheck's engine run in this process on the job the
// scenario builds (Setup.Job). It is the pipeline of a Scenario whose
// Pipeline is nil and whose Kills is 0. It is the one pipeline that honours
// Scenario.Crashes: each run stops dead at the next crash point.
type Engine struct{}

// Start runs the engine on env.Job until the stream is idle for a window,
// or until its crash point.
func (Engine) Start(ctx context.Context, env Env) (Process, error) {
	if env.Job == nil {
		return nil, errors.New("engine: the run has no job")
	}
	logger := env.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	eopts := []engine.Option{engine.WithAWSConfig(env.Stack.AWSConfig), engine.WithUntilIdle(), engine.WithLogger(logger)}
	if env.crash != nil {
		eopts = append(eopts, engine.WithCrashPoint(*env.crash))
	}
	if env.clock != nil {
		eopts = append(eopts, engine.WithClock(env.clock))
	}
	eng, err := engine.New(env.Job, eopts...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &inProcess{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = eng.Run(ctx)
		cancel()
	}()
	return p, nil
}

// inProcess is a run of the engine in this process.
type inProcess struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (p *inProcess) Exited() <-chan struct{} { return p.done }
func (p *inProcess) Wait() error             { <-p.done; return p.err }
func (p *inProcess) Kill() error             { p.cancel(); return nil }
func (p *inProcess) StderrTail() string      { return "" }

func (p *inProcess) Stop(_ os.Signal, _ time.Duration) error {
	p.cancel()
	<-p.done
	return nil
}

// EngineProcess is streamcheck's engine as a child process: Binary (a built
// streamcheck) with `run --job JOB --until-idle`, JOB being the scenario's
// job written to the run's directory, against the stack's endpoints. It is
// the pipeline of a Scenario whose Pipeline is nil and whose Kills is
// positive, with EngineBinary's binary.
type EngineProcess struct {
	// Binary is the streamcheck binary.
	Binary string
}

// errLeaseBusy is what an engine process's Wait returns when the engine
// refused to start because a killed predecessor's lease has not expired.
var errLeaseBusy = errors.New("the checkpoint is still leased by the killed engine")

// Start starts the engine process.
func (p EngineProcess) Start(ctx context.Context, env Env) (Process, error) {
	if p.Binary == "" {
		return nil, errors.New("engine process: no binary")
	}
	if env.JobFile == "" {
		return nil, errors.New("engine process: the run has no job file")
	}
	proc, err := startProcess(ctx, []string{p.Binary, "run", "--job", env.JobFile, "--until-idle"}, "", append(os.Environ(), env.Stack.Env()...), nil)
	if err != nil {
		return nil, err
	}
	return &engineProc{proc}, nil
}

type engineProc struct{ *osProcess }

func (p *engineProc) Wait() error {
	err := p.osProcess.Wait()
	if err != nil && strings.Contains(p.StderrTail(), "in use by another engine") {
		return fmt.Errorf("%w: %w", errLeaseBusy, err)
	}
	return err
}

// isEngine reports whether p runs streamcheck's engine on the job the
// scenario builds.
func isEngine(p Pipeline) bool {
	switch p.(type) {
	case nil, Engine, *Engine, EngineProcess, *EngineProcess:
		return true
	}
	return false
}

// tailBuffer keeps the last bytes written to it, for a process's stderr.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// lines returns the last n lines.
func (b *tailBuffer) lines(n int) string {
	b.mu.Lock()
	s := string(b.buf)
	b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
