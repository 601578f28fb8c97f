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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/scenarios"
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

// StepResult is what happened to one step (or to the setup, when it failed).
type StepResult struct {
	Name     string
	Pos      string // file:line of the step
	Method   string
	Path     string // as sent, variables expanded
	Status   int    // 0: no answer
	Duration time.Duration
	Failures []string // unmet expectations; empty (and no Contract, no Error): passed, unless skipped
	Contract []string // contract violations of the answer (an undocumented status, field or type)
	Error    string   // the target could not be reached: nothing was checked
	Skipped  string   // why it did not run
	Note     string   // the step's note
	Response string   // the start of the answer's body, when the step failed
}

// Passed says the step ran, met every expectation and got an answer the contract allows.
func (s *StepResult) Passed() bool {
	return s.Skipped == "" && s.Error == "" && len(s.Failures) == 0 && len(s.Contract) == 0
}

// Failed says the step ran and got a wrong answer: an expectation or the contract unmet.
func (s *StepResult) Failed() bool {
	return s.Skipped == "" && s.Error == "" && (len(s.Failures) > 0 || len(s.Contract) > 0)
}

// FileResult is the replay of one file.
type FileResult struct {
	File     *scenarios.File
	Target   string
	Started  time.Time
	Duration time.Duration
	Warnings []string
	Steps    []StepResult // a failed setup is the first, named "setup"
}

// Counts are how many steps failed, were skipped, and could not run because the target
// was unreachable (errors).
func (r *FileResult) Counts() (failed, skipped, errored int) {
	for i := range r.Steps {
		switch st := &r.Steps[i]; {
		case st.Skipped != "":
			skipped++
		case st.Error != "":
			errored++
		case st.Failed():
			failed++
		}
	}
	return failed, skipped, errored
}

// AnyFailed says whether any step of any result failed (an error is not a failure).
func AnyFailed(results []*FileResult) bool {
	for _, r := range results {
		if f, _, _ := r.Counts(); f > 0 {
			return true
		}
	}
	return false
}

// ExitCode is what `sandbox replay` exits with: 2 if the target could not be reached (an
// error), else 1 if a step failed, else 0.
func ExitCode(results []*FileResult) int {
	code := 0
	for _, r := range results {
		f, _, e := r.Counts()
		if e > 0 {
			return 2
		}
		if f > 0 {
			code = 1
		}
	}
	return code
}

// Run replays files one after the other and reports on opts.Out.
func Run(ctx context.Context, files []*scenarios.File, opts Options) []*FileResult {
	rn := &runner{opts: opts, client: opts.Client, out: opts.Out, target: strings.TrimRight(opts.Target, "/"), run: runID()}
	if rn.client == nil {
		rn.client = &http.Client{Timeout: 30 * time.Second}
	}
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
	admin  *bool // nil: not probed yet
	probe  string
	down   string // why the target is unreachable; "" while it is not known to be
}

// fileRun is the state of one file's replay.
type fileRun struct {
	*runner
	f      *scenarios.File
	res    *FileResult
	vars   map[string]any
	tokens map[string]string // profile tenant → bearer token
	rules  []string          // ids of the rules armed, removed at the end
}

