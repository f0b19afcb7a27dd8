package settings

import (
	"errors"
	"fmt"
	"net"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

// Common is the settings shared by the emulators. The zero value holds no
// clock and no injector until Defaults; the other fields are used as they are.
type Common struct {
	// Clock is the time source. Defaults sets clock.Real() when nil.
	Clock clock.Clock
	// Faults is the injector requests are offered to. Defaults sets
	// fault.New(Seed) when nil.
	Faults *fault.Injector
	// Seed seeds the emulator's random choices and the default injector.
	Seed uint64
	// DataDir is where state is kept; "" keeps it in memory.
	DataDir string
	// Addr is the host:port Start listens on.
	Addr string
	// Region is the region written into ARNs and reported to clients.
	Region string
	// AccountID is the 12-digit account written into ARNs and messages.
	AccountID string
}

// SetClock sets Clock, refusing nil.
func (c *Common) SetClock(clk clock.Clock) error {
	if clk == nil {
		return errors.New("WithClock: the clock is nil")
	}
	c.Clock = clk
	return nil
}

// SetFaults sets Faults, refusing nil.
func (c *Common) SetFaults(in *fault.Injector) error {
	if in == nil {
		return errors.New("WithFaults: the injector is nil")
	}
	c.Faults = in
	return nil
}

// SetSeed sets Seed; every seed is valid.
func (c *Common) SetSeed(seed uint64) error {
	c.Seed = seed
	return nil
}

// SetDataDir sets DataDir, refusing "".
func (c *Common) SetDataDir(dir string) error {
	if dir == "" {
		return errors.New("WithDataDir: the directory is empty")
	}
	c.DataDir = dir
	return nil
}

// SetAddr sets Addr, refusing anything net.SplitHostPort does not read as
// host:port.
func (c *Common) SetAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("WithAddr(%q): want host:port: %w", addr, err)
	}
	c.Addr = addr
	return nil
}

// SetRegion sets Region, refusing "". An emulator that wants a stricter
// form checks it before or after calling SetRegion.
func (c *Common) SetRegion(r string) error {
	if r == "" {
		return errors.New("WithRegion: the region is empty")
	}
	c.Region = r
	return nil
}

// SetAccountID sets AccountID, refusing anything but 12 ASCII digits.
func (c *Common) SetAccountID(id string) error {
	if !isAccountID(id) {
		return fmt.Errorf("WithAccountID(%q): want 12 digits", id)
	}
	c.AccountID = id
	return nil
}

// Defaults fills what the options left unset and every emulator defaults the
// same way: Clock to clock.Real() and Faults to fault.New(Seed).
func (c *Common) Defaults() {
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Faults == nil {
		c.Faults = fault.New(c.Seed)
	}
}

// isAccountID reports whether s is 12 ASCII digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
