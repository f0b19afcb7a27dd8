package scenarios

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// Defaults of a pipeline file's zero fields, beyond those of Command and
// Scenario.
const (
	// DefaultPipelineKills is how many SIGKILLs the kill-storm scenario
	// sends.
	DefaultPipelineKills = 3
	// DefaultTripwireObject is the output object at which the tripwire
	// scenarios kill the pipeline.
	DefaultTripwireObject = 2
)

// PipelineFile is a pipeline under test as a YAML file (see
// examples/pipelines/reference-pipeline.yaml): the command, the source it
// reads and the load to send, where its output lands and what it promises,
// and when it is done. Load it with LoadPipelineFile; Scenarios turns it
// into the black-box scenarios that apply to any pipeline.
type PipelineFile struct {
	// Name names the pipeline in reports; default the file's base name.
	Name string `yaml:"name"`
	// Command is the command line: a list (argv) or a string (run with
	// /bin/sh -c). ${VAR}s are replaced (Env.Vars). Required.
	Command Argv `yaml:"command"`
	// Dir is the working directory; default the pipeline file's own.
	Dir string `yaml:"dir"`
	// Env is extra environment.
	Env map[string]string `yaml:"env"`
	// Config is a file (relative to Dir) rendered with ${VAR}s into the
	// run's directory; its copy is ${STREAMCHECK_CONFIG}.
	Config string `yaml:"config"`
	// Stop is how the pipeline is stopped once drained.
	Stop struct {
		// Signal is SIGTERM (default), SIGINT, SIGHUP, SIGQUIT, SIGUSR1 or
		// SIGUSR2.
		Signal string `yaml:"signal"`
		// Grace is how long it has to exit; default DefaultGrace.
		Grace engine.Duration `yaml:"grace"`
	} `yaml:"stop"`
	// Source is the stream or topic the pipeline reads; the runner creates
	// it.
	Source struct {
		// Kind is kinesis (default) or kafka.
		Kind string `yaml:"kind"`
		// Name is the stream or topic; default DefaultStream.
		Name string `yaml:"name"`
		// Shards is the shard or partition count; default DefaultShards.
		Shards int `yaml:"shards"`
	} `yaml:"source"`
	// Load is what the runner sends.
	Load struct {
		// Dataset is ventilator (default) or payments, as streamcheck gen.
		Dataset string `yaml:"dataset"`
		// Records is how many records; default DefaultRecords.
		Records int64 `yaml:"records"`
		// Rate is records per second; 0 sends as fast as the source takes
		// them.
		Rate float64 `yaml:"rate"`
		// Malformed is the share of malformed records, 0 to 1.
		Malformed float64 `yaml:"malformed"`
	} `yaml:"load"`
	// Output is where the pipeline writes.
	Output struct {
		// Path is s3://BUCKET/PREFIX; the runner creates the bucket.
		// Required.
		Path string `yaml:"path"`
		// Format is parquet (default) or jsonl.
		Format string `yaml:"format"`
		// PartitionBy lists hive partition columns of the paths.
		PartitionBy []string `yaml:"partitionBy"`
		// KeyColumn is the column holding each record's key; default the
		// data set's (serialnumber, event_id).
		KeyColumn string `yaml:"keyColumn"`
	} `yaml:"output"`
	// Promise is exactly-once (default) or at-least-once.
	Promise string `yaml:"promise"`
	// DeadLetter, when set, is where rejected records land, as
	// streamcheck's dead-letter JSON lines.
	DeadLetter struct {
		Path string `yaml:"path"`
	} `yaml:"deadLetter"`
	// Checkpoint, when set, is where the pipeline records its progress.
	Checkpoint struct {
		// Path is a prefix on S3, in the output's bucket (a Spark
		// checkpointLocation, streamcheck's checkpoint commits): the
		// tripwire-checkpoint scenario kills the pipeline at a write
		// there.
		Path string `yaml:"path"`
		// Table is a DynamoDB table where the pipeline keeps its leases
		// and checkpoints (a KCL application's lease table): the
		// tripwire-checkpoint-write and tripwire-checkpoint-unanswered
		// scenarios kill it at a write there. The pipeline finds its
		// name in ${STREAMCHECK_CHECKPOINT_TABLE}; it creates the table
		// itself.
		Table string `yaml:"table"`
		// Attribute is the table's attribute that holds a shard's
		// checkpointed sequence number (Checkpoint for vmware-go-kcl,
		// checkpoint for the KCL). With it the tripwires count only
		// checkpoint advances, and the pipeline has drained only once
		// every shard's last record is checkpointed.
		Attribute string `yaml:"attribute"`
	} `yaml:"checkpoint"`
	// Schema is the expected output schema, partition columns excluded.
	Schema []assertions.Column `yaml:"schema"`
	// DoneWhen says when the pipeline has drained.
	DoneWhen struct {
		// Quiet is how long the output stays unchanged after the load;
		// default DefaultQuiet.
		Quiet engine.Duration `yaml:"quiet"`
		// Timeout bounds the pipeline's part of a run; default
		// DefaultTimeout.
		Timeout engine.Duration `yaml:"timeout"`
	} `yaml:"doneWhen"`
	// MaxExits is how many exits in a row end a run; default
	// DefaultMaxExits.
	MaxExits int `yaml:"maxExits"`
	// MaxLagP99 bounds the 99th percentile of lag, from a record's
	// acknowledgement by the source to the write of the first output
	// object holding it, in every scenario; 0 (the default): no bound,
	// the lag is only reported.
	MaxLagP99 engine.Duration `yaml:"maxLagP99"`

	dir string // the file's directory
}

