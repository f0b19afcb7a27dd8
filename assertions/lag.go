package assertions

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// Lag measures, per output row, the time from the record's arrival in the
// stream (the ledger's acked_at_ms) to the commit (commits/<N>.committed_at)
// of the batch whose object holds the row, i.e. when it became visible.
//
// Output rows are paired with acknowledged ledger attempts of the same key in
// order: the i-th row of a key (by batch, file, row) with its i-th
// acknowledgement (by acked_at_ms). Rows without such an attempt (recovered,
// unexpected, duplicated) and rows of uncommitted batches have no lag; they
// are counted.
//
// Restarts are derived from the checkpoint logs. Where they record engine
// ids, batch N starts a restarted run when one engine run planned it and
// another committed it ("replayed"), or when another run committed N−1
// ("new engine"). Without ids (older checkpoints, other engines) timing
// decides: N was replayed when committed_at − planned_at exceeds twice its
// batch_processing_time_ms plus one second, and a restart left a "gap" when
// the pause between the commit of N−1 and the plan of N exceeds
// Config.RestartGap. The recovery after a restart is
// its first Config.RecoveryBatches batches; their lag is reported per
// restart and bounded by Config.MaxRecoveryLag.
func (s *Session) Lag(ctx context.Context) (Result, error) {
	switch {
	case s.tableOutput():
		return s.tableLag(ctx)
	case s.ckpt == nil:
		return skipped(CheckLag, "no checkpoint"), nil
	case s.ledger == "":
		return skipped(CheckLag, "no ledger"), nil
	case s.cfg.KeyColumn == "" || s.cfg.KeyColumn == KeyRowHash:
		return skipped(CheckLag, "no key column to match rows with the ledger"), nil
	}
	if err := s.ensure(ctx, "sc_rows"); err != nil {
		return Result{}, err
	}
	if err := s.exec(ctx, "measure lag", `DROP TABLE IF EXISTS sc_lag`, `CREATE TABLE sc_lag AS
	SELECT p.batch, p.file_id, coalesce(b.committed, false) AS committed,
		CASE WHEN b.committed AND p.acked_ms IS NOT NULL THEN b.committed_at_ms - p.acked_ms END AS lag_ms,
		p.acked_ms IS NOT NULL AS matched
	FROM sc_rows p LEFT JOIN sc_batches b ON b.batch_id = p.batch`); err != nil {
		return Result{}, err
	}
	r := Result{Check: CheckLag, Lag: &LagReport{}}
	overall, err := s.lagStats(ctx, "true")
	if err != nil {
		return Result{}, err
	}
	r.Lag.Overall = overall
	var unmatched, uncommitted sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE NOT matched), count(*) FILTER (WHERE matched AND NOT committed) FROM sc_lag`).Scan(&unmatched, &uncommitted); err != nil {
		return Result{}, fmt.Errorf("assertions: count lag: %w", err)
	}
	r.add("records", overall.Records)
	r.add("no_arrival_time", unmatched.Int64)
	r.add("uncommitted", uncommitted.Int64)

	bound := time.Duration(0)
	var failed []string
	if b := s.cfg.MaxLagP99; b > 0 {
		bound = b
		if overall.P99 > b {
			failed = append(failed, fmt.Sprintf("p99 %v > %v", overall.P99, b))
		}
	}
	if b := s.cfg.MaxLagMax; b > 0 {
		bound = b
		if overall.Max > b {
			failed = append(failed, fmt.Sprintf("max %v > %v", overall.Max, b))
		}
	}
	for _, rs := range s.restarts() {
		st, err := s.lagStats(ctx, fmt.Sprintf("batch BETWEEN %d AND %d", rs.Batch, rs.LastBatch))
		if err != nil {
			return Result{}, err
		}
		rs.Lag = st
		r.Lag.Restarts = append(r.Lag.Restarts, rs)
		if b := s.cfg.MaxRecoveryLag; b > 0 && st.Max > b {
			failed = append(failed, fmt.Sprintf("recovery after batch %d: max %v > %v", rs.Batch, st.Max, b))
			r.Examples = append(r.Examples, Example{Kind: "slow_recovery", Batch: rs.Batch, Seq: -1,
				Detail: fmt.Sprintf("%s restart, batches %d..%d: max lag %v > %v", rs.Reason, rs.Batch, rs.LastBatch, st.Max, b)})
		}
	}
	r.add("restarts", int64(len(r.Lag.Restarts)))
	if bound > 0 {
		var over sql.NullInt64
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sc_lag WHERE lag_ms > ?`, bound.Milliseconds()).Scan(&over); err != nil {
			return Result{}, fmt.Errorf("assertions: count lag: %w", err)
		}
		r.add("over_bound", over.Int64)
		if len(failed) > 0 {
			ex, err := s.examples(ctx, `SELECT 'lagging_batch', '', (SELECT rel FROM sc_files f WHERE f.file_id = arg_max(l.file_id, l.lag_ms)), batch, -1,
				printf('%d record(s) over %s, max lag %d ms', count(*) FILTER (WHERE lag_ms > ?), ?, max(lag_ms))
				FROM sc_lag l WHERE lag_ms IS NOT NULL GROUP BY batch HAVING max(lag_ms) > ? ORDER BY batch LIMIT ?`,
				bound.Milliseconds(), bound.String(), bound.Milliseconds(), s.cfg.maxExamples())
			if err != nil {
				return Result{}, err
			}
			r.Examples = append(ex, r.Examples...)
		}
	}
	r.Status = Pass
	if len(failed) > 0 {
		r.Status = Fail
		r.Detail = fmt.Sprint(failed)
	}
	return r, nil
}

