package assertions

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
)

// The checks share internal tables and views, built on first use:
//
//	sc_files    output objects: file_id (index in the read list), rel, batch
//	sc_batches  checkpoint batches: planned and committed times
//	sc_loss     data-loss ranges of the checkpoint, positions padded
//	sc_dl       dead-letter entries: payload hash, error, batch, file
//	sc_ledger   the ledger's columns the checks need (a view)
//	sc_outrows  the output's key, file and row number (a view)
//	sc_once     one row per key seen in the ledger or the output: for the
//	            plain keys (see buildOnce) the output row and the arrival
//	            time, for the others only the key
//	sc_keys     per key that is not plain: what the ledger says may and
//	            must appear, and what the output holds
//	sc_multi    rows of keys delivered more than once, paired by rank
//	sc_rows     one row per output row with its paired acknowledgement
//
// Nearly every key is plain: acknowledged once and delivered once. One lean
// aggregate over ledger and output (sc_once) tells them from the rest, so
// the full per-key accounting (sc_keys) and the row-by-row pairing
// (sc_multi) run only over the few keys that are not.
func (s *Session) ensure(ctx context.Context, name string) error {
	if s.built[name] {
		return nil
	}
	deps := map[string][]string{
		"sc_ledger":  {"sc_batches", "sc_dl"},
		"sc_outrows": {"sc_files"},
		"sc_once":    {"sc_ledger", "sc_outrows", "sc_files"},
		"sc_keys":    {"sc_once"},
		"sc_multi":   {"sc_keys"},
		"sc_rows":    {"sc_multi"},
	}
	for _, d := range deps[name] {
		if err := s.ensure(ctx, d); err != nil {
			return err
		}
	}
	var err error
	switch name {
	case "sc_files":
		err = s.buildFiles(ctx)
	case "sc_batches":
		err = s.buildBatches(ctx)
	case "sc_dl":
		err = s.buildDeadLetter(ctx)
	case "sc_ledger":
		err = s.buildLedger(ctx)
	case "sc_outrows":
		err = s.buildOutRows(ctx)
	case "sc_once":
		err = s.buildOnce(ctx)
	case "sc_keys":
		err = s.buildKeys(ctx)
	case "sc_multi":
		err = s.buildMulti(ctx)
	case "sc_rows":
		err = s.exec(ctx, "pair output rows with the ledger", `CREATE VIEW sc_rows AS
		SELECT NULL::VARCHAR AS k, f.batch, o.fr >> 40 AS file_id, o.fr & 1099511627775 AS rn, o.acked_ms,
			NULL::`+s.posType+` AS pos, NULL::VARCHAR AS partition_key, NULL::INTEGER AS "partition", o.seq
		FROM sc_once o LEFT JOIN sc_files f ON f.file_id = o.fr >> 40 WHERE o.plain
		UNION ALL
		SELECT key AS k, batch, file_id, rn, CASE WHEN acks > 0 THEN acked_ms END AS acked_ms,
			CASE WHEN acks > 0 THEN pos END AS pos, partition_key, "partition", NULL::BIGINT AS seq
		FROM sc_keys WHERE n = 1
		UNION ALL
		SELECT k, batch, file_id, rn, acked_ms, pos, partition_key, "partition", NULL::BIGINT AS seq FROM sc_multi`)
	default:
		err = fmt.Errorf("assertions: no table %s", name)
	}
	if err != nil {
		return err
	}
	s.built[name] = true
	return nil
}

