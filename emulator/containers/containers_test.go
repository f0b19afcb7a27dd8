package containers_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
	"github.com/testcontainers/testcontainers-go/wait"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/containers"
	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/stacktest"
)

// testImage is the tag the test builds the image under. localstack.Run
// accepts "latest" (or a release number) as a LocalStack version.
const testImage = "streamcheck/emulator-test:latest"

func dockerOptIn(t *testing.T) {
	t.Helper()
	if os.Getenv("STREAMCHECK_DOCKER") != "1" && !integrationTag {
		t.Skip("Docker-backed test: set STREAMCHECK_DOCKER=1 or build with -tags integration, with a running dockerd")
	}
	// The reaper image cannot be pulled offline; containers are removed by
	// t.Cleanup instead.
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// Inside a sandbox or CI container testcontainers guesses the host from
	// the default gateway, which may not reach published ports; a local
	// daemon publishes them on loopback.
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && !strings.HasPrefix(os.Getenv("DOCKER_HOST"), "tcp://") {
		t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	testcontainers.SkipIfProviderIsNotHealthy(t)
}

// emulatorImage returns STREAMCHECK_EMULATOR_IMAGE, or builds the repository's
// Dockerfile around a freshly built static binary, with no pull.
func emulatorImage(t *testing.T) string {
	t.Helper()
	if img := os.Getenv("STREAMCHECK_EMULATOR_IMAGE"); img != "" {
		return img
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("building the emulator image needs the go command; or set STREAMCHECK_EMULATOR_IMAGE")
	}
	dir := t.TempDir()
	build := exec.CommandContext(t.Context(), goBin, "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, "bin", "streamcheck-emulator"), "../../cmd/streamcheck-emulator")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the static emulator binary: %v\n%s", err, out)
	}
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, tag, _ := strings.Cut(testImage, ":")
	prov, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer prov.Close()
	img, err := prov.BuildImage(t.Context(), &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Dockerfile: "Dockerfile", Repo: repo, Tag: tag, KeepImage: true,
	}})
	if err != nil {
		t.Fatalf("docker build: %v", err)
	}
	return img
}

// TestContainerImage runs the emulator image through testcontainers-go, as a
// generic container and as LocalStack, and drives it with real clients
// through the external backend.
func TestContainerImage(t *testing.T) {
	dockerOptIn(t)
	ctx := t.Context()
	img := emulatorImage(t)

	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		Started: true,
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        img,
			ExposedPorts: []string{"4566/tcp", "9092/tcp"},
			WaitingFor:   wait.ForHTTP(edge.HealthPath).WithPort("4566/tcp"),
		},
	})
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("run %s: %v", img, err)
	}
	endpoint, err := ctr.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		t.Fatal(err)
	}
	kafkaAddr, err := ctr.PortEndpoint(ctx, "9092/tcp", "")
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	st, err := emulator.Start(ctx, emulator.WithBackend(emulator.External), emulator.WithGetenv(func(k string) string {
		return map[string]string{"AWS_ENDPOINT_URL": endpoint, "STREAMCHECK_KAFKA_BROKERS": kafkaAddr}[k]
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s3c := st.S3Client(func(o *s3.Options) { o.UsePathStyle = true })
	stacktest.RoundTrip(t, st.KinesisClient(), s3c, nil, "container")

	// The broker advertises 127.0.0.1:9092, its address inside the
	// container; dial the published port instead, as a client on the
	// container's network would dial the advertised one.
	kc, err := kgo.NewClient(kgo.SeedBrokers(st.KafkaBrokers...), kgo.AllowAutoTopicCreation(),
		kgo.Dialer(func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, strings.TrimPrefix(kafkaAddr, "://"))
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.ProduceSync(ctx, &kgo.Record{Topic: "container", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("produce to the container's Kafka: %v", err)
	}

	c := &edge.Client{Endpoint: endpoint}
	if _, err := c.AddFault(ctx, fault.Rule{Service: "s3", Operation: "GetObject", Action: fault.ActionError, Code: "SlowDown", Status: 503, Times: 1}); err != nil {
		t.Fatalf("fault API of the container: %v", err)
	}
	_, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("container"), Key: aws.String("a/b.txt")}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if err == nil || !strings.Contains(err.Error(), "SlowDown") {
		t.Errorf("GetObject under the container's fault rule = %v, want SlowDown", err)
	}

	t.Run("as LocalStack", func(t *testing.T) {
		ls, err := localstack.Run(ctx, img)
		testcontainers.CleanupContainer(t, ls)
		if err != nil {
			t.Fatalf("localstack.Run(%s): %v", img, err)
		}
		ep, err := ls.PortEndpoint(ctx, "4566/tcp", "http")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(ep + edge.HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `"s3":"running"`) {
			t.Errorf("health through localstack.Run = %s, want s3 running", b)
		}
	})
}

// TestContainersBackendWithoutDocker shows Start's error when Docker is
// missing, rather than testcontainers' panic.
func TestContainersBackendWithoutDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	if err := containers.DockerAvailable(context.Background()); err == nil {
		t.Skip("a Docker daemon answered on a socket that should not exist")
	}
	_, err := emulator.Start(context.Background(), emulator.WithBackend(emulator.Containers))
	if err == nil || !strings.Contains(err.Error(), "Docker") {
		t.Errorf("Start(containers) without Docker = %v, want an error naming Docker", err)
	}
}
