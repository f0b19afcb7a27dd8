package enginetest_test

import (
	"reflect"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/enginetest"
)

// TestVentilatorJobMatchesExample holds the fixture to the example job a
// user reads: the same columns and the same mapping.
func TestVentilatorJobMatchesExample(t *testing.T) {
	want, err := engine.LoadJob("../../examples/ventilator/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := enginetest.VentilatorJob()
	if !reflect.DeepEqual(got.Source.Columns, want.Source.Columns) {
		t.Errorf("columns = %+v\nwant the example's %+v", got.Source.Columns, want.Source.Columns)
	}
	if !reflect.DeepEqual(got.Transforms.ApplyMapping, want.Transforms.ApplyMapping) {
		t.Errorf("mapping = %+v\nwant the example's %+v", got.Transforms.ApplyMapping, want.Transforms.ApplyMapping)
	}
}
