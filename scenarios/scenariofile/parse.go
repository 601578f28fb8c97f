package scenariofile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Parse parses a scenario file's bytes; name is used in messages. With a nil catalogue
// operations and outcomes are not checked. The error, if any, is an Errors: every problem
// of the file, each at its line.
func Parse(name string, data []byte, cat *scenarios.Catalogue) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Errors{{File: name, Msg: "empty file: a scenario file needs at least a name and steps, rules or fixtures"}}
	}
	root := doc.Content[0]
	conv := &converter{}
	v := conv.value(root)
	if conv.bad != nil {
		return nil, Errors{{File: name, Line: conv.bad.Line, Msg: conv.why}}
	}
	errs := twice(name, root, conv.twice)
	errs = append(errs, checkSchema(name, root, v)...)
	if len(errs) > 0 {
		return nil, errs
	}
	f := &File{}
	if err := root.Decode(f); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	r := &resolver{file: name, cat: cat}
	r.resolve(f, root)
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return f, nil
}

// twice reports keys given twice in their mapping.
func twice(file string, root *yaml.Node, keys []*yaml.Node) Errors {
	var errs Errors
	for _, k := range keys {
		errs = append(errs, &Error{File: file, Line: k.Line, Msg: fmt.Sprintf("%s: %q is given twice", path(locate(root, k)), k.Value)})
	}
	return errs
}

// locate is the instance location of the mapping that holds key.
func locate(n, key *yaml.Node) []string {
	n = deref(n)
	for i, c := range n.Content {
		if c == key {
			return []string{}
		}
		step := c.Value
		if n.Kind == yaml.SequenceNode {
			step = fmt.Sprint(i)
		} else if i%2 == 0 {
			continue
		} else {
			step = n.Content[i-1].Value
		}
		if loc := locate(c, key); loc != nil {
			return append([]string{step}, loc...)
		}
	}
	return nil
}

// resolver fills a decoded file's defaults in and checks what the schema cannot.
type resolver struct {
	file    string
	cat     *scenarios.Catalogue
	errs    Errors
	defined map[string]bool // variables defined so far
}

