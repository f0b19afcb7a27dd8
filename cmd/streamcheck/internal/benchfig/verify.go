package benchfig

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
)

// verifyBatches is how many committed batches the Verify fixture has, one
// Parquet file each.
const verifyBatches = 100

func runVerify(ctx context.Context, cfg Config) ([]Figure, error) {
	rows := cfg.VerifyRows
	dir, err := os.MkdirTemp("", "streamcheck-bench-verify-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	progress(cfg, "writing %d output rows, their ledger and checkpoint with DuckDB (not timed)", rows)
	vcfg, err := WriteVerifyFixture(ctx, dir, rows)
	if err != nil {
		return nil, err
	}
	progress(cfg, "verify: %d rows against their ledger", rows)
	t0 := time.Now()
	rep, err := assertions.Verify(ctx, vcfg)
	if err != nil {
		return nil, fmt.Errorf("verify %d rows: %w", rows, err)
	}
	d := time.Since(t0)
	if !rep.OK {
		return nil, fmt.Errorf("verify %d rows: the fixture failed its checks: %+v", rows, rep.Results)
	}
	// The README's target is 10 s for 10 M rows; scale it to rows.
	limit := 10 * float64(rows) / 10_000_000
	return []Figure{
		figure(GroupVerify, fmt.Sprintf("verify %s rows against their ledger", Format(float64(rows))), d.Seconds(), "s", below(limit)),
		figure(GroupVerify, "verify rate", perSecond(rows, d), "rows/s", atLeast(1_000_000)),
	}, nil
}

// WriteVerifyFixture writes under dir, with DuckDB, a job's exactly-once
// output of rows rows in verifyBatches committed batches (one ingest-time
// partitioned Parquet file each), its checkpoint and the Parquet ledger of
// the same records, and returns the assertions.Config that verifies them.
// Record i arrives at a fixed base time + i ms; each batch is planned after
// its last record arrived and committed 2 s later. rows must be at least
// verifyBatches; it is rounded down to a multiple of it.
func WriteVerifyFixture(ctx context.Context, dir string, rows int64) (assertions.Config, error) {
	if rows < verifyBatches {
		return assertions.Config{}, fmt.Errorf("verify fixture: %d rows: want at least %d", rows, verifyBatches)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return assertions.Config{}, fmt.Errorf("create %s: %w", dir, err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return assertions.Config{}, fmt.Errorf("open DuckDB: %w", err)
	}
	defer db.Close()
	base := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	per := rows / verifyBatches
	ledger := filepath.Join(dir, "ledger.parquet")
	q := fmt.Sprintf(`COPY (SELECT i AS seq, 0::INTEGER AS producer, 'k' || i AS key, 'pk' || (i %% 64) AS partition_key,
		sha256(CAST(i AS VARCHAR)) AS payload_sha256, 100::INTEGER AS size, '' AS malformed, -1::BIGINT AS duplicate_of,
		0::BIGINT AS event_time_ms, 'ack' AS outcome, 1::INTEGER AS attempts, '' AS error, 'kinesis://bench' AS target,
		'shardId-000000000000' AS shard_id, CAST(100000000000 + i AS VARCHAR) AS sequence_number, -1::INTEGER AS partition,
		-1::BIGINT AS "offset", %[1]d + i - 1 AS sent_at_ms, %[1]d + i AS acked_at_ms
		FROM range(%[2]d) t(i)) TO %[3]s (FORMAT parquet)`, base.UnixMilli(), per*verifyBatches, quote(ledger))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return assertions.Config{}, fmt.Errorf("write ledger %s: %w", ledger, err)
	}
	out, ckpt := filepath.Join(dir, "output"), filepath.Join(dir, "checkpoint")
	for n := int64(0); n < verifyBatches; n++ {
		planned := base.Add(time.Duration((n+1)*per) * time.Millisecond)
		part := fmt.Sprintf("ingest_year=%04d/ingest_month=%02d/ingest_day=%02d/ingest_hour=%02d",
			planned.Year(), int(planned.Month()), planned.Day(), planned.Hour())
		file := filepath.Join(out, part, fmt.Sprintf("part-%08d-00000.snappy.parquet", n))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return assertions.Config{}, fmt.Errorf("create output dir: %w", err)
		}
		q := fmt.Sprintf(`COPY (SELECT 'k' || i AS serialnumber, CAST(i AS DOUBLE) * 0.5 AS value,
			TIMESTAMP '2026-11-22 12:00:00' + to_milliseconds(i) AS eventtime
			FROM range(%d, %d) t(i)) TO %s (FORMAT parquet, COMPRESSION snappy)`, n*per, (n+1)*per, quote(file))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return assertions.Config{}, fmt.Errorf("write output batch %d: %w", n, err)
		}
		plan := map[string]any{"version": 1, "batch_id": n, "planned_at": planned, "ingest_time": planned,
			"delivery": assertions.ExactlyOnce, "objects": []string{file}}
		if err := writeJSON(filepath.Join(ckpt, "offsets", fmt.Sprint(n)), plan); err != nil {
			return assertions.Config{}, err
		}
		commit := map[string]any{"version": 1, "batch_id": n, "committed_at": planned.Add(2 * time.Second),
			"num_records": per, "batch_processing_time_ms": 1500}
		if err := writeJSON(filepath.Join(ckpt, "commits", fmt.Sprint(n)), commit); err != nil {
			return assertions.Config{}, err
		}
	}
	return assertions.Config{
		Output: out, Checkpoint: ckpt, Ledger: ledger, KeyColumn: "serialnumber",
		Schema: []assertions.Column{{Name: "serialnumber", Type: "string"}, {Name: "value", Type: "double", Nullable: true},
			{Name: "eventtime", Type: "timestamp", Nullable: true}},
		IngestTimePartitioning: true,
		MaxLagP99:              time.Duration(per+3000) * time.Millisecond,
	}, nil
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
