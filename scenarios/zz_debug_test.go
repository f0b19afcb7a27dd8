package scenarios

import (
	"log/slog"
	"os"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

func TestDebugDemo(t *testing.T) {
	s := Scenario{Name: "demo", Setup: Setup{Window: 1e9, Job: func(env Env) (*engine.Job, error) {
		j, err := VentilatorJob(env)
		j.Options.MaxFetchRecordsPerShard = 2000
		j.Options.MaxFetchTimeInMs = 1000
		return j, err
	}}, Load: Load{Records: 20000, Rate: 5000, Malformed: 0.01}, Crashes: []Crash{{Point: "after-sink", Batch: 2}}}
	Run(t, s, WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))))
}
