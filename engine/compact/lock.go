package compact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/internal/proc"
)

// ErrLocked is returned by Run when another compactor holds the lock.
var ErrLocked = errors.New("compact: checkpoint in use by another compactor")

// lockFile is the content of compactions/LOCK.
type lockFile struct {
	Version    int       `json:"version"`
	Instance   string    `json:"instance"`
	Host       string    `json:"host"`
	PID        int       `json:"pid"`
	AcquiredAt time.Time `json:"acquired_at"`
}

// live holds the instances of this process that hold a lock, so that a
// lock left by a compactor of this process that returned without releasing
// it (a failed store) can be told from one still running.
var (
	live      sync.Map
	instances atomic.Int64
)

func newInstance() string {
	return strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(instances.Add(1), 10)
}

// acquire creates the lock, or takes over a stale one: left by a dead
// process of this host, by a finished compactor of this process, or older
// than Config.LockTimeout.
func (c *Compactor) acquire(ctx context.Context) error {
	host, _ := os.Hostname()
	mine := lockFile{Version: Version, Instance: c.instance, Host: host, PID: os.Getpid(), AcquiredAt: c.clk.Now().UTC()}
	b, err := json.Marshal(mine)
	if err != nil {
		return fmt.Errorf("compact: encode lock: %w", err)
	}
	_, err = c.cp.Put(ctx, LockKey, b, blob.Cond{IfAbsent: true})
	if err == nil {
		live.Store(c.instance, true)
		return nil
	}
	if !errors.Is(err, blob.ErrPrecondition) {
		return fmt.Errorf("compact: create lock %s: %w", c.cp.URL(LockKey), err)
	}
	old, etag, err := c.cp.Get(ctx, LockKey)
	if err != nil {
		return fmt.Errorf("compact: read lock %s: %w", c.cp.URL(LockKey), err)
	}
	var held lockFile
	if err := json.Unmarshal(old, &held); err != nil {
		return fmt.Errorf("compact: read lock %s: %w", c.cp.URL(LockKey), err)
	}
	if !c.stale(held, host) {
		return fmt.Errorf("%w: %s held by pid %d on %s since %s", ErrLocked, c.cp.URL(LockKey), held.PID, held.Host, held.AcquiredAt.Format(time.RFC3339))
	}
	if _, err := c.cp.Put(ctx, LockKey, b, blob.Cond{IfMatch: etag}); err != nil {
		if errors.Is(err, blob.ErrPrecondition) {
			return fmt.Errorf("%w: %s taken over by another compactor", ErrLocked, c.cp.URL(LockKey))
		}
		return fmt.Errorf("compact: take over lock %s: %w", c.cp.URL(LockKey), err)
	}
	live.Store(c.instance, true)
	return nil
}

func (c *Compactor) stale(held lockFile, host string) bool {
	if held.Host == host {
		if held.PID == os.Getpid() {
			_, running := live.Load(held.Instance)
			return !running
		}
		if !proc.Alive(held.PID) {
			return true
		}
	}
	return c.clk.Now().Sub(held.AcquiredAt) > c.cfg.LockTimeout
}

// release deletes the lock if it is still this compactor's.
func (c *Compactor) release(ctx context.Context) error {
	defer live.Delete(c.instance)
	b, _, err := c.cp.Get(ctx, LockKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("compact: read lock %s: %w", c.cp.URL(LockKey), err)
	}
	var held lockFile
	if json.Unmarshal(b, &held) == nil && held.Instance != c.instance {
		return nil
	}
	if err := c.cp.Delete(ctx, LockKey); err != nil {
		return fmt.Errorf("compact: release lock %s: %w", c.cp.URL(LockKey), err)
	}
	return nil
}
