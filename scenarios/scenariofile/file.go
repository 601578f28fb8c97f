package scenariofile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
)

// The documented sandbox credentials a scenario file uses unless it says otherwise.
const (
	DefaultDCMSTenant       = "ACME_BANK"
	DefaultDMTClientID      = "sandbox_client"
	DefaultDMTClientSecret  = "sandbox_secret"
	DefaultProfileAppID     = "sandbox_app"
	DefaultProfileAppSecret = "sandbox_secret"
	DefaultProfileTenant    = "sandbox_tenant"
)

// AllTenants is the rule tenant that means "every tenant".
const AllTenants = "*"

// APIs are the partner APIs a scenario file can talk to.
var APIs = openapi.Partners

// File is a parsed scenario file (see scenarios/README.md for the format).
type File struct {
	Path        string // as given to ParseFile / LoadDir
	Name        string
	Description string
	Tenant      string // default tenant of fixtures and rules; reset with the others
	Credentials Credentials
	Reset       bool
	Vars        []Var // defaults of ${name}, in file order
	Fixtures    []Fixture
	Rules       []scenarios.Rule // tenants resolved ("" : every tenant); armed with Rules().Arm
	RulePos     []string         // file:line of each rule, for messages
	Steps       []Step
}

// Credentials are what replay sends so steps need not repeat auth headers.
type Credentials struct {
	DCMS    DCMSCredentials
	DMT     DMTCredentials
	Profile ProfileCredentials
}

// DCMSCredentials: the tenant header.
type DCMSCredentials struct{ Tenant string }

// DMTCredentials: the client_id and client_secret headers.
type DMTCredentials struct{ ClientID, ClientSecret string }

// ProfileCredentials: what GetAppToken is called with.
type ProfileCredentials struct{ AppID, AppSecret, TenantID string }

// TenantOf is the tenant the credentials use for api.
func (c Credentials) TenantOf(api string) string {
	switch api {
	case "dcms":
		return c.DCMS.Tenant
	case "dmt":
		return c.DMT.ClientID
	case "profile":
		return c.Profile.TenantID
	}
	return ""
}

// Var is a variable's default value.
type Var struct{ Name, Value string }

// Fixture is a record the server adds at start-up (--scenarios) and replay adds before the
// steps (through the admin snapshot endpoints).
type Fixture struct {
	API, Tenant, Kind, ID string
	Value                 json.RawMessage
	Pos                   string // file:line, for messages
}

