package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/compact"
)

func TestValidate(t *testing.T) {
	ok := Scenario{Name: "ok"}
	tests := []struct {
		name    string
		mutate  func(s *Scenario)
		wantErr string
	}{
		{name: "defaults", mutate: func(*Scenario) {}},
		{name: "empty name", mutate: func(s *Scenario) { s.Name = "" }, wantErr: "Name"},
		{name: "upper case name", mutate: func(s *Scenario) { s.Name = "Steady" }, wantErr: "Name"},
		{name: "negative shards", mutate: func(s *Scenario) { s.Setup.Shards = -1 }, wantErr: "Setup.Shards"},
		{name: "bad delivery", mutate: func(s *Scenario) { s.Setup.Delivery = "twice" }, wantErr: "Setup.Delivery"},
		{name: "negative records", mutate: func(s *Scenario) { s.Load.Records = -5 }, wantErr: "Load.Records"},
		{name: "malformed share", mutate: func(s *Scenario) { s.Load.Malformed = 1.5 }, wantErr: "Load.Malformed"},
		{name: "bad crash point", mutate: func(s *Scenario) { s.Crashes = []Crash{{At: 0}} }, wantErr: "Crashes[0]"},
		{name: "in-sink with negative count", mutate: func(s *Scenario) { s.Crashes = []Crash{{At: engine.AtInSink, Objects: -1}} }, wantErr: "Crashes[0]"},
		{name: "negative crash batch", mutate: func(s *Scenario) { s.Crashes = []Crash{{At: engine.AtAfterSink, Batch: -1}} }, wantErr: "Crashes[0].Batch"},
		{name: "bad fault", mutate: func(s *Scenario) { s.Faults = []Fault{{Rule: fault.Rule{Action: fault.ActionError}}} }, wantErr: "Faults[0]"},
		{name: "duplicates under exactly-once", mutate: func(s *Scenario) { s.Expect.Duplicates = true }, wantErr: "Expect.Duplicates"},
		{name: "bad kind", mutate: func(s *Scenario) { s.Setup.Kind = "pulsar" }, wantErr: "Setup.Kind"},
		{name: "kafka", mutate: func(s *Scenario) { s.Setup.Kind = engine.KindKafka }},
		{name: "negative data loss", mutate: func(s *Scenario) { s.Expect.MinDataLoss = -1 }, wantErr: "Expect.MinDataLoss"},
		{name: "committed duplicates without a crash", mutate: func(s *Scenario) {
			s.Setup.Delivery, s.Expect.Duplicates, s.Expect.DuplicatesAreCommitted = engine.AtLeastOnce, true, true
		}, wantErr: "Expect.DuplicatesAreCommitted"},
		{name: "late share", mutate: func(s *Scenario) { s.Load.Late = 2 }, wantErr: "Load.Late"},
		{name: "bad format", mutate: func(s *Scenario) { s.Load.Format = "xml" }, wantErr: "Load.Format"},
		{name: "negative event interval", mutate: func(s *Scenario) { s.Load.EventInterval = -time.Second }, wantErr: "Load.EventInterval"},
		{name: "negative brokers", mutate: func(s *Scenario) { s.Setup.KafkaBrokers = -1 }, wantErr: "Setup.KafkaBrokers"},
		{name: "negative kills", mutate: func(s *Scenario) { s.Kills = -1 }, wantErr: "Kills"},
		{name: "kills with crashes", mutate: func(s *Scenario) { s.Kills = 2; s.Crashes = []Crash{{At: engine.AtAfterSink, Batch: 1}} }, wantErr: "Kills"},
		{name: "kills", mutate: func(s *Scenario) { s.Kills = 3 }},
		{name: "duplicates under at-least-once", mutate: func(s *Scenario) { s.Expect.Duplicates = true; s.Setup.Delivery = engine.AtLeastOnce }},
		{name: "duplicates and orphans under exactly-once", mutate: func(s *Scenario) { s.Expect.Duplicates, s.Expect.Orphans = true, true }},
		{name: "orphans without duplicates", mutate: func(s *Scenario) { s.Expect.Orphans = true }, wantErr: "Expect.Orphans"},
		{name: "compaction", mutate: func(s *Scenario) { s.Compaction = &Compaction{} }},
		{name: "compaction with kills", mutate: func(s *Scenario) { s.Compaction, s.Kills = &Compaction{}, 2 }, wantErr: "Compaction"},
		{name: "compaction every", mutate: func(s *Scenario) { s.Compaction = &Compaction{Every: -time.Second} }, wantErr: "Compaction.Every"},
		{name: "compaction step", mutate: func(s *Scenario) { s.Compaction = &Compaction{Kills: []compact.Step{9}} }, wantErr: "Compaction.Kills[0]"},
		{name: "orphans under at-least-once", mutate: func(s *Scenario) {
			s.Expect.Duplicates, s.Expect.Orphans, s.Setup.Delivery = true, true, engine.AtLeastOnce
		}, wantErr: "Expect.Orphans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.mutate(&s)
			err := s.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestSeed(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		env     string
		want    uint64
		wantErr bool
	}{
		{name: "default", want: DefaultSeed},
		{name: "environment", env: "42", want: 42},
		{name: "option beats environment", env: "42", opts: []Option{WithSeed(7)}, want: 7},
		{name: "zero is a seed", opts: []Option{WithSeed(0)}, env: "42", want: 0},
		{name: "bad environment", env: "forty-two", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]Option{WithGetenv(func(k string) string {
				if k == EnvSeed {
					return tt.env
				}
				return ""
			})}, tt.opts...)
			o, err := newOptions(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.resolveSeed()
			if (err != nil) != tt.wantErr {
				t.Fatalf("resolveSeed() error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("resolveSeed() = %d, want %d", got, tt.want)
			}
		})
	}
}

// The seed alone decides the crash batches and fault skips.
func TestScheduleFollowsSeed(t *testing.T) {
	s := Scenario{Name: "sched",
		Crashes: []Crash{{At: engine.AtAfterSink, Batch: 1, BatchUpTo: 9}, {At: engine.AtAfterPlan, Batch: 3}},
		Faults:  []Fault{{Rule: fault.Rule{Service: fault.ServiceS3, Action: fault.ActionError, Code: "SlowDown", Status: 503, Times: 1}, SkipUpTo: 50}},
	}
	seen := map[int64]bool{}
	for seed := range uint64(40) {
		a, b := s.crashPoints(seed), s.crashPoints(seed)
		if a[0] != b[0] || a[1] != b[1] {
			t.Fatalf("seed %d: crash points %v then %v, want the same", seed, a, b)
		}
		if a[0].Batch < 1 || a[0].Batch > 9 {
			t.Errorf("seed %d: crash batch %d, want 1..9", seed, a[0].Batch)
		}
		if a[1].Batch != 3 || a[1].At != engine.AtAfterPlan {
			t.Errorf("seed %d: second crash %+v, want after-plan of batch 3", seed, a[1])
		}
		seen[a[0].Batch] = true
		f1, f2 := s.faultRules(seed), s.faultRules(seed)
		if f1[0].Skip != f2[0].Skip || f1[0].Skip > 50 {
			t.Errorf("seed %d: fault skip %d then %d, want the same in 0..50", seed, f1[0].Skip, f2[0].Skip)
		}
	}
	if len(seen) < 3 {
		t.Errorf("40 seeds drew crash batches %v, want a spread", seen)
	}
}

func TestVentilatorJob(t *testing.T) {
	j, err := VentilatorJob(Env{Stream: "s", Bucket: "b", Prefix: "s3://b/x", Window: 2 * time.Second, Delivery: engine.AtLeastOnce})
	if err != nil {
		t.Fatalf("VentilatorJob: %v", err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"stream", j.Source.StreamName, "s"},
		{"checkpoint", j.ForEachBatch.CheckpointLocation, "s3://b/x/checkpoint"},
		{"output", j.Sink.Path, "s3://b/x/output"},
		{"dead letter", j.Sink.DeadLetterPath, "s3://b/x/deadletter"},
		{"delivery", j.Delivery, engine.AtLeastOnce},
		{"window", j.ForEachBatch.WindowSize.String(), "2s"},
		{"partitioning", j.Sink.Partitioning, engine.PartitionByIngestTime},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// A run that does not meet its expectations says so, with the seed and the
// replay command, rather than passing.
func TestExpectationsCanFail(t *testing.T) {
	s := Scenario{
		Name:    "expectations-can-fail",
		Load:    Load{Records: 500},
		Crashes: []Crash{{At: engine.AtAfterSink, Batch: 50}},
		Expect:  Expect{MinDeadLetters: 1000},
	}
	res, err := Execute(t.Context(), s, WithSeed(4), WithDir(t.TempDir()), WithReplay("mytool replay expectations-can-fail --seed {seed}"))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if res.Passed {
		t.Fatalf("passed, want a failure: %+v", res)
	}
	all := strings.Join(res.Failures, "\n")
	for _, want := range []string{"after-sink of batch 50 was never reached", "0 dead-letter entries, want at least 1000"} {
		if !strings.Contains(all, want) {
			t.Errorf("failures %q lack %q", all, want)
		}
	}
	err = res.Err()
	if err == nil || !strings.Contains(err.Error(), "seed 4") || !strings.Contains(err.Error(), "mytool replay expectations-can-fail --seed 4") {
		t.Errorf("Err() = %v, want the seed and the replay command", err)
	}
	if !errors.Is(err, ErrExpectation) {
		t.Errorf("Err() does not wrap ErrExpectation")
	}
}

func TestExecuteRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
	}{
		{name: "zero timeout", opt: WithTimeout(0)},
		{name: "process without binary", opt: WithEngineProcess("", 1)},
		{name: "negative kills", opt: WithEngineProcess("streamcheck", -1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Execute(t.Context(), Scenario{Name: "x"}, tt.opt)
			if err == nil || !strings.Contains(err.Error(), "scenarios: With") {
				t.Errorf("Execute = %v, want the option's error", err)
			}
		})
	}
}
