package compact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// Defaults for Config fields.
const (
	// DefaultOlderThan is how long after its end a partition counts as
	// closed.
	DefaultOlderThan = time.Hour
	// DefaultTargetSize is the size an output aims at; files at least
	// this big are left alone.
	DefaultTargetSize = 128 << 20
	// DefaultLockTimeout is how old another host's lock must be to be
	// taken over.
	DefaultLockTimeout = time.Hour
)

// Partitioning modes, as in the job's sink.partitioning.
const (
	PartitionByIngestTime = "ingest_time"
	PartitionByColumns    = "columns"
	PartitionNone         = "none"
)

// Config says what to compact. Build it with DefaultConfig.
type Config struct {
	// OlderThan is how long a partition must have been closed: for
	// ingest-time partitions, since the end of its hour; otherwise since
	// the plan of the newest batch that wrote to it. Zero compacts every
	// partition no running batch writes to.
	OlderThan time.Duration
	// TargetSize is the size in bytes an output aims at: inputs are added
	// to an output until their sizes reach it. Files at least this big are
	// not compacted.
	TargetSize int64
	// Partitioning is the job's sink.partitioning: PartitionByIngestTime
	// (the default), PartitionByColumns or PartitionNone.
	Partitioning string
	// DryRun plans without writing anything and without repairing an
	// interrupted compaction.
	DryRun bool
	// LockTimeout is how old a lock held on another host must be before it
	// is taken over. A lock of a dead process on this host is taken over
	// at once.
	LockTimeout time.Duration
}

// DefaultConfig returns a Config with the defaults.
func DefaultConfig() Config {
	return Config{OlderThan: DefaultOlderThan, TargetSize: DefaultTargetSize, Partitioning: PartitionByIngestTime, LockTimeout: DefaultLockTimeout}
}

// Validate reports the first field that is out of range.
func (c Config) Validate() error {
	switch {
	case c.OlderThan < 0:
		return fmt.Errorf("compact: OlderThan %v: want zero or more", c.OlderThan)
	case c.TargetSize <= 0:
		return fmt.Errorf("compact: TargetSize %d: want a positive number of bytes", c.TargetSize)
	case c.LockTimeout <= 0:
		return fmt.Errorf("compact: LockTimeout %v: want a positive duration", c.LockTimeout)
	}
	switch c.Partitioning {
	case PartitionByIngestTime, PartitionByColumns, PartitionNone:
	default:
		return fmt.Errorf("compact: Partitioning %q: want %s, %s or %s", c.Partitioning, PartitionByIngestTime, PartitionByColumns, PartitionNone)
	}
	return nil
}

// Option configures a Compactor in New. An invalid option makes New return
// its error.
type Option interface{ apply(*options) error }

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

type options struct {
	clk  clock.Clock
	hook Hook
}

// WithClock sets the clock that decides which partitions are closed;
// the default is clock.Real().
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) error {
		if c == nil {
			return errors.New("compact: WithClock: clock is nil")
		}
		o.clk = c
		return nil
	})
}

// Compactor compacts one job's output. Create it with New; it is meant for
// one Run at a time.
type Compactor struct {
	out, cp  blob.Store
	cfg      Config
	clk      clock.Clock
	hook     Hook
	instance string
}

// New returns a Compactor for the output in out whose checkpoint is cp.
func New(out, cp blob.Store, cfg Config, opts ...Option) (*Compactor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{clk: clock.Real()}
	for _, opt := range opts {
		if err := opt.apply(&o); err != nil {
			return nil, err
		}
	}
	return &Compactor{out: out, cp: cp, cfg: cfg, clk: o.clk, hook: o.hook, instance: newInstance()}, nil
}

// Summary is what a Run did (or, with DryRun, would do).
type Summary struct {
	// RolledForward and RolledBack list interrupted compactions repaired
	// first; with DryRun, those that would be.
	RolledForward []int64
	RolledBack    []int64
	// Partitions lists the compactions, one per partition.
	Partitions []Partition
}