// Decode turns the fixture's value into the typed record its API stores. kinds is api →
// kind → new value (snapshot.Kinds).
func (f Fixture) Decode(kinds map[string]store.Kinds) (any, error) {
	newValue, ok := kinds[f.API][f.Kind]
	if !ok {
		known := slices.Sorted(maps.Keys(kinds[f.API]))
		return nil, fmt.Errorf("%s: kind: %q is not a record kind of %s; known: %s", f.Pos, f.Kind, f.API, strings.Join(known, ", "))
	}
	v := newValue()
	dec := json.NewDecoder(bytes.NewReader(f.Value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%s: value: not a %s %s: %v", f.Pos, f.API, f.Kind, err)
	}
	return v, nil
}

// Step is a request with expectations, or a clock move.
type Step struct {
	Pos  string // file:line
	Name string
	Note string // why the step is special (e.g. recorded with masked values)
	Skip string // non-empty: do not run it, for this reason

	// A request (Path != "").
	API         string // dcms, dmt, profile, or "" (the admin API or unknown)
	Method      string
	Path        string
	Query       []KV
	Headers     []KV
	Scenario    string // X-Sandbox-Scenario
	Tenant      string // this step's tenant for its API, instead of the credentials'
	NoAuth      bool   // send no credentials
	Body        any    // JSON value (nil with HasBody: JSON null)
	HasBody     bool
	Raw         string // a body sent as it is
	HasRaw      bool
	ContentType string
	Expect      Expect
	Save        []Save

	// A clock move (Clock != nil).
	Clock *ClockMove
}

// IsRequest says the step sends a request (else it moves the clock).
func (s *Step) IsRequest() bool { return s.Clock == nil }

// KV is one header or query parameter.
type KV struct{ Name, Value string }

// Save captures a response body field into a variable.
type Save struct{ Var, Path string }

// ClockMove is POST /__sandbox/clock: exactly one of Advance, Set, Reset.
type ClockMove struct {
	Advance string // a Go duration
	Set     string // RFC 3339
	Reset   bool
	Tenant  string // the tenant whose clock moves; "": every tenant's
}

// Expect is what a step's answer must be.
type Expect struct {
	Status  int // 0: not checked
	Body    []Check
	Headers []Check
}

// Check is one expectation on a body field (dotted path; "$" is the whole body) or header.
type Check struct {
	Path  string
	Match Matcher
	Pos   string
}

// Matcher kinds.
const (
	MatchEquals  = "equals"
	MatchPresent = "present"
	MatchAbsent  = "absent"
	MatchRegex   = "regex"
	MatchLength  = "length"
)

// Matcher is an expectation on one value.
type Matcher struct {
	Kind  string
	Value any            // equals: the expected JSON value
	Re    *regexp.Regexp // regex
	N     int            // length
}

// Error is a problem in a scenario file at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Errors are every problem found in one or more files.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// LoadDir parses every *.yaml and *.yml file of dir (not its subdirectories), in name
// order, checking rules and scenarios against cat. It reports every problem of every file.
func LoadDir(dir string, cat *scenarios.Catalogue) ([]*File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*File
	var errs Errors
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		f, err := ParseFile(filepath.Join(dir, e.Name()), cat)
		if err != nil {
			errs = appendErr(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// ParseFile reads and parses one scenario file.
func ParseFile(path string, cat *scenarios.Catalogue) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, cat)
}

func appendErr(errs Errors, err error) Errors {
	if list, ok := err.(Errors); ok {
		return append(errs, list...)
	}
	if e, ok := err.(*Error); ok {
		return append(errs, e)
	}
	return append(errs, &Error{Msg: err.Error()})
}

// Parse parses a scenario file's bytes; name is used in messages. With a nil catalogue
// operations and outcomes are not checked. The error, if any, is an Errors.
func Parse(name string, data []byte, cat *scenarios.Catalogue) (*File, error) {
	p := &parser{file: name, cat: cat}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Errors{{File: name, Msg: "empty file: a scenario file needs at least a name and steps, rules or fixtures"}}
	}
	f := p.file1(doc.Content[0])
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return f, nil
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into file:line form.
func yamlError(file string, err error) *Error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: file, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	return &Error{File: file, Line: line, Msg: "not valid YAML: " + m[2]}
}

type parser struct {
	file string
	cat  *scenarios.Catalogue
	errs Errors
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) pos(n *yaml.Node) string { return fmt.Sprintf("%s:%d", p.file, n.Line) }

// field is one key: value of a mapping.
type field struct {
	key   string
	k, v  *yaml.Node
	found bool
}

// mapping reads a mapping node whose keys must be among allowed; it reports unknown and
// repeated keys. The result is keyed by name.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]field {
	out := map[string]field{}
	if n = p.deref(n); n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping (key: value lines), got %s", what, kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], p.deref(n.Content[i+1])
		if !slices.Contains(allowed, k.Value) {
			p.errorf(k, "%s: unknown key %q; valid keys: %s", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorf(k, "%s: %q is given twice", what, k.Value)
			continue
		}
		out[k.Value] = field{key: k.Value, k: k, v: v, found: true}
	}
	return out
}

