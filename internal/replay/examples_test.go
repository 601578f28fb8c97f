package replay_test

import (
	"testing"

	"github.com/partnersandbox/sandbox/internal/replay"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// Every example in scenarios/examples replays green against a fresh sandbox, and again
// (each resets what it uses), and in any order with the others.
func TestExamplesReplayGreen(t *testing.T) {
	sb := newSandbox(t)
	files, err := scenariofile.LoadDir("../../scenarios/examples", sb.Engine.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	apis := map[string]bool{}
	for _, f := range files {
		for _, s := range f.Steps {
			apis[s.API] = true
		}
	}
	if len(files) < 3 || !apis["dcms"] || !apis["dmt"] || !apis["profile"] {
		t.Fatalf("%d examples covering %v: want the main flow of each API", len(files), apis)
	}
	for round := 0; round < 2; round++ {
		res, out := sb.replay(t, files...)
		if replay.AnyFailed(res) {
			t.Fatalf("round %d:\n%s", round, out)
		}
		for _, r := range res {
			if _, skipped, errored := r.Counts(); skipped+errored > 0 || len(r.Warnings) > 0 || len(r.Steps) < 10 {
				t.Fatalf("%s: %d steps, %d skipped, warnings %v", r.File.Name, len(r.Steps), skipped, r.Warnings)
			}
		}
		files[0], files[len(files)-1] = files[len(files)-1], files[0]
	}
}
