package scenarios

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/internal/treetest"
)

// buildExample builds the example pipeline in examples/pipelines/name (a
// module of its own, which `go test ./...` from the repository root does not
// enter) into a temporary directory and returns the binary. It skips only
// where there is no go command to build with; a build that fails fails the
// test.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the %s example is a Go module of its own, built with the go command, which is not on PATH", name)
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "pipelines", name))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	build := exec.CommandContext(t.Context(), gobin, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the %s example (its module's dependencies come from the Go module proxy or the module cache): %v\n%s", name, err, out)
	}
	return bin
}

// TestKinesisKCLAtLeastOnce runs examples/pipelines/kinesis-kcl, a Kinesis
// consumer built on vmware-go-kcl-v2 that keeps its leases and checkpoints
// in DynamoDB, against the embedded emulators alone, through the black-box
// scenarios: left alone it writes every record once; killed with SIGKILL
// three times, nothing is lost; killed while its second checkpoint write is
// on its way (after the output it records was written) it must write
// duplicates that the report counts, and lose nothing. A spoiled copy of
// the output, a shard's objects lost, must then fail the at-least-once
// check.
func TestKinesisKCLAtLeastOnce(t *testing.T) {
	bin := buildExample(t, "kinesis-kcl")
	f, err := LoadPipelineFile(filepath.Join("..", "examples", "pipelines", "kinesis-kcl", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// duplicates: 1 wants some, -1 none, 0 either (a kill storm's
		// moments may or may not fall between a write and its checkpoint).
		duplicates int
	}{
		{"steady", -1},
		{"kill-storm", 0},
		{"tripwire-checkpoint-write", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ok := f.Lookup(tt.name)
			if !ok {
				t.Fatalf("no scenario %s for a pipeline with a checkpoint table", tt.name)
			}
			c := s.Pipeline.(Command)
			c.Args = []string{bin}
			s.Pipeline = c
			res := Run(t, s)
			if t.Failed() {
				t.FailNow()
			}
			d := res.Report.Result(assertions.CheckDelivery)
			if d.Status != assertions.Pass || d.Count("lost") != 0 {
				t.Errorf("delivery %s with %d lost, want a pass with none lost", d.Status, d.Count("lost"))
			}
			switch {
			case tt.duplicates > 0 && res.Duplicated == 0:
				t.Errorf("no duplicates after %v, want the records written since the last checkpoint written again", res.Crashes)
			case tt.duplicates < 0 && res.Duplicated != 0:
				t.Errorf("%d duplicated with no kill, want none", res.Duplicated)
			}
			if tt.duplicates != 0 && len(res.Crashes) != max(tt.duplicates, 0) {
				t.Errorf("crashes %v, want %d", res.Crashes, max(tt.duplicates, 0))
			}
			if tt.name == "kill-storm" && len(res.Crashes) != DefaultPipelineKills {
				t.Errorf("crashes %v, want %d kills", res.Crashes, DefaultPipelineKills)
			}
			t.Logf("%s: %d duplicated, crashes %v, %d starts", tt.name, res.Duplicated, res.Crashes, res.EngineRuns)
			checkWriteFigures(t, res)
			if tt.name != "tripwire-checkpoint-write" {
				return
			}
			// The strict reading of the same output counts the duplicates
			// as a failure.
			if sd := res.Strict.Result(assertions.CheckDelivery); sd.Status != assertions.Fail || sd.Count("duplicated") == 0 {
				t.Errorf("exactly-once reading: delivery %s with %d duplicated, want a failure that counts them", sd.Status, sd.Count("duplicated"))
			}
			// Spoil a copy of the output: one shard's objects lost must fail
			// (a single object may be covered by its batch's second write).
			out := res.LocalPath(res.Output)
			objs := jsonlFiles(t, out)
			dir := t.TempDir()
			treetest.Copy(t, out, dir)
			if err := os.RemoveAll(filepath.Join(dir, filepath.Dir(strings.TrimPrefix(objs[0], out)))); err != nil {
				t.Fatal(err)
			}
			cfg := assertions.Config{Output: dir, Ledger: res.Ledger, KeyColumn: "serialnumber",
				OutputFormat: assertions.FormatJSONLines, Delivery: assertions.AtLeastOnce, TempDir: t.TempDir()}
			rep, err := assertions.Verify(t.Context(), cfg)
			if err != nil {
				t.Fatalf("verify the spoiled copy: %v", err)
			}
			if sd := rep.Result(assertions.CheckDelivery); sd.Status != assertions.Fail || sd.Count("lost") == 0 {
				t.Errorf("an object removed: delivery %s with %d lost, want a failure that counts them", sd.Status, sd.Count("lost"))
			}
		})
	}
}

// TestKinesisKCLScenarios wants the example's pipeline file to give the
// checkpoint-table scenarios, each with its tripwire on the lease table.
func TestKinesisKCLScenarios(t *testing.T) {
	t.Parallel()
	f, err := LoadPipelineFile(filepath.Join("..", "examples", "pipelines", "kinesis-kcl", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, at := range map[string]TripAt{"tripwire-checkpoint-write": TripBeforeSink, "tripwire-checkpoint-unanswered": TripInSink} {
		s, ok := f.Lookup(name)
		if !ok {
			t.Errorf("no scenario %s", name)
			continue
		}
		want := Tripwire{At: at, Object: DefaultTripwireObject, Table: "kinesis-kcl", Attribute: "Checkpoint"}
		if len(s.Tripwires) != 1 || s.Tripwires[0] != want {
			t.Errorf("%s: tripwires %+v, want [%+v]", name, s.Tripwires, want)
		}
		if c := s.Pipeline.(Command); c.CheckpointTable != "kinesis-kcl" || c.CheckpointAttribute != "Checkpoint" {
			t.Errorf("%s: checkpoint table %q attribute %q, want kinesis-kcl and Checkpoint", name, c.CheckpointTable, c.CheckpointAttribute)
		}
	}
}

func jsonlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatalf("no JSON-lines files under %s", dir)
	}
	return out
}

// TestCheckpointTableNeverCaughtUp wants a pipeline whose output goes quiet
// but whose declared checkpoint table never holds the shards' last records
// to get a verdict that says so, not one about its output.
func TestCheckpointTableNeverCaughtUp(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the pipeline writes with curl, which is not on PATH")
	}
	t.Parallel()
	cmd := badPipeline(`printf '{"serialnumber":"x"}\n' | ` + put + `out/part-0.jsonl" && echo "wrote, never checkpoints" >&2; exec sleep 600`)
	cmd.CheckpointTable, cmd.CheckpointAttribute, cmd.Timeout = "leases", "Checkpoint", 6*time.Second
	res, err := Execute(t.Context(), Scenario{Name: "never-checkpoints", Pipeline: cmd, Load: Load{Records: 200}},
		WithDir(t.TempDir()), WithProgress(testWriter{t}))
	if err != nil {
		t.Fatalf("Execute: %v, want a verdict", err)
	}
	got := strings.Join(res.Failures, "\n")
	for _, want := range []string{"did not finish within 6s", "its output was quiet, but its own progress never reached the end of ventilatorstream",
		"checkpoint table leases does not exist", "wrote, never checkpoints"} {
		if !strings.Contains(got, want) {
			t.Errorf("verdict does not say %q:\n%s", want, got)
		}
	}
}
