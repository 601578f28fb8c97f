// Package scenariofile is the scenario-file format: a YAML file of fixtures to add, rules
// to arm and steps to replay. scenarios/schema.json is its one definition: Parse enforces
// it, then decodes the file into the types below (which export also builds and marshals)
// and checks what a schema cannot (operations and outcomes against the catalogue,
// variables defined before use, regular expressions). See scenarios/README.md.
package scenariofile

import (
	"encoding/json"
	"regexp"

	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
	"go.yaml.in/yaml/v3"
)

// AllTenants is the rule tenant that means "every tenant".
const AllTenants = "*"

// APIs are the partner APIs a scenario file can talk to.
var APIs = openapi.Partners

// File is a scenario file. Parse fills the defaults in (credentials, tenants, methods,
// step names); export leaves them out.
type File struct {
	Path        string      `yaml:"-"` // as given to ParseFile / LoadDir
	Name        string      `yaml:"name"`
	Description string      `yaml:"description,omitempty"`
	Tenant      string      `yaml:"tenant,omitempty"` // default tenant of fixtures and rules; reset with the others
	Reset       bool        `yaml:"reset,omitempty"`
	Credentials Credentials `yaml:"credentials,omitempty"`
	Vars        Vars        `yaml:"vars,omitempty"` // defaults of ${name}, in file order
	Fixtures    []Fixture   `yaml:"fixtures,omitempty"`
	Rules       []Rule      `yaml:"rules,omitempty"` // tenants resolved ("": every tenant)
	Steps       []Step      `yaml:"steps,omitempty"`
}

// Credentials are what replay sends so steps need not repeat auth headers.
type Credentials struct {
	DCMS    DCMSCredentials    `yaml:"dcms,omitempty"`
	DMT     DMTCredentials     `yaml:"dmt,omitempty"`
	Profile ProfileCredentials `yaml:"profile,omitempty"`
}

// DCMSCredentials: the tenant header.
type DCMSCredentials struct {
	Tenant string `yaml:"tenant,omitempty"`
}

// DMTCredentials: the client_id and client_secret headers.
type DMTCredentials struct {
	ClientID     string `yaml:"client_id,omitempty"`
	ClientSecret string `yaml:"client_secret,omitempty"`
}

// ProfileCredentials: what GetAppToken is called with.
type ProfileCredentials struct {
	AppID     string `yaml:"appId,omitempty"`
	AppSecret string `yaml:"appSecret,omitempty"`
	TenantID  string `yaml:"tenantId,omitempty"`
}

// Var is a variable's default value.
type Var struct{ Name, Value string }

// Vars are variables in file order (a YAML mapping).
type Vars []Var

// Fixture is a record the server adds at start-up (--scenarios) and replay adds before the
// steps (POST /__sandbox/tenants/{tenant}/records).
type Fixture struct {
	API    string          `yaml:"api"`
	Tenant string          `yaml:"tenant,omitempty"`
	Kind   string          `yaml:"kind"`
	ID     string          `yaml:"id"`
	Value  json.RawMessage `yaml:"-"` // the record's JSON object
	Pos    string          `yaml:"-"` // file:line, for messages
	Object *Value          `yaml:"value"`
	node   *yaml.Node
}

// Rule is an armed rule as the file writes it (POST /__sandbox/rules takes the same).
type Rule struct {
	OperationID string            `yaml:"operationId"`
	Outcome     string            `yaml:"outcome,omitempty"`
	Fault       string            `yaml:"fault,omitempty"`
	Delay       string            `yaml:"delay,omitempty"`
	Times       int               `yaml:"times,omitempty"`
	Tenant      string            `yaml:"tenant,omitempty"`
	Match       map[string]string `yaml:"match,omitempty"`
	Pos         string            `yaml:"-"` // file:line, for messages
	node        *yaml.Node
}

// Spec is the rule as the engine arms it.
func (r Rule) Spec() scenarios.Rule {
	return scenarios.Rule{OperationID: r.OperationID, Outcome: r.Outcome, Fault: r.Fault, Delay: r.Delay, Times: r.Times, Tenant: r.Tenant, Match: r.Match}
}

// Step is a request with expectations, or a clock move.
type Step struct {
	Pos  string `yaml:"-"` // file:line
	API  string `yaml:"-"` // dcms, dmt, profile, or "" (the admin API or unknown)
	Name string `yaml:"name,omitempty"`
	Note string `yaml:"note,omitempty"` // why the step is special (e.g. recorded with masked values)
	Skip Skip   `yaml:"skip,omitempty"` // non-empty: do not run it, for this reason

	// A request (Path != "").
	Method      string  `yaml:"method,omitempty"`
	Path        string  `yaml:"path,omitempty"`
	Query       Pairs   `yaml:"query,omitempty"`
	Headers     Pairs   `yaml:"headers,omitempty"`
	Scenario    string  `yaml:"scenario,omitempty"` // X-Sandbox-Scenario
	Tenant      string  `yaml:"tenant,omitempty"`   // this step's tenant for its API, instead of the credentials'
	Auth        *bool   `yaml:"auth,omitempty"`     // false: send no credentials
	Body        *Value  `yaml:"body,omitempty"`     // the JSON body (Value.V nil: JSON null)
	Raw         *string `yaml:"raw,omitempty"`      // a body sent as it is
	ContentType string  `yaml:"contentType,omitempty"`
	Expect      Expect  `yaml:"expect,omitempty"`
	Save        Saves   `yaml:"save,omitempty"`

	// A clock move (Clock != nil).
	Clock *ClockMove `yaml:"clock,omitempty"`

	node *yaml.Node
}

// IsRequest says the step sends a request (else it moves the clock).
func (s *Step) IsRequest() bool { return s.Clock == nil }

// NoAuth says the step sends no credentials.
func (s *Step) NoAuth() bool { return s.Auth != nil && !*s.Auth }

// Skip is why a step does not run ("": it runs); the file writes a reason or true.
type Skip string

// KV is one header or query parameter.
type KV struct{ Name, Value string }

// Pairs are headers or query parameters in file order (a YAML mapping).
type Pairs []KV

// Save captures a response body field into a variable.
type Save struct{ Var, Path string }

// Saves are a step's saves in file order (a YAML mapping: variable → dotted path).
type Saves []Save

// ClockMove is POST /__sandbox/clock: exactly one of Advance, Set, Reset.
type ClockMove struct {
	Advance string `yaml:"advance,omitempty"` // a Go duration
	Set     string `yaml:"set,omitempty"`     // RFC 3339
	Reset   bool   `yaml:"reset,omitempty"`
	Tenant  string `yaml:"tenant,omitempty"` // the tenant whose clock moves; "": every tenant's
}

// Expect is what a step's answer must be.
type Expect struct {
	Status  int    `yaml:"status,omitempty"` // 0: not checked
	Body    Checks `yaml:"body,omitempty"`
	Headers Checks `yaml:"headers,omitempty"`
}

// Check is one expectation on a body field (dotted path; "$" is the whole body) or header.
type Check struct {
	Path  string
	Match Matcher
	Pos   string
	line  int
}

// Checks are expectations in file order (a YAML mapping: path → matcher).
type Checks []Check

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
	Re    *regexp.Regexp // regex (Parse compiles Pattern)
	N     int            // length

	Pattern string // regex, as written
}

// Value is a JSON value written as YAML: numbers keep their literal text (json.Number).
// A value read from YAML, or exported from recorded JSON, keeps that node so it is written
// back as it was (key order, number text).
type Value struct {
	V any
	n *yaml.Node
}