// buildLedger prepares the ledger's columns the checks need. Positions
// (Kinesis sequence numbers, Kafka offsets) are left-padded to 64 digits to
// compare as big integers; they are computed only when a check needs them.
// in_loss says the record lies in a data-loss range of the checkpoint
// (inclusive; a Kinesis range matches by shard, a Kafka range by partition).
// dead_lettered marks acknowledged well-formed attempts whose payload the
// dead letter holds (one attempt per entry).
func (s *Session) buildLedger(ctx context.Context) error {
	var nloss, ndl int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sc_loss), (SELECT count(*) FROM sc_dl)`).Scan(&nloss, &ndl); err != nil {
		return fmt.Errorf("assertions: count data-loss ranges: %w", err)
	}
	src := "ledger"
	var stmts []string
	if !strings.HasSuffix(strings.ToLower(s.ledger), ".parquet") {
		// JSON is parsed once, and only the columns the checks read.
		if err := s.exec(ctx, "read ledger "+s.cfg.Ledger, `CREATE TABLE sc_ledger_raw AS SELECT seq, key, partition_key,
			payload_sha256, malformed, outcome, shard_id, sequence_number, "partition", "offset", acked_at_ms FROM ledger`); err != nil {
			return err
		}
		src = "sc_ledger_raw"
	}
	s.posType = "VARCHAR"
	pos := `NULL::VARCHAR`
	if nloss > 0 || s.cfg.CheckOrder {
		// Positions of up to 18 digits (Kafka offsets, short sequence
		// numbers) compare as BIGINT, far cheaper than padded strings.
		var digits, notNumbers int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(max(length(sequence_number)), 0),
			count(*) FILTER (WHERE TRY_CAST(sequence_number AS UBIGINT) IS NULL)
			FROM %s WHERE coalesce(sequence_number, '') <> ''`, src)).Scan(&digits, &notNumbers); err != nil {
			return fmt.Errorf("assertions: read ledger positions: %w", err)
		}
		if digits <= 18 && notNumbers == 0 {
			s.posType = "BIGINT"
			pos = `CASE WHEN coalesce(sequence_number, '') <> '' THEN CAST(sequence_number AS BIGINT)
		     WHEN coalesce("offset", -1) >= 0 THEN "offset" END`
		} else {
			pos = `CASE WHEN coalesce(sequence_number, '') <> '' THEN lpad(sequence_number, 64, '0')
		     WHEN coalesce("offset", -1) >= 0 THEN lpad(CAST("offset" AS VARCHAR), 64, '0') END`
		}
	}
	pk := `NULL::VARCHAR`
	if s.cfg.CheckOrder {
		pk = `coalesce(partition_key, '')`
	}
	inLoss, deadLettered := "false", "false"
	if nloss > 0 {
		// sc_loss holds positions padded to 64 digits.
		padded := "l.pos"
		if s.posType == "BIGINT" {
			padded = "lpad(CAST(l.pos AS VARCHAR), 64, '0')"
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE sc_lossy AS SELECT DISTINCT l.seq FROM (SELECT seq, coalesce(shard_id, '') AS shard_id,
			coalesce("partition", -1) AS "partition", %s AS pos FROM %s) l JOIN sc_loss x
			ON `+padded+` BETWEEN x.from_pos AND x.to_pos
			AND ((x.shard_id <> '' AND x.shard_id = l.shard_id) OR (x.shard_id = '' AND x."partition" = l."partition"))`, pos, src))
		inLoss = "seq IN (SELECT seq FROM sc_lossy)"
	}
	if ndl > 0 {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE sc_dlseq AS
			WITH dlc AS (SELECT sha, count(*) AS n FROM sc_dl GROUP BY sha),
			m AS (SELECT l.seq, l.payload_sha256, d.n FROM %s l JOIN dlc d ON d.sha = l.payload_sha256
				WHERE coalesce(l.malformed, '') = '' AND l.outcome = 'ack')
			SELECT seq FROM m QUALIFY row_number() OVER (PARTITION BY payload_sha256 ORDER BY seq) <= n`, src))
		deadLettered = "seq IN (SELECT seq FROM sc_dlseq)"
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE VIEW sc_ledger AS SELECT
		seq, coalesce(key, '') AS key, %s AS partition_key, coalesce(payload_sha256, '') AS payload_sha256,
		coalesce(malformed, '') AS malformed, outcome, coalesce("partition", -1) AS "partition", %s AS pos,
		coalesce(acked_at_ms, 0) AS acked_at_ms, %s AS in_loss, %s AS dead_lettered
		FROM %s`, pk, pos, inLoss, deadLettered, src))
	return s.exec(ctx, "read ledger "+s.cfg.Ledger, stmts...)
}

// buildOutRows exposes the output's identity key, file and row number.
func (s *Session) buildOutRows(ctx context.Context) error {
	if len(s.out) == 0 {
		return s.exec(ctx, "read output", `CREATE VIEW sc_outrows AS SELECT NULL::VARCHAR AS k,
			NULL::BIGINT AS file_id, NULL::BIGINT AS rn WHERE false`)
	}
	key, err := s.keyExpr()
	if err != nil {
		return err
	}
	return s.exec(ctx, "read output "+s.cfg.Output, fmt.Sprintf(`CREATE VIEW sc_outrows AS
		SELECT %s AS k, CAST(file_index AS BIGINT) AS file_id, file_row_number AS rn
		FROM read_parquet(%s, file_row_number=true, hive_partitioning=false, union_by_name=true) o`, key, pathList(s.out)))
}

func (s *Session) keyExpr() (string, error) {
	if s.cfg.KeyColumn == KeyRowHash {
		cols := make([]string, 0, len(s.columns))
		for _, c := range s.columns {
			cols = append(cols, "o."+sqlIdent(c))
		}
		return fmt.Sprintf("CAST(hash(%s) AS VARCHAR)", strings.Join(cols, ", ")), nil
	}
	for _, c := range s.columns {
		if strings.EqualFold(c, s.cfg.KeyColumn) {
			return "CAST(o." + sqlIdent(c) + " AS VARCHAR)", nil
		}
	}
	return "", fmt.Errorf("assertions: key column %q: not in the output (columns: %s)", s.cfg.KeyColumn, strings.Join(s.columns, ", "))
}

// buildOnce sorts the keys in one aggregate over the well-formed ledger
// attempts and the output rows, per key, whose state is three integers: a
// key is plain when it has exactly one ledger attempt, acknowledged with an
// arrival time, outside data-loss ranges and not dead-lettered, and exactly
// one output row. Each input row carries one number v: an output row its
// file and row number packed as (file_id << 40) + rn (>= 0), a plain
// attempt -1 - acked_at_ms (<= -2), any other attempt -1. Then a key is
// plain exactly when it has two rows, min(v) <= -2 and max(v) >= 0. A plain
// key is accounted for (must = attempted = acks = n = 1) and needs no
// further look; sc_once keeps its output row and arrival time (and, when
// order is checked, the attempt's seq) for lag and order, and drops the key
// itself, which only the other keys need.
func (s *Session) buildOnce(ctx context.Context) error {
	seq, seqCol := "", ""
	if s.cfg.CheckOrder {
		seq, seqCol = `, CASE WHEN plain THEN sq END AS seq`, `, min(seq) AS sq`
	} else {
		seq = `, NULL::BIGINT AS seq`
	}
	return s.exec(ctx, "match output with ledger", `CREATE TABLE sc_once AS
	SELECT CASE WHEN NOT plain THEN key END AS key, plain, CASE WHEN plain THEN -1 - lo END AS acked_ms,
		CASE WHEN plain THEN hi END AS fr`+seq+`
	FROM (
		SELECT key, count(*) = 2 AND min(v) <= -2 AND max(v) >= 0 AS plain, min(v) AS lo, max(v) AS hi`+seqCol+`
		FROM (
			SELECT key, CASE WHEN outcome = 'ack' AND acked_at_ms > 0 AND NOT in_loss AND NOT dead_lettered
				THEN -1 - acked_at_ms ELSE -1 END AS v, seq
			FROM sc_ledger WHERE malformed = ''
			UNION ALL
			SELECT k, (file_id << 40) + rn, NULL FROM sc_outrows
		) GROUP BY key
	)`)
}

// buildKeys accounts, per key that is not plain (see buildOnce), for the
// well-formed ledger attempts and the output rows (see keysSQL).
func (s *Session) buildKeys(ctx context.Context) error {
	var others int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sc_once WHERE NOT plain`).Scan(&others); err != nil {
		return fmt.Errorf("assertions: count keys not plain: %w", err)
	}
	q := s.keysSQL(`key IN (SELECT key FROM sc_once WHERE NOT plain)`,
		`k IS NULL OR k IN (SELECT key FROM sc_once WHERE NOT plain)`)
	if others == 0 {
		q += ` LIMIT 0`
	}
	return s.exec(ctx, "match output with ledger", "CREATE TABLE sc_keys AS "+q)
}

