package scenariofile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

func fileCatalogue() *scenarios.Catalogue {
	cat := scenarios.NewCatalogue()
	cat.Add(scenarios.Operation{API: "dcms", ID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", Outcomes: []scenarios.Outcome{
		{Name: scenarios.OK, Status: 200},
		{Name: "customer-not-found", Status: 400, Code: "CUS001", Magic: []scenarios.Magic{{Field: "entityId", Value: "000000"}}},
		{Name: "internal-error", Status: 500},
		{Name: "service-unavailable", Status: 503},
	}})
	cat.Add(scenarios.Operation{API: "profile", ID: "getCustomerDetails", Method: "GET", Path: "/ExtCustomerManagement/GetCustomerDetails/{submissionId}",
		Outcomes: []scenarios.Outcome{{Name: scenarios.OK, Status: 200}, {Name: "not-found", Status: 404}}})
	cat.Add(scenarios.Operation{API: "dmt", ID: "getCustomer", Method: "POST", Path: "/common/dmt-lite/unified/customer/get-customer",
		Outcomes: []scenarios.Outcome{{Name: scenarios.OK, Status: 200}}})
	return cat
}

const goodFile = `name: card lifecycle
description: view, then block
reset: true
credentials:
  dcms: {tenant: OTHER_BANK}
vars:
  entity: "675676"
fixtures:
  - api: dcms
    kind: customer
    id: "42"
    value: {entityId: "42", firstName: Ada, age: 36, tags: [a, b]}
rules:
  - operationId: viewCustomer
    outcome: customer-not-found
    times: 1
    match: {entityId: "000001"}
  - operationId: getCustomer
    fault: http-503
    tenant: "*"
steps:
  - name: view
    path: /v1/viewCustomer
    body: {entityId: "${entity}", count: 3, big: 6080401234567890, ok: true, none: null}
    expect:
      status: 200
      body:
        result.entityId: ${entity}
        result.kitInfo: {length: 2}
        result.kitInfo.0.kitNo: {present: true}
        exception: {absent: true}
        result.firstName: {regex: "^A"}
        result.tags: [a, b]
        result.address: {equals: {city: Pune}}
      headers:
        Content-Type: {regex: json}
    save:
      kit: result.kitInfo.0.kitNo
  - clock: {advance: 72h}
  - path: /ExtCustomerManagement/GetCustomerDetails/${kit}
    scenario: not-found
    tenant: other_tenant
    headers: {X-Trace: "t-${run}"}
    query: {page: 2}
    expect: {status: 404}
  - name: malformed
    method: post
    path: /v1/viewCustomer
    raw: '{"entityId": '
    auth: false
    skip: not today
`

