package catalog_test

import (
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/scenarios"
	"github.com/streamcheck/streamcheck/scenarios/catalog"
)

// TestCatalogExpectationsCanFail runs catalog scenarios with their fault taken away
// and checks that each expectation then fails, with the reason.
func TestCatalogExpectationsCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five scenarios end to end; skipped with -short")
	}
	tests := []struct {
		name    string
		base    string
		change  func(*scenarios.Scenario)
		wantErr string
	}{
		{name: "no deletion, no stop", base: "data-loss-fail",
			change:  func(s *scenarios.Scenario) { s.AfterCrash = nil },
			wantErr: "the engine never stopped with an error containing"},
		{name: "no deletion, no data loss", base: "data-loss-continue",
			change:  func(s *scenarios.Scenario) { s.AfterCrash = nil },
			wantErr: "0 acknowledged records in data_loss ranges, want at least 1"},
		{name: "fault never fires", base: "iterator-expiry",
			change:  func(s *scenarios.Scenario) { s.Faults[0].Rule.Operation = "DeleteStream" },
			wantErr: "never fired"},
		{name: "checkpoint kept, no duplicates", base: "deleted-checkpoint",
			change:  func(s *scenarios.Scenario) { s.AfterCrash = nil },
			wantErr: "the exactly-once reading found no duplicates"},
		{name: "checkpoint kept, no orphans", base: "deleted-checkpoint-exactly-once",
			change:  func(s *scenarios.Scenario) { s.AfterCrash = nil },
			wantErr: "the layout check found no orphan objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := catalog.Lookup(tt.base)
			if !ok {
				t.Fatalf("no catalog scenario %q", tt.base)
			}
			tt.change(&s)
			res, err := scenarios.Execute(t.Context(), s, scenarios.WithDir(t.TempDir()), scenarios.WithSeed(1))
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if res.Passed {
				t.Fatalf("Passed = true, want a failure %q", tt.wantErr)
			}
			if got := strings.Join(res.Failures, "; "); !strings.Contains(got, tt.wantErr) {
				t.Errorf("failures = %q, want one containing %q", got, tt.wantErr)
			}
		})
	}
}
