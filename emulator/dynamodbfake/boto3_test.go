package dynamodbfake_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3 drives the server with boto3 through testdata/boto3_check.py,
// when python3 with boto3 is installed.
func TestBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("needs python3 on PATH with boto3 installed")
	}
	if out, err := exec.CommandContext(t.Context(), py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("needs boto3 for python3 (pip install boto3): %v %s", err, out)
	}
	if testing.Short() {
		t.Skip("starts python3; skipped with -short")
	}
	t.Parallel()
	srv := startServer(t)
	out, err := exec.CommandContext(t.Context(), py, "testdata/boto3_check.py", srv.URL()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3_check.py: %v\n%s", err, out)
	}
}
