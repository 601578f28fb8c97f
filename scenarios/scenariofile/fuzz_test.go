package scenariofile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds the scenario-file parser arbitrary files: it must answer a file or an
// error, never panic, and within parseTime even for YAML built to be costly (deep nesting,
// alias bombs). Seeds: the examples shipped with the repository and this package's tests.
func FuzzParse(f *testing.F) {
	const parseTime = 2 * time.Second
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	for _, name := range examples {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{goodFile, "", "name: x\nsteps: []\n", "steps:\n  - path: /v1/viewCustomer\n    body: {a: &a [1, *a]}\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n", "steps: [[[[[[[[[[[[[[]]]]]]]]]]]]]]\n", "\t\x00\xff: :\n"} {
		f.Add([]byte(s))
	}
	cat := fileCatalogue()
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		file, err := Parse("fuzz.yaml", data, cat)
		if took := time.Since(start); took > parseTime {
			t.Fatalf("parsing %d bytes took %v", len(data), took)
		}
		if err == nil && file == nil {
			t.Fatal("no file and no error")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("an error without a message")
		}
	})
}

// Aliases that contain themselves, or that expand to billions of values, are refused with
// the line, at once (the first crashed the process with a stack overflow).
func TestParseRefusesAliasCyclesAndBombs(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = n
	}
	cases := map[string]string{
		"a self-referencing sequence": "name: x\nsteps:\n  - path: /v1/viewCustomer\n    body: &a [1, *a]\n",
		"a self-merging mapping":      "name: x\nsteps:\n  - path: /v1/viewCustomer\n    body: &a {x: 1, y: {<<: *a}}\n",
		"a billion values":            "name: x\n" + bomb,
	}
	for name, src := range cases {
		start := time.Now()
		_, err := Parse("bad.yaml", []byte(src), fileCatalogue())
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), "alias") || time.Since(start) > 2*time.Second {
			t.Errorf("%s: %v (after %v)", name, err, time.Since(start))
		}
	}
}
