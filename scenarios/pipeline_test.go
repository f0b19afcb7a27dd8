package scenarios

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/internal/treetest"
)

// badPipeline is a Command of a few shell lines that writes its objects with
// curl, unsigned: the embedded S3 does not check signatures.
func badPipeline(shell string) Command {
	return Command{Shell: shell, Output: "s3://streamcheck/out", Format: FormatJSONL, KeyColumn: "serialnumber",
		Quiet: time.Second, Grace: 500 * time.Millisecond, Timeout: 20 * time.Second, MaxExits: 2}
}

// put is a shell line that stores stdin at KEY in the run's bucket.
const put = `curl -sf -X PUT --data-binary @- "$AWS_ENDPOINT_URL_S3/$STREAMCHECK_BUCKET/`

// TestBadPipelineVerdicts runs pipelines that fail in each of the ways a
// black box can, and wants a verdict that names the failure and shows the
// pipeline's last stderr lines, never a bare timeout.
func TestBadPipelineVerdicts(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the bad pipelines write with curl, which is not on PATH")
	}
	tests := []struct {
		name string
		cmd  Command
		want []string
	}{
		{"exits-at-start", badPipeline(`echo "config error: no topic named $STREAMCHECK_TOPIC" >&2; exit 3`),
			[]string{"does not stay up", "exited 2 times in a row", "status 3", "config error: no topic named ventilatorstream"}},
		{"never-writes", badPipeline(`echo "consumer started, waiting" >&2; exec sleep 600`),
			[]string{"never wrote", "nothing under s3://streamcheck/out", "consumer started, waiting"}},
		{"wrong-prefix", badPipeline(`printf '{"serialnumber":"x"}\n' | ` + put + `elsewhere/part-0.jsonl" && echo "wrote my part" >&2; exec sleep 600`),
			[]string{"wrote nothing under s3://streamcheck/out", "1 object(s) elsewhere", "s3://streamcheck/elsewhere/part-0.jsonl", "wrong output prefix", "wrote my part"}},
		{"garbage", badPipeline(`printf 'PAR1 not json at all\n' | ` + put + `out/part-0.jsonl" && echo "flushed" >&2; exec sleep 600`),
			[]string{"wrote 1 object(s) under s3://streamcheck/out that cannot be read as jsonl", "flushed"}},
		{"hangs-on-stop", badPipeline(`trap '' TERM; echo "stuck in a loop" >&2; exec sleep 600`),
			[]string{"did not stop within its grace period", "stuck in a loop", "never wrote"}},
		{"never-quiet", badPipeline(`i=0; while :; do i=$((i+1)); printf '{"serialnumber":"k%d"}\n' $i | ` + put + `out/p$i.jsonl"; echo "wrote $i" >&2; sleep 0.2; done`),
			[]string{"did not finish within", "never stayed unchanged for 1s", "wrote "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := tt.cmd
			if tt.name == "never-quiet" {
				cmd.Timeout = 4 * time.Second
			}
			s := Scenario{Name: tt.name, Pipeline: cmd, Load: Load{Records: 200}}
			res, err := Execute(t.Context(), s, WithDir(t.TempDir()), WithProgress(testWriter{t}))
			if err != nil {
				t.Fatalf("Execute: %v, want a verdict", err)
			}
			if res.Passed {
				t.Fatalf("passed, want a failed verdict")
			}
			got := strings.Join(res.Failures, "\n")
			t.Logf("verdict:\n%s", got)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict does not say %q:\n%s", w, got)
				}
			}
			if _, err := os.Stat(filepath.Join(res.Dir, PipelineLog)); err != nil {
				t.Errorf("no %s in the run's directory: %v", PipelineLog, err)
			}
		})
	}
}

