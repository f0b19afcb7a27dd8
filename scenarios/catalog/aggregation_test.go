package catalog_test

import (
	"testing"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/scenarios"
	"github.com/streamcheck/streamcheck/scenarios/catalog"
)

// The aggregation-dynamodb-sink run's table check counted what it claims
// to have compared: final and open windows, each with an item.
func TestAggregationDynamoDBSinkCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a catalog scenario end to end; skipped with -short")
	}
	res := catalog.CatalogRun(t, "aggregation-dynamodb-sink")
	if res == nil || res.Report == nil {
		t.Fatal("no report")
	}
	r := res.Report.Result(scenarios.CheckWindowsTable)
	if r == nil || r.Status != assertions.Pass {
		t.Fatalf("%s = %+v, want pass", scenarios.CheckWindowsTable, r)
	}
	final, open, items := r.Count("windows_final"), r.Count("windows_open"), r.Count("items")
	if final == 0 || open == 0 || items != final+open {
		t.Errorf("%d items for %d final and %d open windows: want both kinds, one item each", items, final, open)
	}
	t.Logf("windows table: %d items, %d final, %d open", items, final, open)
}