// pairs reads a mapping node as ordered key/value nodes, rejecting repeats.
func (p *parser) pairs(n *yaml.Node, what string) [][2]*yaml.Node {
	if n = p.deref(n); n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping (key: value lines), got %s", what, kindName(n))
		return nil
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], p.deref(n.Content[i+1])
		if seen[k.Value] {
			p.errorf(k, "%s: %q is given twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (p *parser) str(fd field, what string) string {
	if !fd.found {
		return ""
	}
	if fd.v.Kind != yaml.ScalarNode || fd.v.Tag == "!!null" {
		p.errorf(fd.v, "%s: want a text value, got %s", what, kindName(fd.v))
		return ""
	}
	return fd.v.Value
}

func (p *parser) required(fd field, what string, parent *yaml.Node) string {
	if !fd.found {
		p.errorf(parent, "%s is missing", what)
		return ""
	}
	s := p.str(fd, what)
	if s == "" && fd.v.Kind == yaml.ScalarNode && fd.v.Tag != "!!null" {
		p.errorf(fd.v, "%s is empty", what)
	}
	return s
}

func (p *parser) boolean(fd field, what string) bool {
	if !fd.found {
		return false
	}
	if fd.v.Kind != yaml.ScalarNode || fd.v.Tag != "!!bool" {
		p.errorf(fd.v, "%s: want true or false, got %s", what, kindName(fd.v))
		return false
	}
	return fd.v.Value == "true"
}

func (p *parser) integer(fd field, what string) int {
	if !fd.found {
		return 0
	}
	n, err := strconv.Atoi(fd.v.Value)
	if fd.v.Kind != yaml.ScalarNode || fd.v.Tag != "!!int" || err != nil {
		p.errorf(fd.v, "%s: want a whole number, got %s", what, kindName(fd.v))
	}
	return n
}

func (p *parser) list(fd field, what string) []*yaml.Node {
	if !fd.found {
		return nil
	}
	if fd.v.Kind != yaml.SequenceNode {
		p.errorf(fd.v, "%s: want a list (lines starting with -), got %s", what, kindName(fd.v))
		return nil
	}
	return fd.v.Content
}

var topKeys = []string{"name", "description", "tenant", "credentials", "reset", "vars", "fixtures", "rules", "steps"}

func (p *parser) file1(root *yaml.Node) *File {
	f := &File{Path: p.file}
	m := p.mapping(root, "scenario file", topKeys...)
	f.Name = p.required(m["name"], "name", root)
	f.Description = p.str(m["description"], "description")
	f.Tenant = p.str(m["tenant"], "tenant")
	f.Reset = p.boolean(m["reset"], "reset")
	f.Credentials = p.credentials(m["credentials"])
	for _, kv := range p.pairs(orEmpty(m["vars"]), "vars") {
		if !varName.MatchString(kv[0].Value) {
			p.errorf(kv[0], "vars: %q is not a variable name (letters, digits, _ and -, starting with a letter)", kv[0].Value)
		}
		if kv[1].Kind != yaml.ScalarNode {
			p.errorf(kv[1], "vars.%s: want a text value, got %s", kv[0].Value, kindName(kv[1]))
			continue
		}
		f.Vars = append(f.Vars, Var{kv[0].Value, kv[1].Value})
	}
	for i, n := range p.list(m["fixtures"], "fixtures") {
		if fx, ok := p.fixture(f, n, i); ok {
			f.Fixtures = append(f.Fixtures, fx)
		}
	}
	for i, n := range p.list(m["rules"], "rules") {
		if r, ok := p.rule(f, n, i); ok {
			f.Rules = append(f.Rules, r)
			f.RulePos = append(f.RulePos, p.pos(n))
		}
	}
	defined := map[string]bool{RunVar: true}
	for _, v := range f.Vars {
		defined[v.Name] = true
	}
	for i, n := range p.list(m["steps"], "steps") {
		f.Steps = append(f.Steps, p.step(n, i, defined))
	}
	if len(f.Steps) == 0 && len(f.Rules) == 0 && len(f.Fixtures) == 0 && len(p.errs) == 0 {
		p.errorf(root, "the file has no steps, rules or fixtures: it would do nothing")
	}
	return f
}

// orEmpty is the field's value, or an empty mapping.
func orEmpty(fd field) *yaml.Node {
	if !fd.found {
		return &yaml.Node{Kind: yaml.MappingNode}
	}
	return fd.v
}

func (p *parser) credentials(fd field) Credentials {
	c := Credentials{
		DCMS:    DCMSCredentials{Tenant: DefaultDCMSTenant},
		DMT:     DMTCredentials{ClientID: DefaultDMTClientID, ClientSecret: DefaultDMTClientSecret},
		Profile: ProfileCredentials{AppID: DefaultProfileAppID, AppSecret: DefaultProfileAppSecret, TenantID: DefaultProfileTenant},
	}
	if !fd.found {
		return c
	}
	m := p.mapping(fd.v, "credentials", APIs...)
	set := func(dst *string, fd field, what string) {
		if s := p.str(fd, what); s != "" {
			*dst = s
		}
	}
	if d, ok := m["dcms"]; ok {
		dm := p.mapping(d.v, "credentials.dcms", "tenant")
		set(&c.DCMS.Tenant, dm["tenant"], "credentials.dcms.tenant")
	}
	if d, ok := m["dmt"]; ok {
		dm := p.mapping(d.v, "credentials.dmt", "client_id", "client_secret")
		set(&c.DMT.ClientID, dm["client_id"], "credentials.dmt.client_id")
		set(&c.DMT.ClientSecret, dm["client_secret"], "credentials.dmt.client_secret")
	}
	if d, ok := m["profile"]; ok {
		dm := p.mapping(d.v, "credentials.profile", "appId", "appSecret", "tenantId")
		set(&c.Profile.AppID, dm["appId"], "credentials.profile.appId")
		set(&c.Profile.AppSecret, dm["appSecret"], "credentials.profile.appSecret")
		set(&c.Profile.TenantID, dm["tenantId"], "credentials.profile.tenantId")
	}
	return c
}

// defaultTenant is the tenant of a fixture or rule that names none.
func defaultTenant(f *File, api string) string {
	if f.Tenant != "" {
		return f.Tenant
	}
	return f.Credentials.TenantOf(api)
}

func (p *parser) fixture(f *File, n *yaml.Node, i int) (Fixture, bool) {
	what := fmt.Sprintf("fixtures[%d]", i)
	before := len(p.errs)
	m := p.mapping(n, what, "api", "tenant", "kind", "id", "value")
	fx := Fixture{Pos: p.pos(n)}
	fx.API = p.required(m["api"], what+".api", n)
	if fx.API != "" && !slices.Contains(APIs, fx.API) {
		p.errorf(m["api"].v, "%s.api: %q is not an API of the sandbox; valid: %s", what, fx.API, strings.Join(APIs, ", "))
	}
	fx.Tenant = p.str(m["tenant"], what+".tenant")
	if fx.Tenant == "" {
		fx.Tenant = defaultTenant(f, fx.API)
	}
	fx.Kind = p.required(m["kind"], what+".kind", n)
	fx.ID = p.required(m["id"], what+".id", n)
	if v, ok := m["value"]; !ok {
		p.errorf(n, "%s.value is missing", what)
	} else if v.v.Kind != yaml.MappingNode {
		p.errorf(v.v, "%s.value: want a mapping (the record's fields), got %s", what, kindName(v.v))
	} else {
		raw, err := json.Marshal(p.value(v.v))
		if err != nil {
			p.errorf(v.v, "%s.value: %v", what, err)
		}
		fx.Value = raw
	}
	return fx, len(p.errs) == before
}

var ruleKeys = []string{"operationId", "outcome", "fault", "delay", "times", "tenant", "match"}

func (p *parser) rule(f *File, n *yaml.Node, i int) (scenarios.Rule, bool) {
	what := fmt.Sprintf("rules[%d]", i)
	before := len(p.errs)
	m := p.mapping(n, what, ruleKeys...)
	r := scenarios.Rule{
		OperationID: p.required(m["operationId"], what+".operationId", n),
		Outcome:     p.str(m["outcome"], what+".outcome"),
		Fault:       p.str(m["fault"], what+".fault"),
		Delay:       p.str(m["delay"], what+".delay"),
		Times:       p.integer(m["times"], what+".times"),
		Tenant:      p.str(m["tenant"], what+".tenant"),
	}
	if mt, ok := m["match"]; ok {
		r.Match = map[string]string{}
		for _, kv := range p.pairs(mt.v, what+".match") {
			if kv[1].Kind != yaml.ScalarNode {
				p.errorf(kv[1], "%s.match.%s: want a value to compare with, got %s", what, kv[0].Value, kindName(kv[1]))
				continue
			}
			r.Match[kv[0].Value] = kv[1].Value
		}
	}
	if len(p.errs) > before {
		return r, false
	}
	// The same checks as POST /__sandbox/rules, on a scratch rule set.
	check := p.cat
	if check == nil {
		check = scenarios.NewCatalogue()
		check.Add(scenarios.Operation{ID: r.OperationID, Outcomes: []scenarios.Outcome{{Name: r.Outcome}}})
	}
	if _, err := scenarios.NewEngine(check).Rules().Arm(r); err != nil {
		at := n
		if key, _, ok := strings.Cut(err.Error(), ":"); ok {
			if fd, ok := m[key]; ok {
				at = fd.v
			}
		}
		p.errorf(at, "%s: %v", what, err)
		return r, false
	}
	switch {
	case r.Tenant == AllTenants:
		r.Tenant = ""
	case r.Tenant == "":
		api := ""
		if op, ok := check.Op(r.OperationID); ok {
			api = op.API
		}
		r.Tenant = defaultTenant(f, api)
	}
	return r, true
}

var stepKeys = []string{"name", "note", "skip", "method", "path", "query", "headers", "scenario", "tenant", "auth", "body", "raw", "contentType", "expect", "save", "clock"}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions}

