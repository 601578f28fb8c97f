package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

func init() {
	commands["version"] = command{"print the version, VCS revision and Go version (also sandbox --version)",
		func(w io.Writer) { fmt.Fprintln(w, "usage: sandbox version    (or sandbox --version)") },
		func(args []string) error {
			if len(args) > 0 {
				return usageErrorf("version", "unexpected argument %q", args[0])
			}
			printVersion(os.Stdout)
			return nil
		}}
}

// revision is the VCS revision for builds without VCS information (a container build has
// no .git): go build -ldflags "-X main.revision=$(git rev-parse HEAD)". The build info's
// own vcs.revision wins.
var revision string

// printVersion prints what the build info says of this binary: the module and its version,
// the VCS revision it was built from (and whether the tree had changes), and Go's version.
func printVersion(w io.Writer) {
	module, version, rev, at, modified := "github.com/partnersandbox/sandbox", "(unknown)", revision, "", ""
	if rev == "" {
		rev = "(unknown: built without VCS information)"
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		module, version = info.Main.Path, info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = " " + s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(w, "sandbox %s %s\nrevision %s%s%s\n%s %s/%s\n", module, version, rev, at, modified, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
