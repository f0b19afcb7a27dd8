package scenarios

// The compaction scenarios' checks and report figures, read at the end of
// the run from the local copy, the manifests and the plain reader's
// listings.

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine/compact"
	"github.com/streamcheck/streamcheck/engine/sink"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// partitionStat is one output partition at the end of the run.
type partitionStat struct {
	Dir          string
	Files, Batch int   // files now; of them, batch objects
	Bytes        int64 // now
	WrittenFiles int   // batch objects ever written
	WrittenBytes int64
	Compactions  int
}

// partitions reads the final layout from the local copy and the manifests:
// the batch objects ever written to a partition are those still there and
// those a compaction took as inputs.
func (c *compactionRun) partitions(res *Result) ([]*partitionStat, error) {
	root := res.LocalPath(c.r.job.Sink.Path)
	by := map[string]*partitionStat{}
	written := map[string]map[string]int64{} // partition -> batch object -> size
	get := func(dir string) *partitionStat {
		p := by[dir]
		if p == nil {
			p = &partitionStat{Dir: dir}
			by[dir] = p
			written[dir] = map[string]int64{}
		}
		return p
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		st := get(path.Dir(rel))
		st.Files++
		st.Bytes += info.Size()
		if !strings.HasPrefix(path.Base(rel), "part-c") {
			st.Batch++
			written[st.Dir][rel] = info.Size()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the output copy: %w", err)
	}
	c.wmu.Lock()
	for _, m := range c.manifests {
		st := get(m.Partition)
		st.Compactions++
		for _, in := range m.Inputs {
			if in.Batch >= 0 {
				written[st.Dir][in.Key] = in.Size
			}
		}
	}
	c.wmu.Unlock()
	out := make([]*partitionStat, 0, len(by))
	for dir, p := range by {
		p.WrittenFiles = len(written[dir])
		for _, n := range written[dir] {
			p.WrittenBytes += n
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *partitionStat) int { return strings.Compare(a.Dir, b.Dir) })
	return out, nil
}

// checks are the compaction checks, run on the verification's session.
func (c *compactionRun) checks(res *Result) func(context.Context, *assertions.Session) ([]assertions.Result, error) {
	return func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
		parts, err := c.partitions(res)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var out []assertions.Result
		out = append(out, c.checkMerged(parts))
		out = append(out, c.checkOpen(parts))
		out = append(out, c.checkKills(res.LocalPath(c.r.job.ForEachBatch.CheckpointLocation)))
		pr, err := c.checkPlainReader(ctx, sess, res)
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
		return out, nil
	}
}

func compactResult(check string, ok bool, detail string, counts ...assertions.Count) assertions.Result {
	st := assertions.Pass
	if !ok {
		st = assertions.Fail
	}
	return assertions.Result{Check: check, Status: st, Detail: detail, Counts: counts}
}

func compactCount(name string, v int64) assertions.Count {
	return assertions.Count{Name: name, Value: v}
}

// openDir is the partition of the engine's current hour: open.
func (c *compactionRun) openDir() string { return sink.IngestPath(c.clk.Now()) }

// checkMerged: every closed partition that had two or more batch objects
// now holds fewer files (a last file too big to pair may stay as it was).
func (c *compactionRun) checkMerged(parts []*partitionStat) assertions.Result {
	open := c.openDir()
	var closedN, merged, filesBefore, filesAfter, bytesBefore, bytesAfter int64
	var bad []string
	for _, p := range parts {
		if p.Dir == open {
			continue
		}
		closedN++
		filesBefore += int64(p.WrittenFiles)
		bytesBefore += p.WrittenBytes
		filesAfter += int64(p.Files)
		bytesAfter += p.Bytes
		switch {
		case p.WrittenFiles >= 2 && p.Files >= p.WrittenFiles:
			bad = append(bad, fmt.Sprintf("%s: %d batch files written, %d files now", p.Dir, p.WrittenFiles, p.Files))
		case p.WrittenFiles >= 2:
			merged++
		}
	}
	ok := len(bad) == 0 && merged > 0
	detail := fmt.Sprintf("closed partitions: %d files (%d B) written by batches, %d files (%d B) now", filesBefore, bytesBefore, filesAfter, bytesAfter)
	if merged == 0 {
		detail += "; no closed partition was merged"
	}
	if len(bad) > 0 {
		detail += "; not merged: " + strings.Join(bad, "; ")
	}
	return compactResult(CheckCompactionMerged, ok, detail, compactCount("closed_partitions", closedN), compactCount("merged", merged),
		compactCount("files_before", filesBefore), compactCount("files_after", filesAfter), compactCount("bytes_before", bytesBefore), compactCount("bytes_after", bytesAfter))
}

