package app

import (
	"os"
	"runtime/debug"
)

// TuneGC sets the garbage collector for a sandbox process, unless GOGC says otherwise.
// The sandbox's live heap is small (state, journal) while every request allocates, so Go's
// default (collect when the heap doubles) collects very often; 400 trades a few MB of
// memory for far fewer collections. `make bench` measures the sandbox tuned the same way.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