// Argv is a command: a YAML list (argv) or a string (a shell line).
type Argv struct {
	Args  []string
	Shell string
}

// UnmarshalYAML reads a list or a string.
func (a *Argv) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		a.Shell = n.Value
		return nil
	case yaml.SequenceNode:
		return n.Decode(&a.Args)
	}
	return fmt.Errorf("line %d: command: want a list of arguments or a shell line", n.Line)
}

var signals = map[string]syscall.Signal{
	"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT, "SIGHUP": syscall.SIGHUP,
	"SIGQUIT": syscall.SIGQUIT, "SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2,
}

// LoadPipelineFile reads and validates a pipeline file. Unknown fields are
// errors.
func LoadPipelineFile(path string) (*PipelineFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline file: %w", err)
	}
	var f PipelineFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("pipeline file %s: %w", path, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		f.dir = filepath.Dir(abs)
	}
	if f.Name == "" {
		f.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("pipeline file %s: %w", path, err)
	}
	return &f, nil
}

// Validate reports the first field that is not usable, by its YAML name.
func (f *PipelineFile) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%s %v: want %s", field, v, want)
	}
	if len(f.Command.Args) == 0 && f.Command.Shell == "" {
		return bad("command", "(none)", "a list of arguments or a shell line")
	}
	if f.Stop.Signal != "" {
		if _, ok := signals[strings.ToUpper(f.Stop.Signal)]; !ok {
			return bad("stop.signal", fmt.Sprintf("%q", f.Stop.Signal), "SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 or SIGUSR2")
		}
	}
	switch f.Source.Kind {
	case "", engine.KindKinesis, engine.KindKafka:
	default:
		return bad("source.kind", fmt.Sprintf("%q", f.Source.Kind), "kinesis or kafka")
	}
	if f.Source.Shards < 0 {
		return bad("source.shards", f.Source.Shards, "a positive number (0 for the default)")
	}
	if _, err := f.dataset(); err != nil {
		return err
	}
	if f.Load.Records < 0 {
		return bad("load.records", f.Load.Records, "a positive number (0 for the default)")
	}
	if f.Load.Rate < 0 {
		return bad("load.rate", f.Load.Rate, "records per second, 0 for no limit")
	}
	if f.Load.Malformed < 0 || f.Load.Malformed > 1 {
		return bad("load.malformed", f.Load.Malformed, "a share from 0 to 1")
	}
	if _, _, err := splitS3(f.Output.Path); err != nil {
		return bad("output.path", fmt.Sprintf("%q", f.Output.Path), "s3://BUCKET/PREFIX")
	}
	switch f.Output.Format {
	case "", FormatParquet, FormatJSONL:
	default:
		return bad("output.format", fmt.Sprintf("%q", f.Output.Format), "parquet or jsonl")
	}
	switch f.Promise {
	case "", engine.ExactlyOnce, engine.AtLeastOnce:
	default:
		return bad("promise", fmt.Sprintf("%q", f.Promise), "exactly-once or at-least-once")
	}
	if f.DeadLetter.Path != "" {
		if _, _, err := splitS3(f.DeadLetter.Path); err != nil {
			return bad("deadLetter.path", fmt.Sprintf("%q", f.DeadLetter.Path), "s3://BUCKET/PREFIX")
		}
	}
	if f.Checkpoint.Path != "" {
		cb, _, err := splitS3(f.Checkpoint.Path)
		ob, _, _ := splitS3(f.Output.Path)
		if err != nil || cb != ob {
			return bad("checkpoint.path", fmt.Sprintf("%q", f.Checkpoint.Path), "s3://BUCKET/PREFIX in the output's bucket")
		}
	}
	if f.Checkpoint.Attribute != "" && f.Checkpoint.Table == "" {
		return bad("checkpoint.attribute", fmt.Sprintf("%q", f.Checkpoint.Attribute), "none without checkpoint.table")
	}
	if f.Checkpoint.Table != "" && f.Source.Kind == engine.KindKafka {
		return bad("checkpoint.table", fmt.Sprintf("%q", f.Checkpoint.Table), "none on a Kafka source (its consumer groups are watched instead)")
	}
	for _, d := range []struct {
		field string
		v     engine.Duration
	}{{"stop.grace", f.Stop.Grace}, {"doneWhen.quiet", f.DoneWhen.Quiet}, {"doneWhen.timeout", f.DoneWhen.Timeout}, {"maxLagP99", f.MaxLagP99}} {
		if d.v < 0 {
			return bad(d.field, time.Duration(d.v), "a positive duration (0 for the default)")
		}
	}
	if f.MaxExits < 0 {
		return bad("maxExits", f.MaxExits, "a positive number (0 for the default)")
	}
	return nil
}

