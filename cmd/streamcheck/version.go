package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); without it
// the module version from the build info is used.
var version = ""

func init() {
	register(&command{
		name:    "version",
		summary: "Print streamcheck's version, Go version and platform.",
		usage:   "version",
		run:     runVersion,
	})
}

func runVersion(_ context.Context, e *env, args []string) error {
	c := commands["version"]
	fs := newFlagSet(c)
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintf(e.stdout, "streamcheck %s (%s, %s/%s)\n", currentVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