// keysSQL is the query behind sc_keys over the ledger attempts and output
// rows that the conditions select. An acknowledged attempt whose payload is
// in the dead letter is accounted for there and not expected in the output.
func (s *Session) keysSQL(ledgerWhere, outWhere string) string {
	order, ledgerOrder, outOrder, orderCols := "", "", "", `NULL::`+s.posType+` AS pos, NULL::VARCHAR AS partition_key, NULL::INTEGER AS "partition"`
	if s.cfg.CheckOrder {
		order = `, arg_min(pos, acked_ms) AS pos, arg_min(partition_key, acked_ms) AS partition_key, arg_min("partition", acked_ms) AS "partition"`
		ledgerOrder, outOrder = `, pos, partition_key, "partition"`, `, NULL, NULL, NULL`
		orderCols = `a.pos, a.partition_key, a."partition"`
	}
	return `WITH a AS (
		SELECT key,
			count(*) FILTER (WHERE NOT out AND outcome = 'ack' AND NOT in_loss AND NOT dead_lettered) AS must,
			count(*) FILTER (WHERE NOT out AND outcome = 'ack' AND in_loss) AS lossy,
			count(*) FILTER (WHERE NOT out AND outcome = 'unknown') AS unknown,
			count(*) FILTER (WHERE NOT out AND outcome IN ('ack', 'unknown')) AS attempted,
			count(*) FILTER (WHERE NOT out AND outcome = 'ack' AND acked_at_ms > 0) AS acks,
			count(*) FILTER (WHERE NOT out AND dead_lettered) AS dead_lettered,
			count(*) FILTER (WHERE out) AS n,
			min(acked_ms) AS acked_ms, min(fr) AS fr` + order + `
		FROM (
			SELECT key, false AS out, outcome, in_loss, dead_lettered, acked_at_ms,
				CASE WHEN outcome = 'ack' AND acked_at_ms > 0 THEN acked_at_ms END AS acked_ms, NULL::BIGINT AS fr` + ledgerOrder + `
			FROM sc_ledger WHERE malformed = '' AND (` + ledgerWhere + `)
			UNION ALL
			SELECT k, true, NULL, NULL, NULL, NULL, NULL, (file_id << 40) + rn` + outOrder + ` FROM sc_outrows WHERE ` + outWhere + `
		) GROUP BY key
	)
	SELECT a.key, a.must, a.lossy, a.unknown, a.attempted, a.acks, a.dead_lettered, a.n, a.acked_ms, ` + orderCols + `,
		f.batch, a.fr >> 40 AS file_id, a.fr & 1099511627775 AS rn
	FROM a LEFT JOIN sc_files f ON f.file_id = a.fr >> 40`
}

