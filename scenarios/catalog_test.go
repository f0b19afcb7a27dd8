package scenarios_test

import (
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

// TestCatalog runs every catalog scenario on the embedded stack.
func TestCatalog(t *testing.T) {
	for _, s := range scenarios.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			res := scenarios.Run(t, s)
			if res != nil {
				t.Logf("%s: %d delivered, %d duplicated, %d dead letters, %d batches, %d engine runs, lag p99 %v, %v",
					s.Name, res.Delivered, res.Duplicated, res.DeadLetters, res.Batches, res.EngineRuns, res.Lag.P99, res.Elapsed)
			}
		})
	}
}