// Partition is the compaction of one partition.
type Partition struct {
	ID        int64  // K; with DryRun, the id it would have
	Partition string // directory relative to the sink root
	FilesIn   int
	FilesOut  int
	BytesIn   int64
	BytesOut  int64 // with DryRun, the inputs' size
	Rows      int64
	Manifest  *Manifest
}

// Totals sums the partitions: files in and out, bytes in and out, rows.
func (s *Summary) Totals() (filesIn, filesOut int, bytesIn, bytesOut, rows int64) {
	for _, p := range s.Partitions {
		filesIn += p.FilesIn
		filesOut += p.FilesOut
		bytesIn += p.BytesIn
		bytesOut += p.BytesOut
		rows += p.Rows
	}
	return
}

// Run repairs interrupted compactions, then compacts every closed
// partition. It takes the checkpoint's compaction lock (ErrLocked when
// another compactor holds it) unless DryRun is set.
func (c *Compactor) Run(ctx context.Context) (sum *Summary, err error) {
	sum = &Summary{}
	if !c.cfg.DryRun {
		if err := c.acquire(ctx); err != nil {
			return nil, err
		}
		defer func() {
			if errors.Is(err, ErrCrashed) {
				live.Delete(c.instance) // as a kill: the lock stays
				return
			}
			if rerr := c.release(context.WithoutCancel(ctx)); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	st, err := c.readState(ctx)
	if err != nil {
		return sum, err
	}
	if err := c.recover(ctx, st, sum); err != nil {
		return sum, err
	}
	plans, err := c.plan(ctx, st)
	if err != nil {
		return sum, err
	}
	for _, m := range plans {
		p := Partition{ID: m.ID, Partition: m.Partition, FilesIn: len(m.Inputs), FilesOut: len(m.Outputs), Manifest: m}
		for _, in := range m.Inputs {
			p.BytesIn += in.Size
			p.Rows += in.Rows
		}
		if c.cfg.DryRun {
			p.BytesOut = p.BytesIn
			sum.Partitions = append(sum.Partitions, p)
			continue
		}
		done, err := c.execute(ctx, m)
		if err != nil {
			return sum, err
		}
		for _, w := range done.Outputs {
			p.BytesOut += w.Size
		}
		sum.Partitions = append(sum.Partitions, p)
	}
	return sum, nil
}

// state is what the checkpoint says about batches and compactions.
type state struct {
	plans     map[int64]*checkpoint.Offsets
	committed map[int64]bool
	manifests map[int64]*Manifest
	done      map[int64]bool
	aborted   map[int64]bool
	clean     map[int64]bool
	next      int64
	// token is the checkpoint's name token (sink.CheckpointToken of its
	// metadata id), which compaction outputs carry as batch objects do;
	// "" for a checkpoint without metadata.
	token string
}

func (c *Compactor) readState(ctx context.Context) (*state, error) {
	st := &state{plans: map[int64]*checkpoint.Offsets{}, committed: map[int64]bool{}, manifests: map[int64]*Manifest{},
		done: map[int64]bool{}, aborted: map[int64]bool{}, clean: map[int64]bool{}}
	commits, err := c.cp.List(ctx, "commits/")
	if err != nil {
		return nil, fmt.Errorf("compact: list commits: %w", err)
	}
	for _, k := range commits {
		if id, err := strconv.ParseInt(strings.TrimPrefix(k, "commits/"), 10, 64); err == nil {
			st.committed[id] = true
		}
	}
	offsets, err := c.cp.List(ctx, "offsets/")
	if err != nil {
		return nil, fmt.Errorf("compact: list offsets: %w", err)
	}
	for _, k := range offsets {
		id, err := strconv.ParseInt(strings.TrimPrefix(k, "offsets/"), 10, 64)
		if err != nil {
			continue
		}
		var o checkpoint.Offsets
		if err := c.getJSON(ctx, k, &o); err != nil {
			return nil, err
		}
		st.plans[id] = &o
	}
	var md checkpoint.Metadata
	switch err := c.getJSON(ctx, "metadata", &md); {
	case err == nil:
		st.token = sink.CheckpointToken(md.ID)
	case !errors.Is(err, blob.ErrNotFound):
		return nil, err
	}
	keys, err := c.cp.List(ctx, Dir+"/")
	if err != nil {
		return nil, fmt.Errorf("compact: list %s: %w", Dir, err)
	}
	for _, key := range keys {
		k, suffix, ok := parseKey(key)
		if !ok {
			continue
		}
		st.next = max(st.next, k+1)
		switch suffix {
		case "":
			var m Manifest
			if err := c.getJSON(ctx, key, &m); err != nil {
				return nil, err
			}
			st.manifests[k] = &m
		case ".done":
			st.done[k] = true
		case ".aborted":
			st.aborted[k] = true
		case ".clean":
			st.clean[k] = true
		}
	}
	return st, nil
}

func (c *Compactor) getJSON(ctx context.Context, key string, v any) error {
	b, _, err := c.cp.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("compact: read %s: %w", c.cp.URL(key), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("compact: read %s: %w", c.cp.URL(key), err)
	}
	return nil
}

func (c *Compactor) putJSON(ctx context.Context, key string, v any, cond blob.Cond) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("compact: encode %s: %w", key, err)
	}
	if _, err := c.cp.Put(ctx, key, b, cond); err != nil {
		return fmt.Errorf("compact: write %s: %w", c.cp.URL(key), err)
	}
	return nil
}

