package stsfake_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/clock"
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
	srv := startServer(t, clock.NewFake(epoch))
	out, err := exec.CommandContext(t.Context(), py, "testdata/boto3_check.py", srv.URL()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3_check.py: %v\n%s", err, out)
	}
}

// TestAWSCLI drives the server with the AWS CLI, when it is installed:
// assume-role, then get-caller-identity with the role's credentials.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("needs the AWS CLI (aws) on PATH; install it with pip install awscli or apt-get install awscli")
	}
	if testing.Short() {
		t.Skip("starts the AWS CLI; skipped with -short")
	}
	t.Parallel()
	srv := startServer(t, clock.NewFake(epoch))
	home := t.TempDir()
	run := func(akid, secret, token string, args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), awsPath, append([]string{"--endpoint-url", srv.URL(), "--output", "json", "sts"}, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
			"AWS_ACCESS_KEY_ID=" + akid, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1"}
		if token != "" {
			cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+token)
		}
		if v := os.Getenv("PYENV_ROOT"); v != "" {
			cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if strings.Contains(stderr.String(), "No module named") || strings.Contains(stderr.String(), "not found") {
				t.Skipf("the AWS CLI on PATH does not run: %v %s", err, stderr.String())
			}
			t.Fatalf("aws sts %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.Bytes()
	}
	var assumed struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ Arn string }
	}
	out := run("test", "test", "", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/cli-role", "--role-session-name", "cli")
	if err := json.Unmarshal(out, &assumed); err != nil {
		t.Fatalf("assume-role output %s: %v", out, err)
	}
	if want := "arn:aws:sts::111122223333:assumed-role/cli-role/cli"; assumed.AssumedRoleUser.Arn != want {
		t.Errorf("assume-role Arn = %q, want %q", assumed.AssumedRoleUser.Arn, want)
	}
	c := assumed.Credentials
	var who struct{ Arn, Account, UserId string }
	out = run(c.AccessKeyId, c.SecretAccessKey, c.SessionToken, "get-caller-identity")
	if err := json.Unmarshal(out, &who); err != nil {
		t.Fatalf("get-caller-identity output %s: %v", out, err)
	}
	if who.Arn != assumed.AssumedRoleUser.Arn || who.Account != "111122223333" {
		t.Errorf("get-caller-identity = %+v, want the assumed role in 111122223333", who)
	}
}
