package main

import (
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/replay"
)

func init() {
	commands["coverage"] = command{"which documented outcomes a tenant's calls received; a CI gate (sandbox help coverage)",
		func(w io.Writer) {
			fs, _ := coverageFlags()
			printFlags(w, coverageUsage, fs)
		},
		func(args []string) error {
			if code := coverageCmd(context.Background(), args, os.Stdout, os.Stderr); code != 0 {
				return exitStatus(code)
			}
			return nil
		}}
}

const coverageUsage = `usage: sandbox coverage --target URL --tenant T [--api dcms|dmt|profile] [--min PERCENT] [--junit FILE]

Prints which documented outcomes of every operation (the scenario catalogue) the tenant's
calls to the sandbox at --target have received, and how often (forced: by a steering
header, an armed rule or a magic value). --junit writes JUnit XML with one test case per
documented outcome, failed when it was never received. Exits 1 when fewer than --min
percent of the outcomes were received, 2 when the sandbox could not be asked.`

type coverageOpts struct {
	target, tenant, api, junit string
	min                        float64
	timeout                    time.Duration
}

func coverageFlags() (*flag.FlagSet, *coverageOpts) {
	o := &coverageOpts{}
	fs := flag.NewFlagSet("coverage", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", envOr("SANDBOX_TARGET", "http://127.0.0.1:8080"), "base URL of the sandbox (env SANDBOX_TARGET)")
	fs.StringVar(&o.tenant, "tenant", "", "the tenant whose coverage to report: DCMS tenant, DMT client_id or profile tenantId (required)")
	fs.StringVar(&o.api, "api", "", "only this API: dcms, dmt or profile")
	fs.Float64Var(&o.min, "min", 0, "fail (exit 1) when fewer than this percentage of the documented outcomes were received")
	fs.StringVar(&o.junit, "junit", "", "write JUnit XML to this file: one test case per documented outcome")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for the answer")
	return fs, o
}

// coverageCmd is `sandbox coverage`; it returns the exit code.
func coverageCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := coverageFlags()
	if err := parseFlags("coverage", fs, args, stdout); err != nil {
		return exit(err, stderr)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sandbox: coverage: "+format+"\n", a...)
		return 2
	}
	switch {
	case o.tenant == "":
		return exit(usageErrorf("coverage", "--tenant is required"), stderr)
	case o.min < 0 || o.min > 100:
		return exit(usageErrorf("coverage", "--min %v: give a percentage from 0 to 100", o.min), stderr)
	}

	rep, err := fetchCoverage(ctx, o)
	if err != nil {
		return fail("%v", err)
	}
	pct := percent(rep)
	if err := printCoverage(stdout, rep, o.target, pct); err != nil {
		return fail("%v", err)
	}
	if o.junit != "" {
		if err := writeCoverageJUnit(o.junit, rep, o.target); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "JUnit XML written to %s\n", o.junit)
	}
	if pct < o.min {
		fmt.Fprintf(stdout, "FAIL: %.1f%% of the documented outcomes received, below --min %g%%\n", pct, o.min)
		return 1
	}
	if o.min > 0 {
		fmt.Fprintf(stdout, "PASS: %.1f%% of the documented outcomes received (--min %g%%)\n", pct, o.min)
	}
	return 0
}

// fetchCoverage asks the sandbox at o.target for the tenant's coverage report.
func fetchCoverage(ctx context.Context, o *coverageOpts) (*api.Coverage, error) {
	client, err := api.NewClientWithResponses(strings.TrimRight(o.target, "/"), api.WithHTTPClient(&http.Client{Timeout: o.timeout}))
	if err != nil {
		return nil, err
	}
	params := &api.GetCoverageParams{Tenant: o.tenant}
	if o.api != "" {
		a := api.GetCoverageParamsApi(o.api)
		params.Api = &a
	}
	resp, err := client.GetCoverageWithResponse(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("asking %s: %v", o.target, err)
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("%s answered %d: %s", o.target, resp.StatusCode(), strings.TrimSpace(string(resp.Body)))
	}
	return resp.JSON200, nil
}

// percent is the share of documented outcomes received (100 when there are none).
func percent(rep *api.Coverage) float64 {
	if rep.Total == 0 {
		return 100
	}
	return 100 * float64(rep.Covered) / float64(rep.Total)
}

// printCoverage prints the matrix: one row per outcome, the operation on its first row.
func printCoverage(w io.Writer, rep *api.Coverage, target string, pct float64) error {
	fmt.Fprintf(w, "coverage of tenant %s at %s: %d of %d documented outcomes received (%.1f%%)\n\n", rep.Tenant, target, rep.Covered, rep.Total, pct)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tOPERATION\tOUTCOME\tSTATUS\tCODE\tCALLS\tFORCED")
	for _, op := range rep.Operations {
		for i, o := range op.Outcomes {
			a, id := "", ""
			if i == 0 {
				a, id = string(op.Api), op.OperationId
			}
			code := o.Code
			if code == "" {
				code = "-"
			}
			calls, forced := "never", ""
			if o.Count > 0 {
				calls, forced = fmt.Sprint(o.Count), fmt.Sprint(o.Forced)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", a, id, o.Name, o.Status, code, calls, forced)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// coverageJUnit is the report as JUnit: one suite per API, one case per documented
// outcome (classname api.operationId), failed when the tenant never received it.
func coverageJUnit(rep *api.Coverage, target string) replay.JUnitSuites {
	doc := replay.JUnitSuites{Name: "sandbox coverage of " + rep.Tenant, Time: "0"}
	index := map[string]int{}
	for _, op := range rep.Operations {
		i, ok := index[string(op.Api)]
		if !ok {
			i = len(doc.Suites)
			index[string(op.Api)] = i
			doc.Suites = append(doc.Suites, replay.JUnitSuite{Name: fmt.Sprintf("%s coverage of %s", op.Api, rep.Tenant), Time: "0",
				Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05")})
		}
		s := &doc.Suites[i]
		for _, o := range op.Outcomes {
			name := fmt.Sprintf("%s %d", o.Name, o.Status)
			if o.Code != "" {
				name += " " + o.Code
			}
			c := replay.JUnitCase{Name: name, Classname: string(op.Api) + "." + op.OperationId, Time: "0"}
			if o.Count == 0 {
				msg := fmt.Sprintf("%s: outcome %s was never received by tenant %s", op.OperationId, o.Name, rep.Tenant)
				c.Failure = &replay.JUnitFailure{Message: msg, Type: "not-covered",
					Text: fmt.Sprintf("%s\nForce it to see how your integration handles it: send X-Sandbox-Scenario: %s, or arm a rule (POST %s/__sandbox/rules).", msg, o.Name, target)}
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	return doc
}

func writeCoverageJUnit(path string, rep *api.Coverage, target string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, xml.Header); err != nil {
		f.Close()
		return err
	}
	enc := xml.NewEncoder(f)
	enc.Indent("", "  ")
	if err := enc.Encode(coverageJUnit(rep, target)); err != nil {
		f.Close()
		return err
	}
	if _, err := io.WriteString(f, "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