func (p *parser) step(n *yaml.Node, i int, defined map[string]bool) Step {
	what := fmt.Sprintf("steps[%d]", i)
	m := p.mapping(n, what, stepKeys...)
	s := Step{Pos: p.pos(n)}
	s.Name = p.str(m["name"], what+".name")
	s.Note = p.str(m["note"], what+".note")
	if sk, ok := m["skip"]; ok {
		if sk.v.Tag == "!!bool" {
			if p.boolean(sk, what+".skip") {
				s.Skip = "skip: true"
			}
		} else {
			s.Skip = p.str(sk, what+".skip")
		}
	}
	_, hasPath := m["path"]
	if c, ok := m["clock"]; ok {
		if hasPath {
			p.errorf(c.k, "%s: a step is either a request (path) or a clock move (clock), not both", what)
			return s
		}
		for _, k := range []string{"method", "query", "headers", "scenario", "tenant", "auth", "body", "raw", "contentType", "expect", "save"} {
			if fd, ok := m[k]; ok {
				p.errorf(fd.k, "%s: %q belongs to a request; this step is a clock move", what, k)
			}
		}
		s.Clock = p.clock(c.v, what+".clock")
		if s.Name == "" && s.Clock != nil {
			s.Name = s.Clock.String()
		}
		return s
	}
	if !hasPath {
		p.errorf(n, "%s: a step needs either path (a request) or clock (a clock move)", what)
		return s
	}
	var used []*yaml.Node // nodes that may use ${variables}
	s.Path = p.required(m["path"], what+".path", n)
	used = append(used, m["path"].v)
	if s.Path != "" && !strings.HasPrefix(s.Path, "/") {
		p.errorf(m["path"].v, "%s.path: %q must start with /", what, s.Path)
	}
	if strings.Contains(s.Path, "?") {
		p.errorf(m["path"].v, "%s.path: put the query string in query:, not in the path", what)
	}
	s.API = APIOf(s.Path)
	s.Method = strings.ToUpper(p.str(m["method"], what+".method"))
	_, hasBody := m["body"]
	_, hasRaw := m["raw"]
	if s.Method == "" {
		s.Method = http.MethodGet
		if hasBody || hasRaw {
			s.Method = http.MethodPost
		}
	} else if !slices.Contains(methods, s.Method) {
		p.errorf(m["method"].v, "%s.method: %q is not an HTTP method; valid: %s", what, s.Method, strings.Join(methods, ", "))
	}
	s.Query = p.kvs(m["query"], what+".query", &used)
	s.Headers = p.kvs(m["headers"], what+".headers", &used)
	s.Scenario = p.str(m["scenario"], what+".scenario")
	s.Tenant = p.str(m["tenant"], what+".tenant")
	if s.Tenant != "" && s.API == "" {
		p.errorf(m["tenant"].v, "%s.tenant: %s belongs to no partner API, so it has no tenant to change", what, s.Path)
	}
	if a, ok := m["auth"]; ok {
		s.NoAuth = !p.boolean(a, what+".auth")
	}
	if hasBody && hasRaw {
		p.errorf(m["raw"].k, "%s: give body (JSON written as YAML) or raw (a body sent as it is), not both", what)
	}
	if b, ok := m["body"]; ok {
		s.Body, s.HasBody = p.value(b.v), true
		used = append(used, b.v)
	}
	if _, ok := m["raw"]; ok {
		s.Raw, s.HasRaw = p.str(m["raw"], what+".raw"), true
		used = append(used, m["raw"].v)
	}
	s.ContentType = p.str(m["contentType"], what+".contentType")
	if s.ContentType == "" && (s.HasBody || s.HasRaw) {
		s.ContentType = "application/json"
	}
	if e, ok := m["expect"]; ok {
		s.Expect = p.expect(e.v, what+".expect")
		used = append(used, e.v)
	}
	p.checkScenario(&s, m["scenario"])
	for _, u := range used {
		p.checkVars(u, what, defined)
	}
	for _, kv := range p.pairs(orEmpty(m["save"]), what+".save") {
		if !varName.MatchString(kv[0].Value) {
			p.errorf(kv[0], "%s.save: %q is not a variable name (letters, digits, _ and -, starting with a letter)", what, kv[0].Value)
		}
		if kv[1].Kind != yaml.ScalarNode || kv[1].Value == "" {
			p.errorf(kv[1], "%s.save.%s: want the dotted path of a response field, e.g. result.submissionId", what, kv[0].Value)
			continue
		}
		s.Save = append(s.Save, Save{Var: kv[0].Value, Path: kv[1].Value})
		defined[kv[0].Value] = true
	}
	if s.Name == "" {
		s.Name = s.Method + " " + s.Path
	}
	return s
}