// checkOpen: no manifest names the open partition, and the runs made while
// a crashed batch was pending left its partitions alone.
func (c *compactionRun) checkOpen(parts []*partitionStat) assertions.Result {
	open := c.openDir()
	var openFiles int64
	for _, p := range parts {
		if p.Dir == open {
			openFiles = int64(p.Files)
		}
	}
	var bad []string
	c.wmu.Lock()
	for _, m := range c.manifests {
		if m.Partition == open {
			bad = append(bad, fmt.Sprintf("compaction %d touched the open partition %s", m.ID, open))
		}
	}
	bad = append(bad, c.failures...)
	c.wmu.Unlock()
	ok := len(bad) == 0 && c.pendingChecked > 0
	detail := fmt.Sprintf("open partition %s (%d files) untouched; %d compactor runs while a crashed batch was pending, %d partitions of pending batches left alone", open, openFiles, c.crashRuns, c.pendingChecked)
	if c.pendingChecked == 0 {
		detail = "no compactor run happened while a crashed batch was pending"
	}
	if len(bad) > 0 {
		detail = strings.Join(bad, "; ")
	}
	return compactResult(CheckCompactionOpen, ok, detail, compactCount("open_partition_files", openFiles), compactCount("runs_while_pending", int64(c.crashRuns)), compactCount("pending_partitions", int64(c.pendingChecked)))
}

// checkKills: a kill at each step, each repaired by a later run (the
// checkpoint holds <K>.aborted for a compaction killed before its .done,
// <K>.clean for one killed after), and the second compactor refused.
func (c *compactionRun) checkKills(cpDir string) assertions.Result {
	var bad []string
	var back, forward int64
	for i, st := range c.steps {
		if i >= len(c.kills) {
			bad = append(bad, fmt.Sprintf("no compactor run reached %s", st))
			continue
		}
		k := c.kills[i]
		marker, how := ".aborted", "rolled back"
		if k.Step == compact.StepAfterDone || k.Step == compact.StepInDelete {
			marker, how = ".clean", "finished"
		}
		if _, err := os.Stat(filepath.Join(cpDir, compact.Dir, strconv.FormatInt(k.ID, 10)+marker)); err != nil {
			bad = append(bad, fmt.Sprintf("compaction %d killed at %s was never %s (no %s/%d%s)", k.ID, k.Step, how, compact.Dir, k.ID, marker))
		} else if marker == ".aborted" {
			back++
		} else {
			forward++
		}
	}
	if c.secondRefused == "" {
		bad = append(bad, "a second compactor beside a running one was not refused: "+c.secondErr)
	}
	detail := fmt.Sprintf("%d compactor runs; killed at %s, each repaired by the next run; a second compactor was refused (%s)", c.runs, stepList(c.kills), c.secondRefused)
	if len(bad) > 0 {
		detail = strings.Join(bad, "; ")
	}
	return compactResult(CheckCompactionKills, len(bad) == 0, detail, compactCount("runs", int64(c.runs)), compactCount("kills", int64(len(c.kills))),
		compactCount("rolled_forward", forward), compactCount("rolled_back", back))
}

func stepList(ks []compactKill) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = fmt.Sprintf("%s (compaction %d)", k.Step, k.ID)
	}
	return strings.Join(s, ", ")
}

