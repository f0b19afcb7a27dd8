package assertions

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// partName matches exactly-once object names,
// part-<batch>-<index>-<token>.<codec>.<ext>, and those of checkpoints
// written before names carried the checkpoint's token,
// part-<batch>-<index>.<codec>.<ext>. The submatches are the batch, the
// index and the token ("" in the older form).
var partName = regexp.MustCompile(`^part-(\d{8})-(\d{5})(?:-([0-9a-f]{8}))?\.`)

// outFile is one output (or dead-letter) object.
type outFile struct {
	id    int64
	rel   string // relative to the source root, forward slashes
	path  string // local path, as DuckDB reports it in filename
	batch int64  // from the name, else from the checkpoint's objects; -1 if unknown
	// listed is the batch whose offsets name this object, -1 if none.
	listed int64
	// compaction is the finished compaction that wrote this object, -1
	// if none.
	compaction int64
	// foreign is the token of another checkpoint in the object's
	// exactly-once name when no batch of this one lists it: an object
	// of the run before the checkpoint was deleted or replaced. Its
	// batch is then -1 (the name's batch id is the other checkpoint's).
	foreign string
}

// Session holds one DuckDB database over a job's files. Open it with Open,
// run checks one by one or all with Verify, query it with Query, and Close
// it. A Session is not safe for concurrent use.
type Session struct {
	cfg    Config
	db     *sql.DB
	tmp    string // removed by Close; "" when nothing was copied
	outLoc location
	dlLoc  location
	winLoc location
	out    []outFile
	dl     []outFile
	win    []outFile // windows objects, with Config.Windows
	// missing lists the objects committed batches name that are not there.
	missing []missingObject
	ckpt    *checkpointLog // nil without Config.Checkpoint
	ledger  string         // local ledger file, "" without one
	// posType is the SQL type of sc_ledger.pos: BIGINT when every
	// position has at most 18 digits, else VARCHAR padded to 64 digits.
	posType string
	built   map[string]bool
	columns []string // data columns of the output files (first file's order)
	// compactions counts the output objects compaction manifests account
	// for.
	compactions compactionStats
}