// checkScenario refuses an X-Sandbox-Scenario name the operation at the step's path does
// not document.
func (p *parser) checkScenario(s *Step, fd field) {
	if s.Scenario == "" || p.cat == nil {
		return
	}
	op := p.cat.Find(s.Method, s.Path)
	if op == nil {
		if s.API != "" {
			p.errorf(fd.v, "scenario: no operation of the catalogue is %s %s, so no scenario can be forced on it", s.Method, s.Path)
		}
		return
	}
	if _, ok := op.Outcome(s.Scenario); !ok {
		p.errorf(fd.v, "scenario: %q is not documented for %s; valid: %s", s.Scenario, op.ID, strings.Join(op.Names(), ", "))
	}
}

func (p *parser) kvs(fd field, what string, used *[]*yaml.Node) []KV {
	if !fd.found {
		return nil
	}
	var out []KV
	for _, kv := range p.pairs(fd.v, what) {
		if kv[1].Kind != yaml.ScalarNode || kv[1].Tag == "!!null" {
			p.errorf(kv[1], "%s.%s: want a text value, got %s", what, kv[0].Value, kindName(kv[1]))
			continue
		}
		out = append(out, KV{kv[0].Value, kv[1].Value})
		*used = append(*used, kv[1])
	}
	return out
}

