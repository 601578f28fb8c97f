// Package replay runs the steps of scenario files against a server (this sandbox or a
// partner's UAT), checks each answer against the step's expectations and against the
// contracts (internal/contracttest), prints a progress line per step and can write the
// results as JUnit XML. Three outcomes are kept apart: a step that failed (an expectation,
// or a contract violation, its own kind), and an error: the target could not be reached.
package replay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// Options say where and how to replay.
type Options struct {
	Target string            // base URL of the server, e.g. http://127.0.0.1:8080
	Client *http.Client      // nil: a client with a 30s timeout
	Reset  bool              // reset the file's tenants first even if it does not say reset: true
	Vars   map[string]string // values of ${name} that win over the files' vars
	Out    io.Writer         // the progress report; nil: none
	// Wait, when positive, is how long to wait for the target's GET /healthz to answer 200
	// before the first file (a server still starting, in CI); past it the target is unreachable.
	Wait time.Duration
}

// Run replays files one after the other and reports on opts.Out.
func Run(ctx context.Context, files []*scenariofile.File, opts Options) []*FileResult {
	rn := &runner{opts: opts, client: opts.Client, out: opts.Out, target: strings.TrimRight(opts.Target, "/"), run: runID()}
	if rn.client == nil {
		rn.client = &http.Client{Timeout: 30 * time.Second}
	}
	rn.admin = newAdminAPI(rn.target, rn.client)
	if rn.out == nil {
		rn.out = io.Discard
	}
	if opts.Wait > 0 {
		if err := rn.waitHealthy(ctx, opts.Wait); err != nil {
			rn.down = err.Error()
		}
	}
	var results []*FileResult
	for _, f := range files {
		results = append(results, rn.file(ctx, f))
	}
	rn.summary(results)
	return results
}