// Open copies s3:// sources to a temporary directory, reads the checkpoint
// logs and prepares DuckDB views: output (the Parquet output, hive
// partitions as columns) and, when configured, dead_letter and ledger. The
// caller must Close the session.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, built: map[string]bool{}}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	fetch := func(uri, name string) (location, string, error) {
		l, err := parseURI(uri)
		if err != nil {
			return l, "", err
		}
		if (l.bucket != "" || l.table != "" || l.stream != "") && s.tmp == "" {
			if s.tmp, err = os.MkdirTemp(cfg.TempDir, "streamcheck-verify-"); err != nil {
				return l, "", fmt.Errorf("assertions: make temporary directory: %w", err)
			}
		}
		dir := filepath.Join(s.tmp, name)
		if l.stream != "" {
			local, err := materializeStream(ctx, cfg.Kinesis, l, dir)
			if err != nil {
				return l, "", fmt.Errorf("assertions: %w", err)
			}
			return l, local, nil
		}
		if l.table != "" {
			local, err := materializeTable(ctx, cfg.DynamoDB, l, dir, cfg.ScanSegments)
			if err != nil {
				return l, "", fmt.Errorf("assertions: %w", err)
			}
			return l, local, nil
		}
		local, err := materialize(ctx, cfg.S3, l, dir, DefaultDownloadConcurrency)
		if err != nil {
			return l, "", fmt.Errorf("assertions: %w", err)
		}
		return l, local, nil
	}
	var err error
	var outDir, dlDir, winDir, ckDir string
	if s.outLoc, outDir, err = fetch(cfg.Output, "output"); err != nil {
		return nil, err
	}
	if cfg.DeadLetter != "" {
		if s.dlLoc, dlDir, err = fetch(cfg.DeadLetter, "dead_letter"); err != nil {
			return nil, err
		}
	}
	if cfg.Windows != "" {
		if s.winLoc, winDir, err = fetch(cfg.Windows, "windows"); err != nil {
			return nil, err
		}
	}
	if cfg.Checkpoint != "" {
		if _, ckDir, err = fetch(cfg.Checkpoint, "checkpoint"); err != nil {
			return nil, err
		}
		if s.ckpt, err = readCheckpoint(ckDir); err != nil {
			return nil, fmt.Errorf("assertions: %w", err)
		}
	}
	if cfg.Ledger != "" {
		if _, s.ledger, err = fetch(cfg.Ledger, "ledger"); err != nil {
			return nil, err
		}
		if _, err := os.Stat(s.ledger); err != nil {
			return nil, fmt.Errorf("assertions: read ledger: %w", err)
		}
	}
	outExt := ".parquet"
	if cfg.OutputFormat == FormatJSONLines {
		outExt = "" // every file
	}
	if s.out, err = s.listObjects(outDir, s.outLoc, outExt, func(p *batchPlan) []string { return p.Objects }); err != nil {
		return nil, err
	}
	s.out = s.applyCompactions(s.outLoc, s.out)
	if dlDir != "" {
		if s.dl, err = s.listObjects(dlDir, s.dlLoc, ".jsonl", func(p *batchPlan) []string { return p.DeadLetterObjects }); err != nil {
			return nil, err
		}
	}
	if winDir != "" {
		if s.win, err = s.listObjects(winDir, s.winLoc, ".parquet", func(p *batchPlan) []string { return p.WindowsObjects }); err != nil {
			return nil, err
		}
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("assertions: open duckdb: %w", err)
	}
	s.db = sql.OpenDB(connector)
	// Checks never depend on the order of rows in a table they create.
	if err := s.exec(ctx, "configure duckdb", `SET GLOBAL preserve_insertion_order = false`); err != nil {
		return nil, err
	}
	if cfg.OutputFormat == FormatJSONLines {
		if err := s.jsonLinesToParquet(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.createViews(ctx); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// Close releases the database and removes copied S3 objects. It is safe to
// call more than once.
func (s *Session) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
		s.db = nil
	}
	if s.tmp != "" {
		if rerr := os.RemoveAll(s.tmp); rerr != nil && err == nil {
			err = rerr
		}
		s.tmp = ""
	}
	return err
}

// missingObject is an object a committed batch names but that is absent.
type missingObject struct {
	batch int64
	uri   string
}

// listObjects lists the files under dir and assigns each its batch: from
// its exactly-once name, else from the checkpoint plan that lists it.
func (s *Session) listObjects(dir string, loc location, ext string, listedIn func(*batchPlan) []string) ([]outFile, error) {
	rels, err := listFiles(dir, ext)
	if err != nil {
		return nil, fmt.Errorf("assertions: %w", err)
	}
	files := make([]outFile, len(rels))
	byRel := make(map[string]int, len(rels))
	byBase := make(map[string][]int, len(rels))
	for i, r := range rels {
		files[i] = outFile{id: int64(i), rel: r, path: filepath.Join(dir, filepath.FromSlash(r)), batch: -1, listed: -1, compaction: -1}
		if m := partName.FindStringSubmatch(path.Base(r)); m != nil {
			files[i].batch, _ = strconv.ParseInt(m[1], 10, 64)
		}
		byRel[r] = i
		byBase[path.Base(r)] = append(byBase[path.Base(r)], i)
	}
	if s.ckpt == nil {
		return files, nil
	}
	for _, id := range s.ckpt.batches() {
		for _, uri := range listedIn(s.ckpt.plans[id]) {
			i, ok := matchObject(loc, uri, byRel, byBase, files)
			if !ok {
				if _, committed := s.ckpt.commits[id]; committed {
					s.missing = append(s.missing, missingObject{id, uri})
				}
				continue
			}
			files[i].listed = id
			if files[i].batch < 0 {
				files[i].batch = id
			}
		}
	}
	if s.ckpt.token == "" {
		return files, nil
	}
	for i := range files {
		m := partName.FindStringSubmatch(path.Base(files[i].rel))
		if m != nil && m[3] != "" && m[3] != s.ckpt.token && files[i].listed < 0 {
			files[i].foreign, files[i].batch = m[3], -1
		}
	}
	return files, nil
}

