package assertions

import (
	"context"
	"database/sql/driver"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// hiveDefault is the path value Hive and Spark write for a null partition.
const hiveDefault = "__HIVE_DEFAULT_PARTITION__"

// Layout checks where the output objects are:
//
//   - misplaced: with column partitioning, the path's key=value directories
//     must be Config.PartitionBy in order, and when a file does carry a
//     partition column (the contract keeps them in the path only) its rows
//     must hold the path's value; with ingest-time partitioning, the path
//     must be ingest_year=YYYY/ingest_month=MM/ingest_day=DD/ingest_hour=HH
//     of the batch's planned ingest_time (UTC, zero-padded);
//   - bad_name: under exactly-once, an object not named
//     part-<8-digit batch>-<5-digit index>[-<8-hex checkpoint token>], or
//     named after another batch than the one whose offsets list it;
//   - orphan: an output, dead-letter or (with Config.Windows) windows
//     object that no committed batch's offsets name (objects of failed or
//     uncommitted attempts, and objects whose name carries another
//     checkpoint's token: written before this checkpoint was deleted or
//     replaced, their records read again); expected, and only counted,
//     under at-least-once;
//   - missing_object: an object a committed batch names that is absent.
//
// Compactions (docs/formats.md) are honoured: an object written by a
// finished compaction replaces its inputs (counted as compacted_files; its
// name is part-c<K>-<index>[-<token>]), inputs it replaced are neither missing nor,
// while still present, read (pending_deletion), and objects of an
// unfinished compaction are not yet part of the output
// (compaction_in_progress). These counts are informational.
//
// Orphan and missing objects need the checkpoint.
func (s *Session) Layout(ctx context.Context) (Result, error) {
	if s.tableOutput() {
		return skipped(CheckLayout, "the output is "+s.outputKind()+", not objects"), nil
	}
	r := Result{Check: CheckLayout}
	count := map[string]int64{}
	max := s.cfg.maxExamples()
	note := func(kind, key, file string, batch int64, detail string) {
		count[kind]++
		if count[kind] <= int64(max) {
			r.Examples = append(r.Examples, Example{Kind: kind, Key: key, File: file, Batch: batch, Seq: -1, Detail: detail})
		}
	}
	exactlyOnce := s.cfg.delivery() == ExactlyOnce
	var partVals [][]driver.Value
	for _, f := range s.out {
		dir := path.Dir(f.rel)
		var keys, vals []string
		if dir != "." {
			for _, seg := range strings.Split(dir, "/") {
				k, v, ok := strings.Cut(seg, "=")
				if !ok {
					k, v = seg, ""
				}
				keys = append(keys, k)
				vals = append(vals, v)
			}
		}
		switch {
		case s.cfg.IngestTimePartitioning:
			want := []string{"ingest_year", "ingest_month", "ingest_day", "ingest_hour"}
			if strings.Join(keys, "/") != strings.Join(want, "/") {
				note("misplaced", "", f.rel, f.batch, fmt.Sprintf("path partitions %q, want %s", dir, strings.Join(want, "/")))
				break
			}
			if s.ckpt == nil || f.batch < 0 || s.ckpt.plans[f.batch] == nil {
				break // no plan to compare with; an orphan if checkpointed
			}
			t := s.ckpt.plans[f.batch].IngestTime.UTC()
			wantVals := []string{strconv.Itoa(t.Year()), fmt.Sprintf("%02d", int(t.Month())), fmt.Sprintf("%02d", t.Day()), fmt.Sprintf("%02d", t.Hour())}
			if strings.Join(vals, "/") != strings.Join(wantVals, "/") {
				wantDir := fmt.Sprintf("ingest_year=%s/ingest_month=%s/ingest_day=%s/ingest_hour=%s", wantVals[0], wantVals[1], wantVals[2], wantVals[3])
				note("misplaced", "", f.rel, f.batch, fmt.Sprintf("batch ingest_time %s belongs under %s", t.Format("2006-01-02T15:04:05Z"), wantDir))
			}
		case len(s.cfg.PartitionBy) > 0:
			if strings.Join(keys, "/") != strings.Join(s.cfg.PartitionBy, "/") {
				note("misplaced", "", f.rel, f.batch, fmt.Sprintf("path partitions %q, want %s", dir, strings.Join(s.cfg.PartitionBy, "/")))
				break
			}
			for i, k := range keys {
				if vals[i] == "" {
					note("misplaced", k, f.rel, f.batch, "empty partition value")
				}
				partVals = append(partVals, []driver.Value{f.path, f.rel, f.batch, k, vals[i]})
			}
		}
		name := path.Base(f.rel)
		if f.compaction >= 0 {
			continue // named by a finished compaction, which its batches committed
		}
		if exactlyOnce {
			m := partName.FindStringSubmatch(name)
			switch {
			case m == nil:
				note("bad_name", "", f.rel, f.batch, "want part-<8-digit batch>-<5-digit index>-<checkpoint token>.<codec>.parquet")
			case f.listed >= 0 && f.listed != f.batch:
				note("bad_name", "", f.rel, f.batch, fmt.Sprintf("named after batch %d, listed by batch %d", f.batch, f.listed))
			}
		}
		if s.ckpt != nil && !s.committed(f.listed) {
			note("orphan", "", f.rel, f.batch, s.orphanDetail(f, "named by no committed batch"))
		}
	}
	if s.ckpt != nil {
		for _, f := range s.dl {
			if !s.committed(f.listed) {
				note("orphan", "", "dead_letter/"+f.rel, f.batch, s.orphanDetail(f, "dead-letter object named by no committed batch"))
			}
		}
		for _, f := range s.win {
			if !s.committed(f.listed) {
				note("orphan", "", "windows/"+f.rel, f.batch, s.orphanDetail(f, "windows object named by no committed batch"))
			}
		}
		for _, m := range s.missing {
			note("missing_object", "", m.uri, m.batch, "named by the committed batch but absent")
		}
	}
	if err := s.misplacedRows(ctx, partVals, note); err != nil {
		return Result{}, err
	}
	r.add("files", int64(len(s.out)))
	if s.ckpt != nil && len(s.ckpt.compactions) > 0 {
		r.add("compacted_files", s.compactions.compacted)
		r.add("pending_deletion", s.compactions.pending)
		r.add("compaction_in_progress", s.compactions.inProgress)
	}
	for _, k := range []string{"misplaced", "bad_name", "orphan", "missing_object"} {
		r.add(k, count[k])
	}
	if exactlyOnce {
		r.failIf("misplaced", "bad_name", "orphan", "missing_object")
	} else {
		r.failIf("misplaced", "missing_object")
		r.Detail = "at-least-once: orphan objects are expected and only counted"
	}
	if s.ckpt == nil {
		r.Detail = strings.TrimPrefix(r.Detail+"; no checkpoint: orphans and missing objects not checked", "; ")
	}
	return r, nil
}

// orphanDetail explains an orphan: detail, or for an object of another
// checkpoint which one.
func (s *Session) orphanDetail(f outFile, detail string) string {
	if f.foreign == "" {
		return detail
	}
	return fmt.Sprintf("written under another checkpoint (token %s, this one is %s), as before the checkpoint was deleted or replaced", f.foreign, s.ckpt.token)
}

func (s *Session) committed(batch int64) bool {
	if batch < 0 || s.ckpt == nil {
		return false
	}
	_, ok := s.ckpt.commits[batch]
	return ok
}

// misplacedRows compares partition columns present in the files with the
// values of their paths.
func (s *Session) misplacedRows(ctx context.Context, partVals [][]driver.Value, note func(kind, key, file string, batch int64, detail string)) error {
	var inFile []string
	for _, p := range s.cfg.PartitionBy {
		for _, c := range s.columns {
			if strings.EqualFold(c, p) {
				inFile = append(inFile, c)
			}
		}
	}
	if len(inFile) == 0 || len(partVals) == 0 {
		return nil
	}
	if !s.built["sc_partvals"] {
		if err := s.exec(ctx, "create partition table", `CREATE TABLE sc_partvals (path VARCHAR, rel VARCHAR, batch BIGINT, col VARCHAR, value VARCHAR)`); err != nil {
			return err
		}
		if err := s.appendRows(ctx, "sc_partvals", partVals); err != nil {
			return err
		}
		s.built["sc_partvals"] = true
	}
	for _, c := range inFile {
		q := fmt.Sprintf(`SELECT p.rel, p.batch, p.value, count(*), min(coalesce(CAST(o.%[1]s AS VARCHAR), '%[3]s'))
			FROM read_parquet(%[2]s, filename=true, hive_partitioning=false, union_by_name=true) o
			JOIN sc_partvals p ON p.path = o.filename AND lower(p.col) = lower(%[4]s)
			WHERE coalesce(CAST(o.%[1]s AS VARCHAR), '%[3]s') <> p.value
			GROUP BY p.rel, p.batch, p.value ORDER BY p.rel`, sqlIdent(c), pathList(s.out), hiveDefault, sqlString(c))
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("assertions: compare partition column %s: %w", c, err)
		}
		for rows.Next() {
			var rel, value, sample string
			var batch, n int64
			if err := rows.Scan(&rel, &batch, &value, &n, &sample); err != nil {
				rows.Close()
				return fmt.Errorf("assertions: compare partition column %s: %w", c, err)
			}
			note("misplaced", c, rel, batch, fmt.Sprintf("%d row(s) with %s=%s under %s=%s", n, c, sample, c, value))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("assertions: compare partition column %s: %w", c, err)
		}
	}
	return nil
}
