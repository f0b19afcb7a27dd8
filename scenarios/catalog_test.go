package scenarios_test

import (
	"flag"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

var seed = flag.Uint64("seed", 0, "seed for the catalog scenarios (default: "+scenarios.EnvSeed+", else 1)")

// TestCatalog runs every catalog scenario on the embedded stack. Replay one
// with: go test ./scenarios -run 'TestCatalog/NAME$' -seed N.
func TestCatalog(t *testing.T) {
	var opts []scenarios.Option
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			opts = append(opts, scenarios.WithSeed(*seed))
		}
	})
	for _, s := range scenarios.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			res := scenarios.Run(t, s, opts...)
			if res != nil {
				t.Logf("%s: %d delivered, %d duplicated, %d dead letters, %d batches, %d engine runs, lag p99 %v, %v",
					s.Name, res.Delivered, res.Duplicated, res.DeadLetters, res.Batches, res.EngineRuns, res.Lag.P99, res.Elapsed)
			}
		})
	}
}