func TestParseGoodFile(t *testing.T) {
	f, err := Parse("good.yaml", []byte(goodFile), fileCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "card lifecycle" || !f.Reset || f.Credentials.DCMS.Tenant != "OTHER_BANK" || f.Credentials.DMT.ClientID != credentials.DMTClientID || f.Credentials.Profile.AppSecret != credentials.ProfileAppSecret {
		t.Fatalf("header fields: %+v", f)
	}
	if len(f.Vars) != 1 || f.Vars[0] != (Var{"entity", "675676"}) {
		t.Fatalf("vars %+v", f.Vars)
	}
	if len(f.Fixtures) != 1 || f.Fixtures[0].Tenant != "OTHER_BANK" || f.Fixtures[0].Pos != "good.yaml:9" {
		t.Fatalf("fixtures %+v", f.Fixtures)
	}
	var rec map[string]any
	if err := json.Unmarshal(f.Fixtures[0].Value, &rec); err != nil || rec["age"] != 36.0 || rec["firstName"] != "Ada" {
		t.Fatalf("fixture value %s (%v)", f.Fixtures[0].Value, err)
	}
	if len(f.Rules) != 2 || f.Rules[0].Tenant != "OTHER_BANK" || f.Rules[0].Match["entityId"] != "000001" || f.Rules[1].Tenant != "" || f.Rules[1].Pos != "good.yaml:18" {
		t.Fatalf("rules %+v", f.Rules)
	}
	if len(f.Steps) != 4 {
		t.Fatalf("%d steps", len(f.Steps))
	}
	s := f.Steps[0]
	if s.API != "dcms" || s.Method != "POST" || s.ContentType != "application/json" || s.Expect.Status != 200 || len(s.Expect.Body) != 7 || len(s.Save) != 1 {
		t.Fatalf("step 0: %+v", s)
	}
	body, _ := json.Marshal(s.Body.V)
	if string(body) != `{"big":6080401234567890,"count":3,"entityId":"${entity}","none":null,"ok":true}` {
		t.Fatalf("body %s", body)
	}
	kinds := []string{}
	for _, c := range s.Expect.Body {
		kinds = append(kinds, c.Match.Kind)
	}
	if strings.Join(kinds, ",") != "equals,length,present,absent,regex,equals,equals" || s.Expect.Body[1].Match.N != 2 {
		t.Fatalf("matchers %v", kinds)
	}
	if c := f.Steps[1]; c.IsRequest() || c.Clock.Advance != "72h" || c.Name != "clock advance 72h" {
		t.Fatalf("clock step %+v", c)
	}
	if g := f.Steps[2]; g.Method != "GET" || g.API != "profile" || g.Tenant != "other_tenant" || g.Query[0] != (KV{"page", "2"}) || g.Name != "GET /ExtCustomerManagement/GetCustomerDetails/${kit}" {
		t.Fatalf("step 2 %+v", g)
	}
	if m := f.Steps[3]; m.Method != "POST" || m.Raw == nil || !m.NoAuth() || m.Skip != "not today" {
		t.Fatalf("step 3 %+v", m)
	}
	if got := strings.Join(f.Tenants(), ","); got != "OTHER_BANK,sandbox_tenant,other_tenant" {
		t.Fatalf("tenants %s", got)
	}
}

func TestParseBadFiles(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"not YAML", "name: x\nsteps: [\n", "bad.yaml:2: not valid YAML"},
		{"empty", "", "bad.yaml: empty file"},
		{"unknown top key", "name: x\nstep:\n  - path: /v1/viewCustomer\n", `bad.yaml:2: scenario file: unknown key "step"`},
		{"no name", "steps:\n  - path: /v1/viewCustomer\n", "bad.yaml:1: name is missing"},
		{"nothing to do", "name: x\n", "bad.yaml:1: the file has no steps"},
		{"unknown step key", "name: x\nsteps:\n  - path: /v1/viewCustomer\n    expekt: {status: 200}\n", `bad.yaml:4: steps[0]: unknown key "expekt"`},
		{"neither request nor clock", "name: x\nsteps:\n  - name: nothing\n", "bad.yaml:3: steps[0]: a step needs either path"},
		{"both request and clock", "name: x\nsteps:\n  - path: /v1/x\n    clock: {advance: 1h}\n", "bad.yaml:4: steps[0]: a step is either a request"},
		{"bad duration", "name: x\nsteps:\n  - clock:\n      advance: soon\n", `bad.yaml:4: steps[0].clock.advance: "soon" is not a positive Go duration`},
		{"two clock moves", "name: x\nsteps:\n  - clock: {advance: 1h, reset: true}\n", "bad.yaml:3: steps[0].clock: give exactly one"},
		{"bad time", "name: x\nsteps:\n  - clock: {set: tomorrow}\n", `bad.yaml:3: steps[0].clock.set: "tomorrow" is not an RFC 3339 time`},
		{"unknown operation", "name: x\nrules:\n  - operationId: viewCustomr\n    outcome: ok\n", `bad.yaml:3: rules[0]: operationId: "viewCustomr" is not an operation`},
		{"outcome not in catalogue", "name: x\nrules:\n  - operationId: viewCustomer\n    outcome: card-melted\n", `bad.yaml:4: rules[0]: outcome: "card-melted" is not documented for viewCustomer; valid: ok, customer-not-found`},
		{"bad fault", "name: x\nrules:\n  - operationId: viewCustomer\n    fault: explode\n", `bad.yaml:4: rules[0].fault: unknown fault "explode"; valid: connection-reset, timeout, http-500, http-503`},
		{"rule delay", "name: x\nrules:\n  - operationId: viewCustomer\n    delay: 2h\n", `bad.yaml:4: rules[0]: delay: "2h" is not a Go duration`},
		{"rule times", "name: x\nrules:\n  - {operationId: viewCustomer, outcome: ok, times: many}\n", "bad.yaml:3: rules[0].times: want a whole number"},
		{"scenario not documented", "name: x\nsteps:\n  - path: /v1/viewCustomer\n    body: {}\n    scenario: card-melted\n", `bad.yaml:5: scenario: "card-melted" is not documented for viewCustomer`},
		{"scenario on unknown op", "name: x\nsteps:\n  - path: /v1/nope\n    scenario: ok\n", "bad.yaml:4: scenario: no operation of the catalogue is GET /v1/nope"},
		{"undefined variable", "name: x\nsteps:\n  - path: /v1/viewCustomer\n    body: {entityId: \"${who}\"}\n    save: {who: result.entityId}\n", "bad.yaml:4: steps[0]: ${who} is not defined"},
		{"bad matcher", "name: x\nsteps:\n  - path: /v1/viewCustomer\n    expect:\n      body:\n        result: {city: Pune}\n", "bad.yaml:6: steps[0].expect.body.result: a mapping here must be one matcher"},
		{"bad regex", "name: x\nsteps:\n  - path: /v1/x\n    expect:\n      body: {a: {regex: \"(\"}}\n", `bad.yaml:5: steps[0].expect.body.a.regex: "(" is not a regular expression`},
		{"present false", "name: x\nsteps:\n  - path: /v1/x\n    expect:\n      body: {a: {present: false}}\n", "bad.yaml:5: steps[0].expect.body.a.present: write present: true"},
		{"bad status", "name: x\nsteps:\n  - path: /v1/x\n    expect: {status: 99}\n", "bad.yaml:4: steps[0].expect.status: 99 is not an HTTP status"},
		{"bad method", "name: x\nsteps:\n  - path: /v1/x\n    method: FETCH\n", `bad.yaml:4: steps[0].method: "FETCH" is not an HTTP method`},
		{"body and raw", "name: x\nsteps:\n  - path: /v1/x\n    body: {}\n    raw: \"{}\"\n", "bad.yaml:5: steps[0]: give body"},
		{"query in path", "name: x\nsteps:\n  - path: /v1/x?a=b\n", "bad.yaml:3: steps[0].path: put the query string in query:"},
		{"fixture api", "name: x\nfixtures:\n  - {api: bank, kind: k, id: \"1\", value: {}}\n", `bad.yaml:3: fixtures[0].api: "bank" is not an API`},
		{"fixture value", "name: x\nfixtures:\n  - api: dcms\n    kind: k\n    id: \"1\"\n    value: [1]\n", "bad.yaml:6: fixtures[0].value: want a mapping"},
		{"duplicate key", "name: x\nname: y\nsteps:\n  - path: /v1/x\n", `bad.yaml:2: scenario file: "name" is given twice`},
		{"unknown credential", "name: x\ncredentials:\n  dmt: {clientId: me}\nsteps:\n  - path: /v1/x\n", `bad.yaml:3: credentials.dmt: unknown key "clientId"`},
		{"bad variable name", "name: x\nvars: {9a: 1}\nsteps:\n  - path: /v1/x\n", `bad.yaml:2: vars: "9a" is not a variable name`},
		{"request key on a clock step", "name: x\nsteps:\n  - clock: {advance: 1h}\n    method: GET\n", `bad.yaml:4: steps[0]: "method" belongs to a request`},
		{"outcome and fault", "name: x\nrules:\n  - {operationId: viewCustomer, outcome: ok, fault: http-500}\n", "bad.yaml:3: rules[0]: give outcome or fault, not both"},
		{"skip", "name: x\nsteps:\n  - path: /v1/x\n    skip: 3\n", "bad.yaml:4: steps[0].skip: want a reason (text) or true"},
		{"step not a mapping", "name: x\nsteps:\n  - foo\n", `bad.yaml:3: steps[0]: want a mapping (key: value lines), got "foo"`},
		{"save path", "name: x\nsteps:\n  - path: /v1/x\n    save: {id: [a]}\n", "bad.yaml:4: steps[0].save.id: want the dotted path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.src), fileCatalogue())
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

func TestParseMergeKeys(t *testing.T) {
	f, err := Parse("m.yaml", []byte(`name: merge
steps:
  - path: /v1/x
    body: &base {a: 1, b: {c: 2}, d: x}
  - path: /v1/x
    body:
      <<: *base
      d: y
      e: 3
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(f.Steps[1].Body.V)
	if string(got) != `{"a":1,"b":{"c":2},"d":"y","e":3}` {
		t.Fatalf("merged body %s", got)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("bad.yaml", []byte("name: x\nsteps:\n  - path: /v1/x\n    expekt: 1\n  - clock: {advance: -1h}\n"), nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Line != 4 || errs[1].Line != 5 {
		t.Fatalf("got %v", err)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "name: a\nrules:\n  - {operationId: viewCustomer, outcome: customer-not-found}\n")
	write("b.yml", "name: b\nfixtures:\n  - {api: dmt, kind: customer, id: \"9\", value: {name: B}}\n")
	write("notes.txt", "not a scenario")
	files, err := LoadDir(dir, fileCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "a" || files[1].Fixtures[0].Tenant != credentials.DMTClientID || files[0].Rules[0].Tenant != credentials.DCMSTenant {
		t.Fatalf("files %+v", files)
	}
	write("c.yaml", "name: c\nrules:\n  - {operationId: nope, outcome: ok}\n")
	write("d.yaml", "name: d\nsteps:\n  - {}\n")
	_, err = LoadDir(dir, fileCatalogue())
	if err == nil || !strings.Contains(err.Error(), "c.yaml:3: rules[0]: operationId") || !strings.Contains(err.Error(), "d.yaml:3: steps[0]: a step needs") {
		t.Fatalf("LoadDir errors: %v", err)
	}
}

func TestFixtureDecode(t *testing.T) {
	type customer struct {
		Name string `json:"name"`
	}
	kinds := map[string]store.Kinds{"dmt": {"customer": func() any { return new(customer) }}}
	v, err := Fixture{API: "dmt", Kind: "customer", Value: json.RawMessage(`{"name":"B"}`), Pos: "f.yaml:3"}.Decode(kinds)
	if err != nil || v.(*customer).Name != "B" {
		t.Fatalf("decode %v %v", v, err)
	}
	if _, err := (Fixture{API: "dmt", Kind: "agent", Pos: "f.yaml:3"}).Decode(kinds); err == nil || !strings.HasPrefix(err.Error(), "f.yaml:3: kind") {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := (Fixture{API: "dmt", Kind: "customer", Value: json.RawMessage(`{"nmae":"B"}`), Pos: "f.yaml:3"}).Decode(kinds); err == nil || !strings.Contains(err.Error(), "nmae") {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"a": "1", "b": "two"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	if s, _, ok := Expand("/x/${a}/${b}", lookup); !ok || s != "/x/1/two" {
		t.Fatalf("expand %q", s)
	}
	if _, missing, ok := Expand("${a}${c}", lookup); ok || missing != "c" {
		t.Fatalf("missing %q", missing)
	}
	if n, ok := WholeVar("${a}"); !ok || n != "a" {
		t.Fatal("whole var")
	}
	if _, ok := WholeVar("x${a}"); ok {
		t.Fatal("partial var taken as whole")
	}
}