// recover rolls finished compactions forward (deletes their inputs) and
// unfinished ones back (deletes their outputs).
func (c *Compactor) recover(ctx context.Context, st *state, sum *Summary) error {
	ids := make([]int64, 0, len(st.manifests))
	for k := range st.manifests {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	for _, k := range ids {
		m := st.manifests[k]
		switch {
		case st.done[k] && !st.clean[k]:
			sum.RolledForward = append(sum.RolledForward, k)
			if c.cfg.DryRun {
				continue
			}
			if err := c.finish(ctx, m); err != nil {
				return err
			}
		case !st.done[k] && !st.aborted[k]:
			sum.RolledBack = append(sum.RolledBack, k)
			if c.cfg.DryRun {
				continue
			}
			for _, o := range m.Outputs {
				if err := c.out.Delete(ctx, o.Key); err != nil {
					return fmt.Errorf("compact: partition %s: roll back compaction %d: delete %s: %w", m.Partition, k, c.out.URL(o.Key), err)
				}
			}
			if err := c.putJSON(ctx, abortedKey(k), Aborted{Version: Version, ID: k, AbortedAt: c.clk.Now().UTC()}, blob.Cond{IfAbsent: true}); err != nil && !errors.Is(err, blob.ErrPrecondition) {
				return fmt.Errorf("compact: partition %s: roll back compaction %d: %w", m.Partition, k, err)
			}
			st.aborted[k] = true
		}
	}
	return nil
}

// finish deletes the inputs of a compaction whose .done exists and marks it
// clean.
func (c *Compactor) finish(ctx context.Context, m *Manifest) error {
	for i, in := range m.Inputs {
		if err := c.out.Delete(ctx, in.Key); err != nil {
			return fmt.Errorf("compact: partition %s: delete input %s of compaction %d: %w", m.Partition, c.out.URL(in.Key), m.ID, err)
		}
		if i == 0 {
			if err := c.at(ctx, StepInDelete, m); err != nil {
				return err
			}
		}
	}
	if err := c.putJSON(ctx, manifestKey(m.ID)+".clean", Clean{Version: Version, ID: m.ID, CleanAt: c.clk.Now().UTC()}, blob.Cond{}); err != nil {
		return fmt.Errorf("compact: partition %s: finish compaction %d: %w", m.Partition, m.ID, err)
	}
	return nil
}

// candidate is an object that may be compacted.
type candidate struct {
	key   string
	url   string
	batch int64
	time  time.Time // planned_at of the newest batch whose rows it holds
}

var ingestDir = regexp.MustCompile(`(?:^|/)ingest_year=(\d{4})/ingest_month=(\d{2})/ingest_day=(\d{2})/ingest_hour=(\d{2})$`)

// plan picks the closed partitions and their inputs and returns one
// manifest per partition (not yet written).
func (c *Compactor) plan(ctx context.Context, st *state) ([]*Manifest, error) {
	keys, err := c.out.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("compact: list output: %w", err)
	}
	present := map[string]bool{}
	byURL := map[string]string{}
	byBase := map[string][]string{}
	for _, k := range keys {
		if strings.HasSuffix(k, ".parquet") {
			present[k] = true
			byURL[c.out.URL(k)] = k
			byBase[path.Base(k)] = append(byBase[path.Base(k)], k)
		}
	}
	// find maps an object URL of the checkpoint to a key; a checkpoint
	// copied or moved along with its output names another root, so the
	// key that ends the URL is taken then.
	find := func(u string) (string, bool) {
		if k, ok := byURL[u]; ok {
			return k, true
		}
		for _, k := range byBase[path.Base(u)] {
			if strings.HasSuffix(filepath.ToSlash(u), "/"+k) {
				return k, true
			}
		}
		return "", false
	}
	cands := map[string]*candidate{}
	open := map[string]time.Time{} // partitions an uncommitted batch writes to
	for id, o := range st.plans {
		for _, u := range o.Objects {
			k, ok := find(u)
			if !st.committed[id] {
				key := c.keyOf(u)
				if ok {
					key = k
				}
				dir := path.Dir(key)
				if t, seen := open[dir]; !seen || o.PlannedAt.After(t) {
					open[dir] = o.PlannedAt
				}
				continue
			}
			if ok {
				cands[k] = &candidate{key: k, url: u, batch: id, time: o.PlannedAt}
			}
		}
	}
	for k, m := range st.manifests {
		if !st.done[k] {
			continue
		}
		for _, o := range m.Outputs {
			if present[o.Key] {
				cands[o.Key] = &candidate{key: o.Key, url: c.out.URL(o.Key), batch: -1, time: m.Newest}
			}
		}
		for _, in := range m.Inputs {
			delete(cands, in.Key)
		}
	}
	parts := map[string][]*candidate{}
	for _, cd := range cands {
		dir := path.Dir(cd.key)
		parts[dir] = append(parts[dir], cd)
	}
	dirs := make([]string, 0, len(parts))
	for d := range parts {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	now := c.clk.Now()
	next := st.next
	var plans []*Manifest
	for _, dir := range dirs {
		files := parts[dir]
		sort.Slice(files, func(i, j int) bool { return files[i].key < files[j].key })
		if !c.closed(dir, files, open, now) {
			continue
		}
		m, err := c.planPartition(ctx, dir, files, next, st.token, now)
		if err != nil {
			return nil, err
		}
		if m != nil {
			plans = append(plans, m)
			next++
		}
	}
	return plans, nil
}

// keyOf turns an object URL of the checkpoint into a key under the sink
// root, falling back to the URL itself.
func (c *Compactor) keyOf(u string) string {
	root := strings.TrimSuffix(c.out.URL(""), "/")
	if k, ok := strings.CutPrefix(u, root+"/"); ok {
		return k
	}
	return u
}

// closed reports whether the engine is done with partition dir.
func (c *Compactor) closed(dir string, files []*candidate, open map[string]time.Time, now time.Time) bool {
	if _, busy := open[dir]; busy {
		return false
	}
	if c.cfg.Partitioning == PartitionByIngestTime {
		m := ingestDir.FindStringSubmatch(dir)
		if m == nil {
			return false
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		h, _ := strconv.Atoi(m[4])
		end := time.Date(y, time.Month(mo), d, h, 0, 0, 0, time.UTC).Add(time.Hour)
		return !now.Before(end.Add(c.cfg.OlderThan))
	}
	var newest time.Time
	for _, f := range files {
		if f.time.After(newest) {
			newest = f.time
		}
	}
	return !now.Before(newest.Add(c.cfg.OlderThan))
}

// fileInfo is what planning learns of an input by reading it.
type fileInfo struct {
	cand   *candidate
	etag   string
	size   int64
	rows   int64
	schema string
	ext    string
}

// planPartition reads the partition's small files and bins them into
// outputs of about TargetSize; it returns nil when there is nothing to
// merge.
func (c *Compactor) planPartition(ctx context.Context, dir string, files []*candidate, k int64, token string, now time.Time) (*Manifest, error) {
	type group struct {
		ext, schema string
		files       []fileInfo
	}
	var groups []*group
	for _, f := range files {
		data, etag, err := c.out.Get(ctx, f.key)
		if errors.Is(err, blob.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("compact: partition %s: read %s: %w", dir, c.out.URL(f.key), err)
		}
		if int64(len(data)) >= c.cfg.TargetSize {
			continue
		}
		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("compact: partition %s: open %s: %w", dir, c.out.URL(f.key), err)
		}
		fi := fileInfo{cand: f, etag: etag, size: int64(len(data)), rows: pf.NumRows(), schema: pf.Schema().String(), ext: extOf(f.key)}
		var g *group
		for _, x := range groups {
			if x.ext == fi.ext && x.schema == fi.schema {
				g = x
			}
		}
		if g == nil {
			g = &group{ext: fi.ext, schema: fi.schema}
			groups = append(groups, g)
		}
		g.files = append(g.files, fi)
	}
	m := &Manifest{Version: Version, ID: k, PlannedAt: now.UTC(), Partition: dir}
	for _, g := range groups {
		var bin []fileInfo
		var size int64
		flush := func() {
			if len(bin) >= 2 {
				idx := len(m.Outputs)
				key := path.Join(dir, OutputName(token, k, idx, g.ext))
				var rows int64
				for _, f := range bin {
					m.Inputs = append(m.Inputs, Input{Key: f.cand.key, URL: f.cand.url, ETag: f.etag, Size: f.size, Rows: f.rows, Batch: f.cand.batch, Output: idx})
					rows += f.rows
					if f.cand.time.After(m.Newest) {
						m.Newest = f.cand.time
					}
				}
				m.Outputs = append(m.Outputs, Output{Key: key, URL: c.out.URL(key), Rows: rows})
			}
			bin, size = nil, 0
		}
		for _, f := range g.files {
			bin = append(bin, f)
			size += f.size
			if size >= c.cfg.TargetSize {
				flush()
			}
		}
		flush()
	}
	if len(m.Outputs) == 0 {
		return nil, nil
	}
	return m, nil
}

// extOf returns the extension of an output name: "snappy.parquet" of
// part-00000001-00000.snappy.parquet.
func extOf(key string) string {
	base := path.Base(key)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return "parquet"
}

// codecOf returns the name of the compression codec the sink uses for ext,
// as sink.ParquetConfig.Codec takes it.
func codecOf(ext string) string {
	switch ext {
	case "snappy.parquet":
		return "snappy"
	case "gz.parquet", "gzip.parquet":
		return "gzip"
	case "zstd.parquet":
		return "zstd"
	default:
		return "none"
	}
}

// execute runs the protocol for one manifest: plan, outputs, done, delete.
func (c *Compactor) execute(ctx context.Context, m *Manifest) (*Done, error) {
	if err := c.putJSON(ctx, manifestKey(m.ID), m, blob.Cond{IfAbsent: true}); err != nil {
		return nil, fmt.Errorf("compact: partition %s: plan compaction %d: %w", m.Partition, m.ID, err)
	}
	if err := c.at(ctx, StepAfterPlan, m); err != nil {
		return nil, err
	}
	done := &Done{Version: Version, ID: m.ID}
	for idx, o := range m.Outputs {
		var inputs []Input
		for _, in := range m.Inputs {
			if in.Output == idx {
				inputs = append(inputs, in)
			}
		}
		data, err := c.merge(ctx, m, o, inputs)
		if err != nil {
			return nil, err
		}
		etag, err := c.out.Put(ctx, o.Key, data, blob.Cond{})
		if err != nil {
			return nil, fmt.Errorf("compact: partition %s: write %s: %w", m.Partition, c.out.URL(o.Key), err)
		}
		done.Outputs = append(done.Outputs, Written{Key: o.Key, ETag: etag, Size: int64(len(data))})
		if idx == 0 {
			if err := c.at(ctx, StepInWrite, m); err != nil {
				return nil, err
			}
		}
	}
	done.DoneAt = c.clk.Now().UTC()
	if err := c.putJSON(ctx, doneKey(m.ID), done, blob.Cond{IfAbsent: true}); err != nil {
		return nil, fmt.Errorf("compact: partition %s: complete compaction %d: %w", m.Partition, m.ID, err)
	}
	if err := c.at(ctx, StepAfterDone, m); err != nil {
		return nil, err
	}
	if err := c.finish(ctx, m); err != nil {
		return nil, err
	}
	return done, nil
}

// merge concatenates the rows of inputs, in order, into one Parquet file
// with their schema and codec, checking that the inputs are unchanged
// since the plan and that no row is lost.
func (c *Compactor) merge(ctx context.Context, m *Manifest, o Output, inputs []Input) ([]byte, error) {
	var buf bytes.Buffer
	var w *parquet.GenericWriter[any]
	var rows int64
	for _, in := range inputs {
		data, etag, err := c.out.Get(ctx, in.Key)
		if err != nil {
			return nil, fmt.Errorf("compact: partition %s: read %s: %w", m.Partition, c.out.URL(in.Key), err)
		}
		if etag != in.ETag {
			return nil, fmt.Errorf("compact: partition %s: %s changed since compaction %d was planned (ETag %s, planned %s)", m.Partition, c.out.URL(in.Key), m.ID, etag, in.ETag)
		}
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("compact: partition %s: open %s: %w", m.Partition, c.out.URL(in.Key), err)
		}
		if w == nil {
			// The sink's writer settings (version 1 pages, PLAIN and
			// dictionary encodings, statistics), so that a compacted file
			// is read by whatever read its inputs.
			opts, err := sink.WriterOptions(sink.ParquetConfig{Codec: codecOf(extOf(o.Key))})
			if err != nil {
				return nil, fmt.Errorf("compact: partition %s: writer for %s: %w", m.Partition, o.Key, err)
			}
			w = parquet.NewGenericWriter[any](&buf, append([]parquet.WriterOption{f.Schema()}, opts...)...)
		}
		for _, rg := range f.RowGroups() {
			rr := rg.Rows()
			n, err := parquet.CopyRows(w, rr)
			rr.Close()
			if err != nil {
				return nil, fmt.Errorf("compact: partition %s: copy rows of %s into %s: %w", m.Partition, c.out.URL(in.Key), o.Key, err)
			}
			rows += n
		}
	}
	if w == nil {
		return nil, fmt.Errorf("compact: partition %s: output %s has no inputs", m.Partition, o.Key)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compact: partition %s: encode %s: %w", m.Partition, o.Key, err)
	}
	if rows != o.Rows {
		return nil, fmt.Errorf("compact: partition %s: %s holds %d rows, its inputs %d", m.Partition, o.Key, rows, o.Rows)
	}
	return buf.Bytes(), nil
}
