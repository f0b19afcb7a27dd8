package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeCommand is one command of a README sh block: a logical line
// (continuations joined) with the exit status it must end with.
type readmeCommand struct {
	line       int // in README.md, where the command starts
	text       string
	wantStatus int
}

// readmeBlock is one sh block of the README.
type readmeBlock struct {
	line     int // of the opening fence
	skip     string
	commands []readmeCommand
}

var (
	readmeMarker   = regexp.MustCompile(`^<!-- readme-test: (skip|skip-line "([^"]+)") \((.+)\) -->$`)
	readmeExitNote = regexp.MustCompile(`exit status (\d+)`)
)

// parseReadme returns the README's sh blocks with their markers: a block
// preceded by <!-- readme-test: skip (why) --> is skipped whole, one
// preceded by <!-- readme-test: skip-line "TEXT" (why) --> loses the
// commands holding TEXT; a comment line right under a command naming "exit
// status N" sets the status that command must exit with.
func parseReadme(text string) ([]readmeBlock, error) {
	var blocks []readmeBlock
	var skip string
	var skipLines []string
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "<!-- readme-test") {
			m := readmeMarker.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("README.md:%d: marker %q: want <!-- readme-test: skip (why) --> or <!-- readme-test: skip-line \"TEXT\" (why) -->", n, line)
			}
			if m[2] != "" {
				skipLines = append(skipLines, m[2])
			} else {
				skip = m[3]
			}
			continue
		}
		if line != "```sh" {
			if strings.TrimSpace(line) != "" {
				skip, skipLines = "", nil
			}
			continue
		}
		b := readmeBlock{line: n, skip: skip}
		var cont strings.Builder
		contLine := 0
		closed := false
		for sc.Scan() {
			n++
			l := sc.Text()
			if l == "```" {
				closed = true
				break
			}
			if cont.Len() > 0 {
				cont.WriteString(" " + strings.TrimSpace(l))
			} else {
				contLine = n
				cont.WriteString(l)
			}
			if strings.HasSuffix(l, `\`) {
				s := strings.TrimSuffix(cont.String(), `\`)
				cont.Reset()
				cont.WriteString(strings.TrimRight(s, " "))
				continue
			}
			cmd := strings.TrimSpace(cont.String())
			cont.Reset()
			switch {
			case cmd == "":
			case strings.HasPrefix(cmd, "#"):
				if m := readmeExitNote.FindStringSubmatch(cmd); m != nil && len(b.commands) > 0 {
					b.commands[len(b.commands)-1].wantStatus, _ = strconv.Atoi(m[1])
				}
			default:
				skipped := false
				for _, s := range skipLines {
					skipped = skipped || strings.Contains(cmd, s)
				}
				if !skipped {
					b.commands = append(b.commands, readmeCommand{line: contLine, text: cmd})
				}
			}
		}
		if !closed {
			return nil, fmt.Errorf("README.md:%d: sh block never closed", b.line)
		}
		blocks = append(blocks, b)
		skip, skipLines = "", nil
	}
	return blocks, sc.Err()
}

func TestParseReadme(t *testing.T) {
	t.Parallel()
	text := "<!-- readme-test: skip (needs Docker) -->\n```sh\nmake image\n```\n\n" +
		"<!-- readme-test: skip-line \"run all\" (minutes) -->\n```sh\nsc gen --a \\\n    --b   # note\n" +
		"sc run --crash\n#  (exit status 137)\nsc run all\n```\n```sh\necho\n```\n"
	blocks, err := parseReadme(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("got %d blocks, want 3", len(blocks))
	}
	if blocks[0].skip != "needs Docker" {
		t.Errorf("block 1 skip = %q, want the marker's reason", blocks[0].skip)
	}
	got := blocks[1].commands
	if len(got) != 2 || got[0].text != "sc gen --a --b   # note" || got[0].line != 8 || got[1].wantStatus != 137 {
		t.Errorf("block 2 commands = %+v; want the joined gen line (line 8) and run with status 137, run all skipped", got)
	}
	if blocks[2].skip != "" || len(blocks[2].commands) != 1 {
		t.Errorf("block 3 = %+v: a marker must apply to the next block only", blocks[2])
	}
	if _, err := parseReadme("<!-- readme-test: skipp (x) -->\n"); err == nil {
		t.Error("a misspelt marker was accepted")
	}
	if _, err := parseReadme("```sh\necho\n"); err == nil {
		t.Error("an unclosed block was accepted")
	}
}

// readmeScript turns the blocks into one bash script: each command checked
// for its exit status, streamcheck emulate started in the background and
// stopped at the end, the ports swapped for free ones.
func readmeScript(blocks []readmeBlock, edgePort, kafkaPort int) (string, int) {
	var sb strings.Builder
	sb.WriteString("set -u\nSC_EMU=\ntrap 'if [ -n \"$SC_EMU\" ]; then kill $SC_EMU; fi; wait' EXIT\n")
	count := 0
	for _, b := range blocks {
		if b.skip != "" {
			continue
		}
		for _, c := range b.commands {
			cmd := c.text
			cmd = strings.ReplaceAll(cmd, "go build -o bin/streamcheck ./cmd/streamcheck", "test -x bin/streamcheck")
			cmd = strings.ReplaceAll(cmd, "go run ./cmd/streamcheck", "streamcheck")
			cmd = strings.ReplaceAll(cmd, "4566", strconv.Itoa(edgePort))
			cmd = strings.ReplaceAll(cmd, "9092", strconv.Itoa(kafkaPort))
			count++
			fmt.Fprintf(&sb, "echo \"+ [${SECONDS}s]\" %s >&2\n", shellQuote(fmt.Sprintf("README.md:%d: %s", c.line, cmd)))
			switch {
			case strings.HasPrefix(cmd, "streamcheck emulate"):
				fmt.Fprintf(&sb, "%s > emulate.log 2>&1 &\nSC_EMU=$!\n", cmd)
				sb.WriteString("for i in $(seq 200); do grep -q ready emulate.log && break; sleep 0.1; done\n")
				fmt.Fprintf(&sb, "grep -q ready emulate.log || { cat emulate.log; echo 'README.md:%d: streamcheck emulate did not get ready'; exit 1; }\n", c.line)
			case strings.HasSuffix(strings.TrimSpace(stripComment(cmd)), "&"):
				sb.WriteString(cmd + "\n")
			default:
				sb.WriteString(cmd + "\n")
				fmt.Fprintf(&sb, "rc=$?; if [ $rc -ne %d ]; then echo \"README.md:%d: exit status $rc, want %d\"; exit 1; fi\n", c.wantStatus, c.line, c.wantStatus)
			}
		}
	}
	sb.WriteString("echo README-OK\n")
	return sb.String(), count
}

// stripComment drops a trailing shell comment (" # ...") from cmd.
func stripComment(cmd string) string {
	if i := strings.Index(cmd, " #"); i >= 0 && !strings.ContainsAny(cmd[:i], `'"`) {
		return cmd[:i]
	}
	return cmd
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestReadme runs every sh block of the README, the tour first, with the
// binary built once, and fails when a command exits with another status
// than the README states (0 unless a comment under it names another).
func TestReadme(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands (about a minute and a half); not with -short")
	}
	for _, tool := range []string{"bash", "curl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s, which is not installed", tool)
		}
	}
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseReadme(string(data))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatalf("copy examples: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	started := time.Now()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "bin", "streamcheck"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	built := time.Since(started)
	script, count := readmeScript(blocks, freePort(t), freePort(t))
	if count < 20 {
		t.Fatalf("only %d commands found in README.md's sh blocks; the extraction is broken", count)
	}
	if err := os.WriteFile(filepath.Join(dir, "readme.sh"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", "readme.sh")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "STREAMCHECK_") || k == "NO_COLOR" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "README-OK") {
		logs := ""
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".log") && filepath.Dir(p) == dir {
				b, _ := os.ReadFile(p)
				logs += fmt.Sprintf("\n--- %s ---\n%s", filepath.Base(p), tail(string(b), 3000))
			}
			return nil
		})
		t.Fatalf("the README's commands: %v\n%s%s", err, tail(string(out), 20000), logs)
	}
	t.Logf("%d commands of README.md ran as it says in %v (the build took %v)", count, time.Since(started).Round(time.Second), built.Round(time.Second))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
