package catalog_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
	"github.com/streamcheck/streamcheck/scenarios/catalog"
)

var seed = flag.Uint64("seed", 0, "seed for the catalog scenarios (default: "+scenarios.EnvSeed+", else 1)")

// TestMain removes the catalog runs' files and the streamcheck binary that
// the SIGKILL soak and the compaction scenarios build once per test process.
func TestMain(m *testing.M) {
	code := m.Run()
	catalog.RemoveCatalogRuns()
	if err := scenarios.RemoveBuiltEngine(); err != nil {
		os.Stderr.WriteString("remove the built engine: " + err.Error() + "\n")
	}
	os.Exit(code)
}

// TestCatalog runs every catalog scenario on the embedded stack. Replay one
// with: go test ./scenarios/catalog -run 'TestCatalog/NAME$' -seed N. The
// SIGKILL soak builds the streamcheck binary once (or takes
// STREAMCHECK_ENGINE_BIN) and kills it 3 times; STREAMCHECK_SOAK=N kills it
// N times (give go test a -timeout to match, about 15s a kill).
func TestCatalog(t *testing.T) {
	var opts []scenarios.Option
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			opts = append(opts, scenarios.WithSeed(*seed))
		}
	})
	for _, s := range catalog.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			res := catalog.CatalogRun(t, s.Name, opts...)
			if res != nil && s.Kills > 0 && len(res.Crashes) < s.Kills {
				t.Errorf("%s: %d SIGKILLs, want at least %d", s.Name, len(res.Crashes), s.Kills)
			}
			if want := "streamcheck scenario run " + s.Name + " --seed"; res != nil && !strings.Contains(res.Replay, want) {
				t.Errorf("Replay = %q, want the catalog's command %q (WithReplay)", res.Replay, want)
			}
			if res != nil {
				t.Logf("%s: %d delivered, %d duplicated, %d dead letters, %d batches, %d engine runs, lag p99 %v, %v",
					s.Name, res.Delivered, res.Duplicated, res.DeadLetters, res.Batches, res.EngineRuns, res.Lag.P99, res.Elapsed)
			}
		})
	}
}

func TestCatalogIsValid(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, s := range catalog.Catalog() {
		if err := s.Validate(); err != nil {
			t.Errorf("catalog scenario %s: %v", s.Name, err)
		}
		if seen[s.Name] {
			t.Errorf("catalog scenario %s appears twice", s.Name)
		}
		seen[s.Name] = true
		if s.Description == "" {
			t.Errorf("catalog scenario %s has no description", s.Name)
		}
		if got, ok := catalog.Lookup(s.Name); !ok || got.Name != s.Name {
			t.Errorf("Lookup(%q) = %q, %v; want the scenario", s.Name, got.Name, ok)
		}
	}
	if _, ok := catalog.Lookup("no-such-scenario"); ok {
		t.Errorf("Lookup of an unknown name found something")
	}
}
