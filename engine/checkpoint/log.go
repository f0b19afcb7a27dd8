package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/internal/proc"
)

// ErrLocked is returned by Open when another live engine holds the lease.
var ErrLocked = errors.New("checkpoint: in use by another engine")

// ErrLeaseLost is returned when another engine has taken the lease over.
var ErrLeaseLost = errors.New("checkpoint: lease taken over by another engine")

// ErrExists is returned by Plan and Commit when the file is already there:
// another engine wrote it.
var ErrExists = errors.New("checkpoint: already written")

// DefaultLeaseTimeout is the lease's lifetime when Options.LeaseTimeout is 0.
const DefaultLeaseTimeout = 5 * time.Minute

// Options configure Open.
type Options struct {
	Job          string        // the job name written in metadata
	LeaseTimeout time.Duration // how long a lease lasts without renewal; DefaultLeaseTimeout if 0
	Clock        clock.Clock   // clock.Real() if nil
	ID           string        // the new checkpoint's id and this owner's instance id; required
}

// Log is an open checkpoint held under a lease.
type Log struct {
	store    blob.Store
	opts     Options
	lease    Lease
	etag     string
	mu       sync.Mutex
	Metadata Metadata
}

// live lists the engines of this process that hold a lease; a crashed one is
// removed without releasing, so that a restart in the same process may take
// over at once.
var live sync.Map

// Open reads or creates the checkpoint in store and takes its lease.
func Open(ctx context.Context, store blob.Store, opts Options) (*Log, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.LeaseTimeout <= 0 {
		opts.LeaseTimeout = DefaultLeaseTimeout
	}
	if opts.ID == "" {
		return nil, errors.New("checkpoint: open: Options.ID is required")
	}
	l := &Log{store: store, opts: opts}
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	b, _, err := store.Get(ctx, "metadata")
	switch {
	case errors.Is(err, blob.ErrNotFound):
		l.Metadata = Metadata{Version: Version, ID: opts.ID, CreatedAt: opts.Clock.Now().UTC(), Job: opts.Job}
		data, _ := json.Marshal(l.Metadata)
		_, err := store.Put(ctx, "metadata", data, blob.Cond{IfAbsent: true})
		switch {
		case errors.Is(err, blob.ErrPrecondition):
			// Written meanwhile: its id, not ours, names the checkpoint
			// (exactly-once object names carry it).
			if err := l.readMetadata(ctx); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, fmt.Errorf("checkpoint: write metadata: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("checkpoint: read metadata: %w", err)
	default:
		if err := json.Unmarshal(b, &l.Metadata); err != nil {
			return nil, fmt.Errorf("checkpoint: read metadata %s: %w", store.URL("metadata"), err)
		}
	}
	return l, nil
}

func (l *Log) readMetadata(ctx context.Context) error {
	b, _, err := l.store.Get(ctx, "metadata")
	if err != nil {
		return fmt.Errorf("checkpoint: read metadata: %w", err)
	}
	l.Metadata = Metadata{}
	if err := json.Unmarshal(b, &l.Metadata); err != nil {
		return fmt.Errorf("checkpoint: read metadata %s: %w", l.store.URL("metadata"), err)
	}
	return nil
}

func (l *Log) acquire(ctx context.Context) error {
	host, _ := os.Hostname()
	now := l.opts.Clock.Now().UTC()
	me := Lease{Host: host, PID: os.Getpid(), Instance: l.opts.ID, AcquiredAt: now, ExpiresAt: now.Add(l.opts.LeaseTimeout)}
	me.Owner = fmt.Sprintf("%s/%d/%s", me.Host, me.PID, me.Instance)
	data, _ := json.Marshal(me)
	cur, tag, err := l.store.Get(ctx, "lease")
	var cond blob.Cond
	switch {
	case errors.Is(err, blob.ErrNotFound):
		cond = blob.Cond{IfAbsent: true}
	case err != nil:
		return fmt.Errorf("checkpoint: read lease: %w", err)
	default:
		var old Lease
		if err := json.Unmarshal(cur, &old); err != nil {
			return fmt.Errorf("checkpoint: read lease %s: %w", l.store.URL("lease"), err)
		}
		if !takeable(old, host, now) {
			return fmt.Errorf("%w: lease held by %s until %s", ErrLocked, old.Owner, old.ExpiresAt.Format(time.RFC3339))
		}
		cond = blob.Cond{IfMatch: tag}
	}
	newTag, err := l.store.Put(ctx, "lease", data, cond)
	if errors.Is(err, blob.ErrPrecondition) {
		return fmt.Errorf("%w: lease taken by another engine while acquiring", ErrLocked)
	}
	if err != nil {
		return fmt.Errorf("checkpoint: write lease: %w", err)
	}
	l.lease, l.etag = me, newTag
	live.Store(me.Instance, true)
	return nil
}

// takeable applies the takeover rule in the package comment.
func takeable(old Lease, host string, now time.Time) bool {
	switch {
	case old.Released, !now.Before(old.ExpiresAt):
		return true
	case old.Host != host:
		return false
	case old.PID == os.Getpid():
		_, ok := live.Load(old.Instance)
		return !ok
	}
	return !proc.Alive(old.PID)
}

// Renew extends the lease; it returns ErrLeaseLost if another engine took it.
func (l *Log) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := l.lease
	next.ExpiresAt = l.opts.Clock.Now().UTC().Add(l.opts.LeaseTimeout)
	return l.writeLease(ctx, next)
}

func (l *Log) writeLease(ctx context.Context, next Lease) error {
	data, _ := json.Marshal(next)
	tag, err := l.store.Put(ctx, "lease", data, blob.Cond{IfMatch: l.etag})
	if errors.Is(err, blob.ErrPrecondition) {
		return ErrLeaseLost
	}
	if err != nil {
		return fmt.Errorf("checkpoint: renew lease: %w", err)
	}
	l.lease, l.etag = next, tag
	return nil
}

// Release marks the lease released, so the next engine may start at once.
// Call it on a clean shutdown only.
func (l *Log) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	live.Delete(l.lease.Instance)
	next := l.lease
	next.Released = true
	return l.writeLease(ctx, next)
}

