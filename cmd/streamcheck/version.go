package main

import (
	"context"
	"encoding/json"
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
		summary: "Print streamcheck's version, the commit it was built from, Go version and platform.",
		usage:   "version [--json]",
		run:     runVersion,
	})
}

func runVersion(_ context.Context, e *env, args []string) error {
	c := commands["version"]
	fs := newFlagSet(c)
	fs.Bool("json", false, "print version, commit, Go version and platform as JSON")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	asJSON := false
	for _, a := range args {
		asJSON = asJSON || a == "--json" || a == "-json"
	}
	commit, at := vcsRevision()
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]string{"version": currentVersion(), "commit": commit, "commit_time": at,
			"go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH})
	}
	built := ""
	if commit != "" {
		built = "commit " + commit
		if at != "" {
			built += " of " + at
		}
		built += ", "
	}
	fmt.Fprintf(e.stdout, "streamcheck %s (%s%s, %s/%s)\n", currentVersion(), built, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// vcsRevision is the commit the binary was built from (with "+dirty" when
// the tree had changes) and its time, from the build info; "" when the build
// did not record them (go run, go test).
func vcsRevision() (commit, at string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
			if len(commit) > 12 {
				commit = commit[:12]
			}
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if commit != "" && dirty {
		commit += "+dirty"
	}
	return commit, at
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