func (rn *runner) file(ctx context.Context, f *scenarios.File) *FileResult {
	fr := &fileRun{runner: rn, f: f, res: &FileResult{File: f, Target: rn.target, Started: time.Now()},
		vars: map[string]any{scenarios.RunVar: rn.run}, tokens: map[string]string{}}
	for _, v := range f.Vars {
		fr.vars[v.Name] = v.Value
	}
	for k, v := range rn.opts.Vars {
		fr.vars[k] = v
	}
	fmt.Fprintf(rn.out, "▶ %s (%s) → %s\n", f.Name, f.Path, rn.target)
	if !rn.reachable(ctx) {
		msg := "the target is unreachable: " + rn.down
		fmt.Fprintf(rn.out, "  ! %s\n", msg)
		for _, s := range f.Steps {
			fr.res.Steps = append(fr.res.Steps, StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Error: msg})
		}
		fr.res.Duration = time.Since(fr.res.Started)
		fmt.Fprintf(rn.out, "! %s: %d steps not run (error)\n\n", f.Name, len(f.Steps))
		return fr.res
	}
	if err := fr.setup(ctx); err != nil {
		setup := StepResult{Name: "setup", Pos: f.Path, Failures: []string{err.Error()}}
		if fr.down != "" {
			setup = StepResult{Name: "setup", Pos: f.Path, Error: "the target is unreachable: " + fr.down}
		}
		fr.res.Steps = append(fr.res.Steps, setup)
		fmt.Fprintf(rn.out, "  ✗ setup: %v\n", err)
		for _, s := range f.Steps {
			fr.res.Steps = append(fr.res.Steps, StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Skipped: "the setup failed"})
		}
	} else {
		for i := range f.Steps {
			if ctx.Err() != nil {
				fr.res.Steps = append(fr.res.Steps, StepResult{Name: f.Steps[i].Name, Pos: f.Steps[i].Pos, Skipped: "interrupted"})
				continue
			}
			r := fr.step(ctx, i, &f.Steps[i])
			fr.res.Steps = append(fr.res.Steps, r)
			fr.progress(i, &f.Steps[i], &r)
		}
	}
	fr.cleanup()
	fr.res.Duration = time.Since(fr.res.Started)
	failed, skipped, errored := fr.res.Counts()
	mark := "✓"
	switch {
	case errored > 0:
		mark = "!"
	case failed > 0:
		mark = "✗"
	}
	fmt.Fprintf(rn.out, "%s %s: %d steps, %d failed, %d skipped, %d errors (%s)\n\n", mark, f.Name, len(fr.res.Steps), failed, skipped, errored, fr.res.Duration.Round(time.Millisecond))
	return fr.res
}

func (fr *fileRun) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fr.res.Warnings = append(fr.res.Warnings, msg)
	fmt.Fprintf(fr.out, "  ! %s\n", msg)
}

// hasAdmin says whether the target serves the sandbox admin API (probed once per run).
func (rn *runner) hasAdmin(ctx context.Context) bool {
	if rn.admin != nil {
		return *rn.admin
	}
	ok := false
	resp, body, err := rn.do(ctx, http.MethodGet, rn.target+"/__sandbox/rules", nil, nil)
	switch {
	case err != nil && unreachable(err):
		rn.down = err.Error()
		rn.probe = "the target is unreachable: " + err.Error()
		return false // not cached: it is not known whether the target has the admin API
	case err != nil:
		rn.probe = err.Error()
	case resp.StatusCode != http.StatusOK:
		rn.probe = fmt.Sprintf("GET /__sandbox/rules answered %d", resp.StatusCode)
	default:
		var v struct{ Rules []any }
		if json.Unmarshal(body, &v) != nil || v.Rules == nil {
			rn.probe = "GET /__sandbox/rules did not answer a rule list"
		} else {
			ok = true
		}
	}
	rn.admin = &ok
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
			if _, err := fr.admin(ctx, http.MethodPost, "/__sandbox/reset?tenant="+url.QueryEscape(t), nil, http.StatusOK); err != nil {
				return fmt.Errorf("reset %s: %w", t, err)
			}
			fmt.Fprintf(fr.out, "  · reset %s\n", t)
		}
	}
	if err := fr.fixtures(ctx); err != nil {
		return err
	}
	for i, r := range f.Rules {
		body, err := fr.admin(ctx, http.MethodPost, "/__sandbox/rules", ruleSpec(r), http.StatusCreated)
		if err != nil {
			return fmt.Errorf("%s: arming the rule: %w", f.RulePos[i], err)
		}
		var armed scenarios.Rule
		_ = json.Unmarshal(body, &armed)
		fr.rules = append(fr.rules, armed.ID)
		fmt.Fprintf(fr.out, "  · armed %s: %s\n", armed.ID, describeRule(r))
	}
	return nil
}