func (p *parser) clock(n *yaml.Node, what string) *ClockMove {
	m := p.mapping(n, what, "advance", "set", "reset", "tenant")
	c := &ClockMove{Tenant: p.str(m["tenant"], what+".tenant")}
	delete(m, "tenant")
	if len(m) != 1 {
		if n.Kind == yaml.MappingNode {
			p.errorf(n, "%s: give exactly one of advance (a Go duration such as 72h), set (an RFC 3339 time) or reset: true", what)
		}
		return nil
	}
	if fd, ok := m["advance"]; ok {
		c.Advance = p.str(fd, what+".advance")
		if d, err := time.ParseDuration(c.Advance); err != nil || d <= 0 {
			p.errorf(fd.v, "%s.advance: %q is not a positive Go duration such as 90s, 15m or 72h", what, c.Advance)
		}
	}
	if fd, ok := m["set"]; ok {
		c.Set = p.str(fd, what+".set")
		if _, err := time.Parse(time.RFC3339, c.Set); err != nil {
			p.errorf(fd.v, "%s.set: %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", what, c.Set)
		}
	}
	if fd, ok := m["reset"]; ok {
		if c.Reset = p.boolean(fd, what+".reset"); !c.Reset {
			p.errorf(fd.v, "%s.reset: only reset: true means something", what)
		}
	}
	return c
}