// windowStats are the plain reader's windows: of compactions that ran
// through, and of those killed with outputs written (open until the next
// run rolled them back or finished them).
func (c *compactionRun) windowStats() (clean, killed []time.Duration) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	wasKilled := map[int64]bool{}
	for _, k := range c.kills {
		wasKilled[k.ID] = true
	}
	for k, w := range c.windows {
		d := w.last.Sub(w.first) + windowPoll
		if wasKilled[k] {
			killed = append(killed, d)
		} else {
			clean = append(clean, d)
		}
	}
	slices.Sort(clean)
	slices.Sort(killed)
	return clean, killed
}

// checkPlainReader reads the bare prefix with DuckDB, as a reader that
// does not honour manifests: at the end every row once and as many as the
// checked table; in each snapshot taken after a .done, the compaction's
// rows twice.
func (c *compactionRun) checkPlainReader(ctx context.Context, sess *assertions.Session, res *Result) (assertions.Result, error) {
	root := res.LocalPath(c.r.job.Sink.Path)
	plain, dups, err := plainRead(ctx, sess, root)
	if err != nil {
		return assertions.Result{}, err
	}
	var bad []string
	if dups != 0 {
		bad = append(bad, fmt.Sprintf("at the end a plain read of the prefix sees %d rows twice", dups))
	}
	// The output view honours the manifests, as verify does.
	t, err := sess.Query(ctx, `SELECT count(*)::BIGINT FROM output`)
	if err != nil {
		return assertions.Result{}, fmt.Errorf("count the output: %w", err)
	}
	delivered := asInt(t.Rows[0][0])
	if plain != delivered {
		bad = append(bad, fmt.Sprintf("at the end a plain read of the prefix sees %d rows, the manifest-honouring one %d", plain, delivered))
	}
	var snapDups int64
	for _, s := range c.snapshots {
		_, d, err := plainRead(ctx, sess, s.Dir)
		if err != nil {
			return assertions.Result{}, err
		}
		snapDups += d
		if d != s.Rows {
			bad = append(bad, fmt.Sprintf("inside compaction %d's window a plain read sees %d rows twice, want its %d rows", s.ID, d, s.Rows))
		}
	}
	if len(c.snapshots) == 0 {
		bad = append(bad, "no snapshot was taken inside a window (no compactor was killed after its .done)")
	}
	clean, killed := c.windowStats()
	c.wmu.Lock()
	listings, dupSeen := c.listings, c.dupSeen
	c.wmu.Unlock()
	detail := fmt.Sprintf("a plain read of the prefix sees each of %d rows once at the end; inside a window it sees a compaction's rows twice (%d rows in %d snapshots); window between outputs and deleted inputs: %s over %d compactions run through, %s over %d killed with outputs written; %d of %d listings fell in a window",
		plain, snapDups, len(c.snapshots), windowSummary(clean), len(clean), windowSummary(killed), len(killed), dupSeen, listings)
	if len(bad) > 0 {
		detail = strings.Join(bad, "; ")
	}
	return compactResult(CheckCompactionPlainRead, len(bad) == 0, detail, compactCount("rows", plain), compactCount("duplicated_at_end", dups),
		compactCount("duplicated_in_snapshots", snapDups), compactCount("window_p50_ms", quantileMs(clean, 0.5)), compactCount("window_max_ms", quantileMs(clean, 1)),
		compactCount("killed_window_max_ms", quantileMs(killed, 1)), compactCount("listings", int64(listings)), compactCount("listings_in_window", int64(dupSeen))), nil
}

func windowSummary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %v, max %v", quantile(ds, 0.5).Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
}

func quantileMs(ds []time.Duration, q float64) int64 {
	if len(ds) == 0 {
		return 0
	}
	return quantile(ds, q).Milliseconds()
}

