package s3fake

import (
	"net"
	"strings"
	"testing"
)

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"nil clock", WithClock(nil), "WithClock: the clock is nil"},
		{"nil faults", WithFaults(nil), "WithFaults: the injector is nil"},
		{"empty data dir", WithDataDir(""), "WithDataDir: the directory is empty"},
		{"bad addr", WithAddr("nope"), `WithAddr("nope"): want host:port`},
		{"empty region", WithRegion(""), "WithRegion: the region is empty"},
		{"empty suffix", WithHostSuffixes("s3.test", ""), `WithHostSuffixes: suffix 1 is ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWithAddr(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := startServer(t, WithAddr(addr))
	if got, want := srv.URL(), "http://"+addr; got != want {
		t.Errorf("URL() = %s, want %s", got, want)
	}
}

func TestDefaultHostSuffixesIsACopy(t *testing.T) {
	t.Parallel()
	a := DefaultHostSuffixes()
	a[0] = "changed"
	if b := DefaultHostSuffixes(); b[0] == "changed" {
		t.Errorf("DefaultHostSuffixes() shares its slice between calls")
	}
}