func (c *ClockMove) String() string {
	of := ""
	if c.Tenant != "" {
		of = " of " + c.Tenant
	}
	switch {
	case c.Advance != "":
		return "clock" + of + " advance " + c.Advance
	case c.Set != "":
		return "clock" + of + " set " + c.Set
	}
	return "clock" + of + " reset"
}

func (p *parser) expect(n *yaml.Node, what string) Expect {
	m := p.mapping(n, what, "status", "body", "headers")
	var e Expect
	if fd, ok := m["status"]; ok {
		e.Status = p.integer(fd, what+".status")
		if e.Status < 100 || e.Status > 599 {
			p.errorf(fd.v, "%s.status: %s is not an HTTP status", what, fd.v.Value)
		}
	}
	for _, kv := range p.pairs(orEmpty(m["body"]), what+".body") {
		e.Body = append(e.Body, Check{Path: kv[0].Value, Match: p.matcher(kv[1], what+".body."+kv[0].Value), Pos: p.pos(kv[0])})
	}
	for _, kv := range p.pairs(orEmpty(m["headers"]), what+".headers") {
		mt := p.matcher(kv[1], what+".headers."+kv[0].Value)
		if mt.Kind == MatchLength {
			p.errorf(kv[1], "%s.headers.%s: length is for body lists and texts", what, kv[0].Value)
		}
		e.Headers = append(e.Headers, Check{Path: kv[0].Value, Match: mt, Pos: p.pos(kv[0])})
	}
	return e
}

var matcherKeys = []string{MatchEquals, MatchPresent, MatchAbsent, MatchRegex, MatchLength}

// matcher reads an expectation: a plain value (equality), a list (equal to that list), or
// a one-key mapping naming a matcher.
func (p *parser) matcher(n *yaml.Node, what string) Matcher {
	switch n.Kind {
	case yaml.ScalarNode, yaml.SequenceNode:
		return Matcher{Kind: MatchEquals, Value: p.value(n)}
	case yaml.MappingNode:
	default:
		p.errorf(n, "%s: want a value or a matcher", what)
		return Matcher{}
	}
	if len(n.Content) != 2 || !slices.Contains(matcherKeys, n.Content[0].Value) {
		p.errorf(n, "%s: a mapping here must be one matcher (%s); to expect an object, write equals: {…}", what, strings.Join(matcherKeys, ", "))
		return Matcher{}
	}
	k, v := n.Content[0].Value, p.deref(n.Content[1])
	mt := Matcher{Kind: k}
	switch k {
	case MatchEquals:
		mt.Value = p.value(v)
	case MatchPresent, MatchAbsent:
		if v.Tag != "!!bool" || v.Value != "true" {
			p.errorf(v, "%s.%s: write %s: true", what, k, k)
		}
	case MatchRegex:
		re, err := regexp.Compile(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			p.errorf(v, "%s.regex: %q is not a regular expression (Go RE2 syntax): %v", what, v.Value, err)
		}
		mt.Re = re
	case MatchLength:
		n, err := strconv.Atoi(v.Value)
		if v.Tag != "!!int" || err != nil || n < 0 {
			p.errorf(v, "%s.length: want a whole number, got %s", what, kindName(v))
		}
		mt.N = n
	}
	return mt
}