// ruleSpec is a rule as POST /__sandbox/rules takes it.
func ruleSpec(r scenarios.Rule) map[string]any {
	spec := map[string]any{"operationId": r.OperationID}
	for k, v := range map[string]string{"outcome": r.Outcome, "fault": r.Fault, "delay": r.Delay, "tenant": r.Tenant} {
		if v != "" {
			spec[k] = v
		}
	}
	if r.Times > 0 {
		spec["times"] = r.Times
	}
	if len(r.Match) > 0 {
		spec["match"] = r.Match
	}
	return spec
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

// fixtures adds the file's records: per tenant, the snapshot is read, the records added
// and the snapshot put back.
func (fr *fileRun) fixtures(ctx context.Context) error {
	var tenants []string
	byTenant := map[string][]scenarios.Fixture{}
	for _, fx := range fr.f.Fixtures {
		if byTenant[fx.Tenant] == nil {
			tenants = append(tenants, fx.Tenant)
		}
		byTenant[fx.Tenant] = append(byTenant[fx.Tenant], fx)
	}
	for _, t := range tenants {
		q := "/__sandbox/snapshot?tenant=" + url.QueryEscape(t)
		body, err := fr.admin(ctx, http.MethodGet, q, nil, http.StatusOK)
		if err != nil {
			return fmt.Errorf("fixtures of %s: reading the snapshot: %w", t, err)
		}
		var snap struct {
			Version int                                              `json:"version"`
			Tenant  string                                           `json:"tenant"`
			APIs    map[string]map[string]map[string]json.RawMessage `json:"apis"`
		}
		if err := json.Unmarshal(body, &snap); err != nil {
			return fmt.Errorf("fixtures of %s: the snapshot is not JSON: %w", t, err)
		}
		if snap.APIs == nil {
			snap.APIs = map[string]map[string]map[string]json.RawMessage{}
		}
		for _, fx := range byTenant[t] {
			if snap.APIs[fx.API] == nil {
				snap.APIs[fx.API] = map[string]map[string]json.RawMessage{}
			}
			if snap.APIs[fx.API][fx.Kind] == nil {
				snap.APIs[fx.API][fx.Kind] = map[string]json.RawMessage{}
			}
			snap.APIs[fx.API][fx.Kind][fx.ID] = fx.Value
		}
		if _, err := fr.admin(ctx, http.MethodPut, q, snap, http.StatusOK); err != nil {
			return fmt.Errorf("fixtures of %s: %w", t, err)
		}
		fmt.Fprintf(fr.out, "  · added %d fixtures for %s\n", len(byTenant[t]), t)
	}
	return nil
}

// cleanup removes the rules the file armed, so they do not steer the next file.
func (fr *fileRun) cleanup() {
	for _, id := range fr.rules {
		if _, err := fr.admin(context.Background(), http.MethodDelete, "/__sandbox/rules/"+url.PathEscape(id), nil, http.StatusNoContent); err != nil {
			fr.warn("removing %s: %v", id, err)
		}
	}
}

// admin calls the admin API and wants status.
func (fr *fileRun) admin(ctx context.Context, method, path string, body any, status int) ([]byte, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	h := http.Header{}
	if data != nil {
		h.Set("Content-Type", "application/json")
	}
	resp, out, err := fr.do(ctx, method, fr.target+path, h, data)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != status {
		return out, fmt.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, snippet(out))
	}
	return out, nil
}

