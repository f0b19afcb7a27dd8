package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/engine"
)

// TestWindowLongerThanTimeout: a user's job whose window leaves no room for
// two batches within the run's timeout is refused before the load starts,
// naming the key, the limit and the option that raises it; a window that
// fits is accepted.
func TestWindowLongerThanTimeout(t *testing.T) {
	t.Parallel()
	longWindow := func(env Env) (*engine.Job, error) {
		j, err := VentilatorJob(env)
		if err == nil {
			j.ForEachBatch.WindowSize = engine.Duration(100 * time.Second) // Glue's default
			j.ForEachBatch.LeaseTimeout = 0
		}
		return j, err
	}
	s := Scenario{Name: "long-window", Setup: Setup{Job: longWindow}, Load: Load{Rate: 100, Records: 10}}
	_, err := Execute(t.Context(), s, WithDir(t.TempDir()), WithProgress(testWriter{t}))
	if err == nil {
		t.Fatal("a 100 s window under a 2 min timeout was accepted")
	}
	for _, want := range []string{"forEachBatch.windowSize 1m40s", "timeout of 2m0s", "WithTimeout", "--timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	tests := []struct {
		name    string
		window  time.Duration
		timeout time.Duration
		wantErr bool
	}{
		{"fits", 2 * time.Second, DefaultTimeout, false},
		{"half the timeout", time.Minute, 2 * time.Minute, true},
		{"raised timeout", 100 * time.Second, 5 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &run{o: &options{timeout: tt.timeout}}
			j := &engine.Job{}
			j.ForEachBatch.WindowSize = engine.Duration(tt.window)
			if err := r.checkWindow(j); (err != nil) != tt.wantErr {
				t.Errorf("checkWindow(window %v, timeout %v) = %v, want error %v", tt.window, tt.timeout, err, tt.wantErr)
			}
		})
	}
}