func (s *Session) buildFiles(ctx context.Context) error {
	if err := s.exec(ctx, "create files table",
		`CREATE TABLE sc_files (file_id BIGINT, rel VARCHAR, path VARCHAR, batch BIGINT, listed BIGINT)`); err != nil {
		return err
	}
	rows := make([][]driver.Value, len(s.out))
	for i, f := range s.out {
		rows[i] = []driver.Value{f.id, f.rel, f.path, f.batch, f.listed}
	}
	return s.appendRows(ctx, "sc_files", rows)
}

// buildMulti pairs the rows of keys delivered more than once with the key's
// acknowledged attempts: the i-th row in output order (batch, file, row)
// with the i-th acknowledgement (by acked_at_ms, then seq).
func (s *Session) buildMulti(ctx context.Context) error {
	var multi int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sc_keys WHERE n > 1`).Scan(&multi); err != nil {
		return fmt.Errorf("assertions: count keys delivered more than once: %w", err)
	}
	if multi == 0 {
		return s.exec(ctx, "create pairs table", `CREATE TABLE sc_multi (k VARCHAR, batch BIGINT, file_id BIGINT, rn BIGINT,
			acked_ms BIGINT, pos `+s.posType+`, partition_key VARCHAR, "partition" INTEGER)`)
	}
	return s.exec(ctx, "pair output rows with the ledger", `CREATE TABLE sc_multi AS
	WITH multi AS (SELECT key FROM sc_keys WHERE n > 1),
	o AS (
		SELECT o.k, f.batch, o.file_id, o.rn, row_number() OVER (PARTITION BY o.k ORDER BY f.batch, o.file_id, o.rn) AS r
		FROM sc_outrows o JOIN sc_files f USING (file_id) WHERE o.k IN (SELECT key FROM multi)
	),
	l AS (
		SELECT key, acked_at_ms, pos, partition_key, "partition", row_number() OVER (PARTITION BY key ORDER BY acked_at_ms, seq) AS r
		FROM sc_ledger WHERE malformed = '' AND outcome = 'ack' AND acked_at_ms > 0 AND key IN (SELECT key FROM multi)
	)
	SELECT o.k, o.batch, o.file_id, o.rn, l.acked_at_ms AS acked_ms, l.pos, l.partition_key, l."partition"
	FROM o LEFT JOIN l ON l.key = o.k AND l.r = o.r`)
}

// buildBatches loads the checkpoint's batches and data-loss ranges.
func (s *Session) buildBatches(ctx context.Context) error {
	if err := s.exec(ctx, "create batch tables",
		`CREATE TABLE sc_batches (batch_id BIGINT, planned_at_ms BIGINT, committed BOOLEAN, committed_at_ms BIGINT)`,
		`CREATE TABLE sc_loss (batch_id BIGINT, shard_id VARCHAR, "partition" INTEGER, from_pos VARCHAR, to_pos VARCHAR)`); err != nil {
		return err
	}
	if s.ckpt == nil {
		return nil
	}
	var batches, loss [][]driver.Value
	for _, id := range s.ckpt.batches() {
		p := s.ckpt.plans[id]
		var committedAt any
		c, ok := s.ckpt.commits[id]
		if ok {
			committedAt = c.CommittedAt.UnixMilli()
		}
		batches = append(batches, []driver.Value{id, p.PlannedAt.UnixMilli(), ok, committedAt})
		for _, l := range p.DataLoss {
			loss = append(loss, []driver.Value{id, l.ShardID, l.Partition, pad64(l.From), pad64(l.To)})
		}
	}
	if err := s.appendRows(ctx, "sc_batches", batches); err != nil {
		return err
	}
	return s.appendRows(ctx, "sc_loss", loss)
}

func pad64(n string) string {
	n = strings.TrimSpace(n)
	if len(n) >= 64 {
		return n
	}
	return strings.Repeat("0", 64-len(n)) + n
}

// buildDeadLetter materialises the dead letter's rows with their files.
func (s *Session) buildDeadLetter(ctx context.Context) error {
	if s.cfg.DeadLetter == "" {
		return s.exec(ctx, "create dead-letter table",
			`CREATE TABLE sc_dl (sha VARCHAR, error VARCHAR, batch BIGINT, rel VARCHAR)`)
	}
	if err := s.exec(ctx, "create dead-letter table",
		`CREATE TABLE sc_dl_files (path VARCHAR, rel VARCHAR, batch BIGINT, listed BIGINT)`); err != nil {
		return err
	}
	rows := make([][]driver.Value, len(s.dl))
	for i, f := range s.dl {
		rows[i] = []driver.Value{f.path, f.rel, f.batch, f.listed}
	}
	if err := s.appendRows(ctx, "sc_dl_files", rows); err != nil {
		return err
	}
	return s.exec(ctx, "read dead letter "+s.cfg.DeadLetter, `CREATE TABLE sc_dl AS SELECT
		coalesce(d.payload_sha256, '') AS sha, coalesce(d.error, '') AS error,
		coalesce(d.batch_id, f.batch) AS batch, f.rel
		FROM dead_letter d LEFT JOIN sc_dl_files f ON f.path = d.filename`)
}
