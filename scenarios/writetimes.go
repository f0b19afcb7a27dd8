package scenarios

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// A black-box pipeline has no checkpoint to say when a record became
// visible or which run wrote it; its output objects' write times do. This
// file measures from them, on the checks' session:
//
//   - lag: per record key, from its acknowledgement in the ledger to the
//     write (S3's LastModified) of the first output object that holds it;
//   - duplicates by restart: each row beyond the copies the ledger allows
//     for its key (the earliest written kept, by write time) is charged to
//     the run of the pipeline during which its object was written, that is
//     to the kill, tripwire or exit before that run.

// objectWrite is an output object and when it was written.
type objectWrite struct {
	key  string    // S3 key
	path string    // the local copy
	at   time.Time // LastModified
}

// runStart is one start of a pipeline and what ended the run before it.
type runStart struct {
	at    time.Time
	after string // "" for the first start
}

// maxLateExamples bounds the late objects a failed lag check names.
const maxLateExamples = 5

// writeFigures is what the write times showed.
type writeFigures struct {
	lag       assertions.LagStats
	lagPoints []report.LagPoint
	overBound int64
	slowest   []assertions.Example
	// dups are the duplicate rows of each object, by S3 key.
	dups map[string]int64
	// err is why the figures could not be read; the run goes on without
	// them.
	err error
}

// outputWrites returns the objects of objs that the checks read as the
// output (Parquet files, or every file for JSON lines; no hidden files,
// none under the dead letter), with their local copies under dir.
func outputWrites(objs []object, dir, format, deadLetterPrefix string) []objectWrite {
	var out []objectWrite
	for _, o := range objs {
		key := aws.ToString(o.Key)
		switch {
		case deadLetterPrefix != "" && underPrefix(key, strings.Trim(deadLetterPrefix, "/")),
			format == FormatParquet && !strings.HasSuffix(key, ".parquet"),
			format != FormatParquet && aws.ToInt64(o.Size) == 0,
			slices.ContainsFunc(strings.Split(key, "/"), func(seg string) bool { return strings.HasPrefix(seg, ".") }):
			continue
		}
		out = append(out, objectWrite{key: key, path: filepath.Join(dir, filepath.FromSlash(key)), at: aws.ToTime(o.LastModified)})
	}
	slices.SortFunc(out, func(a, b objectWrite) int { return a.at.Compare(b.at) })
	return out
}

// clockMismatch says why the objects' write times cannot be compared with
// the ledger's wall-clock acknowledgements, or "" when they can: every
// write must fall within the run's wall time (from to until, a second's
// leeway each side). A stack on a virtual or skewed clock fails this.
func clockMismatch(writes []objectWrite, from, until time.Time) string {
	if len(writes) == 0 {
		return ""
	}
	first, last := writes[0].at, writes[len(writes)-1].at
	if first.Before(from.Add(-time.Second)) || last.After(until.Add(time.Second)) {
		return fmt.Sprintf("the output objects' write times (%s to %s) lie outside the run's wall-clock time (%s to %s): "+
			"the S3 emulator runs on another clock than the ledger's acknowledgements",
			first.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano),
			from.UTC().Format(time.RFC3339Nano), until.UTC().Format(time.RFC3339Nano))
	}
	return ""
}

// measureWrites returns a step of the verification that reads, with the
// output's key column, the lag (unless noLag) and the duplicate rows of
// each object into f. Its errors go to f.err, never to the verification.
func measureWrites(writes []objectWrite, format, keyColumn string, noLag bool, bound time.Duration, f *writeFigures) func(context.Context, *assertions.Session) ([]assertions.Result, error) {
	return func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
		f.err = readWrites(ctx, sess, writes, format, keyColumn, noLag, bound, f)
		return nil, nil
	}
}

