package kinesisfake_test

// The same answers through boto3 and the AWS CLI, the clients with the
// strictest reading of error bodies. Each skips, saying why, where the
// client is not installed.

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// clientEnv is the environment the Python clients run with: fixed
// credentials and region, no config files.
func clientEnv(t *testing.T) []string {
	return append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDSTREAMCHECK", "AWS_SECRET_ACCESS_KEY=streamcheck-secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+t.TempDir()+"/none", "AWS_SHARED_CREDENTIALS_FILE="+t.TempDir()+"/none",
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
}

const boto3Script = `
import sys, boto3, botocore
from botocore.config import Config
url = sys.argv[1]
kc = boto3.client("kinesis", endpoint_url=url, config=Config(parameter_validation=False, retries={"max_attempts": 1}))
def err(f, **kw):
    try:
        f(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
    return "no error"
print(err(kc.create_stream, StreamName="x y", ShardCount=0))
print(err(kc.create_stream, StreamName="ok", ShardCount="ten"))
print(err(kc.add_tags_to_stream, StreamName="missing", Tags={"k" * 129: "v"}))
kc.create_stream(StreamName="b", ShardCount=1)
print(err(kc.get_shard_iterator, StreamName="b", ShardId="shardId-000000000000", ShardIteratorType="LATEST", StartingSequenceNumber="1"))
`

func TestBoto3ErrorShapes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed for python3")
	}
	e := newEnv(t)
	cmd := exec.CommandContext(t.Context(), "python3", "-c", boto3Script, e.srv.URL())
	cmd.Env = clientEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 script: %v\n%s", err, out)
	}
	want := []string{
		"ValidationException: 2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'x y' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		"SerializationException: class java.lang.String can not be converted to an Integer",
		"ValidationException: 1 validation error detected: Value '{" + strings.Repeat("k", 129) + "=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		"InvalidArgumentException: Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified LATEST and also a StartingSequenceNumber.",
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != len(want) {
		t.Fatalf("boto3 printed %d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("boto3 line %d:\n got  %s\n want %s", i+1, got[i], want[i])
		}
	}
}

func TestAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	e := newEnv(t)
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), "aws", append([]string{"--endpoint-url", e.srv.URL(), "kinesis"}, args...)...)
		cmd.Env = clientEnv(t)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	// A void operation prints nothing.
	if out, err := run("create-stream", "--stream-name", "cli", "--shard-count", "1"); err != nil || out != "" {
		t.Fatalf("create-stream: %v, output %q; want success and no output", err, out)
	}
	out, err := run("describe-stream-summary", "--stream-name", "x y")
	if err == nil {
		t.Fatalf("describe-stream-summary of a malformed name succeeded: %s", out)
	}
	want := "): 1 validation error detected: Value 'x y' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	if !strings.Contains(out, "An error occurred (ValidationException) when calling the DescribeStreamSummary operation") || !strings.HasSuffix(out, want) {
		t.Errorf("aws kinesis describe-stream-summary:\n got  %s\n want %s", out, want)
	}
}
