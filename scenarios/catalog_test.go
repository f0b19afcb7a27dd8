package scenarios_test

import (
	"flag"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

var seed = flag.Uint64("seed", 0, "seed for the catalog scenarios (default: "+scenarios.EnvSeed+", else 1)")

// TestCatalog runs every catalog scenario on the embedded stack. Replay one
// with: go test ./scenarios -run 'TestCatalog/NAME$' -seed N. The SIGKILL
// soak builds the streamcheck binary once (or takes STREAMCHECK_ENGINE_BIN)
// and kills it 3 times; STREAMCHECK_SOAK=N kills it N times (give go test a
// -timeout to match, about 15s a kill).
func TestCatalog(t *testing.T) {
	var opts []scenarios.Option
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			opts = append(opts, scenarios.WithSeed(*seed))
		}
	})
	for _, s := range scenarios.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			res := scenarios.CatalogRun(t, s.Name, opts...)
			if res != nil && s.Kills > 0 && len(res.Crashes) < s.Kills {
				t.Errorf("%s: %d SIGKILLs, want at least %d", s.Name, len(res.Crashes), s.Kills)
			}
			if res != nil {
				t.Logf("%s: %d delivered, %d duplicated, %d dead letters, %d batches, %d engine runs, lag p99 %v, %v",
					s.Name, res.Delivered, res.Duplicated, res.DeadLetters, res.Batches, res.EngineRuns, res.Lag.P99, res.Elapsed)
			}
		})
	}
}