func (rn *runner) do(ctx context.Context, method, u string, h http.Header, body []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := rn.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

// step runs one step.
func (fr *fileRun) step(ctx context.Context, i int, s *scenarios.Step) StepResult {
	r := StepResult{Name: s.Name, Pos: s.Pos, Method: s.Method, Path: s.Path, Note: s.Note}
	if s.Skip != "" {
		r.Skipped = s.Skip
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
	r.Status = resp.StatusCode
	r.Failures = append(r.Failures, fr.check(s, resp, body)...)
	r.Failures = append(r.Failures, fr.save(s, body)...)
	req.Body = io.NopCloser(bytes.NewReader(reqBody)) // the checker routes with it
	if err := contracttest.Validate(req, resp.StatusCode, resp.Header, body); err != nil {
		r.Contract = append(r.Contract, err.Error())
	}
	if !r.Passed() {
		r.Response = snippet(body)
	}
	return r
}

// readBody reads a request's body and puts it back, so it can be read again.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(data))
	return data, err
}

func (fr *fileRun) clock(ctx context.Context, s *scenarios.Step, r StepResult) StepResult {
	r.Method, r.Path = http.MethodPost, "/__sandbox/clock"
	if !fr.hasAdmin(ctx) {
		if fr.down != "" {
			r.Error = "the target is unreachable: " + fr.down
		} else {
			r.Skipped = "the target has no sandbox admin API (" + fr.probe + ")"
		}
		return r
	}
	body := map[string]any{}
	switch c := s.Clock; {
	case c.Advance != "":
		body["advance"] = c.Advance
	case c.Set != "":
		body["set"] = c.Set
	default:
		body["reset"] = true
	}
	path := "/__sandbox/clock"
	if s.Clock.Tenant != "" {
		path += "?tenant=" + url.QueryEscape(s.Clock.Tenant)
	}
	start := time.Now()
	out, err := fr.admin(ctx, http.MethodPost, path, body, http.StatusOK)
	r.Duration = time.Since(start)
	if err != nil {
		r.Failures = append(r.Failures, err.Error())
		return r
	}
	r.Status = http.StatusOK
	var now struct{ Now string }
	_ = json.Unmarshal(out, &now)
	r.Name = s.Name + " → " + now.Now
	return r
}

func (fr *fileRun) lookup(name string) (string, bool) {
	v, ok := fr.vars[name]
	if !ok {
		return "", false
	}
	return scenarios.Scalar(v), true
}

func (fr *fileRun) expand(s string) (string, error) {
	out, missing, ok := scenarios.Expand(s, fr.lookup)
	if !ok {
		return "", fmt.Errorf("${%s} has no value (the step that saves it failed or did not run)", missing)
	}
	return out, nil
}

// expandValue expands variables in every string of a JSON value; a string that is exactly
// "${name}" becomes the saved value itself (a number stays a number).
func (fr *fileRun) expandValue(v any) (any, error) {
	switch t := v.(type) {
	case string:
		if name, ok := scenarios.WholeVar(t); ok {
			if val, ok := fr.vars[name]; ok {
				return val, nil
			}
		}
		return fr.expand(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			x, err := fr.expandValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			x, err := fr.expandValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

// request builds a step's request: variables expanded, credentials added by API.
func (fr *fileRun) request(ctx context.Context, s *scenarios.Step) (*http.Request, error) {
	path, err := fr.expand(s.Path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, kv := range s.Query {
		v, err := fr.expand(kv.Value)
		if err != nil {
			return nil, err
		}
		q.Add(kv.Name, v)
	}
	u := fr.target + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	switch {
	case s.HasBody:
		v, err := fr.expandValue(s.Body)
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	case s.HasRaw:
		raw, err := fr.expand(s.Raw)
		if err != nil {
			return nil, err
		}
		body = strings.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, u, body)
	if err != nil {
		return nil, err
	}
	if s.ContentType != "" {
		req.Header.Set("Content-Type", s.ContentType)
	}
	if !s.NoAuth {
		if err := fr.credentials(ctx, s, req.Header); err != nil {
			return nil, err
		}
	}
	if s.Scenario != "" {
		req.Header.Set(scenarios.Header, s.Scenario)
	}
	for _, kv := range s.Headers {
		v, err := fr.expand(kv.Value)
		if err != nil {
			return nil, err
		}
		req.Header.Set(kv.Name, v)
	}
	return req, nil
}

// getAppToken is the profile API's token operation; replay calls it for profile steps.
const getAppToken = "/api/AppSessionManager/GetAppToken"

// credentials adds the headers of the step's API.
func (fr *fileRun) credentials(ctx context.Context, s *scenarios.Step, h http.Header) error {
	c := fr.f.Credentials
	switch s.API {
	case "dcms":
		h.Set("tenant", or(s.Tenant, c.DCMS.Tenant))
	case "dmt":
		h.Set("client_id", or(s.Tenant, c.DMT.ClientID))
		h.Set("client_secret", c.DMT.ClientSecret)
	case "profile":
		if s.Path == getAppToken {
			return nil
		}
		tenant := or(s.Tenant, c.Profile.TenantID)
		tok, ok := fr.tokens[tenant]
		if !ok {
			var err error
			if tok, err = fr.token(ctx, tenant); err != nil {
				return err
			}
			fr.tokens[tenant] = tok
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// token calls GetAppToken for a profile tenant.
func (fr *fileRun) token(ctx context.Context, tenant string) (string, error) {
	c := fr.f.Credentials.Profile
	data, _ := json.Marshal(map[string]string{"appId": c.AppID, "appSecret": c.AppSecret, "tenantId": tenant})
	resp, body, err := fr.do(ctx, http.MethodPost, fr.target+getAppToken, http.Header{"Content-Type": {"application/json"}}, data)
	if err != nil {
		return "", fmt.Errorf("getting a profile token for %s: %w", tenant, err)
	}
	var v any
	_ = json.Unmarshal(body, &v)
	tok, _ := scenarios.Lookup(v, "result.token")
	if s, ok := tok.(string); ok && resp.StatusCode == http.StatusOK && s != "" {
		return s, nil
	}
	return "", fmt.Errorf("getting a profile token for %s (appId %s): GetAppToken answered %d: %s", tenant, c.AppID, resp.StatusCode, snippet(body))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// check compares the answer with the step's expectations.
func (fr *fileRun) check(s *scenarios.Step, resp *http.Response, body []byte) []string {
	var fails []string
	e := s.Expect
	if e.Status != 0 && resp.StatusCode != e.Status {
		fails = append(fails, fmt.Sprintf("status: expected %d, got %d", e.Status, resp.StatusCode))
	}
	if len(e.Body) > 0 {
		doc, err := decodeJSON(body)
		if err != nil {
			fails = append(fails, fmt.Sprintf("body: expected JSON, got %q (%s)", resp.Header.Get("Content-Type"), err))
		} else {
			for _, c := range e.Body {
				v, found := lookupBody(doc, c.Path)
				if msg := fr.match(c.Match, v, found); msg != "" {
					fails = append(fails, "body "+c.Path+": "+msg)
				}
			}
		}
	}
	for _, c := range e.Headers {
		vals, found := resp.Header[http.CanonicalHeaderKey(c.Path)]
		var v any
		if found {
			v = strings.Join(vals, ", ")
		}
		if msg := fr.match(c.Match, v, found); msg != "" {
			fails = append(fails, "header "+c.Path+": "+msg)
		}
	}
	return fails
}

func lookupBody(doc any, path string) (any, bool) {
	if path == "$" {
		return doc, true
	}
	return scenarios.Lookup(doc, path)
}

// match says what is wrong ("" : nothing) with a value (found: it exists).
func (fr *fileRun) match(m scenarios.Matcher, v any, found bool) string {
	missing := found && v == nil // JSON null counts as absent
	switch m.Kind {
	case scenarios.MatchPresent:
		if !found || missing {
			return "expected to be present, got " + show(v, found)
		}
	case scenarios.MatchAbsent:
		if found && !missing {
			return "expected to be absent, got " + show(v, found)
		}
	case scenarios.MatchRegex:
		if !found || missing || !m.Re.MatchString(text(v)) {
			return fmt.Sprintf("expected to match /%s/, got %s", m.Re, show(v, found))
		}
	case scenarios.MatchLength:
		n := -1
		switch t := v.(type) {
		case []any:
			n = len(t)
		case map[string]any:
			n = len(t)
		case string:
			n = len([]rune(t))
		}
		if n != m.N {
			return fmt.Sprintf("expected length %d, got %s", m.N, show(v, found))
		}
	case scenarios.MatchEquals:
		want, err := fr.expandValue(m.Value)
		if err != nil {
			return err.Error()
		}
		if !found || !equal(want, v) {
			if w, g := kind(want), kind(v); found && w != g {
				return fmt.Sprintf("expected %s (%s), got %s (%s)", show(want, true), w, show(v, found), g)
			}
			return fmt.Sprintf("expected %s, got %s", show(want, true), show(v, found))
		}
	}
	return ""
}

// decodeJSON decodes an answer keeping numbers as json.Number, so they compare as numbers.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	return doc, err
}

// equal compares an expected value with a JSON one, typed: a number equals a number of the
// same value (2 and 2.0), a string the same string, and never each other ("0" is not 0);
// lists and objects compare element by element.
func equal(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if gv, ok := g[k]; !ok || !equal(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !equal(w[i], g[i]) {
				return false
			}
		}
		return true
	case json.Number, float64, int:
		a, ok1 := number(w)
		b, ok2 := number(got)
		return ok1 && ok2 && a.Cmp(b) == 0
	}
	return reflect.DeepEqual(want, got) // strings, booleans, null
}

// kind names a JSON value's type, for messages.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, int:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	case []any:
		return "a list"
	}
	return "an object"
}

// number reads a JSON number exactly.
func number(v any) (*big.Float, bool) {
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case float64:
		text = strconv.FormatFloat(n, 'g', -1, 64)
	case int:
		text = strconv.Itoa(n)
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(text, 10, 256, big.ToNearestEven)
	return f, err == nil
}

// text renders a value as matchers compare it.
func text(v any) string {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case string, nil, float64, bool:
		return scenarios.Scalar(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func show(v any, found bool) string {
	if !found {
		return "nothing (the field is not there)"
	}
	s := text(v)
	if _, ok := v.(string); ok {
		s = fmt.Sprintf("%q", s)
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// save captures response fields into variables.
func (fr *fileRun) save(s *scenarios.Step, body []byte) []string {
	if len(s.Save) == 0 {
		return nil
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return []string{"save: the answer is not JSON, nothing to save"}
	}
	var fails []string
	for _, sv := range s.Save {
		v, ok := lookupBody(doc, sv.Path)
		if !ok || v == nil {
			fails = append(fails, fmt.Sprintf("save %s: %s is not in the answer", sv.Var, sv.Path))
			continue
		}
		fr.vars[sv.Var] = v
	}
	return fails
}

// snippet is the start of a body, for messages.
func snippet(b []byte) string {
	const max = 500
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// progress prints a step's line and, for a failure, what was wrong.
func (fr *fileRun) progress(i int, s *scenarios.Step, r *StepResult) {
	n := fmt.Sprintf("%d/%d", i+1, len(fr.f.Steps))
	switch {
	case r.Skipped != "":
		fmt.Fprintf(fr.out, "  ↷ %-5s %-40s skipped: %s\n", n, clip(r.Name, 40), r.Skipped)
		return
	case r.Error != "":
		fmt.Fprintf(fr.out, "  ! %-5s %-40s error: %s\n", n, clip(r.Name, 40), r.Error)
		return
	case r.Passed():
		fmt.Fprintf(fr.out, "  ✓ %-5s %-40s %-6s %-45s %3s %s\n", n, clip(r.Name, 40), r.Method, clip(r.Path, 45), status(r.Status), dur(r.Duration))
		return
	}
	fmt.Fprintf(fr.out, "  ✗ %-5s %-40s %-6s %-45s %3s %s\n", n, clip(r.Name, 40), r.Method, clip(r.Path, 45), status(r.Status), dur(r.Duration))
	fmt.Fprintf(fr.out, "      at %s\n", r.Pos)
	for _, f := range r.Failures {
		fmt.Fprintf(fr.out, "      %s\n", f)
	}
	for _, c := range r.Contract {
		fmt.Fprintf(fr.out, "      contract: %s\n", strings.ReplaceAll(c, "\n", "\n        "))
	}
	if r.Note != "" {
		fmt.Fprintf(fr.out, "      note: %s\n", r.Note)
	}
	if r.Response != "" {
		fmt.Fprintf(fr.out, "      answer: %s\n", r.Response)
	}
}

func status(s int) string {
	if s == 0 {
		return "---"
	}
	return fmt.Sprint(s)
}

func dur(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (rn *runner) summary(results []*FileResult) {
	steps, failed, skipped, errored := 0, 0, 0, 0
	for _, r := range results {
		f, s, e := r.Counts()
		steps, failed, skipped, errored = steps+len(r.Steps), failed+f, skipped+s, errored+e
	}
	verdict := "PASS"
	switch {
	case errored > 0:
		verdict = "ERROR"
	case failed > 0:
		verdict = "FAIL"
	}
	fmt.Fprintf(rn.out, "%s: %d files, %d steps, %d passed, %d failed, %d skipped, %d errors\n", verdict, len(results), steps, steps-failed-skipped-errored, failed, skipped, errored)
}
