package benchfig

import (
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/internal/heappeak"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"zero", Config{}, false},
		{"all groups", Config{Only: Groups, Duration: time.Second, VerifyRows: 10, EngineRecords: 10}, false},
		{"unknown group", Config{Only: []string{"emulator", "kafka"}}, true},
		{"negative duration", Config{Duration: -time.Second}, true},
		{"negative rows", Config{VerifyRows: -1}, true},
		{"negative records", Config{EngineRecords: -1}, true},
		{"negative cores", Config{Cores: -1}, true},
		{"negative rounds", Config{Rounds: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if got := err != nil; got != tt.wantErr {
				t.Errorf("Validate() = %v, want error %t", err, tt.wantErr)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {1234567.8, "1,234,568"},
		{0.1416, "0.142"}, {-1270, "-1,270"}, {2.5, "2.5"}, {115.64, "115.6"},
	}
	for _, tt := range tests {
		if got := Format(tt.v); got != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestTargetMet(t *testing.T) {
	tests := []struct {
		name string
		t    *target
		v    float64
		want bool
	}{
		{"at least, above", atLeast(10), 11, true},
		{"at least, equal", atLeast(10), 10, true},
		{"at least, under", atLeast(10), 9, false},
		{"below, under", below(10), 9, true},
		{"below, equal", below(10), 10, false},
		{"at most, equal", atMost(10), 10, true},
		{"at most, above", atMost(10), 11, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := figure("g", "i", tt.v, "u", tt.t)
			if f.Met == nil || *f.Met != tt.want {
				t.Errorf("figure(%v, %s).Met = %v, want %t", tt.v, tt.t, f.Met, tt.want)
			}
		})
	}
	if f := figure("g", "i", 1, "u", nil); f.Met != nil || f.Target != "" {
		t.Errorf("figure without target = %+v, want no target and no verdict", f)
	}
}

// TestVerifyFixture checks that the fixture Verify is timed on passes, and
// that Verify rejects it with a batch's output missing.
func TestVerifyFixture(t *testing.T) {
	dir := t.TempDir()
	cfg, err := WriteVerifyFixture(t.Context(), dir, 1000)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := assertions.Verify(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("fixture: Verify OK = false, want true: %+v", rep.Results)
	}

	// The output against a ledger of 1,100 acknowledged records: 100
	// records are missing, and Verify must say so.
	longer, err := WriteVerifyFixture(t.Context(), t.TempDir(), 1100)
	if err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.Ledger = longer.Ledger
	rep, err = assertions.Verify(t.Context(), bad)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Errorf("output missing records: Verify OK = true, want false")
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	if _, err := Run(t.Context(), Config{Only: []string{"nope"}}); err == nil {
		t.Error("Run with an unknown group: got no error")
	}
}

// TestRunEngine runs the engine group on a small stream at 1 core and at
// 2: the engine must write every record as Parquet (checkEngineOutput) and
// DuckDB convert them, and the scaling from 1 core to 2 is reported.
func TestRunEngine(t *testing.T) {
	figs, err := Run(t.Context(), Config{Only: []string{GroupEngine}, EngineRecords: 4000, Cores: 2, Rounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	perLevel := 6 + 3 // rates, ratio, peak heap live and in use; CPU (engine, DuckDB, emulators) where it can be read
	if processCPU() == 0 {
		perLevel = 6
	}
	if got, want := len(figs), 2*perLevel+3; got != want {
		t.Fatalf("got %d figures, want %d: %+v", got, want, figs)
	}
	var scaling, oneCore, twoCores int
	for _, f := range figs {
		// The emulators' CPU, read at clock-tick precision, may be 0.
		if f.Group != GroupEngine || f.Value < 0 || (f.Value == 0 && !strings.HasPrefix(f.Item, "emulators' CPU")) {
			t.Errorf("figure %+v: want the engine group and a positive value", f)
		}
		switch {
		case strings.Contains(f.Item, "scaling"):
			scaling++
		case strings.HasSuffix(f.Item, ", 1 core"):
			oneCore++
		case strings.HasSuffix(f.Item, ", 2 cores"):
			twoCores++
		}
	}
	if scaling != 3 || oneCore != perLevel || twoCores != perLevel {
		t.Errorf("got %d scaling, %d 1-core and %d 2-core figures, want 3, %d and %d", scaling, oneCore, twoCores, perLevel, perLevel)
	}
}

// With several rounds, rates, ratio and CPU are medians (the ratio the
// median of each round's, not a ratio of medians) and peaks the highest.
func TestCoreRunFiguresOverRounds(t *testing.T) {
	r := coreRun{cores: 2, coldRate: 50, gogc: 100, n: 1_000_000, rounds: []round{
		{engineRate: 100, duckRate: 200, engineCPU: time.Second, duckCPU: time.Second, emulatorCPU: time.Second, peak: heappeak.Peaks{Live: 1 << 30, InUse: 2 << 30}},
		{engineRate: 300, duckRate: 200, engineCPU: 3 * time.Second, duckCPU: time.Second, emulatorCPU: time.Second, peak: heappeak.Peaks{Live: 3 << 30, InUse: 1 << 30}},
		{engineRate: 200, duckRate: 400, engineCPU: 2 * time.Second, duckCPU: time.Second, emulatorCPU: time.Second, peak: heappeak.Peaks{Live: 2 << 30, InUse: 1 << 30}},
	}}
	want := map[string]float64{
		"engine end to end, Kinesis -> Parquet in S3, first run, 2 cores":                                               50,
		"engine end to end, Kinesis -> Parquet in S3, median of 3 rounds, 2 cores":                                      200,
		"DuckDB JSON lines -> Parquet, same records, median of 3 rounds, 2 cores":                                       200,
		"engine / DuckDB, median of 3 rounds, 2 cores":                                                                  0.5, // of 0.5, 1.5 and 0.5
		"engine CPU alone (emulators in their own process), median of 3 rounds, 2 cores":                                2,
		"DuckDB CPU, median of 3 rounds, 2 cores":                                                                       1,
		"emulators' CPU serving the engine, median of 3 rounds, 2 cores":                                                1,
		"engine peak heap alone, batches of 1,000,000, highest of 3 rounds, 2 cores":                                    3,
		"engine heap in use at its peak (garbage awaiting collection included), GOGC=100, highest of 3 rounds, 2 cores": 2,
	}
	figs := r.figures(1_000_000)
	if len(figs) != len(want) {
		t.Fatalf("got %d figures, want %d: %+v", len(figs), len(want), figs)
	}
	for _, f := range figs {
		w, ok := want[f.Item]
		if !ok {
			t.Errorf("unexpected figure %q", f.Item)
			continue
		}
		if f.Value != w {
			t.Errorf("%s = %v, want %v", f.Item, f.Value, w)
		}
	}
}

// The in-use figure names the GOGC it ran at: read without changing it.
func TestGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	if got := gcPercent(); got != 150 {
		t.Errorf("gcPercent() = %d, want 150", got)
	}
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC after gcPercent = %d, want the 150 it found", got)
	}
	for p, want := range map[int]string{150: "150", 100: "100", -1: "off"} {
		if got := gogcString(p); got != want {
			t.Errorf("gogcString(%d) = %q, want %q", p, got, want)
		}
	}
}

func TestCoreLevels(t *testing.T) {
	tests := []struct {
		name  string
		cores int
		want  []int
	}{
		{"one", 1, []int{1}},
		{"eight", 8, []int{1, 8}},
		{"every CPU", 0, coreLevels(runtime.NumCPU())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := coreLevels(tt.cores); !slices.Equal(got, tt.want) {
				t.Errorf("coreLevels(%d) = %v, want %v", tt.cores, got, tt.want)
			}
		})
	}
}

// TestEngineShards: the engine group's stream has a shard for every core
// of its larger budget, and never fewer than 4.
func TestEngineShards(t *testing.T) {
	for _, tt := range []struct{ cores, want int }{
		{1, 4}, {2, 4}, {4, 4}, {8, 8}, {16, 16}, {0, max(4, runtime.NumCPU())},
	} {
		if got := engineShards(tt.cores); got != tt.want {
			t.Errorf("engineShards(%d) = %d, want %d", tt.cores, got, tt.want)
		}
	}
}

func TestMain(m *testing.M) {
	ServeIfChild() // TestRunEngine starts this binary again as its emulators
	os.Exit(m.Run())
}