func readWrites(ctx context.Context, sess *assertions.Session, writes []objectWrite, format, keyColumn string, noLag bool, bound time.Duration, f *writeFigures) error {
	if len(writes) == 0 {
		return nil
	}
	if keyColumn == "" || keyColumn == assertions.KeyRowHash {
		return fmt.Errorf("no key column to match rows with the ledger")
	}
	vals := make([]string, len(writes))
	paths := make([]string, len(writes))
	for i, w := range writes {
		vals[i] = fmt.Sprintf("(%s, %s, %d)", sqlQuote(filepath.ToSlash(w.path)), sqlQuote(w.key), w.at.UnixMilli())
		paths[i] = sqlQuote(filepath.ToSlash(w.path))
	}
	list := "[" + strings.Join(paths, ", ") + "]"
	read := `read_parquet(` + list + `, filename = true, hive_partitioning = false, union_by_name = true)`
	if format != FormatParquet {
		read = `read_json(` + list + `, format = 'newline_delimited', filename = true, union_by_name = true)`
	}
	key := `"` + strings.ReplaceAll(keyColumn, `"`, `""`) + `"`
	for _, q := range []string{
		`CREATE OR REPLACE TEMP TABLE bb_objects AS SELECT * FROM (VALUES ` + strings.Join(vals, ", ") + `) v(path, s3_key, written_ms)`,
		`CREATE OR REPLACE TEMP TABLE bb_rows AS SELECT CAST(r.` + key + ` AS VARCHAR) AS k, o.s3_key, o.written_ms
			FROM ` + read + ` r JOIN bb_objects o ON o.path = r.filename`,
	} {
		if _, err := sess.Query(ctx, q); err != nil {
			return fmt.Errorf("read the output's keys with their objects' write times: %w", err)
		}
	}
	// The rows beyond the copies the ledger allows for their key, the
	// earliest written kept; keys never attempted are the delivery
	// check's unexpected rows, not duplicates.
	t, err := sess.Query(ctx, `WITH allowed AS (
			SELECT key AS k, count(*) AS n FROM ledger
			WHERE coalesce(malformed, '') = '' AND outcome IN ('ack', 'unknown') GROUP BY key),
		ranked AS (SELECT k, s3_key, row_number() OVER (PARTITION BY k ORDER BY written_ms, s3_key) AS copy FROM bb_rows)
		SELECT r.s3_key, count(*)::BIGINT FROM ranked r JOIN allowed a USING (k) WHERE r.copy > a.n GROUP BY r.s3_key`)
	if err != nil {
		return fmt.Errorf("count the duplicates of each object: %w", err)
	}
	f.dups = map[string]int64{}
	for _, row := range t.Rows {
		f.dups[str(row[0])] = asInt(row[1])
	}
	if noLag {
		return nil
	}
	if _, err := sess.Query(ctx, `CREATE OR REPLACE TEMP TABLE bb_lag AS
		WITH acked AS (
			SELECT key AS k, min(acked_at_ms) AS at FROM ledger
			WHERE coalesce(malformed, '') = '' AND outcome = 'ack' AND acked_at_ms > 0 GROUP BY key),
		visible AS (SELECT k, min(written_ms) AS at, arg_min(s3_key, written_ms) AS s3_key FROM bb_rows GROUP BY k)
		SELECT v.s3_key, v.at AS written_ms, greatest(v.at - a.at, 0) AS lag_ms FROM visible v JOIN acked a USING (k)`); err != nil {
		return fmt.Errorf("measure the lag to each record's first object: %w", err)
	}
	ms := func(v any) time.Duration { return time.Duration(asInt(v)) * time.Millisecond }
	t, err = sess.Query(ctx, `SELECT count(*)::BIGINT, quantile_disc(lag_ms, 0.5)::BIGINT, quantile_disc(lag_ms, 0.95)::BIGINT,
		quantile_disc(lag_ms, 0.99)::BIGINT, max(lag_ms)::BIGINT, count(*) FILTER (WHERE `+fmt.Sprint(bound.Milliseconds())+` > 0 AND lag_ms > `+fmt.Sprint(bound.Milliseconds())+`)::BIGINT FROM bb_lag`)
	if err != nil || len(t.Rows) != 1 {
		return fmt.Errorf("lag percentiles: %w", err)
	}
	row := t.Rows[0]
	f.lag = assertions.LagStats{Records: asInt(row[0]), P50: ms(row[1]), P95: ms(row[2]), P99: ms(row[3]), Max: ms(row[4])}
	f.overBound = asInt(row[5])
	t, err = sess.Query(ctx, `SELECT s3_key, any_value(written_ms), quantile_disc(lag_ms, 0.5)::BIGINT, quantile_disc(lag_ms, 0.99)::BIGINT,
		max(lag_ms)::BIGINT, count(*)::BIGINT FROM bb_lag GROUP BY s3_key ORDER BY any_value(written_ms), s3_key`)
	if err != nil {
		return fmt.Errorf("lag per object: %w", err)
	}
	type late struct {
		ex  assertions.Example
		max time.Duration
	}
	var lates []late
	for _, row := range t.Rows {
		p := report.LagPoint{Time: time.UnixMilli(asInt(row[1])), P50: ms(row[2]), P99: ms(row[3]), Max: ms(row[4])}
		f.lagPoints = append(f.lagPoints, p)
		if bound > 0 && p.Max > bound {
			lates = append(lates, late{assertions.Example{Kind: "late_object", File: str(row[0]), Batch: -1, Seq: -1,
				Detail: fmt.Sprintf("object %s: %d record(s) first visible in it, max lag %v > %v", str(row[0]), asInt(row[5]), p.Max, bound)}, p.Max})
		}
	}
	slices.SortStableFunc(lates, func(a, b late) int { return int(b.max - a.max) })
	for _, l := range lates[:min(len(lates), maxLateExamples)] {
		f.slowest = append(f.slowest, l.ex)
	}
	return nil
}