// enginePipeline loads the example pipeline file that runs streamcheck's
// engine as a black box, with a streamcheck binary on PATH.
func enginePipeline(t *testing.T) *PipelineFile {
	t.Helper()
	bin, err := EngineBinary(t.Context())
	if errors.Is(err, ErrNoEngineBinary) {
		t.Skipf("the engine pipeline runs streamcheck as a process: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "streamcheck")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	f, err := LoadPipelineFile("../examples/pipelines/streamcheck-engine/pipeline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestEnginePipelineExactlyOnce runs streamcheck's engine through the
// --pipeline path, as a black box: exactly once across a kill storm and a
// kill at each S3 tripwire. A spoiled copy of the output must then fail:
// an object written twice and an object lost.
func TestEnginePipelineExactlyOnce(t *testing.T) {
	f := enginePipeline(t)
	for _, name := range []string{"kill-storm", "tripwire-in-sink", "tripwire-after-sink", "tripwire-checkpoint"} {
		s, ok := f.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s for a pipeline", name)
		}
		res := Run(t, s)
		if t.Failed() {
			t.FailNow()
		}
		if res.Duplicated != 0 || len(res.Crashes) == 0 || res.EngineRuns < 2 {
			t.Errorf("%s: %d duplicated after crashes %v over %d runs, want none after at least one kill", name, res.Duplicated, res.Crashes, res.EngineRuns)
		}
		if name != "tripwire-after-sink" {
			continue
		}
		// Spoil copies of the output: the verdict must change.
		out := res.LocalPath(res.Output)
		cfg := assertions.Config{Output: out, Ledger: res.Ledger, KeyColumn: "serialnumber", Delivery: assertions.ExactlyOnce}
		rep, err := assertions.Verify(t.Context(), cfg)
		if err != nil || rep.Result(assertions.CheckDelivery).Status != assertions.Pass {
			t.Fatalf("the untouched copy: %v, %+v; want delivery to pass", err, rep)
		}
		files := parquetFiles(t, out)
		for _, spoil := range []struct {
			name  string
			do    func(dir string)
			count string
		}{
			{"object written twice", func(dir string) {
				copyFile(t, files[0], filepath.Join(dir, filepath.Dir(strings.TrimPrefix(files[0], out)), "part-again.parquet"))
			}, "duplicated"},
			{"object lost", func(dir string) { os.Remove(filepath.Join(dir, strings.TrimPrefix(files[0], out))) }, "lost"},
		} {
			dir := t.TempDir()
			treetest.Copy(t, out, dir)
			spoil.do(dir)
			cfg.Output = dir
			rep, err := assertions.Verify(t.Context(), cfg)
			if err != nil {
				t.Fatalf("%s: %v", spoil.name, err)
			}
			if d := rep.Result(assertions.CheckDelivery); d.Status != assertions.Fail || d.Count(spoil.count) == 0 {
				t.Errorf("%s: delivery %s with %s=%d, want a failure that counts it", spoil.name, d.Status, spoil.count, d.Count(spoil.count))
			}
		}
	}
}

// TestGoConsumerAtLeastOnce runs examples/pipelines/go-consumer, a Kafka
// consumer that commits its offsets after writing, with and without the
// cause of its duplicates: killed while an output object is stored but not
// yet acknowledged (so it cannot have committed those offsets), or while
// its second offset commit is on its way to the Kafka emulator, it must
// write duplicates that the report counts while nothing is lost; left
// alone, it must write none. (After-sink kills race the consumer's commit,
// so they duplicate only most of the time.)
func TestGoConsumerAtLeastOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example consumer; skipped with -short")
	}
	dir, err := filepath.Abs("../examples/pipelines/go-consumer")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "go-consumer")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build the example consumer (its own module needs franz-go and the AWS SDK in the module cache): %v\n%s", err, out)
	}
	f, err := LoadPipelineFile(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		duplicates bool
	}{{"tripwire-in-sink", true}, {"tripwire-offset-commit", true}, {"steady", false}} {
		s, ok := f.Lookup(tt.name)
		if !ok {
			t.Fatalf("no scenario %s", tt.name)
		}
		c := s.Pipeline.(Command)
		c.Args = []string{bin}
		s.Pipeline = c
		res := Run(t, s)
		if t.Failed() {
			t.FailNow()
		}
		d := res.Report.Result(assertions.CheckDelivery)
		if d.Count("lost") != 0 {
			t.Errorf("%s: %d lost, want none", tt.name, d.Count("lost"))
		}
		if got := res.Duplicated > 0; got != tt.duplicates {
			t.Errorf("%s: %d duplicated, want duplicates: %v (crashes %v, %d starts)", tt.name, res.Duplicated, tt.duplicates, res.Crashes, res.EngineRuns)
		}
		t.Logf("%s: %d duplicated, crashes %v, %d starts", tt.name, res.Duplicated, res.Crashes, res.EngineRuns)
		checkWriteFigures(t, res)
	}
	// A lag bound the consumer cannot keep (a millisecond from the
	// acknowledgement to the object's write) must fail the run's lag
	// check, naming a late object.
	s, _ := f.Lookup("steady")
	c := s.Pipeline.(Command)
	c.Args = []string{bin}
	s.Pipeline, s.Expect.MaxLagP99 = c, time.Millisecond
	res, err := Execute(t.Context(), s, WithDir(t.TempDir()), WithProgress(testWriter{t}))
	if err != nil {
		t.Fatal(err)
	}
	l := res.Report.Result(assertions.CheckLag)
	if res.Passed || l.Status != assertions.Fail || len(l.Examples) == 0 || !strings.Contains(strings.Join(res.Failures, "\n"), "check lag failed") {
		t.Errorf("a 1ms bound: passed %v, lag %s %q with %d examples, failures %q; want the lag check failed, naming late objects", res.Passed, l.Status, l.Detail, len(l.Examples), res.Failures)
	}
}

