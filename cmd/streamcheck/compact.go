package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/compact"
)

func init() {
	register(&command{
		name:    "compact",
		summary: "Merge the small Parquet files of a job's closed partitions into larger ones.",
		usage:   "compact --job FILE [--older-than 1h] [--target-size 128MiB] [--dry-run]",
		run:     runCompact,
	})
}

// compactHelp follows the flags in compact's help.
const compactHelp = `A partition is closed when its ingest hour ended more than --older-than ago
(ingest_time partitioning), or when the newest committed batch that wrote to
it was planned more than --older-than ago (columns or none); a partition that
a planned but uncommitted batch writes to is never touched. Files of one
partition, codec and schema are merged in batch order into outputs of about
--target-size, named part-c<K>-<index>.<codec>.parquet, with every row kept
exactly once and in order.

Each partition's compaction is planned in <checkpoint>/compactions/<K>, its
outputs written, <K>.done written (the atomic point), then its inputs
deleted. A compaction killed half-way is finished or rolled back by the next
run. A second compactor on the same checkpoint is refused.

Caution: a reader that lists the output prefix between the outputs being
written and the inputs being deleted (seconds, per partition) sees those
rows twice. streamcheck verify honours the manifests; Athena, Spark or
DuckDB over the bare prefix do not — compact when nothing reads the closed
partitions, or read through the manifests.`

func runCompact(ctx context.Context, e *env, args []string) error {
	c := commands["compact"]
	fs := newFlagSet(c)
	jobPath := fs.String("job", "", "job file (YAML): the sink path, partitioning and checkpoint location are taken from it")
	olderThan := fs.Duration("older-than", compact.DefaultOlderThan, "how long a partition must have been closed")
	target := fs.String("target-size", "128MiB", "size an output aims at (B, KiB, MiB, GiB, KB, MB, GB); larger files are left alone")
	dryRun := fs.Bool("dry-run", false, "print the plan (partitions, files in -> files out, bytes) and change nothing")
	if err := parseFlags(e, c, fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.stdout, "\n%s\n", compactHelp)
		}
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *jobPath == "" {
		return usagef("--job is required")
	}
	size, err := parseSize(*target)
	if err != nil {
		return usagef("--target-size: %v", err)
	}
	if *olderThan < 0 {
		return usagef("--older-than %v: want zero or more", *olderThan)
	}
	job, err := engine.LoadJob(*jobPath)
	if err != nil {
		return usagef("%v", err)
	}
	cfg := compact.DefaultConfig()
	cfg.OlderThan, cfg.TargetSize, cfg.DryRun = *olderThan, size, *dryRun
	cfg.Partitioning = job.Sink.Partitioning
	if cfg.Partitioning == "" {
		cfg.Partitioning = compact.PartitionByIngestTime
	}
	var client *s3.Client
	if blob.IsS3(job.Sink.Path) || blob.IsS3(job.ForEachBatch.CheckpointLocation) {
		if client, err = compactS3Client(ctx, e, job.Sink); err != nil {
			return err
		}
	}
	out, err := blob.Open(job.Sink.Path, client)
	if err != nil {
		return fmt.Errorf("open sink %s: %w", job.Sink.Path, err)
	}
	cp, err := blob.Open(job.ForEachBatch.CheckpointLocation, client)
	if err != nil {
		return fmt.Errorf("open checkpoint %s: %w", job.ForEachBatch.CheckpointLocation, err)
	}
	hooks, err := compactPauseOptions(e)
	if err != nil {
		return err
	}
	cmp, err := compact.New(out, cp, cfg, hooks...)
	if err != nil {
		return usagef("%v", err)
	}
	start := time.Now()
	sum, err := cmp.Run(ctx)
	if sum != nil {
		printCompaction(e, sum, *dryRun, time.Since(start))
	}
	if err != nil {
		if errors.Is(err, compact.ErrLocked) {
			fmt.Fprintf(e.stderr, "streamcheck compact: %v\n", err)
			return &exitError{exitFailure}
		}
		return err
	}
	return nil
}

func printCompaction(e *env, sum *compact.Summary, dryRun bool, took time.Duration) {
	verb := "compacted"
	if dryRun {
		verb = "would compact"
		if len(sum.RolledForward)+len(sum.RolledBack) > 0 {
			fmt.Fprintf(e.stdout, "would finish interrupted compactions %v and roll back %v\n", sum.RolledForward, sum.RolledBack)
		}
	} else if len(sum.RolledForward)+len(sum.RolledBack) > 0 {
		fmt.Fprintf(e.stdout, "finished interrupted compactions %v, rolled back %v\n", sum.RolledForward, sum.RolledBack)
	}
	for _, p := range sum.Partitions {
		if dryRun {
			fmt.Fprintf(e.stdout, "  %s: %d files -> %d, %s, %d rows\n", p.Partition, p.FilesIn, p.FilesOut, formatSize(p.BytesIn), p.Rows)
			continue
		}
		fmt.Fprintf(e.stdout, "  %s (compaction %d): %d files -> %d, %s -> %s, %d rows\n", p.Partition, p.ID, p.FilesIn, p.FilesOut, formatSize(p.BytesIn), formatSize(p.BytesOut), p.Rows)
	}
	in, out, bin, bout, rows := sum.Totals()
	if dryRun {
		fmt.Fprintf(e.stdout, "%s %d partitions: %d files -> %d, %s, %d rows (dry run: nothing written)\n", verb, len(sum.Partitions), in, out, formatSize(bin), rows)
		return
	}
	fmt.Fprintf(e.stdout, "%s %d partitions: %d files -> %d, %s -> %s, %d rows in %v\n", verb, len(sum.Partitions), in, out, formatSize(bin), formatSize(bout), rows, took.Round(time.Millisecond))
}

// parseSize reads a byte size: a number with an optional unit B, KiB, MiB,
// GiB (powers of 1024) or KB, MB, GB (powers of 1000).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a positive size such as 128MiB", s)
	}
	return n * mult, nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// compactS3Client is an S3 client for the job's sink, as verify builds one,
// with the transport wrapped as every streamcheck SDK client is.
func compactS3Client(ctx context.Context, e *env, s engine.Sink) (*s3.Client, error) {
	c, err := verifyS3Client(ctx, e, s.Endpoint)
	if err != nil {
		return nil, err
	}
	return s3.New(c.Options(), func(o *s3.Options) {
		if s.Region != "" {
			o.Region = s.Region
		}
		if s.ForcePathStyle {
			o.UsePathStyle = true
		}
	}), nil
}
