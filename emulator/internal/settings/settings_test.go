package settings

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

func TestSetters(t *testing.T) {
	t.Parallel()
	fake := clock.NewFake(time.Unix(1_800_000_000, 0))
	in := fault.New(1)
	tests := []struct {
		name    string
		set     func(*Common) error
		check   func(Common) bool // for accepted values: was the field set
		wantErr string            // "" when the value must be accepted
	}{
		{"clock", func(c *Common) error { return c.SetClock(fake) }, func(c Common) bool { return c.Clock == fake }, ""},
		{"nil clock", func(c *Common) error { return c.SetClock(nil) }, nil, "WithClock: the clock is nil"},
		{"faults", func(c *Common) error { return c.SetFaults(in) }, func(c Common) bool { return c.Faults == in }, ""},
		{"nil faults", func(c *Common) error { return c.SetFaults(nil) }, nil, "WithFaults: the injector is nil"},
		{"seed", func(c *Common) error { return c.SetSeed(42) }, func(c Common) bool { return c.Seed == 42 }, ""},
		{"data dir", func(c *Common) error { return c.SetDataDir("/tmp/x") }, func(c Common) bool { return c.DataDir == "/tmp/x" }, ""},
		{"empty data dir", func(c *Common) error { return c.SetDataDir("") }, nil, "WithDataDir: the directory is empty"},
		{"addr", func(c *Common) error { return c.SetAddr("127.0.0.1:0") }, func(c Common) bool { return c.Addr == "127.0.0.1:0" }, ""},
		{"addr without host", func(c *Common) error { return c.SetAddr(":4566") }, func(c Common) bool { return c.Addr == ":4566" }, ""},
		{"addr without port", func(c *Common) error { return c.SetAddr("localhost") }, nil, `WithAddr("localhost"): want host:port: `},
		{"empty addr", func(c *Common) error { return c.SetAddr("") }, nil, `WithAddr(""): want host:port: `},
		{"region", func(c *Common) error { return c.SetRegion("eu-west-1") }, func(c Common) bool { return c.Region == "eu-west-1" }, ""},
		{"empty region", func(c *Common) error { return c.SetRegion("") }, nil, "WithRegion: the region is empty"},
		{"account", func(c *Common) error { return c.SetAccountID("123456789012") }, func(c Common) bool { return c.AccountID == "123456789012" }, ""},
		{"short account", func(c *Common) error { return c.SetAccountID("12345678901") }, nil, `WithAccountID("12345678901"): want 12 digits`},
		{"long account", func(c *Common) error { return c.SetAccountID("1234567890123") }, nil, `WithAccountID("1234567890123"): want 12 digits`},
		{"account with a letter", func(c *Common) error { return c.SetAccountID("12345678901a") }, nil, `WithAccountID("12345678901a"): want 12 digits`},
		{"account of 12 bytes in non-ASCII digits", func(c *Common) error { return c.SetAccountID("١٢٣٤٥٦") }, nil, `WithAccountID("١٢٣٤٥٦"): want 12 digits`},
		{"empty account", func(c *Common) error { return c.SetAccountID("") }, nil, `WithAccountID(""): want 12 digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c Common
			err := tt.set(&c)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if !tt.check(c) {
					t.Errorf("got %+v, want the field set", c)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
			}
			if c != (Common{}) {
				t.Errorf("a refused value changed the settings: got %+v, want the zero value", c)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	t.Run("unset", func(t *testing.T) {
		t.Parallel()
		c := Common{Seed: 7}
		c.Defaults()
		if c.Clock == nil {
			t.Error("got a nil Clock, want clock.Real()")
		}
		if c.Faults == nil {
			t.Error("got nil Faults, want fault.New(7)")
		}
	})
	t.Run("set", func(t *testing.T) {
		t.Parallel()
		fake := clock.NewFake(time.Unix(0, 0))
		in := fault.New(1)
		c := Common{Clock: fake, Faults: in}
		c.Defaults()
		if c.Clock != fake || c.Faults != in {
			t.Errorf("got Clock %v, Faults %p; want the ones set, %v and %p", c.Clock, c.Faults, fake, in)
		}
	})
}
