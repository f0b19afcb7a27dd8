package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/scenarios/report"
)

// Result is what a run showed. Passed is false when an expectation was not
// met; Failures then says which, in sentences.
type Result struct {
	Scenario string   `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Passed   bool     `json:"passed"`
	Failures []string `json:"failures,omitempty"`
	// Notes are things the run could not show, such as a check that could
	// not run; they do not fail it.
	Notes []string `json:"notes,omitempty"`
	// Replay is the command that runs the scenario again with the same
	// seed.
	Replay string `json:"replay"`

	// Load is the generator's summary: records attempted, acknowledged,
	// malformed, duplicated.
	Load generators.Summary `json:"load"`
	// Pipeline is a Command pipeline's command line ("" for the engine);
	// PipelineLog the file with its stdout and stderr, every run appended.
	Pipeline    string `json:"pipeline,omitempty"`
	PipelineLog string `json:"pipeline_log,omitempty"`
	// EngineRuns counts engine starts (pipeline starts for a Command); Crashes lists the crash points the
	// engine stopped at, in order ("after-sink of batch 2").
	EngineRuns int      `json:"engine_runs"`
	Crashes    []string `json:"crashes,omitempty"`
	// Batches counts batch commits, replays included.
	Batches int64 `json:"batches"`
	// Delivered, Duplicated and DeadLetters are the checker's tallies of
	// output rows, duplicated rows and dead-letter entries.
	Delivered   int64 `json:"delivered"`
	Duplicated  int64 `json:"duplicated"`
	DeadLetters int64 `json:"dead_letters"`
	// Lag is the lag from arrival in the stream to the batch's commit;
	// for a Command pipeline, to the write of the first output object
	// holding the record.
	Lag assertions.LagStats `json:"lag"`
	// PipelineRuns are a Command pipeline's starts, each with what ended
	// the run before (a kill, a tripwire, an exit) and the output objects
	// and duplicate rows written until the next start; set when it was
	// restarted or wrote duplicates.
	PipelineRuns []report.PipelineRun `json:"pipeline_runs,omitempty"`
	// Elapsed is the wall time of the whole run, setup to verdict.
	Elapsed time.Duration `json:"elapsed_ns"`

	// Dir holds the ledger, the job, the report and LocalCopy, a copy of
	// the job's S3 objects (s3/BUCKET/...).
	Dir    string `json:"dir"`
	Ledger string `json:"ledger"`
	Job    string `json:"job"`
	// ResultFile is this Result as JSON; HTMLReport the page of package
	// report (with report.json and junit.xml next to it).
	ResultFile string `json:"result_file"`
	HTMLReport string `json:"html_report"`
	LocalCopy  string `json:"local_copy"`
	// Output, DeadLetter and Checkpoint are the job's locations (on the
	// stack, gone once it is closed; see LocalCopy).
	Output     string `json:"output"`
	DeadLetter string `json:"dead_letter"`
	Checkpoint string `json:"checkpoint"`

	// CommittedAtCrash is how many records the engine had committed,
	// replays included, when it last crashed.
	CommittedAtCrash int64 `json:"committed_at_crash,omitempty"`
	// StoppedWith is the engine error that ended the run, for a scenario
	// that expects one (Expect.StopError).
	StoppedWith string `json:"stopped_with,omitempty"`
	// DataLoss counts acknowledged records inside the checkpoint's
	// data_loss ranges.
	DataLoss int64 `json:"data_loss"`

	// Report is the verification with the job's own delivery mode.
	// Strict, for at-least-once jobs, is the verification with the
	// exactly-once reading, which must find the duplicates.
	Report *assertions.Report `json:"report"`
	Strict *assertions.Report `json:"strict,omitempty"`

	description, backend string
	timeline             *timeline
	comp                 *compactionRun
	data                 *reportData
}

func (r *Result) failf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

// Err returns nil when the run passed, else an error wrapping ErrExpectation
// that lists the failures, the seed and the replay command.
func (r *Result) Err() error {
	if r.Passed {
		return nil
	}
	return fmt.Errorf("%w: scenario %s (seed %d): %s\nreplay: %s", ErrExpectation, r.Scenario, r.Seed, strings.Join(r.Failures, "; "), r.Replay)
}

// extraChecks are the scenario's checks beyond those of package assertions:
// the dead-letter errors and Expect.Verify.
func (s *Scenario) extraChecks(job *engine.Job, seed uint64, ledger string, src *generators.Source, local func(string) string) []func(context.Context, *assertions.Session) ([]assertions.Result, error) {
	var extra []func(context.Context, *assertions.Session) ([]assertions.Result, error)
	if want := s.Expect.DeadLetterErrors; len(want) > 0 {
		extra = append(extra, func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
			r, err := checkDeadLetterErrors(ctx, sess, want)
			return []assertions.Result{r}, err
		})
	}
	if s.Expect.Verify != nil {
		extra = append(extra, func(ctx context.Context, sess *assertions.Session) ([]assertions.Result, error) {
			return s.Expect.Verify(ctx, &Verification{Session: sess, Job: job, Seed: seed, Ledger: ledger, Source: src, Local: local})
		})
	}
	return extra
}

// judge sets the tallies and the verdict from the reports.
func (r *Result) judge(s *Scenario) {
	rep := r.Report
	if d := rep.Result(assertions.CheckDelivery); d != nil {
		r.Delivered, r.Duplicated = d.Count("delivered"), d.Count("duplicated")
	}
	if d := rep.Result(assertions.CheckDeadLetter); d != nil {
		r.DeadLetters = d.Count("entries")
	}
	if l := rep.Result(assertions.CheckLag); l != nil && l.Lag != nil {
		r.Lag = l.Lag.Overall
	}
	if d := rep.Result(assertions.CheckDelivery); d != nil {
		r.DataLoss = d.Count("in_data_loss_range")
	}
	if r.data == nil {
		r.data = &reportData{}
	}
	r.data.expected = map[string]bool{}
	if s.Expect.StopError != "" {
		if r.StoppedWith == "" {
			r.failf("the engine never stopped with an error containing %q", s.Expect.StopError)
		}
		for _, res := range rep.Results {
			if res.Status == assertions.Fail {
				r.Notes = append(r.Notes, fmt.Sprintf("check %s on the output written before the stop: %s", res.Check, describe(res)))
				r.data.expected[res.Check] = true
			}
		}
		r.Passed = len(r.Failures) == 0
		return
	}
	if r.DataLoss < s.Expect.MinDataLoss {
		r.failf("%d acknowledged records in data_loss ranges, want at least %d", r.DataLoss, s.Expect.MinDataLoss)
	}
	blackBox := s.isCommand()
	if s.Expect.Orphans {
		r.data.expected[assertions.CheckDelivery], r.data.expected[assertions.CheckLayout] = true, true
	}
	if s.Expect.Duplicates && r.Strict == nil {
		r.data.expected[assertions.CheckDelivery] = true
	}
	for _, res := range rep.Results {
		if s.Expect.Orphans && (res.Check == assertions.CheckDelivery || res.Check == assertions.CheckLayout) {
			continue // judged below
		}
		if why := notApplicable(res); blackBox && why != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("check %s not applicable to this pipeline: %s", res.Check, why))
			continue
		}
		if res.Status == assertions.Fail {
			r.failf("check %s failed: %s", res.Check, describe(res))
		}
	}
	if d := rep.Result(assertions.CheckDelivery); d == nil || d.Status == assertions.Skip {
		r.failf("the delivery check did not run")
	}
	if r.Delivered == 0 {
		r.failf("no records were delivered")
	}
	if r.DeadLetters < s.Expect.MinDeadLetters {
		r.failf("%d dead-letter entries, want at least %d", r.DeadLetters, s.Expect.MinDeadLetters)
	}
	if s.Expect.Duplicates {
		strict := r.Strict
		if strict == nil {
			strict = rep // an exactly-once job: its own reading
		}
		d := strict.Result(assertions.CheckDelivery)
		switch {
		case d == nil:
			r.failf("the exactly-once reading has no delivery result")
		case d.Status != assertions.Fail || d.Count("duplicated") == 0:
			r.failf("the exactly-once reading found no duplicates (delivery %s: %s); at-least-once after a crash after its sink must duplicate", d.Status, describe(*d))
		case d.Count("lost") > 0 || d.Count("unexpected") > 0:
			r.failf("the exactly-once reading found more than duplicates: %s", describe(*d))
		default:
			r.Duplicated = d.Count("duplicated")
			if s.Expect.DuplicatesAreCommitted && r.Duplicated != r.CommittedAtCrash {
				r.failf("%d duplicated rows, want %d: every record committed before the crash written again", r.Duplicated, r.CommittedAtCrash)
			}
		}
	}
	if s.Expect.Orphans {
		l := rep.Result(assertions.CheckLayout)
		switch {
		case l == nil:
			r.failf("no layout result")
		case l.Count("orphan") == 0:
			r.failf("the layout check found no orphan objects (layout %s: %s); the objects of the deleted checkpoint must be", l.Status, describe(*l))
		case l.Count("misplaced") > 0 || l.Count("bad_name") > 0 || l.Count("missing_object") > 0:
			r.failf("the layout check found more than orphans: %s", describe(*l))
		}
	}
	r.Passed = len(r.Failures) == 0
}

// describe renders a result's tallies, detail and first example.
func describe(res assertions.Result) string {
	parts := make([]string, 0, len(res.Counts)+1)
	for _, c := range res.Counts {
		parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Value))
	}
	if extra := describeExtra(res); extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, ", ")
}

// describeExtra renders a result's detail, lag and first example.
func describeExtra(res assertions.Result) string {
	var parts []string
	if res.Detail != "" {
		parts = append(parts, res.Detail)
	}
	if l := res.Lag; l != nil {
		parts = append(parts, fmt.Sprintf("p50=%s p99=%s max=%s", round(l.Overall.P50), round(l.Overall.P99), round(l.Overall.Max)))
	}
	if len(res.Examples) > 0 {
		e := res.Examples[0]
		parts = append(parts, fmt.Sprintf("e.g. %s key %q seq %d batch %d %s", e.Kind, e.Key, e.Seq, e.Batch, e.Detail))
	}
	return strings.Join(parts, ", ")
}

func (o *options) resolveSeed() (uint64, error) {
	if o.seedSet {
		return o.seed, nil
	}
	if v := strings.TrimSpace(o.getenv(EnvSeed)); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s %q: want a non-negative integer", EnvSeed, v)
		}
		return n, nil
	}
	return DefaultSeed, nil
}

// replayCommand is the command that replays a run: the one WithReplay
// gave (cmd), else the go test command with the seed in EnvSeed.
func replayCommand(cmd string, seed uint64) string {
	if cmd != "" {
		return expandReplay(cmd, seed)
	}
	return fmt.Sprintf("%s=%d go test -run <this test>", EnvSeed, seed)
}

// expandReplay puts seed in place of {seed} in a WithReplay command.
func expandReplay(cmd string, seed uint64) string {
	return strings.ReplaceAll(cmd, "{seed}", strconv.FormatUint(seed, 10))
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// reportLoad writes a progress line about the load every second until done
// is closed or the returned stop is called.
func reportLoad(w io.Writer, st *generators.Stats, count int64, done <-chan struct{}) (stop func()) {
	if w == io.Discard {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-done:
				fmt.Fprintf(w, "  load done: %d sent, %d acknowledged, %d failed, %d unknown\n", st.Attempted.Load(), st.Acked.Load(), st.Failed.Load(), st.Unknown.Load())
				return
			case <-t.C:
				fmt.Fprintf(w, "  load: %d/%d sent, %d acknowledged\n", st.Attempted.Load(), count, st.Acked.Load())
			}
		}
	}()
	var once bool
	return func() {
		if !once {
			once = true
			close(quit)
			<-finished
		}
	}
}

func createBucket(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// download copies every object under prefix in bucket to dir, keeping keys
// as paths.
func download(ctx context.Context, c *s3.Client, bucket, prefix, dir string) error {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") || strings.Contains(key, "..") {
				continue
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: obj.Key})
			if err != nil {
				return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
			}
			dst := filepath.Join(dir, filepath.FromSlash(key))
			err = writeFile(dst, out.Body)
			out.Body.Close()
			if err != nil {
				return fmt.Errorf("copy s3://%s/%s: %w", bucket, key, err)
			}
		}
	}
	return nil
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeJob writes job as YAML that engine.LoadJob reads back, so the run can
// be repeated with `streamcheck run --job`.
func writeJob(path string, job *engine.Job) error {
	b, err := yaml.Marshal(job)
	if err != nil {
		return fmt.Errorf("encode job: %w", err)
	}
	head := "# The job a streamcheck scenario ran, against its emulator stack's endpoints.\n"
	if err := os.WriteFile(path, append([]byte(head), b...), 0o644); err != nil {
		return fmt.Errorf("write job %s: %w", path, err)
	}
	return nil
}

func describeRule(r interface{ Validate() error }) string {
	b, _ := json.Marshal(r)
	return string(b)
}