// waitHealthy polls GET /healthz until it answers 200, for at most d.
func (rn *runner) waitHealthy(ctx context.Context, d time.Duration) error {
	fmt.Fprintf(rn.out, "… waiting up to %s for %s/healthz\n", d, rn.target)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	last := "no answer yet"
	for {
		resp, _, err := rn.do(ctx, http.MethodGet, rn.target+"/healthz", nil, nil)
		switch {
		case err == nil && resp.StatusCode == http.StatusOK:
			return nil
		case err == nil:
			last = fmt.Sprintf("GET /healthz answered %d", resp.StatusCode)
		default:
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/healthz did not answer 200 within %s (%s)", rn.target, d, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// reachable says whether the target answers HTTP at all (any status counts; a server
// without the sandbox's /healthz is reachable too); it sets rn.down when it does not.
func (rn *runner) reachable(ctx context.Context) bool {
	if rn.down != "" {
		return false
	}
	if _, _, err := rn.do(ctx, http.MethodGet, rn.target+"/healthz", nil, nil); err != nil && unreachable(err) {
		rn.down = err.Error()
		return false
	}
	return true
}

// unreachable says an error means the target cannot be reached (no connection could be
// made, or its name does not resolve), as opposed to a server that failed to answer.
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

// runID is the value of ${run}: 8 hex digits, different on each run.
func runID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type runner struct {
	opts   Options
	client *http.Client
	out    io.Writer
	target string
	run    string
	admin  *adminAPI
	hasAPI *bool // whether the target has the admin API; nil: not probed yet
	probe  string
	down   string // why the target is unreachable; "" while it is not known to be
}

// fileRun is the state of one file's replay.
type fileRun struct {
	*runner
	f      *scenariofile.File
	res    *FileResult
	vars   map[string]any
	tokens map[string]string // profile tenant → bearer token
	rules  []string          // ids of the rules armed, removed at the end
}

func (rn *runner) file(ctx context.Context, f *scenariofile.File) *FileResult {
	fr := rn.newFileRun(f)
	fmt.Fprintf(rn.out, "▶ %s (%s) → %s\n", f.Name, f.Path, rn.target)
	if !rn.reachable(ctx) {
		fr.notRun()
		return fr.res
	}
	if err := fr.setup(ctx); err != nil {
		fr.setupFailed(err)
	} else {
		fr.steps(ctx)
	}
	fr.cleanup()
	fr.res.Duration = time.Since(fr.res.Started)
	fr.fileLine()
	return fr.res
}

// newFileRun starts a file's replay: its variables are the file's, then the command's.
func (rn *runner) newFileRun(f *scenariofile.File) *fileRun {
	fr := &fileRun{runner: rn, f: f, res: &FileResult{File: f, Target: rn.target, Started: time.Now()},
		vars: map[string]any{scenariofile.RunVar: rn.run}, tokens: map[string]string{}}
	for _, v := range f.Vars {
		fr.vars[v.Name] = v.Value
	}
	for k, v := range rn.opts.Vars {
		fr.vars[k] = v
	}
	return fr
}

// notRun records every step as an error: the target is unreachable.
func (fr *fileRun) notRun() {
	msg := "the target is unreachable: " + fr.down
	fmt.Fprintf(fr.out, "  ! %s\n", msg)
	for _, s := range fr.f.Steps {
		fr.res.Steps = append(fr.res.Steps, StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Error: msg})
	}
	fr.res.Duration = time.Since(fr.res.Started)
	fmt.Fprintf(fr.out, "! %s: %d steps not run (error)\n\n", fr.f.Name, len(fr.f.Steps))
}

// setupFailed records the setup's failure (an error if the target went away) and every
// step as skipped.
func (fr *fileRun) setupFailed(err error) {
	setup := StepResult{Name: "setup", Pos: fr.f.Path, Failures: []string{err.Error()}}
	if fr.down != "" {
		setup = StepResult{Name: "setup", Pos: fr.f.Path, Error: "the target is unreachable: " + fr.down}
	}
	fr.res.Steps = append(fr.res.Steps, setup)
	fmt.Fprintf(fr.out, "  ✗ setup: %v\n", err)
	for _, s := range fr.f.Steps {
		fr.res.Steps = append(fr.res.Steps, StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Skipped: "the setup failed"})
	}
}

// steps runs the file's steps in order, reporting each.
func (fr *fileRun) steps(ctx context.Context) {
	for i := range fr.f.Steps {
		s := &fr.f.Steps[i]
		if ctx.Err() != nil {
			fr.res.Steps = append(fr.res.Steps, StepResult{Name: s.Name, Pos: s.Pos, Skipped: "interrupted"})
			continue
		}
		r := fr.step(ctx, i, s)
		fr.res.Steps = append(fr.res.Steps, r)
		fr.progress(i, s, &r)
	}
}

// hasAdmin says whether the target serves the sandbox admin API (probed once per run).
func (rn *runner) hasAdmin(ctx context.Context) bool {
	if rn.hasAPI != nil {
		return *rn.hasAPI
	}
	why, err := rn.admin.probe(ctx)
	if err != nil && unreachable(err) {
		rn.down = err.Error()
		rn.probe = "the target is unreachable: " + err.Error()
		return false // not cached: it is not known whether the target has the admin API
	}
	ok := why == ""
	rn.probe, rn.hasAPI = why, &ok
	return ok
}

// setup resets, adds the fixtures and arms the rules, through the admin API.
func (fr *fileRun) setup(ctx context.Context) error {
	f := fr.f
	reset := f.Reset || fr.opts.Reset
	if !reset && len(f.Rules) == 0 && len(f.Fixtures) == 0 {
		return nil
	}
	if !fr.hasAdmin(ctx) {
		if fr.down != "" {
			return errors.New("the target is unreachable: " + fr.down)
		}
		var what []string
		if reset {
			what = append(what, "reset")
		}
		if len(f.Fixtures) > 0 {
			what = append(what, fmt.Sprintf("%d fixtures", len(f.Fixtures)))
		}
		if len(f.Rules) > 0 {
			what = append(what, fmt.Sprintf("%d rules", len(f.Rules)))
		}
		fr.warn("the target has no sandbox admin API (%s): skipping %s", fr.probe, strings.Join(what, ", "))
		return nil
	}
	if reset {
		for _, t := range f.Tenants() {
			if err := fr.admin.reset(ctx, t); err != nil {
				return fmt.Errorf("reset %s: %w", t, err)
			}
			fmt.Fprintf(fr.out, "  · reset %s\n", t)
		}
	}
	if err := fr.fixtures(ctx); err != nil {
		return err
	}
	for _, r := range f.Rules {
		id, err := fr.admin.armRule(ctx, r.Spec())
		if err != nil {
			return fmt.Errorf("%s: arming the rule: %w", r.Pos, err)
		}
		fr.rules = append(fr.rules, id)
		fmt.Fprintf(fr.out, "  · armed %s: %s\n", id, describeRule(r.Spec()))
	}
	return nil
}

// fixtures adds the file's records, each tenant's in one call (all or none).
func (fr *fileRun) fixtures(ctx context.Context) error {
	var tenants []string
	byTenant := map[string][]scenariofile.Fixture{}
	for _, fx := range fr.f.Fixtures {
		if byTenant[fx.Tenant] == nil {
			tenants = append(tenants, fx.Tenant)
		}
		byTenant[fx.Tenant] = append(byTenant[fx.Tenant], fx)
	}
	for _, t := range tenants {
		if err := fr.admin.addRecords(ctx, t, byTenant[t]); err != nil {
			return fmt.Errorf("fixtures of %s: %w", t, err)
		}
		fmt.Fprintf(fr.out, "  · added %d fixtures for %s\n", len(byTenant[t]), t)
	}
	return nil
}

func describeRule(r scenarios.Rule) string {
	var b strings.Builder
	b.WriteString(r.OperationID + " →")
	for _, s := range []string{r.Outcome, r.Fault} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	if r.Delay != "" {
		b.WriteString(" after " + r.Delay)
	}
	if r.Times > 0 {
		fmt.Fprintf(&b, " ×%d", r.Times)
	}
	if r.Tenant != "" {
		b.WriteString(" for " + r.Tenant)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Match)) {
		fmt.Fprintf(&b, " where %s=%s", k, r.Match[k])
	}
	return b.String()
}

