package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/replay"
)

func inProcessSandbox(t *testing.T) string {
	t.Helper()
	_, c := contracttest.Start(t)
	return c.BaseURL
}

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplayCommand(t *testing.T) {
	url := inProcessSandbox(t)
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", `name: good
reset: true
steps:
  - path: /v1/viewCustomer
    body: {entityId: "${who}"}
    expect: {status: 200, body: {result.entityId: "${who}"}}
vars: {who: "000001"}
`)
	bad := writeFile(t, dir, "bad.yaml", `name: bad
steps:
  - name: expects the wrong status
    path: /v1/viewCustomer
    body: {entityId: "675676"}
    expect: {status: 201}
`)
	broken := writeFile(t, dir, "broken.yml", "name: broken\nsteps:\n  - path: /v1/viewCustomer\n    expekt: {status: 200}\n")
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := replayCmd(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	// --var overrides the file's vars: 675676 exists, 000001 does not.
	if code, out, errOut := run(good, "--target", url, "--var", "who=675676"); code != 0 {
		t.Fatalf("good file: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run("--target", url, good); code != 1 || !strings.Contains(out, "status: expected 200, got 400") {
		t.Fatalf("good file with its own var (an unknown customer): exit %d\n%s", code, out)
	}

	junit := filepath.Join(dir, "out.xml")
	code, out, _ := run("--target", url, "--var", "who=675676", good, bad, "--junit", junit)
	if code != 1 || !strings.Contains(out, "✗ 1/1   expects the wrong status") || !strings.Contains(out, "status: expected 201, got 200") ||
		!strings.Contains(out, "FAIL: 2 files, 2 steps, 1 passed, 1 failed") || !strings.Contains(out, "JUnit XML written to "+junit) {
		t.Fatalf("good + bad: exit %d\n%s", code, out)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc replay.JUnitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit: %v\n%s", err, data)
	}
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suites) != 2 || doc.Suites[1].Cases[0].Failure == nil {
		t.Fatalf("JUnit counts: %+v", doc)
	}

	// A file that does not parse stops everything before any request: exit 2, file:line.
	code, out, errOut := run("--target", url, good, broken)
	if code != 2 || out != "" || !strings.Contains(errOut, "broken.yml:4: steps[0]: unknown key \"expekt\"") {
		t.Fatalf("broken file: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if code, _, errOut := run("--target", url, filepath.Join(dir, "missing.yaml")); code != 2 || !strings.Contains(errOut, "missing.yaml") {
		t.Fatalf("missing file: exit %d %s", code, errOut)
	}
	if code, _, _ := run("--target", url); code != 2 {
		t.Fatalf("no file: exit %d", code)
	}
	if code, _, _ := run("--bogus"); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
	// A directory replays its files (here: one good, one bad after removing the broken one).
	os.Remove(broken)
	os.Remove(junit)
	if code, out, _ := run("--target", url, "--var", "who=675676", dir); code != 1 || !strings.Contains(out, "2 files") {
		t.Fatalf("directory: exit %d\n%s", code, out)
	}

	// A target that is down is an error: exit 2, a JUnit error per step, not a failure.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	code, out, _ = run("--target", down, good, "--junit", junit)
	data, _ = os.ReadFile(junit)
	if code != 2 || !strings.Contains(out, "the target is unreachable") || !strings.Contains(string(data), `<error message="the target is unreachable`) {
		t.Fatalf("target down: exit %d\n%s\n%s", code, out, data)
	}
	// --wait waits for /healthz, then gives up: exit 2 as well.
	start := time.Now()
	if code, out, _ := run("--target", down, "--wait", "400ms", good); code != 2 || !strings.Contains(out, "did not answer 200 within 400ms") || time.Since(start) < 400*time.Millisecond {
		t.Fatalf("--wait on a target that is down: exit %d\n%s", code, out)
	}
	if code, out, _ := run("--target", url, "--wait", "5s", "--var", "who=675676", good); code != 0 {
		t.Fatalf("--wait on a running sandbox: exit %d\n%s", code, out)
	}
}

// The examples replay green against the real binary, as `make run` serves it, with the real
// `sandbox replay`; a wrong expectation makes it exit 1 with the failure in its report.
func TestReplayBinaryExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	base, _ := startBinary(t)
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	cmd := exec.Command(binary(t), "replay", "../../scenarios/examples", "--target", base, "--junit", junit)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("replay of the examples: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS: 3 files") {
		t.Fatalf("report:\n%s", out)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc replay.JUnitSuites
	if err := xml.Unmarshal(data, &doc); err != nil || doc.Failures != 0 || doc.Tests < 30 || len(doc.Suites) != 3 {
		t.Fatalf("JUnit (%v): %+v", err, doc)
	}

	wrong := writeFile(t, dir, "wrong.yaml", "name: wrong\nsteps:\n  - name: Aadhu is not Grace\n    path: /v1/viewCustomer\n    body: {entityId: \"675676\"}\n    expect: {body: {result.firstName: Grace}}\n")
	cmd = exec.Command(binary(t), "replay", wrong, "--target", base)
	out, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), `body result.firstName: expected "Grace", got "Aadhu"`) {
		t.Fatalf("wrong expectation: %v\n%s", err, out)
	}
	cmd = exec.Command(binary(t), "replay", filepath.Join(dir, "nope.yaml"), "--target", base)
	if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("missing file: %v", err)
	}
}
