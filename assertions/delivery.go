package assertions

import (
	"context"
	"database/sql"
	"fmt"
)

// Delivery compares the output with the ledger as Jepsen's total-queue
// checker compares dequeues with enqueues, per identity key (a multiset):
//
//   - lost: acknowledged attempts that are neither in the output, nor in
//     the dead letter (by payload_sha256), nor inside a data-loss range of
//     the checkpoint (whose records may or may not appear);
//   - duplicated: rows beyond the attempts that may appear (acknowledged,
//     in a data-loss range, or of unknown outcome); under at-least-once
//     they are counted but do not fail the check;
//   - unexpected: rows whose key was never attempted, or attempted only
//     with outcome failed;
//   - recovered: rows of attempts whose outcome was unknown (informational).
//
// A deliberate producer-side duplicate (duplicate_of >= 0) is an attempt of
// its own, so its key is expected once more. Malformed ledger records are
// the dead-letter check's. With KeyColumn KeyRowHash only duplicated rows
// (identical in every column) are reported.
func (s *Session) Delivery(ctx context.Context) (Result, error) {
	if s.cfg.KeyColumn == "" {
		return skipped(CheckDelivery, "no key column"), nil
	}
	r := Result{Check: CheckDelivery}
	if s.cfg.KeyColumn == KeyRowHash {
		return s.rowHashDuplicates(ctx, r)
	}
	if s.ledger == "" {
		return skipped(CheckDelivery, "no ledger"), nil
	}
	if err := s.ensure(ctx, "sc_keys"); err != nil {
		return Result{}, err
	}
	var lost, dup, unexp, recovered, lossy, dlq, delivered, plain sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT
		sum(greatest(must - n, 0)),
		sum(CASE WHEN attempted > 0 THEN greatest(n - must - lossy - unknown, 0) ELSE 0 END),
		sum(CASE WHEN attempted = 0 THEN n ELSE 0 END),
		sum(least(greatest(n - must - lossy, 0), unknown)),
		sum(lossy), sum(dead_lettered), sum(n), (SELECT count(*) FROM sc_once WHERE plain)
		FROM sc_keys`).Scan(&lost, &dup, &unexp, &recovered, &lossy, &dlq, &delivered, &plain)
	if err != nil {
		return Result{}, fmt.Errorf("assertions: count delivery: %w", err)
	}
	// Plain keys (see buildOnce) were delivered once each and add nothing
	// else.
	delivered.Int64 += plain.Int64
	r.add("delivered", delivered.Int64)
	r.add("lost", lost.Int64)
	r.add("duplicated", dup.Int64)
	r.add("unexpected", unexp.Int64)
	r.add("recovered", recovered.Int64)
	r.add("in_data_loss_range", lossy.Int64)
	r.add("dead_lettered", dlq.Int64)
	n := s.cfg.maxExamples()
	ex, err := s.examples(ctx, `WITH lost AS (SELECT key, must, n FROM sc_keys WHERE must > n ORDER BY key LIMIT ?)
		SELECT 'lost', lost.key, '', -1, min(l.seq),
			printf('acknowledged %d time(s) outside data-loss ranges and the dead letter, delivered %d', any_value(lost.must), any_value(lost.n))
		FROM lost JOIN sc_ledger l ON l.key = lost.key AND l.malformed = '' AND l.outcome = 'ack'
		GROUP BY lost.key ORDER BY min(l.seq)`, n)
	if err != nil {
		return Result{}, err
	}
	r.Examples = append(r.Examples, ex...)
	ex, err = s.examples(ctx, `SELECT 'duplicated', key, coalesce((SELECT rel FROM sc_files f WHERE f.file_id = k.file_id), ''), coalesce(batch, -1), -1,
		printf('delivered %d time(s), at most %d expected', n, must + lossy + unknown)
		FROM sc_keys k WHERE attempted > 0 AND n > must + lossy + unknown ORDER BY batch, key LIMIT ?`, n)
	if err != nil {
		return Result{}, err
	}
	r.Examples = append(r.Examples, ex...)
	ex, err = s.examples(ctx, `SELECT 'unexpected', key, coalesce((SELECT rel FROM sc_files f WHERE f.file_id = k.file_id), ''), coalesce(batch, -1), -1,
		printf('delivered %d time(s), never attempted', n)
		FROM sc_keys k WHERE attempted = 0 AND n > 0 ORDER BY batch, key LIMIT ?`, n)
	if err != nil {
		return Result{}, err
	}
	r.Examples = append(r.Examples, ex...)
	if s.cfg.delivery() == AtLeastOnce {
		r.failIf("lost", "unexpected")
		r.Detail = "at-least-once: duplicates are counted, not failed"
	} else {
		r.failIf("lost", "duplicated", "unexpected")
	}
	return r, nil
}

func (s *Session) rowHashDuplicates(ctx context.Context, r Result) (Result, error) {
	if err := s.ensure(ctx, "sc_outrows"); err != nil {
		return Result{}, err
	}
	if err := s.exec(ctx, "hash output rows", `CREATE OR REPLACE TABLE sc_hashes AS
		SELECT o.k, count(*) AS n, min(f.batch) AS batch, arg_min(o.file_id, f.batch) AS file_id
		FROM sc_outrows o JOIN sc_files f USING (file_id) GROUP BY o.k`); err != nil {
		return Result{}, err
	}
	var rows, dup sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT sum(n), sum(n - 1) FROM sc_hashes`).Scan(&rows, &dup); err != nil {
		return Result{}, fmt.Errorf("assertions: count duplicate rows: %w", err)
	}
	r.add("delivered", rows.Int64)
	r.add("duplicated", dup.Int64)
	ex, err := s.examples(ctx, `SELECT 'duplicated', g.k, f.rel, g.batch, -1, printf('%d identical rows', g.n)
		FROM sc_hashes g JOIN sc_files f USING (file_id) WHERE g.n > 1 ORDER BY g.batch, g.k LIMIT ?`, s.cfg.maxExamples())
	if err != nil {
		return Result{}, err
	}
	r.Examples = ex
	r.Detail = "rows identified by a hash of all columns: lost and unexpected rows cannot be told"
	if s.cfg.delivery() == AtLeastOnce {
		r.failIf()
	} else {
		r.failIf("duplicated")
	}
	return r, nil
}

// examples runs a query whose columns are kind, key, file, batch, seq and
// detail.
func (s *Session) examples(ctx context.Context, q string, args ...any) ([]Example, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("assertions: list examples: %w", err)
	}
	defer rows.Close()
	var out []Example
	for rows.Next() {
		var e Example
		var key, file, detail sql.NullString
		var batch, seq sql.NullInt64
		if err := rows.Scan(&e.Kind, &key, &file, &batch, &seq, &detail); err != nil {
			return nil, fmt.Errorf("assertions: list examples: %w", err)
		}
		e.Key, e.File, e.Detail = key.String, file.String, detail.String
		e.Batch, e.Seq = -1, -1
		if batch.Valid {
			e.Batch = batch.Int64
		}
		if seq.Valid {
			e.Seq = seq.Int64
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assertions: list examples: %w", err)
	}
	return out, nil
}