// cleanup removes the rules the file armed, so they do not steer the next file.
func (fr *fileRun) cleanup() {
	for _, id := range fr.rules {
		if err := fr.admin.removeRule(context.Background(), id); err != nil {
			fr.warn("removing %s: %v", id, err)
		}
	}
}

// step runs one step.
func (fr *fileRun) step(ctx context.Context, i int, s *scenariofile.Step) StepResult {
	r := StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Note: s.Note}
	if s.Skip != "" {
		r.Skipped = string(s.Skip)
		return r
	}
	if !s.IsRequest() {
		return fr.clock(ctx, s, r)
	}
	start := time.Now()
	req, err := fr.request(ctx, s)
	if err != nil {
		r.Failures = append(r.Failures, err.Error())
		return r
	}
	r.Path = req.URL.Path
	if req.URL.RawQuery != "" {
		r.Path += "?" + req.URL.RawQuery
	}
	reqBody, err := readBody(req)
	if err != nil {
		r.Failures = append(r.Failures, err.Error())
		return r
	}
	resp, err := fr.client.Do(req)
	if err != nil {
		r.Duration = time.Since(start)
		if unreachable(err) {
			fr.down = err.Error()
			r.Error = "the target is unreachable: " + err.Error()
		} else {
			r.Failures = append(r.Failures, "no answer: "+err.Error())
		}
		return r
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.Duration = time.Since(start)
	if err != nil {
		r.Failures = append(r.Failures, "reading the answer: "+err.Error())
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody)) // the contract checker routes with it
	fr.assess(&r, s, req, resp, body)
	return r
}

func (fr *fileRun) clock(ctx context.Context, s *scenariofile.Step, r StepResult) StepResult {
	r.Method, r.Path = http.MethodPost, "/__sandbox/clock"
	if !fr.hasAdmin(ctx) {
		if fr.down != "" {
			r.Error = "the target is unreachable: " + fr.down
		} else {
			r.Skipped = "the target has no sandbox admin API (" + fr.probe + ")"
		}
		return r
	}
	start := time.Now()
	now, err := fr.admin.moveClock(ctx, s.Clock)
	r.Duration = time.Since(start)
	if err != nil {
		r.Failures = append(r.Failures, err.Error())
		return r
	}
	r.Status = http.StatusOK
	r.Name = s.Name + " → " + now
	return r
}
