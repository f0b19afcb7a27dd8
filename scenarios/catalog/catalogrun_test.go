package catalog

import (
	"os"
	"sync"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
)

// catalogRuns keeps the results of catalog scenarios run in this test
// process, so that the tests showing a check rejects a spoilt copy of a
// run's files reuse TestCatalog's run instead of making another.
var catalogRuns struct {
	sync.Mutex
	results map[string]*scenarios.Result
	dirs    []string
}

// CatalogRun runs the catalog scenario name with scenarios.Run, once per
// test process: a second call returns the first call's Result. The run's
// files stay until RemoveCatalogRuns.
func CatalogRun(t testing.TB, name string, opts ...scenarios.Option) *scenarios.Result {
	t.Helper()
	catalogRuns.Lock()
	defer catalogRuns.Unlock()
	if res, ok := catalogRuns.results[name]; ok {
		// The first caller's test has failed already; this one must too.
		switch {
		case res == nil:
			t.Fatalf("scenario %s could not run (see the test that ran it first)", name)
		case !res.Passed:
			t.Errorf("%v", res.Err())
		}
		return res
	}
	s, ok := Lookup(name)
	if !ok {
		t.Fatalf("no catalog scenario %q", name)
	}
	dir, err := os.MkdirTemp("", "streamcheck-catalog-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	catalogRuns.dirs = append(catalogRuns.dirs, dir)
	res := scenarios.Run(t, s, append([]scenarios.Option{scenarios.WithDir(dir), WithReplay(name)}, opts...)...)
	if catalogRuns.results == nil {
		catalogRuns.results = map[string]*scenarios.Result{}
	}
	catalogRuns.results[name] = res
	return res
}

// RemoveCatalogRuns deletes the directories of CatalogRun's runs.
func RemoveCatalogRuns() {
	catalogRuns.Lock()
	defer catalogRuns.Unlock()
	for _, d := range catalogRuns.dirs {
		os.RemoveAll(d)
	}
	catalogRuns.dirs, catalogRuns.results = nil, nil
}
