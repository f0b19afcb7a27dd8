package assertions

import (
	"context"
	"database/sql"
	"fmt"
)

// DeadLetter checks the dead letter against the ledger by payload_sha256:
//
//   - missing: a malformed, acknowledged attempt (outside data-loss
//     ranges) that is not in the dead letter once per attempt;
//   - duplicated: a payload there more often than it was attempted
//     (acknowledged, unknown or in a data-loss range);
//   - unexpected: a payload the ledger never attempted, or only with
//     outcome failed;
//   - rejected_well_formed: a payload the ledger lists as well formed;
//   - no_error: an entry with an empty error.
func (s *Session) DeadLetter(ctx context.Context) (Result, error) {
	if s.cfg.DeadLetter == "" {
		return skipped(CheckDeadLetter, "no dead-letter path"), nil
	}
	if s.ledger == "" {
		return skipped(CheckDeadLetter, "no ledger"), nil
	}
	for _, t := range []string{"sc_ledger", "sc_dl"} {
		if err := s.ensure(ctx, t); err != nil {
			return Result{}, err
		}
	}
	if err := s.exec(ctx, "match dead letter with ledger", `DROP TABLE IF EXISTS sc_dlcheck`, `CREATE TABLE sc_dlcheck AS
	WITH exp AS (
		SELECT payload_sha256 AS sha,
			count(*) FILTER (WHERE malformed <> '' AND outcome = 'ack' AND NOT in_loss) AS must,
			count(*) FILTER (WHERE malformed <> '' AND (outcome = 'unknown' OR (outcome = 'ack' AND in_loss))) AS may,
			count(*) FILTER (WHERE malformed = '' AND outcome IN ('ack', 'unknown')) AS well_formed,
			min(seq) FILTER (WHERE malformed <> '') AS seq, arg_min(key, seq) AS key,
			arg_min(malformed, seq) FILTER (WHERE malformed <> '') AS malformed
		FROM sc_ledger GROUP BY payload_sha256
	),
	got AS (
		SELECT sha, count(*) AS n, count(*) FILTER (WHERE error = '') AS no_error, arg_min(rel, batch) AS rel, min(batch) AS batch
		FROM sc_dl GROUP BY sha
	)
	SELECT coalesce(e.sha, g.sha) AS sha, coalesce(e.must, 0) AS must, coalesce(e.may, 0) AS may,
		coalesce(e.well_formed, 0) AS well_formed, e.seq, e.key, e.malformed,
		coalesce(g.n, 0) AS n, coalesce(g.no_error, 0) AS no_error, g.rel, g.batch
	FROM exp e FULL OUTER JOIN got g ON g.sha = e.sha
	WHERE coalesce(e.must, 0) + coalesce(e.may, 0) + coalesce(g.n, 0) > 0`); err != nil {
		return Result{}, err
	}
	r := Result{Check: CheckDeadLetter}
	var entries, missing, dup, unexp, wf, noErr sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT sum(n), sum(greatest(must - n, 0)),
		sum(CASE WHEN must + may > 0 THEN greatest(n - must - may, 0) ELSE 0 END),
		sum(CASE WHEN must + may = 0 AND well_formed = 0 THEN n ELSE 0 END),
		sum(CASE WHEN must + may = 0 AND well_formed > 0 THEN n ELSE 0 END),
		sum(no_error) FROM sc_dlcheck`).Scan(&entries, &missing, &dup, &unexp, &wf, &noErr)
	if err != nil {
		return Result{}, fmt.Errorf("assertions: count dead letter: %w", err)
	}
	r.add("entries", entries.Int64)
	r.add("missing", missing.Int64)
	r.add("duplicated", dup.Int64)
	r.add("unexpected", unexp.Int64)
	r.add("rejected_well_formed", wf.Int64)
	r.add("no_error", noErr.Int64)
	n := s.cfg.maxExamples()
	for _, q := range []string{
		`SELECT 'missing', coalesce(key, ''), '', -1, coalesce(seq, -1), printf('%s payload %s: attempted %d time(s), in the dead letter %d', malformed, sha, must, n)
			FROM sc_dlcheck WHERE must > n ORDER BY seq LIMIT ?`,
		`SELECT 'duplicated', coalesce(key, ''), coalesce(rel, ''), coalesce(batch, -1), coalesce(seq, -1), printf('payload %s: in the dead letter %d time(s), at most %d expected', sha, n, must + may)
			FROM sc_dlcheck WHERE must + may > 0 AND n > must + may ORDER BY batch, sha LIMIT ?`,
		`SELECT 'unexpected', '', coalesce(rel, ''), coalesce(batch, -1), -1, printf('payload %s: never attempted', sha)
			FROM sc_dlcheck WHERE must + may = 0 AND well_formed = 0 AND n > 0 ORDER BY batch, sha LIMIT ?`,
		`SELECT 'rejected_well_formed', coalesce(key, ''), coalesce(rel, ''), coalesce(batch, -1), -1, printf('payload %s: well formed in the ledger', sha)
			FROM sc_dlcheck WHERE must + may = 0 AND well_formed > 0 AND n > 0 ORDER BY batch, sha LIMIT ?`,
		`SELECT 'no_error', coalesce(key, ''), coalesce(rel, ''), coalesce(batch, -1), coalesce(seq, -1), printf('payload %s: %d entr(ies) without an error', sha, no_error)
			FROM sc_dlcheck WHERE no_error > 0 ORDER BY batch, sha LIMIT ?`,
	} {
		ex, err := s.examples(ctx, q, n)
		if err != nil {
			return Result{}, err
		}
		r.Examples = append(r.Examples, ex...)
	}
	r.failIf("missing", "duplicated", "unexpected", "rejected_well_formed", "no_error")
	return r, nil
}