func (s *Session) lagStats(ctx context.Context, where string) (LagStats, error) {
	var n sql.NullInt64
	var p50, p95, p99, mx sql.NullInt64
	q := `SELECT n, q[1], q[2], q[3], mx FROM (SELECT count(lag_ms) AS n, quantile_disc(lag_ms, [0.5, 0.95, 0.99]) AS q, max(lag_ms) AS mx
		FROM sc_lag WHERE lag_ms IS NOT NULL AND ` + where + `)`
	if err := s.db.QueryRowContext(ctx, q).Scan(&n, &p50, &p95, &p99, &mx); err != nil {
		return LagStats{}, fmt.Errorf("assertions: lag percentiles: %w", err)
	}
	ms := func(v sql.NullInt64) time.Duration { return time.Duration(v.Int64) * time.Millisecond }
	return LagStats{Records: n.Int64, P50: ms(p50), P95: ms(p95), P99: ms(p99), Max: ms(mx)}, nil
}

// restarts finds the restarts in the checkpoint logs (see Lag).
func (s *Session) restarts() []Restart {
	ids := s.ckpt.batches()
	var pauses []time.Duration
	for i := 1; i < len(ids); i++ {
		if c, ok := s.ckpt.commits[ids[i-1]]; ok && ids[i] == ids[i-1]+1 {
			pauses = append(pauses, s.ckpt.plans[ids[i]].PlannedAt.Sub(c.CommittedAt))
		}
	}
	gap := s.cfg.RestartGap
	if gap == 0 {
		gap = time.Second
		if len(pauses) > 0 {
			sorted := append([]time.Duration(nil), pauses...)
			sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
			if m := 3 * sorted[len(sorted)/2]; m > gap {
				gap = m
			}
		}
	}
	var out []Restart
	for i, id := range ids {
		p := s.ckpt.plans[id]
		reason := restartByEngine(s.ckpt, ids, i)
		if c, ok := s.ckpt.commits[id]; ok && reason == "" {
			proc := time.Duration(c.ProcessingTimeMS) * time.Millisecond
			if c.CommittedAt.Sub(p.PlannedAt) > 2*proc+time.Second {
				reason = "replayed"
			}
		}
		if reason == "" && i > 0 {
			if c, ok := s.ckpt.commits[ids[i-1]]; ok && p.PlannedAt.Sub(c.CommittedAt) > gap {
				reason = "gap"
			}
		}
		if reason == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].LastBatch >= id {
			out[n-1].LastBatch = id - 1
		}
		last := min(id+int64(s.cfg.recoveryBatches())-1, ids[len(ids)-1])
		out = append(out, Restart{Batch: id, Reason: reason, LastBatch: last})
	}
	return out
}

// restartByEngine reports why batch ids[i] starts a restart according to the
// engine ids the checkpoint records (see docs/formats.md): "replayed" when a
// batch was planned by one engine run and committed by another, "new engine"
// when it was committed by another run than the batch before it. It returns
// "" when the ids say no restart or are absent (older checkpoints), leaving
// the timing heuristics to decide.
func restartByEngine(c *checkpointLog, ids []int64, i int) string {
	cm, ok := c.commits[ids[i]]
	if !ok || cm.EngineID == "" {
		return ""
	}
	if p := c.plans[ids[i]]; p.EngineID != "" && p.EngineID != cm.EngineID {
		return "replayed"
	}
	if i > 0 {
		if prev, ok := c.commits[ids[i-1]]; ok && prev.EngineID != "" && prev.EngineID != cm.EngineID {
			return "new engine"
		}
	}
	return ""
}
