package dynamodbfake_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI runs the AWS CLI against url with throwaway credentials and
// configuration, returning stdout, stderr and the error.
func awsCLI(t *testing.T, awsPath, url string, args ...string) (string, string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(t.Context(), awsPath, append([]string{"--endpoint-url", url, "--output", "json"}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1"}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// TestAWSCLI drives the server with the AWS CLI, when it is installed.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("needs the AWS CLI (aws) on PATH; install it with pip install awscli or apt-get install awscli")
	}
	if _, _, err := awsCLI(t, awsPath, "http://127.0.0.1:1", "--version"); err != nil {
		t.Skipf("the AWS CLI on PATH does not run: %v", err)
	}
	if testing.Short() {
		t.Skip("starts the AWS CLI a dozen times; skipped with -short")
	}
	t.Parallel()
	srv := startServer(t)
	run := func(args ...string) string {
		t.Helper()
		out, stderr, err := awsCLI(t, awsPath, srv.URL(), append([]string{"dynamodb"}, args...)...)
		if err != nil {
			t.Fatalf("aws dynamodb %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	run("create-table", "--table-name", "cli-table",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
		"--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
		"--billing-mode", "PAY_PER_REQUEST")
	run("put-item", "--table-name", "cli-table", "--item", `{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}`)
	run("put-item", "--table-name", "cli-table", "--item", `{"pk":{"S":"a"},"sk":{"N":"2"},"v":{"S":"two"}}`)
	if out := run("get-item", "--table-name", "cli-table", "--key", `{"pk":{"S":"a"},"sk":{"N":"1"}}`); !strings.Contains(out, `"one"`) {
		t.Errorf("get-item: got %s", out)
	}
	if out := run("query", "--table-name", "cli-table", "--key-condition-expression", "pk = :p AND sk > :s",
		"--expression-attribute-values", `{":p":{"S":"a"},":s":{"N":"1"}}`); !strings.Contains(out, `"two"`) || strings.Contains(out, `"one"`) {
		t.Errorf("query: got %s", out)
	}
	// The CLI pages a scan itself with --page-size.
	if out := run("scan", "--table-name", "cli-table", "--page-size", "1"); !strings.Contains(out, `"Count": 2`) {
		t.Errorf("scan: got %s", out)
	}
	run("update-item", "--table-name", "cli-table", "--key", `{"pk":{"S":"a"},"sk":{"N":"1"}}`,
		"--update-expression", "SET v = :new", "--condition-expression", "v = :old",
		"--expression-attribute-values", `{":new":{"S":"uno"},":old":{"S":"one"}}`)
	_, stderr, err := awsCLI(t, awsPath, srv.URL(), "dynamodb", "update-item", "--table-name", "cli-table", "--key", `{"pk":{"S":"a"},"sk":{"N":"1"}}`,
		"--update-expression", "SET v = :new", "--condition-expression", "v = :old",
		"--expression-attribute-values", `{":new":{"S":"uno"},":old":{"S":"one"}}`)
	if err == nil || !strings.Contains(stderr, "ConditionalCheckFailedException") || !strings.Contains(stderr, "The conditional request failed") {
		t.Errorf("update-item with a failing condition: got %v %s, want ConditionalCheckFailedException", err, stderr)
	}
	run("transact-write-items", "--transact-items", `[{"Put":{"TableName":"cli-table","Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}},`+
		`{"Delete":{"TableName":"cli-table","Key":{"pk":{"S":"a"},"sk":{"N":"2"}}}}]`)
	_, stderr, err = awsCLI(t, awsPath, srv.URL(), "dynamodb", "transact-write-items", "--transact-items",
		`[{"ConditionCheck":{"TableName":"cli-table","Key":{"pk":{"S":"zz"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}]`)
	if err == nil || !strings.Contains(stderr, "TransactionCanceledException") || !strings.Contains(stderr, "[ConditionalCheckFailed]") {
		t.Errorf("cancelled transact-write-items: got %v %s", err, stderr)
	}
	run("delete-item", "--table-name", "cli-table", "--key", `{"pk":{"S":"b"},"sk":{"N":"1"}}`)
	if out := run("scan", "--table-name", "cli-table"); !strings.Contains(out, `"Count": 1`) || !strings.Contains(out, `"uno"`) {
		t.Errorf("final scan: got %s, want only the updated item", out)
	}
	run("delete-table", "--table-name", "cli-table")
}
