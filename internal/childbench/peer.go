package childbench

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PeersEnv names the directory that holds the peer emulators: the Node-based
// emulators streamcheck's server CPU is compared with (kinesalite, s3rver,
// dynalite), installed with npm as `make peers` does. Without it, a
// directory named .peers at the module root is used.
const PeersEnv = "STREAMCHECK_PEERS"

// Peer returns the path of the peer emulator's command name (an npm
// package's executable), or skips the benchmark, saying how to install it,
// where it is absent or Node.js is not installed.
func Peer(b *testing.B, name string) string {
	b.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		b.Skipf("peer %s: Node.js is not installed (it runs the Node-based peer emulators)", name)
	}
	dir := os.Getenv(PeersEnv)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			b.Skipf("peer %s: %v", name, err)
		}
		dir = filepath.Join(root, ".peers")
	}
	bin := filepath.Join(dir, "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		b.Skipf("peer %s is not installed in %s: run `make peers` (npm install) or set %s", name, dir, PeersEnv)
	}
	return bin
}

// moduleRoot is the nearest directory above the working directory (a
// package's directory under go test) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// StartPeer runs bin with args, where the argument "{port}" is replaced by a
// free local port, and returns once the port accepts connections (within 30
// seconds). The process is killed when the benchmark ends. Its CPU is read
// as a child's: bin must be the server process itself (an npm executable is
// a node script, so it is).
func StartPeer(b *testing.B, bin string, args ...string) *Child {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	argv := make([]string, len(args))
	for i, a := range args {
		argv[i] = strings.ReplaceAll(a, "{port}", port)
	}
	cmd := exec.Command(bin, argv...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start peer %s: %v", filepath.Base(bin), err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + port
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("peer %s: nothing listens on %s after 30 s", filepath.Base(bin), addr)
		}
	}
	return &Child{URL: "http://" + addr, pid: cmd.Process.Pid}
}
