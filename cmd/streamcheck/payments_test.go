package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// TestPaymentsExampleVerifies runs examples/payments-kafka as shipped
// (its S3 paths moved to a directory) over generated payments and verifies
// the output against the job: decimal(10,2) amounts are Parquet DECIMAL,
// and every record arrived once.
func TestPaymentsExampleVerifies(t *testing.T) {
	c, err := kfake.NewCluster(kfake.SeedTopics(3, "payments"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	environ := map[string]string{"STREAMCHECK_KAFKA_BROKERS": strings.Join(c.ListenAddrs(), ",")}
	dir := t.TempDir()
	ledger := filepath.Join(dir, "ledger.jsonl")
	if code, _, stderr := genCLI(t, environ, "payments", "--to", "kafka://payments", "--count", "600", "--ledger", ledger); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile("../../examples/payments-kafka/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	job := strings.ReplaceAll(string(b), "s3://payments-output/", filepath.ToSlash(dir)+"/")
	path := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(path, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	runWith := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
		return run(t.Context(), e, args), out.String(), errb.String()
	}
	if code, _, stderr := runWith("run", "--job", path, "--until-idle", "--window", "10ms"); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runWith("verify", "--job", path, "--ledger", ledger)
	if code != exitOK {
		t.Errorf("verify --job: exit %d, want %d\n%s%s", code, exitOK, stdout, stderr)
	}
	for _, want := range []string{"schema       PASS", "delivery     PASS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify --job: stdout lacks %q\n%s", want, stdout)
		}
	}
	code, stdout, _ = runWith("query", "--job", path, "--format", "csv", "SELECT typeof(amount), min(amount) >= 0, count(*) FROM output GROUP BY 1")
	if code != exitOK || !strings.Contains(stdout, `"DECIMAL(10,2)",true,600`) {
		t.Errorf("query: exit %d, stdout %q; want DECIMAL(10,2) amounts for 600 rows", code, stdout)
	}
	// The schema check can fail: the same output against decimal(12,2).
	other := filepath.Join(dir, "other.yaml")
	if err := os.WriteFile(other, []byte(strings.Replace(job, "decimal(10,2)", "decimal(12,2)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runWith("verify", "--job", other, "--ledger", ledger)
	if code != exitFailure || !strings.Contains(stdout, "type decimal(10,2), want decimal(12,2)") {
		t.Errorf("verify against decimal(12,2): exit %d, want %d naming both types\n%s", code, exitFailure, stdout)
	}
}