// matchObject finds the file an object URI from the checkpoint names:
// relative to the source root, or, when the checkpoint names another root
// (a copy being verified), the file whose relative path ends the URI.
func matchObject(loc location, uri string, byRel map[string]int, byBase map[string][]int, files []outFile) (int, bool) {
	if r, ok := loc.rel(uri); ok {
		i, ok := byRel[r]
		return i, ok
	}
	for _, i := range byBase[path.Base(uri)] {
		if strings.HasSuffix(uri, "/"+files[i].rel) {
			return i, true
		}
	}
	return 0, false
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func pathList(files []outFile) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range files {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(sqlString(f.path))
	}
	b.WriteByte(']')
	return b.String()
}

// createViews creates the user-facing views output, dead_letter and ledger.
func (s *Session) createViews(ctx context.Context) error {
	if len(s.out) > 0 {
		hive := len(s.cfg.PartitionBy) > 0 || s.cfg.IngestTimePartitioning || hasHiveDirs(s.out)
		q := fmt.Sprintf(`CREATE VIEW output AS SELECT * FROM read_parquet(%s, hive_partitioning=%t, union_by_name=true%s)`, pathList(s.out), hive, s.hiveTypes(hive))
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			// Inconsistent partition directories: fall back to the files'
			// own columns so that queries still work; layout reports it.
			q = fmt.Sprintf(`CREATE OR REPLACE VIEW output AS SELECT * FROM read_parquet(%s, hive_partitioning=false, union_by_name=true)`, pathList(s.out))
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("assertions: read output %s: %w", s.cfg.Output, err)
			}
		}
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`DESCRIBE SELECT * FROM read_parquet(%s, union_by_name=true, hive_partitioning=false)`, pathList(s.out)))
		if err != nil {
			return fmt.Errorf("assertions: read output schema %s: %w", s.cfg.Output, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("assertions: read output schema: %w", err)
			}
			s.columns = append(s.columns, fmt.Sprint(vals[0]))
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("assertions: read output schema: %w", err)
		}
	} else {
		if _, err := s.db.ExecContext(ctx, `CREATE VIEW output AS SELECT NULL AS no_output_files WHERE false`); err != nil {
			return fmt.Errorf("assertions: create output view: %w", err)
		}
	}
	if s.cfg.DeadLetter != "" {
		q := `CREATE VIEW dead_letter AS SELECT NULL::BIGINT AS batch_id, NULL::VARCHAR AS payload_sha256, NULL::VARCHAR AS error, NULL::VARCHAR AS filename WHERE false`
		if len(s.dl) > 0 {
			q = fmt.Sprintf(`CREATE VIEW dead_letter AS SELECT * FROM read_json(%s, format='newline_delimited', columns=%s, filename=true)`, pathList(s.dl), deadLetterColumns)
		}
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("assertions: read dead letter %s: %w", s.cfg.DeadLetter, err)
		}
	}
	if s.ledger != "" {
		var src string
		if strings.HasSuffix(strings.ToLower(s.ledger), ".parquet") {
			src = fmt.Sprintf(`read_parquet(%s)`, sqlString(s.ledger))
		} else {
			src = fmt.Sprintf(`read_json(%s, format='newline_delimited', columns=%s)`, sqlString(s.ledger), ledgerColumns)
		}
		if _, err := s.db.ExecContext(ctx, `CREATE VIEW ledger AS SELECT * FROM `+src); err != nil {
			return fmt.Errorf("assertions: read ledger %s: %w", s.cfg.Ledger, err)
		}
	}
	return nil
}