// Abandon forgets the lease without writing anything, as a killed process
// would: another engine of this process may then take it over at once.
func (l *Log) Abandon() { live.Delete(l.lease.Instance) }

// State is what Latest finds in the log.
type State struct {
	// Committed is the plan of the last committed batch, nil if none.
	Committed *Offsets
	// Pending is a planned batch without a commit, to be replayed; nil if none.
	Pending *Offsets
}

// NextBatchID returns the id of the batch after the log's last one.
func (s State) NextBatchID() int64 {
	switch {
	case s.Pending != nil:
		return s.Pending.BatchID
	case s.Committed != nil:
		return s.Committed.BatchID + 1
	}
	return 0
}

// Latest reads the log's last plan and commit.
func (l *Log) Latest(ctx context.Context) (State, error) {
	offs, err := l.ids(ctx, "offsets/")
	if err != nil {
		return State{}, err
	}
	commits, err := l.ids(ctx, "commits/")
	if err != nil {
		return State{}, err
	}
	var st State
	if len(offs) == 0 {
		return st, nil
	}
	last := offs[len(offs)-1]
	lastCommit := int64(-1)
	if len(commits) > 0 {
		lastCommit = commits[len(commits)-1]
	}
	if last > lastCommit {
		if st.Pending, err = l.ReadOffsets(ctx, last); err != nil {
			return State{}, err
		}
	}
	if lastCommit >= 0 {
		if st.Committed, err = l.ReadOffsets(ctx, lastCommit); err != nil {
			return State{}, err
		}
	}
	return st, nil
}

func (l *Log) ids(ctx context.Context, dir string) ([]int64, error) {
	keys, err := l.store.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list %s: %w", dir, err)
	}
	var ids []int64
	for _, k := range keys {
		n, err := strconv.ParseInt(strings.TrimPrefix(k, dir), 10, 64)
		if err == nil {
			ids = append(ids, n)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// ReadOffsets reads offsets/id.
func (l *Log) ReadOffsets(ctx context.Context, id int64) (*Offsets, error) {
	key := "offsets/" + strconv.FormatInt(id, 10)
	b, _, err := l.store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read offsets %d: %w", id, err)
	}
	var o Offsets
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("checkpoint: read offsets %d (%s): %w", id, l.store.URL(key), err)
	}
	return &o, nil
}

// Plan renews the lease and writes offsets/N (N = o.BatchID) if absent; it
// returns ErrExists if the batch was already planned.
func (l *Log) Plan(ctx context.Context, o *Offsets) error {
	if err := l.Renew(ctx); err != nil {
		return fmt.Errorf("checkpoint: plan batch %d: %w", o.BatchID, err)
	}
	o.Version = Version
	return l.create(ctx, "offsets/"+strconv.FormatInt(o.BatchID, 10), o)
}

// Commit renews the lease and writes commits/N.
func (l *Log) Commit(ctx context.Context, c *Commit) error {
	if err := l.Renew(ctx); err != nil {
		return fmt.Errorf("checkpoint: commit batch %d: %w", c.BatchID, err)
	}
	c.Version = Version
	return l.create(ctx, "commits/"+strconv.FormatInt(c.BatchID, 10), c)
}

func (l *Log) create(ctx context.Context, key string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: encode %s: %w", key, err)
	}
	if _, err := l.store.Put(ctx, key, data, blob.Cond{IfAbsent: true}); err != nil {
		if errors.Is(err, blob.ErrPrecondition) {
			return fmt.Errorf("checkpoint: write %s: %w", key, ErrExists)
		}
		return fmt.Errorf("checkpoint: write %s: %w", key, err)
	}
	return nil
}
