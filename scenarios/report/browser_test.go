package report

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds a Chromium or Chrome binary: $STREAMCHECK_CHROMIUM, else
// Debian's /usr/bin/chromium, else one on the PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STREAMCHECK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("needs a headless Chromium: apt-get install -y chromium (or set STREAMCHECK_CHROMIUM)")
	return ""
}

// headless runs the browser on page with args and returns its stdout.
func headless(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	home := t.TempDir()
	// The deadline only stops a browser that hangs; it asserts nothing.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + filepath.Join(home, "profile"),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return stdout.Bytes()
}

func TestBrowserRendersReport(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	if err := WriteDir(dir, sampleRun(), passingRun()); err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	page := filepath.Join(dir, HTMLFile)

	t.Run("dom", func(t *testing.T) {
		dom := string(headless(t, bin, page, "--dump-dom"))
		for _, want := range []string{
			`data-verdict="fail"`, `data-verdict="pass"`, ">FAIL<", ">PASS<",
			"exactly-once", "dead letters", "lag p99 under 10s",
			"streamcheck scenario run kinesis-crash-after-sink --seed 1234",
		} {
			if !strings.Contains(dom, want) {
				t.Errorf("rendered DOM lacks %q", want)
			}
		}
		for _, tt := range []struct {
			what, needle string
			want         int
		}{
			{"svg charts", "<svg", 4},
			{"lag lines", "<polyline", 6},
			{"event markers", `<g class="marker`, 5},
			{"batch bars", `<g class="batch"`, len(sampleRun().Batches) + len(passingRun().Batches)},
			{"scripts", "<script", 0},
		} {
			if got := strings.Count(dom, tt.needle); got != tt.want {
				t.Errorf("rendered DOM: %s: got %d, want %d", tt.what, got, tt.want)
			}
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(t.TempDir(), "report.png")
		headless(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000")
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("open screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("decode screenshot: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
			t.Errorf("screenshot size: got %dx%d, want 1280x2000", b.Dx(), b.Dy())
		}
		colors, failRed := screenshotStats(img)
		if colors < 100 {
			t.Errorf("screenshot has %d distinct colours, want a rendered page (at least 100)", colors)
		}
		if failRed < 500 {
			t.Errorf("screenshot has %d pixels of the FAIL red, want a visible failing verdict", failRed)
		}
	})
}

// screenshotStats counts the distinct colours of img and its pixels close to
// the failing verdict's red (#b91c1c).
func screenshotStats(img image.Image) (colors, failRed int) {
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			seen[r<<16|g<<8|bl] = true
			if near(r, 0xb9) && near(g, 0x1c) && near(bl, 0x1c) {
				failRed++
			}
		}
	}
	return len(seen), failRed
}

func near(v, want uint32) bool { return v+24 >= want && v <= want+24 }

func TestScreenshotStatsRejectsBlankPage(t *testing.T) {
	blank := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if colors, red := screenshotStats(blank); colors != 1 || red != 0 {
		t.Errorf("blank page: got %d colours and %d red pixels, want 1 and 0", colors, red)
	}
}

// scrollWidth opens page in a window w pixels wide and returns the
// document's scroll width: more than w means a horizontal scroll bar. The
// page has no scripts of its own, so a copy gets one that writes the width
// into the DOM.
func scrollWidth(t *testing.T, bin, page string, w int) int {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	probe := `<script>addEventListener("load",()=>document.body.setAttribute("data-scroll-width",document.documentElement.scrollWidth))</script></body>`
	measured := filepath.Join(t.TempDir(), "measured.html")
	if err := os.WriteFile(measured, []byte(strings.Replace(string(b), "</body>", probe, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(headless(t, bin, measured, "--dump-dom", "--virtual-time-budget=2000", fmt.Sprintf("--window-size=%d,900", w)))
	m := regexp.MustCompile(`data-scroll-width="(\d+)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no scroll width in the dumped DOM of %s", page)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestBrowserIndexFits1400 shows the multi-run page, index first, without a
// horizontal scroll bar in a 1,400 px window, and the new sections rendered.
func TestBrowserIndexFits1400(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	if err := WriteDir(dir, sampleRun(), passingRun(), expectedRun()); err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	page := filepath.Join(dir, HTMLFile)
	if w := scrollWidth(t, bin, page, 1400); w > 1400 {
		t.Errorf("scroll width %d px in a 1400 px window, want no horizontal scrolling", w)
	}
	dom := string(headless(t, bin, page, "--dump-dom"))
	for _, want := range []string{
		"Dead letters by kind of error", "Output partitions", "Output schema", "EXPECTED FAIL", "SKIPPED",
		"2 of 2 passed (1 failing as expected), 1 skipped", "<dt>window</dt><dd>250ms</dd>", `class="phase"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	// The measure can fail: a page with a wide element scrolls.
	wide := filepath.Join(t.TempDir(), "wide.html")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wide, []byte(strings.Replace(string(b), "<main>", `<main><div style="width:2000px">wide</div>`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if w := scrollWidth(t, bin, wide, 1400); w <= 1400 {
		t.Errorf("a page with a 2000 px element: scroll width %d, want more than 1400", w)
	}
}
