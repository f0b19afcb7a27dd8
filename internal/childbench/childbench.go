// Package childbench runs a server for a benchmark in a child process (the
// test binary again), so that the CPU the server spends is measured apart
// from its client's: the figure is what an emulator costs a CI runner that
// shares its cores with the user's tests.
//
// A package's TestMain calls ServeIfChild first; a benchmark calls Start,
// talks to Child.URL and reads Child.CPU before and after its loop.
package childbench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ServeIfChild returns at once in the parent. In the child Start made (the
// environment variable env is set) it calls start, prints the URL it
// returns, serves until standard input closes, calls stop and exits. With
// env+"_CPUPROFILE" set to a path, the child writes a CPU profile there.
func ServeIfChild(env string, start func() (url string, stop func() error, err error)) {
	if os.Getenv(env) == "" {
		return
	}
	url, stop, err := start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if path := os.Getenv(env + "_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f) // stopped below, before the exit
		}
	}
	fmt.Println(url)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	pprof.StopCPUProfile()
	os.Exit(0)
}

// Child is a server running in a child process.
type Child struct {
	// URL is the endpoint the child printed.
	URL string
	pid int
}

// Start starts the test binary again with env set, as a server that
// ServeIfChild runs, and returns once it has printed its URL. The child
// ends with the benchmark. Start skips the benchmark where the CPU of
// another process cannot be read (no /proc).
func Start(b *testing.B, env string) *Child {
	b.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("a child's CPU is read from /proc, which this system does not have")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the server process: %v", err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("read the server's URL: %v", err)
	}
	return &Child{URL: strings.TrimSpace(line), pid: cmd.Process.Pid}
}

// CPU is the CPU time (user and system) the child has used, at clock-tick
// precision.
func (c *Child) CPU(b *testing.B) time.Duration {
	b.Helper()
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/stat")
	if err != nil {
		b.Fatalf("read the server's CPU: %v", err)
	}
	// Fields after the command name (which may hold spaces) start at ") ".
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	if len(f) < 13 {
		b.Fatalf("read the server's CPU: /proc/%d/stat has %d fields", c.pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("read the server's CPU: utime %q, stime %q", f[11], f[12])
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// ReportPerOp reports the child's CPU since before, divided by b.N, as
// "server-cpu-µs/op".
func (c *Child) ReportPerOp(b *testing.B, before time.Duration) {
	b.Helper()
	b.ReportMetric(float64((c.CPU(b)-before).Microseconds())/float64(b.N), "server-cpu-µs/op")
}