// value turns a YAML node into the JSON value it stands for. Numbers keep their literal
// text; YAML-only forms (0x1F, timestamps) become what yaml.v3 decodes them to.
func (p *parser) value(n *yaml.Node) any {
	n = p.deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		// YAML merge keys (<<: *anchor) first, so the mapping's own keys win.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag != "!!merge" {
				continue
			}
			from := p.deref(n.Content[i+1])
			merge := []*yaml.Node{from}
			if from.Kind == yaml.SequenceNode {
				merge = from.Content
			}
			for j := len(merge) - 1; j >= 0; j-- { // earlier mappings win
				if mm, ok := p.value(merge[j]).(map[string]any); ok {
					for k, v := range mm {
						m[k] = v
					}
				} else {
					p.errorf(merge[j], "<<: only mappings can be merged, got %s", kindName(p.deref(merge[j])))
				}
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag != "!!merge" {
				m[n.Content[i].Value] = p.value(n.Content[i+1])
			}
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = p.value(c)
		}
		return l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!binary", "!!timestamp", "!!merge":
			return n.Value
		case "!!null":
			return nil
		case "!!bool":
			return n.Value == "true"
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				return json.Number(n.Value)
			}
			var v any
			if err := n.Decode(&v); err != nil {
				p.errorf(n, "%q: %v", n.Value, err)
			}
			if f, ok := v.(float64); ok {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
			}
			return v
		}
		return n.Value
	}
	return nil
}

// RunVar is the built-in variable ${run}: a value unique to each replay run, for ids that
// must not repeat on a server that is not reset.
const RunVar = "run"

var (
	varName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	varRef  = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// checkVars reports ${name} uses in n that no vars entry or earlier save defines.
func (p *parser) checkVars(n *yaml.Node, what string, defined map[string]bool) {
	n = p.deref(n)
	if n.Kind == yaml.ScalarNode {
		for _, m := range varRef.FindAllStringSubmatch(n.Value, -1) {
			if !defined[m[1]] {
				p.errorf(n, "%s: ${%s} is not defined: declare it under vars or save it in an earlier step", what, m[1])
			}
		}
		return
	}
	for _, c := range n.Content {
		p.checkVars(c, what, defined)
	}
}

// Expand replaces each ${name} in s with lookup(name); ok is false (with the name) if a
// variable has no value.
func Expand(s string, lookup func(string) (string, bool)) (string, string, bool) {
	missing := ""
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := lookup(name)
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	return out, missing, missing == ""
}

// WholeVar is the variable name if s is exactly one ${name}.
func WholeVar(s string) (string, bool) {
	if m := varRef.FindStringSubmatch(s); m != nil && m[0] == s {
		return m[1], true
	}
	return "", false
}

// APIOf says which partner API a request path belongs to ("" for none: the admin API).
func APIOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1/"):
		return "dcms"
	case strings.HasPrefix(path, "/common/dmt-lite/"):
		return "dmt"
	case strings.HasPrefix(path, "/api/AppSessionManager/"), strings.HasPrefix(path, "/ExtCustomerManagement/"),
		strings.HasPrefix(path, "/ExtReport/"), strings.HasPrefix(path, "/ExtForm/"):
		return "profile"
	}
	return ""
}

// Tenants lists the tenants a replay with reset: true resets: the credentials' tenant of
// every API the file uses, the file's tenant, and the tenants of its fixtures, rules and
// steps (per-step tenants of an API), without repeats, in that order.
func (f *File) Tenants() []string {
	var out []string
	add := func(t string) {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	uses := map[string]bool{}
	for _, s := range f.Steps {
		uses[s.API] = true
	}
	for _, fx := range f.Fixtures {
		uses[fx.API] = true
	}
	for _, api := range APIs {
		if uses[api] {
			add(f.Credentials.TenantOf(api))
		}
	}
	add(f.Tenant)
	for _, fx := range f.Fixtures {
		add(fx.Tenant)
	}
	for _, r := range f.Rules {
		add(r.Tenant)
	}
	for _, s := range f.Steps {
		add(s.Tenant)
	}
	return out
}
