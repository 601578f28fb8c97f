package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

func runCoverage(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := coverageCmd(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCoverageCommand(t *testing.T) {
	_, c := contracttest.Start(t)
	bank := c.With("tenant", "CLI_BANK")
	bank.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	bank.Post("/v1/viewCustomer", `{"entityId":"999999"}`)
	bank.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "invalid-input")
	var rep struct{ Covered, Total int }
	c.Get("/__sandbox/coverage?tenant=CLI_BANK").Decode(t, &rep)
	if rep.Covered != 3 {
		t.Fatalf("covered %d, want 3", rep.Covered)
	}
	pct := 100 * float64(rep.Covered) / float64(rep.Total)

	// The matrix: every outcome, received ones with their counts.
	code, out, errOut := runCoverage("--target", c.BaseURL, "--tenant", "CLI_BANK")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"coverage of tenant CLI_BANK", "3 of ",
		"viewCustomer", "customer-not-found", "CUS001",
		"OUTCOME", "never",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n < rep.Total {
		t.Fatalf("%d lines for %d outcomes:\n%s", n, rep.Total, out)
	}

	// --min: exit 1 below it, 0 at or above it.
	above := strconv.FormatFloat(pct+0.01, 'f', 4, 64)
	if code, out, _ := runCoverage("--target", c.BaseURL, "--tenant", "CLI_BANK", "--min", above); code != 1 || !strings.Contains(out, "FAIL:") {
		t.Fatalf("--min %s (above %.2f%%): exit %d\n%s", above, pct, code, out)
	}
	if code, out, _ := runCoverage("--target", c.BaseURL, "--tenant", "CLI_BANK", "--min", strconv.FormatFloat(pct-0.01, 'f', 4, 64)); code != 0 || !strings.Contains(out, "PASS:") {
		t.Fatalf("--min just under %.2f%%: exit %d\n%s", pct, code, out)
	}
	if code, out, _ := runCoverage("--target", c.BaseURL, "--tenant", "CLI_BANK", "--api", "dmt", "--min", "1"); code != 1 {
		t.Fatalf("--api dmt: nothing received there, exit %d\n%s", code, out)
	}

	// JUnit, read by a third-party parser: one case per documented outcome, failed when
	// never received.
	file := filepath.Join(t.TempDir(), "coverage.xml")
	if code, out, errOut := runCoverage("--target", c.BaseURL, "--tenant", "CLI_BANK", "--junit", file); code != 0 || !strings.Contains(out, "JUnit XML written to "+file) {
		t.Fatalf("--junit: exit %d\n%s%s", code, out, errOut)
	}
	suites, err := junit.IngestFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tests, failed, passed := 0, 0, map[string]bool{}
	for _, s := range suites {
		s.Aggregate()
		tests += s.Totals.Tests
		failed += s.Totals.Failed
		for _, tc := range s.Tests {
			if tc.Status == junit.StatusPassed {
				passed[tc.Classname+" "+tc.Name] = true
			} else if tc.Status == junit.StatusFailed && !strings.Contains(tc.Message, "never received by tenant CLI_BANK") {
				t.Fatalf("failure message %q", tc.Message)
			}
		}
	}
	if len(suites) != 3 || tests != rep.Total || failed != rep.Total-rep.Covered {
		t.Fatalf("JUnit: %d suites, %d tests, %d failed; want 3 suites, %d tests, %d failed", len(suites), tests, failed, rep.Total, rep.Total-rep.Covered)
	}
	for _, want := range []string{"dcms.viewCustomer ok 200", "dcms.viewCustomer customer-not-found 400 CUS001", "dcms.viewCustomer invalid-input 400 invalid.input.request"} {
		if !passed[want] {
			t.Fatalf("%q did not pass; passed: %v", want, passed)
		}
	}

	// Usage errors and an unreachable sandbox: 2.
	for _, args := range [][]string{
		{"--target", c.BaseURL},
		{"--target", c.BaseURL, "--tenant", "CLI_BANK", "--min", "101"},
		{"--target", "http://127.0.0.1:1", "--tenant", "CLI_BANK"},
		{"--target", c.BaseURL, "--tenant", "CLI_BANK", "--api", "nope"},
	} {
		if code, out, errOut := runCoverage(args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2\n%s%s", args, code, out, errOut)
		}
	}
}

// TestCoverageCommandExitCode runs the real binary: a CI job reads its exit status.
func TestCoverageCommandExitCode(t *testing.T) {
	url, stop := startBinary(t)
	defer stop()
	cmd := exec.Command(binary(t), "coverage", "--target", url, "--tenant", "NOBODY", "--min", "50")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "FAIL: 0.0%") {
		t.Fatalf("a tenant that made no call, --min 50: %v\n%s", err, out)
	}
	if out, err := exec.Command(binary(t), "coverage", "--target", url, "--tenant", "NOBODY").CombinedOutput(); err != nil {
		t.Fatalf("without --min: %v\n%s", err, out)
	}
}