// TestPipelineFileValidate wants every bad field named by its YAML name.
func TestPipelineFileValidate(t *testing.T) {
	good := func() *PipelineFile {
		f := &PipelineFile{Command: Argv{Args: []string{"true"}}}
		f.Output.Path = "s3://b/p"
		return f
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good file: %v", err)
	}
	tests := []struct {
		name  string
		spoil func(*PipelineFile)
		field string
	}{
		{"no command", func(f *PipelineFile) { f.Command = Argv{} }, "command"},
		{"bad signal", func(f *PipelineFile) { f.Stop.Signal = "SIGFOO" }, "stop.signal"},
		{"bad kind", func(f *PipelineFile) { f.Source.Kind = "pulsar" }, "source.kind"},
		{"bad dataset", func(f *PipelineFile) { f.Load.Dataset = "weather" }, "load.dataset"},
		{"bad share", func(f *PipelineFile) { f.Load.Malformed = 2 }, "load.malformed"},
		{"bad output", func(f *PipelineFile) { f.Output.Path = "/tmp/out" }, "output.path"},
		{"bad format", func(f *PipelineFile) { f.Output.Format = "avro" }, "output.format"},
		{"bad promise", func(f *PipelineFile) { f.Promise = "at-most-once" }, "promise"},
		{"bad quiet", func(f *PipelineFile) { f.DoneWhen.Quiet = -1 }, "doneWhen.quiet"},
		{"bad lag bound", func(f *PipelineFile) { f.MaxLagP99 = -1 }, "maxLagP99"},
		{"checkpoint elsewhere", func(f *PipelineFile) { f.Checkpoint.Path = "s3://other/cp" }, "checkpoint.path"},
		{"attribute without a table", func(f *PipelineFile) { f.Checkpoint.Attribute = "Checkpoint" }, "checkpoint.attribute"},
		{"table on kafka", func(f *PipelineFile) { f.Checkpoint.Table, f.Source.Kind = "leases", "kafka" }, "checkpoint.table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good()
			tt.spoil(f)
			err := f.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tt.field+" ") {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.field)
			}
		})
	}
}

// TestPipelineFileExamples loads every example pipeline file.
func TestPipelineFileExamples(t *testing.T) {
	paths, _ := filepath.Glob("../examples/pipelines/*.yaml")
	more, _ := filepath.Glob("../examples/pipelines/*/pipeline.yaml")
	paths = append(paths, more...)
	if len(paths) < 3 {
		t.Fatalf("found %v, want the reference and the examples", paths)
	}
	for _, p := range paths {
		f, err := LoadPipelineFile(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		for _, s := range f.Scenarios() {
			if err := s.Validate(); err != nil {
				t.Errorf("%s: scenario %s: %v", p, s.Name, err)
			}
		}
	}
}

// TestCommandEnv checks the variables a pipeline is given, in the forms
// real tools read, and their ${VAR} substitution.
func TestCommandEnv(t *testing.T) {
	env := Env{Kind: engine.KindKafka, Stream: "orders", Bucket: "lake", Output: "s3://lake/orders/v1", Seed: 7, endpoint: "http://127.0.0.1:1"}
	got := env.Vars()
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:1",
		EnvTopic: "orders", EnvStream: "orders", EnvBucket: "lake", EnvOutput: "s3://lake/orders/v1", EnvOutputPrefix: "orders/v1",
		EnvSource: "kafka", EnvSeed: "7",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestExpandVars wants ${VAR}s of the run replaced and the shell's own
// $VAR and unknown ${VAR}s kept.
func TestExpandVars(t *testing.T) {
	vars := map[string]string{EnvTopic: "orders"}
	getenv := func(k string) string { return map[string]string{"HOME": "/home/me"}[k] }
	for _, tt := range []struct{ in, want string }{
		{"--topic ${STREAMCHECK_TOPIC}", "--topic orders"},
		{"${HOME}/x", "/home/me/x"},
		{"i=$((i+1)); echo $i $STREAMCHECK_TOPIC", "i=$((i+1)); echo $i $STREAMCHECK_TOPIC"},
		{"${NOT_SET}", "${NOT_SET}"},
	} {
		if got := expandVars(tt.in, vars, getenv); got != tt.want {
			t.Errorf("expandVars(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func parquetFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatalf("no Parquet files under %s", dir)
	}
	return out
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
