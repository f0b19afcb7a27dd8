package scenarios

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/assertions"
)

// quietWatch tells when a pipeline's output has stopped changing.
type quietWatch struct {
	sig   string
	since time.Time
}

// quiet lists the objects under uri and reports whether their count, total
// size and newest write have stayed the same for d.
func (q *quietWatch) quiet(ctx context.Context, c *s3.Client, uri string, d time.Duration) (bool, error) {
	bucket, prefix, err := splitS3(uri)
	if err != nil {
		return false, err
	}
	objs, err := listKeys(ctx, c, bucket, prefix)
	if err != nil {
		return false, err
	}
	var size int64
	var newest time.Time
	for _, o := range objs {
		size += aws.ToInt64(o.Size)
		if t := aws.ToTime(o.LastModified); t.After(newest) {
			newest = t
		}
	}
	sig := fmt.Sprintf("%d/%d/%d", len(objs), size, newest.UnixNano())
	now := time.Now()
	if sig != q.sig || q.since.IsZero() {
		q.sig, q.since = sig, now
		return false, nil
	}
	return now.Sub(q.since) >= d, nil
}

// object is a listed S3 object.
type object struct {
	Key          *string
	Size         *int64
	LastModified *time.Time
}

// listKeys lists the objects under prefix in bucket ("" for all).
func listKeys(ctx context.Context, c *s3.Client, bucket, prefix string) ([]object, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	var out []object
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			if strings.HasSuffix(aws.ToString(o.Key), "/") {
				continue
			}
			out = append(out, object{o.Key, o.Size, o.LastModified})
		}
	}
	return out, nil
}

// verifyCommand judges a Command's output from the files alone: nothing
// written, written elsewhere and unreadable output are verdicts that say
// so, with the pipeline's last stderr lines; readable output goes through
// the checks of package assertions with the pipeline's promise.
func (r *run) verifyCommand(ctx context.Context) error {
	s, res, c := r.s, r.res, r.cmd
	bucket, prefix, _ := splitS3(c.Output)
	res.LocalCopy = filepath.Join(r.o.dir, "s3")
	objs, err := listKeys(ctx, r.s3c, bucket, prefix)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		all, err := listKeys(ctx, r.s3c, bucket, "")
		if err != nil {
			return err
		}
		if len(all) > 0 {
			res.failf("%s wrote nothing under %s, but %d object(s) elsewhere in the bucket (e.g. s3://%s/%s): a wrong output prefix?%s",
				r.subjectName(), c.Output, len(all), bucket, aws.ToString(all[0].Key), stderrNote(r.lastStderr))
		} else {
			res.failf("%s never wrote: nothing under %s nor anywhere in bucket %s%s", r.subjectName(), c.Output, bucket, stderrNote(r.lastStderr))
		}
		res.Passed = false
		return nil
	}
	dlPrefix := ""
	if c.DeadLetter != "" {
		_, dlPrefix, _ = splitS3(c.DeadLetter)
	}
	if err := download(ctx, r.s3c, bucket, prefix, filepath.Join(res.LocalCopy, bucket)); err != nil {
		return err
	}
	if dlPrefix != "" {
		if err := download(ctx, r.s3c, bucket, dlPrefix, filepath.Join(res.LocalCopy, bucket)); err != nil {
			return err
		}
	}
	writes := outputWrites(objs, filepath.Join(res.LocalCopy, bucket), c.format(), dlPrefix)
	noLag := clockMismatch(writes, r.start, time.Now())
	if r.env.clock != nil {
		noLag = "the scenario runs on a virtual clock, the ledger's acknowledgements on the wall clock"
	}
	var figs writeFigures
	r.say("verifying %d objects under %s with DuckDB", len(objs), c.Output)
	cfg := assertions.Config{Output: c.Output, DeadLetter: c.DeadLetter, Ledger: res.Ledger, S3: r.s3Client(),
		KeyColumn: c.KeyColumn, Schema: c.Schema, PartitionBy: c.PartitionBy, Delivery: c.promise(),
		OutputFormat: assertions.FormatParquet, MaxLagP99: s.Expect.MaxLagP99}
	if c.format() == FormatJSONL {
		cfg.OutputFormat = assertions.FormatJSONLines
	}
	cfg.TempDir = filepath.Join(r.o.dir, "tmp")
	if err := os.MkdirAll(cfg.TempDir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(cfg.TempDir)
	extra := append(s.extraChecks(nil, r.seed, res.Ledger, r.src, res.LocalPath),
		measureWrites(writes, c.format(), c.KeyColumn, noLag != "", s.Expect.MaxLagP99, &figs))
	rep, err := verify(ctx, cfg, extra...)
	if err != nil {
		res.failf("%s wrote %d object(s) under %s that cannot be read as %s with key column %s: %v%s",
			r.subjectName(), len(objs), c.Output, c.format(), c.KeyColumn, err, stderrNote(r.lastStderr))
		res.Passed = false
		return nil
	}
	res.Report = rep
	r.judgeWrites(rep, writes, &figs, noLag)
	if cfg.Delivery == assertions.AtLeastOnce {
		strict := cfg
		strict.Delivery = assertions.ExactlyOnce
		if res.Strict, err = verify(ctx, strict); err != nil {
			return fmt.Errorf("verify with the exactly-once reading: %w", err)
		}
	}
	res.judge(s)
	if line := duplicatesLine(res.PipelineRuns); line != "" {
		res.Notes = append(res.Notes, "duplicates by restart: "+line)
	}
	return nil
}

// judgeWrites puts the lag measured from the objects' write times in the
// place of the checker's, which needs a checkpoint, and charges the
// duplicates to the pipeline's runs. noLag says why lag is not measured.
func (r *run) judgeWrites(rep *assertions.Report, writes []objectWrite, figs *writeFigures, noLag string) {
	res := r.res
	lag := figs.lagResult(r.s.Expect.MaxLagP99, noLag)
	if i := slices.IndexFunc(rep.Results, func(x assertions.Result) bool { return x.Check == assertions.CheckLag }); i >= 0 {
		rep.Results[i] = lag
	} else {
		rep.Results = append(rep.Results, lag)
	}
	switch lag.Status {
	case assertions.Fail:
		rep.OK = false
	case assertions.Skip:
		res.Notes = append(res.Notes, "lag skipped: "+lag.Detail)
	default:
		r.tl.mu.Lock()
		r.tl.lag = figs.lagPoints
		r.tl.mu.Unlock()
	}
	if figs.err != nil {
		res.Notes = append(res.Notes, "duplicates by restart not counted: "+figs.err.Error())
		return
	}
	runs := attributeDuplicates(r.starts, writes, figs.dups)
	var dups int64
	for _, p := range runs {
		dups += p.Duplicates
	}
	if len(runs) > 1 || dups > 0 {
		res.PipelineRuns = runs
	}
}

// notApplicable says why a check of package assertions does not apply to a
// black-box pipeline, or "" when it does.
func notApplicable(res assertions.Result) string {
	switch {
	case res.Check == assertions.CheckLayout:
		return "object names, orphans and ingest-time partitions follow streamcheck's checkpoint format"
	case res.Status == assertions.Skip && res.Check != assertions.CheckLag && strings.Contains(res.Detail, "checkpoint"):
		return "it needs streamcheck's checkpoint"
	}
	return ""
}