func (r *resolver) errorf(n *yaml.Node, format string, args ...any) {
	r.errs = append(r.errs, &Error{File: r.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

func (r *resolver) pos(n *yaml.Node) string { return fmt.Sprintf("%s:%d", r.file, n.Line) }

func (r *resolver) resolve(f *File, root *yaml.Node) {
	f.Path = r.file
	f.Credentials = f.Credentials.withDefaults()
	for i := range f.Fixtures {
		r.fixture(f, &f.Fixtures[i])
	}
	for i := range f.Rules {
		r.rule(f, &f.Rules[i], i)
	}
	r.defined = map[string]bool{RunVar: true}
	for _, v := range f.Vars {
		r.defined[v.Name] = true
	}
	for i := range f.Steps {
		r.step(&f.Steps[i], i)
	}
	if len(f.Steps) == 0 && len(f.Rules) == 0 && len(f.Fixtures) == 0 && len(r.errs) == 0 {
		r.errorf(root, "the file has no steps, rules or fixtures: it would do nothing")
	}
}

// withDefaults fills in the documented sandbox credentials the file does not give.
func (c Credentials) withDefaults() Credentials {
	set := func(dst *string, def string) {
		if *dst == "" {
			*dst = def
		}
	}
	set(&c.DCMS.Tenant, credentials.DCMSTenant)
	set(&c.DMT.ClientID, credentials.DMTClientID)
	set(&c.DMT.ClientSecret, credentials.DMTClientSecret)
	set(&c.Profile.AppID, credentials.ProfileAppID)
	set(&c.Profile.AppSecret, credentials.ProfileAppSecret)
	set(&c.Profile.TenantID, credentials.ProfileTenant)
	return c
}

func (r *resolver) fixture(f *File, fx *Fixture) {
	fx.Pos = r.pos(fx.node)
	if fx.Tenant == "" {
		fx.Tenant = defaultTenant(f, fx.API)
	}
	raw, err := json.Marshal(fx.Object.V)
	if err != nil {
		_, v := child(fx.node, "value")
		r.errorf(v, "%s.value: %v", fx.Pos, err)
	}
	fx.Value = raw
}

// rule makes the same checks as POST /__sandbox/rules, on a scratch rule set, and
// resolves the rule's tenant.
func (r *resolver) rule(f *File, rl *Rule, i int) {
	rl.Pos = r.pos(rl.node)
	check := r.cat
	if check == nil {
		check = scenarios.NewCatalogue()
		check.Add(scenarios.Operation{ID: rl.OperationID, Outcomes: []scenarios.Outcome{{Name: rl.Outcome}}})
	}
	if _, err := scenarios.NewEngine(check).Rules().Arm(rl.Spec()); err != nil {
		at := rl.node
		if key, _, ok := strings.Cut(err.Error(), ":"); ok {
			if _, v := child(rl.node, key); v != nil {
				at = v
			}
		}
		r.errorf(at, "rules[%d]: %v", i, err)
		return
	}
	switch {
	case rl.Tenant == AllTenants:
		rl.Tenant = ""
	case rl.Tenant == "":
		api := ""
		if op, ok := check.Op(rl.OperationID); ok {
			api = op.API
		}
		rl.Tenant = defaultTenant(f, api)
	}
}

func (r *resolver) step(s *Step, i int) {
	what := fmt.Sprintf("steps[%d]", i)
	s.Pos = r.pos(s.node)
	if !s.IsRequest() {
		r.clock(s, what)
		return
	}
	s.API = openapi.APIOf(s.Path)
	s.Method = strings.ToUpper(s.Method)
	if s.Method == "" {
		s.Method = http.MethodGet
		if s.Body != nil || s.Raw != nil {
			s.Method = http.MethodPost
		}
	}
	if s.ContentType == "" && (s.Body != nil || s.Raw != nil) {
		s.ContentType = "application/json"
	}
	if s.Name == "" {
		s.Name = s.Method + " " + s.Path
	}
	if _, v := child(s.node, "tenant"); v != nil && s.API == "" {
		r.errorf(v, "%s.tenant: %s belongs to no partner API, so it has no tenant to change", what, s.Path)
	}
	r.checkScenario(s)
	for _, key := range []string{"path", "query", "headers", "body", "raw", "expect"} {
		if _, v := child(s.node, key); v != nil {
			r.checkVars(v, what)
		}
	}
	r.checks(s.Expect.Body, what+".expect.body")
	r.checks(s.Expect.Headers, what+".expect.headers")
	for _, sv := range s.Save {
		r.defined[sv.Var] = true
	}
}

// clock checks what the schema cannot of a clock move: a positive duration, a real time.
func (r *resolver) clock(s *Step, what string) {
	c := s.Clock
	if s.Name == "" {
		s.Name = c.String()
	}
	_, cn := child(s.node, "clock")
	if _, v := child(cn, "advance"); v != nil {
		if d, err := time.ParseDuration(c.Advance); err != nil || d <= 0 {
			r.errorf(v, "%s.clock.advance: %q is not a positive Go duration such as 90s, 15m or 72h", what, c.Advance)
		}
	}
	if _, v := child(cn, "set"); v != nil {
		if _, err := time.Parse(time.RFC3339, c.Set); err != nil {
			r.errorf(v, "%s.clock.set: %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", what, c.Set)
		}
	}
}

// checks compiles regex matchers and refuses length on headers.
func (r *resolver) checks(cs Checks, what string) {
	for i := range cs {
		c := &cs[i]
		c.Pos = fmt.Sprintf("%s:%d", r.file, c.line)
		at := &yaml.Node{Line: c.line}
		switch c.Match.Kind {
		case MatchRegex:
			re, err := regexp.Compile(c.Match.Pattern)
			if err != nil {
				r.errorf(at, "%s.%s.regex: %q is not a regular expression (Go RE2 syntax): %v", what, c.Path, c.Match.Pattern, err)
			}
			c.Match.Re = re
		case MatchLength:
			if strings.HasSuffix(what, "headers") {
				r.errorf(at, "%s.%s: length is for body lists and texts", what, c.Path)
			}
		}
	}
}

// checkScenario refuses an X-Sandbox-Scenario name the operation at the step's path does
// not document.
func (r *resolver) checkScenario(s *Step) {
	if s.Scenario == "" || r.cat == nil {
		return
	}
	_, at := child(s.node, "scenario")
	op := r.cat.Find(s.Method, s.Path)
	if op == nil {
		if s.API != "" {
			r.errorf(at, "scenario: no operation of the catalogue is %s %s, so no scenario can be forced on it", s.Method, s.Path)
		}
		return
	}
	if _, ok := op.Outcome(s.Scenario); !ok {
		r.errorf(at, "scenario: %q is not documented for %s; valid: %s", s.Scenario, op.ID, strings.Join(op.Names(), ", "))
	}
}

// checkVars reports ${name} uses in n that no vars entry or earlier save defines.
func (r *resolver) checkVars(n *yaml.Node, what string) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		for _, m := range varRef.FindAllStringSubmatch(n.Value, -1) {
			if !r.defined[m[1]] {
				r.errorf(n, "%s: ${%s} is not defined: declare it under vars or save it in an earlier step", what, m[1])
			}
		}
		return
	}
	for _, c := range n.Content {
		r.checkVars(c, what)
	}
}
