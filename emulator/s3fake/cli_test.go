package s3fake

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLI drives the server with the AWS CLI, when it is installed.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("needs the AWS CLI (aws) on PATH; install it with apt-get install awscli or pip install awscli")
	}
	if testing.Short() {
		t.Skip("starts the AWS CLI a dozen times; skipped with -short")
	}
	srv := startServer(t, WithDataDir(t.TempDir()))
	home := t.TempDir()
	endpoint := srv.URL()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), awsPath, append([]string{"--endpoint-url", endpoint}, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("hello from the cli\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 20<<20) // above the CLI's 8 MiB multipart threshold
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	bigPath := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(bigPath, big, 0o644); err != nil {
		t.Fatal(err)
	}

	run("s3", "mb", "s3://cli-bucket")
	run("s3", "cp", small, "s3://cli-bucket/dir/small.txt")
	run("s3", "cp", bigPath, "s3://cli-bucket/dir/big.bin")
	if out := run("s3", "ls", "s3://cli-bucket/dir/"); !strings.Contains(out, "small.txt") || !strings.Contains(out, "big.bin") {
		t.Errorf("aws s3 ls: got %q, want both objects", out)
	}
	if out := run("s3", "cp", "s3://cli-bucket/dir/small.txt", "-"); out != "hello from the cli\n" {
		t.Errorf("aws s3 cp to stdout: got %q", out)
	}
	back := filepath.Join(dir, "back.bin")
	run("s3", "cp", "s3://cli-bucket/dir/big.bin", back)
	if got, _ := os.ReadFile(back); !bytes.Equal(got, big) {
		t.Errorf("multipart round trip: got %d bytes back, want %d identical", len(got), len(big))
	}
	if out := run("s3api", "head-object", "--bucket", "cli-bucket", "--key", "dir/big.bin"); !strings.Contains(out, `-3\"`) {
		t.Errorf("head-object of a 3-part upload: got %s, want an ETag ending in -3", out)
	}
	run("s3api", "put-object", "--bucket", "cli-bucket", "--key", "once", "--body", small, "--if-none-match", "*")
	cmd := exec.CommandContext(t.Context(), awsPath, "--endpoint-url", srv.URL(), "s3api", "put-object", "--bucket", "cli-bucket",
		"--key", "once", "--body", small, "--if-none-match", "*")
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "PreconditionFailed") {
		t.Errorf("second put-object --if-none-match '*': got %v %s, want PreconditionFailed", err, out)
	}
	run("s3", "rm", "--recursive", "s3://cli-bucket/")
	run("s3", "rb", "s3://cli-bucket")
	if out := run("s3", "ls"); strings.Contains(out, "cli-bucket") {
		t.Errorf("aws s3 ls after rb: got %q", out)
	}

	// In memory, a body of hashAsideMin bytes or more is hashed while it
	// arrives: the CLI's PutObject of one gets its MD5 as the ETag.
	endpoint = startServer(t).URL()
	run("s3", "mb", "s3://cli-bucket")
	mid := big[:hashAsideMin+hashChunk+11]
	midPath := filepath.Join(dir, "mid.bin")
	if err := os.WriteFile(midPath, mid, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run("s3api", "put-object", "--bucket", "cli-bucket", "--key", "mid.bin", "--body", midPath); !strings.Contains(out, md5hex(mid)) {
		t.Errorf("put-object of %d bytes in memory: got %s, want the ETag %s", len(mid), out, md5hex(mid))
	}
	run("s3", "cp", "s3://cli-bucket/mid.bin", back)
	if got, _ := os.ReadFile(back); !bytes.Equal(got, mid) {
		t.Errorf("in-memory round trip: got %d bytes back, want %d identical", len(got), len(mid))
	}
}