// lagResult is the lag check of a black-box pipeline, from its objects'
// write times, bounded by maxP99; skip, when set, says why it was not
// measured.
func (f *writeFigures) lagResult(maxP99 time.Duration, skip string) assertions.Result {
	r := assertions.Result{Check: assertions.CheckLag}
	switch {
	case skip != "":
		r.Status, r.Detail = assertions.Skip, skip
		return r
	case f.err != nil:
		r.Status, r.Detail = assertions.Skip, f.err.Error()
		return r
	case f.lag.Records == 0:
		r.Status, r.Detail = assertions.Skip, "no output row matched an acknowledged record of the ledger"
		return r
	}
	r.Lag = &assertions.LagReport{Overall: f.lag}
	r.Counts = []assertions.Count{{Name: "records", Value: f.lag.Records}}
	r.Detail = "from each record's acknowledgement to the write (LastModified) of the first output object holding it"
	r.Status = assertions.Pass
	if maxP99 > 0 {
		r.Counts = append(r.Counts, assertions.Count{Name: "over_bound", Value: f.overBound})
		if f.lag.P99 > maxP99 {
			r.Status = assertions.Fail
			r.Detail = fmt.Sprintf("p99 %v > %v, %s", f.lag.P99, maxP99, r.Detail)
			r.Examples = f.slowest
		}
	}
	return r
}

// attributeDuplicates charges the duplicate rows of each object (by S3
// key) to the run of the pipeline during which it was written: the last
// start at or before its write time (to the millisecond, S3's precision),
// the first run for an object written before any start.
func attributeDuplicates(starts []runStart, writes []objectWrite, dups map[string]int64) []report.PipelineRun {
	if len(starts) == 0 {
		return nil
	}
	runs := make([]report.PipelineRun, len(starts))
	for i, s := range starts {
		runs[i] = report.PipelineRun{Run: i + 1, Started: s.at, After: s.after}
	}
	for _, w := range writes {
		i := 0
		for j, s := range starts {
			if !w.at.Before(s.at.Truncate(time.Millisecond)) {
				i = j
			}
		}
		runs[i].Objects++
		runs[i].Duplicates += dups[w.key]
	}
	return runs
}

// duplicatesLine says in one line after which kills the duplicates were
// written: "kill 2: tripwire in-sink of output object 3 → 412 duplicates;
// run 1 → 3 duplicates".
func duplicatesLine(runs []report.PipelineRun) string {
	var parts []string
	for _, p := range runs {
		if p.Duplicates == 0 {
			continue
		}
		what := p.After
		if what == "" {
			what = fmt.Sprintf("run %d, before any kill", p.Run)
		}
		parts = append(parts, fmt.Sprintf("%s → %d duplicates", what, p.Duplicates))
	}
	return strings.Join(parts, "; ")
}
