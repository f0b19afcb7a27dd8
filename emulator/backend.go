package emulator

import (
	"context"
	"fmt"
	"sync"
)

// A BackendFunc starts a Stack on a backend that lives in its own package
// and registers itself with RegisterBackend, as emulator/containers does. It
// returns what it started even on error, with closers registered through
// Stack.OnClose, so Start can close it.
type BackendFunc func(ctx context.Context, c BackendConfig) (*Stack, error)

// BackendConfig is what Start hands a registered backend: the settings of
// its options that apply outside the embedded backend.
type BackendConfig struct {
	// Region is the region the stack should serve; never "".
	Region string
	// LocalStackImage and KafkaImage are the images of WithLocalStackImage
	// and WithKafkaImage; "" means the backend's default.
	LocalStackImage string
	KafkaImage      string
	// Getenv reads the environment (WithGetenv; os.Getenv by default).
	Getenv func(string) string
}

var (
	backendsMu sync.RWMutex
	backends   = map[Backend]BackendFunc{}
)

// RegisterBackend makes the backend b available to Start. It is meant to be
// called from the init function of the package that implements b (import
// "github.com/streamcheck/streamcheck/emulator/containers" for Containers),
// so that a program that never uses a backend does not link its
// dependencies. It panics if f is nil or b is already registered, as
// database/sql.Register does.
func RegisterBackend(b Backend, f BackendFunc) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if f == nil {
		panic(fmt.Sprintf("emulator: RegisterBackend(%q) with a nil function", b))
	}
	if _, dup := backends[b]; dup || b == Embedded || b == External {
		panic(fmt.Sprintf("emulator: RegisterBackend(%q) called twice", b))
	}
	backends[b] = f
}

func registered(b Backend) (BackendFunc, bool) {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	f, ok := backends[b]
	return f, ok
}

// OnClose registers f to run when the stack is closed, after everything
// registered later (closers run in reverse order). Backends use it for the
// processes and containers they start.
func (s *Stack) OnClose(f func() error) { s.closers = append(s.closers, f) }
