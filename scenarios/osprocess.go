package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// DefaultStderrLines is how many of a process's last stderr lines a verdict
// and the report show.
const DefaultStderrLines = 20

// osProcess is a pipeline run as a child process in a process group of its
// own, so that a kill reaches every process it forked.
type osProcess struct {
	cmd     *exec.Cmd
	name    string
	started time.Time
	stderr  *tailBuffer
	done    chan struct{}
	err     error
}

// startProcess starts argv in dir with env (KEY=value lines); its stderr is
// kept in a tail buffer and copied to log when that is not nil.
func startProcess(_ context.Context, argv []string, dir string, env []string, log io.Writer) (*osProcess, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	setProcessGroup(cmd)
	p := &osProcess{cmd: cmd, name: shortCommand(argv), stderr: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if log != nil {
		cmd.Stderr = io.MultiWriter(p.stderr, log)
		cmd.Stdout = log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", p.name, err)
	}
	p.started = time.Now()
	go func() {
		defer close(p.done)
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			x := &ExitError{Command: p.name, Status: ee.ExitCode(), Ran: time.Since(p.started), Stderr: p.StderrTail()}
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				x.Signal = ws.Signal().String()
			}
			err = x
		}
		p.err = err
	}()
	return p, nil
}

func (p *osProcess) Exited() <-chan struct{} { return p.done }
func (p *osProcess) Wait() error             { <-p.done; return p.err }
func (p *osProcess) StderrTail() string      { return p.stderr.lines(DefaultStderrLines) }

func (p *osProcess) Kill() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := signalGroup(p.cmd, syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	return nil
}

func (p *osProcess) Stop(sig os.Signal, grace time.Duration) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		s = syscall.SIGTERM
	}
	if err := signalGroup(p.cmd, s); err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
	}
	if err := p.Kill(); err != nil {
		return err
	}
	<-p.done
	return ErrGraceExceeded
}

// shortCommand renders argv for messages, shortened.
func shortCommand(argv []string) string {
	s := strings.Join(argv, " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