// plainRead counts the rows of every Parquet file under dir and the rows
// that appear more than once.
func plainRead(ctx context.Context, sess *assertions.Session, dir string) (rows, dups int64, err error) {
	glob := sqlQuote(filepath.ToSlash(filepath.Join(dir, "**", "*.parquet")))
	t, err := sess.Query(ctx, `SELECT count(*)::BIGINT, (count(*) - count(DISTINCT t))::BIGINT FROM read_parquet(`+glob+`, hive_partitioning = false, union_by_name = true) AS t`)
	if err != nil {
		return 0, 0, fmt.Errorf("plain read of %s: %w", dir, err)
	}
	if len(t.Rows) != 1 {
		return 0, 0, fmt.Errorf("plain read of %s: %d result rows", dir, len(t.Rows))
	}
	return asInt(t.Rows[0][0]), asInt(t.Rows[0][1]), nil
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case float64:
		return int64(n)
	}
	return -1
}

// reportFigures are the compaction's headline numbers and its partitions,
// for the report.
func (c *compactionRun) reportFigures(res *Result) ([]report.Figure, []report.Partition) {
	parts, err := c.partitions(res)
	if err != nil {
		return nil, nil
	}
	open := c.openDir()
	var fb, fa, closedN int
	var bb, ba int64
	var table []report.Partition
	for _, p := range parts {
		table = append(table, report.Partition{Path: p.Dir, Files: int64(p.Files), Bytes: p.Bytes, FilesWritten: int64(p.WrittenFiles),
			BytesWritten: p.WrittenBytes, Compactions: p.Compactions, Open: p.Dir == open})
		if p.Dir != open {
			fb, fa, bb, ba = fb+p.WrittenFiles, fa+p.Files, bb+p.WrittenBytes, ba+p.Bytes
			closedN++
		}
	}
	clean, killed := c.windowStats()
	c.mu.Lock()
	defer c.mu.Unlock()
	figs := []report.Figure{
		{Name: fmt.Sprintf("closed partitions: files before → after compaction (%d partitions)", closedN), Value: fmt.Sprintf("%d → %d", fb, fa)},
		{Name: "closed partitions: bytes before → after compaction", Value: fmt.Sprintf("%s → %s", byteSize(bb), byteSize(ba))},
		{Name: fmt.Sprintf("plain-reader window, outputs listed beside their inputs (p50 / max of %d compactions)", len(clean)), Value: windowSummary(clean)},
		{Name: fmt.Sprintf("plain-reader window of compactions killed with outputs written, until the next run repaired them (%d)", len(killed)), Value: windowSummary(killed)},
		{Name: fmt.Sprintf("compactor runs (%d killed with SIGKILL, second compactor refused: %v)", len(c.kills), c.secondRefused != ""), Value: strconv.Itoa(c.runs)},
	}
	return figs, table
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// wallLag replaces the checker's lag figures, which compare wall-clock
// acknowledgements with commits on the virtual clock (hours apart by
// design), with the per-batch lag mapped back to wall time: the median of
// the batches' p50 and the largest p99.
func (c *compactionRun) wallLag(res *Result) {
	tl := c.r.tl
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if l := res.Report.Result(assertions.CheckLag); l != nil {
		l.Status, l.Lag = assertions.Skip, nil
		l.Detail = "not applicable: it compares wall-clock acknowledgements with commits on the engine's virtual clock, hours apart by design (the lag figures are the batches' lag mapped back to wall time)"
	}
	if len(tl.lag) == 0 {
		res.Lag = assertions.LagStats{}
		res.Notes = append(res.Notes, "the lag check compares wall-clock acknowledgements with commits on the engine's virtual clock, hours apart by design: no lag figures")
		return
	}
	p50 := make([]time.Duration, len(tl.lag))
	var p99, most time.Duration
	for i, p := range tl.lag {
		p50[i], p99, most = p.P50, max(p99, p.P99), max(most, p.Max)
	}
	slices.Sort(p50)
	res.Lag.P50, res.Lag.P99, res.Lag.Max = quantile(p50, 0.5), p99, most
	res.Notes = append(res.Notes, "the lag check compares wall-clock acknowledgements with commits on the engine's virtual clock, hours apart by design; the lag figures and chart are the batches' lag mapped back to wall time")
}