// hiveTypes returns the hive_types argument that gives every partition
// column one type in every file, where DuckDB's own guess goes value by
// value (ingest_day=04 became VARCHAR while ingest_hour=14 became BIGINT):
// ingest_year, _month, _day and _hour are INTEGER, as Spark's partition
// discovery reads them; a column partition takes the DuckDB type of its
// declared Glue type (integers BIGINT, date DATE, boolean BOOLEAN), and
// VARCHAR when none is declared.
func (s *Session) hiveTypes(hive bool) string {
	if !hive || len(s.out) == 0 {
		return ""
	}
	declared := map[string]string{}
	for _, c := range s.cfg.Schema {
		declared[strings.ToLower(c.Name)] = c.Type
	}
	var parts []string
	seen := map[string]bool{}
	for _, f := range s.out {
		dir := path.Dir(filepath.ToSlash(f.rel))
		for _, seg := range strings.Split(dir, "/") {
			name, _, ok := strings.Cut(seg, "=")
			if !ok || name == "" || seen[name] {
				continue
			}
			seen[name] = true
			t := "VARCHAR"
			switch g, _ := normalizeGlueType(declared[strings.ToLower(name)]); {
			case strings.HasPrefix(name, "ingest_"):
				t = "INTEGER"
			case g == "int" || g == "bigint" || g == "smallint" || g == "tinyint":
				t = "BIGINT"
			case g == "date":
				t = "DATE"
			case g == "boolean":
				t = "BOOLEAN"
			}
			parts = append(parts, sqlString(name)+": "+t)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", hive_types={" + strings.Join(parts, ", ") + "}"
}

func hasHiveDirs(files []outFile) bool {
	for _, f := range files {
		if strings.Contains(f.rel, "=") {
			return true
		}
	}
	return false
}

const ledgerColumns = `{seq: 'BIGINT', producer: 'INTEGER', key: 'VARCHAR', partition_key: 'VARCHAR',
	payload_sha256: 'VARCHAR', size: 'INTEGER', malformed: 'VARCHAR', duplicate_of: 'BIGINT',
	event_time_ms: 'BIGINT', outcome: 'VARCHAR', attempts: 'INTEGER', error: 'VARCHAR', target: 'VARCHAR',
	shard_id: 'VARCHAR', sequence_number: 'VARCHAR', "partition": 'INTEGER', "offset": 'BIGINT',
	sent_at_ms: 'BIGINT', acked_at_ms: 'BIGINT'}`

const deadLetterColumns = `{batch_id: 'BIGINT', source: 'VARCHAR', stream: 'VARCHAR', shard_id: 'VARCHAR',
	partition: 'INTEGER', sequence_number: 'VARCHAR', "offset": 'BIGINT', partition_key: 'VARCHAR',
	arrival_time: 'VARCHAR', error: 'VARCHAR', payload_base64: 'VARCHAR', payload_sha256: 'VARCHAR'}`

// exec runs statements in order.
func (s *Session) exec(ctx context.Context, what string, stmts ...string) error {
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("assertions: %s: %w", what, err)
		}
	}
	return nil
}

// appendRows bulk-loads rows into an existing table.
func (s *Session) appendRows(ctx context.Context, table string, rows [][]driver.Value) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("assertions: load %s: %w", table, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("assertions: load %s: %w", table, err)
	}
	return nil
}

// jsonLinesToParquet reads each JSON-lines output file into a Parquet copy
// in the session's temporary directory and points the file at it, so that
// every check reads Parquet. Empty files hold no rows and are dropped.
func (s *Session) jsonLinesToParquet(ctx context.Context) error {
	if s.tmp == "" {
		var err error
		if s.tmp, err = os.MkdirTemp(s.cfg.TempDir, "streamcheck-verify-"); err != nil {
			return fmt.Errorf("assertions: make temporary directory: %w", err)
		}
	}
	dir := filepath.Join(s.tmp, "output-parquet")
	kept := s.out[:0]
	for _, f := range s.out {
		if st, err := os.Stat(f.path); err == nil && st.Size() == 0 {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.rel)+".parquet")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("assertions: %w", err)
		}
		q := fmt.Sprintf(`COPY (SELECT * FROM read_json(%s, format='newline_delimited')) TO %s (FORMAT parquet)`, sqlString(f.path), sqlString(dst))
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("assertions: read output %s as JSON lines: %w", f.rel, err)
		}
		f.path = dst
		kept = append(kept, f)
	}
	for i := range kept {
		kept[i].id = int64(i)
	}
	s.out = kept
	return nil
}