func (f *PipelineFile) dataset() (*generators.Dataset, error) {
	switch f.Load.Dataset {
	case "", "ventilator":
		return generators.Ventilator(), nil
	case "payments":
		return generators.Payments(), nil
	}
	return nil, fmt.Errorf("load.dataset %q: want ventilator or payments", f.Load.Dataset)
}

// Pipeline returns the file's Command. Relative paths (dir, config, a
// command's first word that names a file) are taken from the file's
// directory.
func (f *PipelineFile) Pipeline() Command {
	ds, _ := f.dataset()
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.Contains(p, "$") || f.dir == "" {
			return p
		}
		return filepath.Join(f.dir, p)
	}
	c := Command{
		Args: f.Command.Args, Shell: f.Command.Shell, Dir: rel(or(f.Dir, ".")),
		Output: f.Output.Path, Format: f.Output.Format, PartitionBy: f.Output.PartitionBy,
		KeyColumn: or(f.Output.KeyColumn, ds.Key), Promise: f.Promise, DeadLetter: f.DeadLetter.Path,
		Schema: f.Schema, Grace: time.Duration(f.Stop.Grace), Quiet: time.Duration(f.DoneWhen.Quiet),
		Timeout: time.Duration(f.DoneWhen.Timeout), MaxExits: f.MaxExits, StopSignal: signals[strings.ToUpper(f.Stop.Signal)],
		CheckpointTable: f.Checkpoint.Table, CheckpointAttribute: f.Checkpoint.Attribute,
	}
	if f.Config != "" {
		c.Config = filepath.Join(c.Dir, f.Config)
		if filepath.IsAbs(f.Config) {
			c.Config = f.Config
		}
	}
	if len(c.Args) > 0 && strings.HasPrefix(c.Args[0], ".") {
		c.Args = append([]string{filepath.Join(c.Dir, c.Args[0])}, c.Args[1:]...)
	}
	for k, v := range f.Env {
		c.Env = append(c.Env, k+"="+v)
	}
	return c
}

