package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/streamcheck/streamcheck/engine"
)

func TestExampleJobsLoad(t *testing.T) {
	for _, f := range []string{"../examples/ventilator/job.yaml", "../examples/payments-kafka/job.yaml", "../examples/reference-job.yaml", "../examples/ventilator-alerts/job.yaml"} {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			if _, err := engine.LoadJob(f); err != nil {
				t.Fatalf("LoadJob: %v", err)
			}
		})
	}
}
