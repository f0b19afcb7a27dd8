package assertions

import (
	"context"
	"database/sql"
	"fmt"
)

// Order checks, per partition key (and Kafka partition), that the output
// keeps the stream's order: a record's position (Kinesis sequence number or
// Kafka offset, from the ledger row it is paired with as in Lag) must not be
// below that of a record of the same partition key made visible by an
// earlier batch, nor below that of an earlier row of the same file. The
// order of rows in different files of one batch is not defined and not
// checked. Replays under at-least-once break this order by design, so the
// check is meaningful for exactly-once output.
func (s *Session) Order(ctx context.Context) (Result, error) {
	switch {
	case !s.cfg.CheckOrder:
		return skipped(CheckOrder, "not asked for"), nil
	case s.ledger == "":
		return skipped(CheckOrder, "no ledger"), nil
	case s.cfg.KeyColumn == "" || s.cfg.KeyColumn == KeyRowHash:
		return skipped(CheckOrder, "no key column to match rows with the ledger"), nil
	}
	if err := s.ensure(ctx, "sc_rows"); err != nil {
		return Result{}, err
	}
	// Rows paired through a plain key (see buildOnce) take their position
	// and partition key from their attempt, by seq.
	if err := s.exec(ctx, "collect positions", `DROP TABLE IF EXISTS sc_orows`, `CREATE TABLE sc_orows AS
	SELECT * FROM (
		SELECT r.k, r.batch, r.file_id, r.rn, coalesce(r.pos, l.pos) AS pos,
			coalesce(r.partition_key, l.partition_key) AS partition_key, coalesce(r."partition", l."partition") AS "partition"
		FROM sc_rows r LEFT JOIN sc_ledger l ON l.seq = r.seq
	) WHERE pos IS NOT NULL AND partition_key <> ''`); err != nil {
		return Result{}, err
	}
	// A file's rows are in order when no row's position is below that of
	// the row before it (then none is below the maximum of those before
	// it); the running maximum, which costs a segment tree over every
	// row, is computed only when that cheaper comparison finds a
	// decrease.
	var decreases sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (
		SELECT pos, lag(pos) OVER (PARTITION BY partition_key, "partition", file_id ORDER BY rn) AS prev
		FROM sc_orows) WHERE pos < prev`).Scan(&decreases); err != nil {
		return Result{}, fmt.Errorf("assertions: check order within files: %w", err)
	}
	inFile := `SELECT 'within_file', partition_key, k, file_id, rn, batch, ltrim(CAST(pos AS VARCHAR), '0'), ltrim(CAST(before_pos AS VARCHAR), '0')
	FROM in_file WHERE pos < before_pos`
	if decreases.Int64 == 0 {
		inFile = `SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE false`
	}
	if err := s.exec(ctx, "check order", `DROP TABLE IF EXISTS sc_order`, `CREATE TABLE sc_order AS
	WITH per_batch AS (
		SELECT partition_key, "partition", batch, min(pos) AS min_pos, max(pos) AS max_pos, arg_min((file_id << 40) + rn, pos) AS fr
		FROM sc_orows GROUP BY ALL
	),
	cross_batch AS (
		SELECT *, max(max_pos) OVER (PARTITION BY partition_key, "partition" ORDER BY batch
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_pos
		FROM per_batch
	),
	in_file AS (
		SELECT *, max(pos) OVER (PARTITION BY partition_key, "partition", file_id ORDER BY rn
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_pos
		FROM sc_orows
	)
	SELECT 'across_batches' AS kind, partition_key, NULL::VARCHAR AS k, fr >> 40 AS file_id, fr & 1099511627775 AS rn, batch,
		ltrim(CAST(min_pos AS VARCHAR), '0') AS pos, ltrim(CAST(before_pos AS VARCHAR), '0') AS before_pos
	FROM cross_batch WHERE min_pos < before_pos
	UNION ALL
	`+inFile); err != nil {
		return Result{}, err
	}
	r := Result{Check: CheckOrder}
	var keys, bad sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(DISTINCT (partition_key, "partition")) FROM sc_orows),
		(SELECT count(*) FROM sc_order)`).Scan(&keys, &bad); err != nil {
		return Result{}, fmt.Errorf("assertions: count order: %w", err)
	}
	r.add("partition_keys", keys.Int64)
	r.add("out_of_order", bad.Int64)
	// Rows of plain keys carry no key: it is read back from the output.
	ex, err := s.examples(ctx, `WITH o AS (SELECT * FROM sc_order ORDER BY batch, partition_key LIMIT ?)
		SELECT 'out_of_order', o.partition_key, (SELECT rel FROM sc_files f WHERE f.file_id = o.file_id), o.batch, -1,
			printf('%s: record %s at position %s after position %s', o.kind,
				coalesce(o.k, (SELECT any_value(u.k) FROM sc_outrows u WHERE u.file_id = o.file_id AND u.rn = o.rn)), o.pos, o.before_pos)
		FROM o ORDER BY o.batch, o.partition_key`, s.cfg.maxExamples())
	if err != nil {
		return Result{}, err
	}
	r.Examples = ex
	r.failIf("out_of_order")
	return r, nil
}