// Scenarios returns the black-box scenarios for the pipeline, in the order
// `streamcheck scenario list --pipeline` shows them: a steady run, a kill
// storm, a kill at each S3 tripwire, S3 503s on its output writes, and
// errors and delays on its reads from the source; on Kafka a kill before
// an offset commit is stored; with a checkpoint path a kill at a
// checkpoint write there, and with a checkpoint table a kill before and
// one inside a checkpoint write to it; each described for the file's
// pipeline and its promise.
func (f *PipelineFile) Scenarios() []Scenario {
	c := f.Pipeline()
	ds, _ := f.dataset()
	base := func(name, desc string) Scenario {
		return Scenario{
			Name: name, Description: desc, Pipeline: c,
			Setup:  Setup{Kind: f.Source.Kind, Stream: f.Source.Name, Shards: f.Source.Shards},
			Load:   Load{Dataset: ds, Records: f.Load.Records, Rate: f.Load.Rate, Malformed: f.Load.Malformed},
			Expect: Expect{MaxLagP99: time.Duration(f.MaxLagP99)},
		}
	}
	promise := or(f.Promise, engine.ExactlyOnce)
	_, prefix, _ := splitS3(f.Output.Path)
	steady := base("steady", "The load, with no fault: every record delivered "+promise+".")
	storm := base("kill-storm", fmt.Sprintf("The pipeline is killed with SIGKILL (its whole process group) %d times at moments drawn from the seed and restarted each time; nothing lost, and %s.", DefaultPipelineKills, dupWording(promise)))
	storm.Kills = DefaultPipelineKills
	inSink := base("tripwire-in-sink", fmt.Sprintf("The pipeline is killed while its output object %d is stored but not yet acknowledged by S3, then restarted; nothing lost, and %s.", DefaultTripwireObject, dupWording(promise)))
	inSink.Tripwires = []Tripwire{{At: TripInSink, Object: DefaultTripwireObject}}
	afterSink := base("tripwire-after-sink", fmt.Sprintf("The pipeline is killed right after S3 acknowledged its output object %d, before it can record its progress, then restarted; nothing lost, and %s.", DefaultTripwireObject, dupWording(promise)))
	afterSink.Tripwires = []Tripwire{{At: TripAfterSink, Object: DefaultTripwireObject}}
	s3errs := base("s3-errors", "S3 answers some of the pipeline's output writes with 503 SlowDown; its retries must not lose a record.")
	s3errs.Faults = []Fault{{SkipUpTo: 2, Rule: fault.Rule{Service: fault.ServiceS3, Operation: "PutObject", KeyPrefix: prefix,
		Action: fault.ActionError, Code: "SlowDown", Status: 503, Message: "Please reduce your request rate.", Times: 2}}}
	srcErrs := base("source-errors", "")
	if f.Source.Kind == engine.KindKafka {
		srcErrs.Description = "Some of the pipeline's Kafka fetches are answered NOT_LEADER_FOR_PARTITION or delayed; its client must retry without losing a record."
		srcErrs.Faults = []Fault{
			{SkipUpTo: 20, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 4}},
			{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKafka, Operation: "Fetch", Delay: 200 * time.Millisecond, Times: 5}},
		}
	} else {
		srcErrs.Description = "Some of the pipeline's GetRecords calls are throttled or fail with 500 InternalFailure; its client must retry without losing a record."
		srcErrs.Faults = []Fault{
			{SkipUpTo: 10, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
				Code: "ProvisionedThroughputExceededException", Status: 400, Message: "Rate exceeded for shard", Times: 4}},
			{SkipUpTo: 20, Rule: fault.Rule{Service: fault.ServiceKinesis, Operation: "GetRecords", Action: fault.ActionError,
				Code: "InternalFailure", Status: 500, Times: 2}},
		}
	}
	list := []Scenario{steady, storm, inSink, afterSink, s3errs, srcErrs}
	if f.Checkpoint.Path != "" {
		_, cp, _ := splitS3(f.Checkpoint.Path)
		ck := base("tripwire-checkpoint", fmt.Sprintf("The pipeline is killed while its checkpoint write %d under %s is stored but not yet acknowledged by S3, then restarted; nothing lost, and %s.", DefaultTripwireObject, f.Checkpoint.Path, dupWording(promise)))
		ck.Tripwires = []Tripwire{{At: TripInSink, Object: DefaultTripwireObject, Prefix: cp}}
		list = append(list, ck)
	}
	if f.Source.Kind == engine.KindKafka {
		oc := base("tripwire-offset-commit", fmt.Sprintf("The pipeline is killed while its Kafka offset commit %d is on its way, never stored: the kill between writing its output and committing it. The restart reads those records again; nothing lost, and %s.", DefaultTripwireObject, dupWording(promise)))
		oc.Tripwires = []Tripwire{{At: TripBeforeSink, Object: DefaultTripwireObject, OffsetCommit: true}}
		list = append(list, oc)
	}
	if t := f.Checkpoint.Table; t != "" {
		wire := Tripwire{At: TripBeforeSink, Object: DefaultTripwireObject, Table: t, Attribute: f.Checkpoint.Attribute}
		what := fmt.Sprintf("its checkpoint write %d to DynamoDB table %s", DefaultTripwireObject, t)
		if wire.Attribute == "" {
			what = fmt.Sprintf("its write %d to its lease and checkpoint table %s (DynamoDB)", DefaultTripwireObject, t)
		}
		lost := base("tripwire-checkpoint-write", fmt.Sprintf("The pipeline is killed while %s is on its way, never stored: the kill between writing its output and recording it. The restart reads those records again; nothing lost, and %s.", what, dupWording(promise)))
		lost.Tripwires = []Tripwire{wire}
		wire.At = TripInSink
		unanswered := base("tripwire-checkpoint-unanswered", fmt.Sprintf("The pipeline is killed while %s is stored but not yet acknowledged by DynamoDB, then restarted; nothing lost, and %s.", what, dupWording(promise)))
		unanswered.Tripwires = []Tripwire{wire}
		list = append(list, lost, unanswered)
	}
	return list
}

func dupWording(promise string) string {
	if promise == engine.AtLeastOnce {
		return "duplicates counted and reported"
	}
	return "no duplicates"
}

// Lookup returns the pipeline's scenario called name.
func (f *PipelineFile) Lookup(name string) (Scenario, bool) {
	for _, s := range f.Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
