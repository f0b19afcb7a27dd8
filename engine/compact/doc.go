// Package compact merges the small Parquet files of closed output
// partitions into fewer, larger ones without losing or duplicating a row.
//
// A partition is closed when the engine will not write to it again in the
// normal course: an ingest-time partition whose hour ended more than
// Config.OlderThan ago, or, for column partitioning (and unpartitioned
// output), a partition whose newest committed batch was planned more than
// Config.OlderThan ago. Only objects that a committed batch's plan names (or
// that an earlier finished compaction wrote) are ever inputs, so files of a
// batch still being written or replayed are never touched.
//
// S3 has no multi-object rename, so a compaction is a small protocol in the
// checkpoint, one manifest per partition:
//
//  1. <checkpoint>/compactions/<K> is created with a conditional write; it
//     names the inputs (keys, ETags, sizes, rows) and the outputs
//     (part-c<K, 8 digits>-<index, 5 digits>-<checkpoint token>.<codec>.parquet
//     in the same partition; see OutputName);
//  2. the outputs are written;
//  3. <checkpoint>/compactions/<K>.done is created — the atomic point: from
//     here on the outputs replace the inputs;
//  4. the inputs are deleted.
//
// A compactor killed half-way is repaired by the next Run: a manifest with
// .done is rolled forward (its inputs deleted), one without is rolled back
// (its outputs deleted, then <K>.aborted written) and its partition is
// planned afresh. A lock object, compactions/LOCK, created with a
// conditional write, refuses a second compactor on the same checkpoint.
//
// WithHook calls a function at each step (Step: after-plan, in-write,
// after-done, in-delete); returning ErrCrashed stops the Run dead there, the
// lock left held, as a kill would. The scenarios kill a real compactor
// process at each step this way.
//
// Readers that list the output prefix between steps 2 and 4 see the rows of
// a partition twice, or, before step 3, see files that are not yet part of
// the table. The assertions package reads the manifests and honours them;
// other readers (Athena, Spark, DuckDB over a bare prefix) do not.
package compact
