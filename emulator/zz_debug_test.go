package emulator_test

import (
	"os"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

func TestZZDebug(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctr, err := testcontainers.GenericContainer(t.Context(), testcontainers.GenericContainerRequest{Started: true, ContainerRequest: testcontainers.ContainerRequest{Image: "streamcheck/emulator-test:latest",
		Cmd:                []string{"--host", "127.0.0.1", "--port", "45677", "--kafka-port", "45678"},
		HostConfigModifier: func(hc *container.HostConfig) { hc.NetworkMode = "host" },
		WaitingFor:         wait.ForHTTP("/_localstack/health").WithPort("45677/tcp"),
	}})
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ctr.MappedPort(t.Context(), "45677/tcp")
	t.Logf("mapped: %v %v", p, err)
	ep, err := ctr.PortEndpoint(t.Context(), "45677/tcp", "http")
	t.Logf("ep: %v %v", ep, err)
}
