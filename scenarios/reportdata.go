package scenarios

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// reportData is what the report shows beyond the checks: the job's
// settings, the dead letters by kind of error, the output's partitions and
// schema. It is read with DuckDB after the checks, from the local copy.
type reportData struct {
	settings    []report.Setting
	deadLetters []report.DeadLetterKind
	partitions  []report.Partition
	schema      []report.Column
	// expected names the checks the scenario expects to fail.
	expected map[string]bool
}

// settings are the job's settings for the report's header.
func (r *run) settings() []report.Setting {
	s := r.s
	set := []report.Setting{{Name: "source", Value: s.kind() + " " + s.stream()}}
	unit := "shards"
	if s.kind() != "kinesis" {
		unit = "partitions"
	}
	set = append(set, report.Setting{Name: unit, Value: fmt.Sprint(s.shards())})
	if r.job != nil {
		set = append(set,
			report.Setting{Name: "window", Value: time.Duration(r.job.ForEachBatch.WindowSize).String()},
			report.Setting{Name: "delivery", Value: r.job.Delivery},
			report.Setting{Name: "partitioning", Value: or(r.job.Sink.Partitioning, "ingest_time")})
		if f := r.job.Source.Classification; f != "" {
			set = append(set, report.Setting{Name: "format", Value: f})
		}
	} else {
		set = append(set, report.Setting{Name: "delivery", Value: s.delivery()})
	}
	return set
}

// readReportData is an extra step of the verification: it reads the dead
// letters, partitions and schema on the checks' session. It adds no result;
// what it cannot read is left out of the report.
func (r *run) readReportData(res *Result) func(context.Context, *assertions.Session) ([]assertions.Result, error) {
	return func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
		d := res.data
		if t, err := sess.Query(ctx, `SELECT kind, count(*)::BIGINT, min(error), arg_min(payload_base64, error)
			FROM (SELECT *, array_to_string(string_split(regexp_replace(coalesce(error, ''), '(^|[ =:(])[0-9]+', '\1N', 'g'), ': ')[1:2], ': ') AS kind FROM dead_letter)
			GROUP BY kind ORDER BY count(*) DESC, kind`); err == nil {
			for _, row := range t.Rows {
				d.deadLetters = append(d.deadLetters, report.DeadLetterKind{Kind: str(row[0]), Count: asInt(row[1]), Error: str(row[2]), Payload: payloadSample(str(row[3]))})
			}
		}
		if t, err := sess.Query(ctx, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM output)`); err == nil {
			for _, row := range t.Rows {
				d.schema = append(d.schema, report.Column{Name: str(row[0]), Type: str(row[1])})
			}
		}
		if r.job != nil {
			d.partitions = readPartitions(ctx, sess, res.LocalPath(r.job.Sink.Path))
		}
		return nil, nil
	}
}

// readPartitions counts the files, rows and bytes of each partition
// directory of the Parquet files under root, as a plain reader of the
// prefix sees them.
func readPartitions(ctx context.Context, sess *assertions.Session, root string) []report.Partition {
	by := map[string]*report.Partition{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		dir := path.Dir(filepath.ToSlash(rel))
		part := by[dir]
		if part == nil {
			part = &report.Partition{Path: dir}
			by[dir] = part
		}
		part.Files++
		part.Bytes += info.Size()
		return nil
	})
	if err != nil || len(by) == 0 {
		return nil
	}
	glob := sqlQuote(filepath.ToSlash(filepath.Join(root, "**", "*.parquet")))
	t, err := sess.Query(ctx, `SELECT filename, count(*)::BIGINT FROM read_parquet(`+glob+`, filename = true, hive_partitioning = false, union_by_name = true) GROUP BY filename`)
	if err == nil {
		for _, row := range t.Rows {
			rel, err := filepath.Rel(root, str(row[0]))
			if err != nil {
				continue
			}
			if part := by[path.Dir(filepath.ToSlash(rel))]; part != nil {
				part.Rows += asInt(row[1])
			}
		}
	}
	out := make([]report.Partition, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b report.Partition) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// payloadSample is the start of a base64 payload as text, or as base64
// when it is not UTF-8.
func payloadSample(b64 string) string {
	const n = 160
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !utf8.Valid(raw) {
		if len(b64) > n {
			return "base64:" + b64[:n] + "…"
		}
		if b64 == "" {
			return ""
		}
		return "base64:" + b64
	}
	s := string(raw)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case nil:
		return ""
	case []byte:
		return string(s)
	}
	return fmt.Sprint(v)
}

// throughput is the rows delivered per second from the first batch's plan
// to the last commit, "" without batches.
func throughput(rows int64, batches []report.Batch) string {
	var first, last time.Time
	for _, b := range batches {
		if !b.PlannedAt.IsZero() && (first.IsZero() || b.PlannedAt.Before(first)) {
			first = b.PlannedAt
		}
		if b.CommittedAt.After(last) {
			last = b.CommittedAt
		}
	}
	span := last.Sub(first)
	if rows == 0 || first.IsZero() || span <= 0 {
		return ""
	}
	return fmt.Sprintf("%.0f rows/s", float64(rows)/span.Seconds())
}

// mergePartitions adds to the partitions read from the output what a
// compactor knows of them: the batch files written, the compactions, the
// open partition.
func mergePartitions(read, compacted []report.Partition) []report.Partition {
	if len(read) == 0 {
		return compacted
	}
	by := map[string]report.Partition{}
	for _, p := range compacted {
		by[p.Path] = p
	}
	out := slices.Clone(read)
	for i, p := range out {
		if c, ok := by[p.Path]; ok {
			out[i].FilesWritten, out[i].BytesWritten, out[i].Compactions, out[i].Open = c.FilesWritten, c.BytesWritten, c.Compactions, c.Open
		}
	}
	return out
}
