package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/replay"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

type sandbox struct {
	*app.App
	URL string
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	sb, c := contracttest.Start(t)
	return sandbox{sb, c.BaseURL}
}

func (sb sandbox) parse(t *testing.T, name, src string) *scenariofile.File {
	t.Helper()
	f, err := scenariofile.Parse(name, []byte(src), sb.Engine.Catalogue())
	if err != nil {
		t.Fatalf("parse %s:\n%v", name, err)
	}
	return f
}

func (sb sandbox) replay(t *testing.T, files ...*scenariofile.File) ([]*replay.FileResult, string) {
	t.Helper()
	var out bytes.Buffer
	// Every answer the sandbox gives the replay is checked against the contract as well.
	client := &http.Client{Transport: contracttest.Transport(t, nil)}
	res := replay.Run(context.Background(), files, replay.Options{Target: sb.URL, Client: client, Out: &out})
	return res, out.String()
}

// call sends a request straight to the sandbox (not through replay); the answer is
// checked against the contract.
func call(t *testing.T, method, url, body string, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Transport: contracttest.Transport(t, nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

const greenFile = `name: green run
reset: true
vars:
  entity: "675676"
rules:
  - operationId: viewCustomer
    outcome: customer-not-found
    times: 1
    match: {entityId: "675676"}
steps:
  - name: the armed rule answers first
    path: /v1/viewCustomer
    body: {entityId: "${entity}"}
    expect:
      status: 400
      body: {exception.errorCode: CUS001}
  - name: then state answers
    path: /v1/viewCustomer
    body: {entityId: "${entity}"}
    expect:
      status: 200
      body:
        result.entityId: ${entity}
        result.kitInfo: {length: 1}
        result.kitInfo.0.cardNumber: {regex: "^608040X+6857$"}
        exception: {absent: true}
      headers:
        Content-Type: {regex: json}
    save:
      kit: result.kitInfo.0.kitNo
  - name: activate the saved kit
    path: /v1/kit-manager/kitActivation
    body: {entityId: "${entity}", kitNo: "${kit}"}
    expect: {status: 200, body: {result: success}}
  - name: activating twice is refused
    path: /v1/kit-manager/kitActivation
    body: {entityId: "${entity}", kitNo: "${kit}"}
    expect: {status: 400, body: {exception.errorCode: card.already.active}}
  - name: forced outcome
    path: /v1/viewCustomer
    scenario: internal-error
    body: {entityId: "${entity}"}
    expect: {status: 500}
  - name: no tenant header without credentials
    path: /v1/viewCustomer
    auth: false
    body: {entityId: "${entity}"}
    expect: {status: 400, body: {exception.errorCode: tenant.header.missing}}
  - clock: {advance: 1h}
  - name: a DMT customer
    path: /common/dmt-lite/unified/customer/get-customer
    body: {mobileNumber: "8658733463", username: isutestapi1, latlong: "1,2", publicIP: 10.0.0.1}
    expect:
      status: 200
      body: {statusCode: "2", KYCTypeFlag: true, name: {present: true}}
  - name: not ready yet
    path: /v1/viewCustomer
    skip: waiting for a fix
`

func TestReplayGreen(t *testing.T) {
	sb := newSandbox(t)
	res, out := sb.replay(t, sb.parse(t, "green.yaml", greenFile))
	t.Log("\n" + out)
	if replay.AnyFailed(res) {
		t.Fatalf("a step failed:\n%s", out)
	}
	failed, skipped, _ := res[0].Counts()
	if len(res[0].Steps) != 9 || failed != 0 || skipped != 1 {
		t.Fatalf("%d steps, %d failed, %d skipped:\n%s", len(res[0].Steps), failed, skipped, out)
	}
	for _, want := range []string{"· reset ACME_BANK", "· armed rule-1: viewCustomer → customer-not-found ×1 for ACME_BANK where entityId=675676",
		"✓ 3/9", "POST   /v1/kit-manager/kitActivation", "clock advance 1h →", "↷ 9/9", "skipped: waiting for a fix", "PASS: 1 files, 9 steps, 8 passed, 0 failed, 1 skipped, 0 errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The rules the file armed are removed after it.
	if _, body := call(t, "GET", sb.URL+"/__sandbox/rules", ""); !strings.Contains(string(body), `"rules":[]`) {
		t.Errorf("rules left armed: %s", body)
	}
	// The clock moved.
	if off := sb.Clock.Offset(""); off < 3599e9 {
		t.Errorf("clock offset %v after advance 1h", off)
	}
}

const wrongFile = `name: wrong expectations
steps:
  - name: right
    path: /v1/viewCustomer
    body: {entityId: "675676"}
    expect: {status: 200}
  - name: wrong status
    path: /v1/viewCustomer
    body: {entityId: "675676"}
    expect:
      status: 201
      body:
        result.firstName: Grace
        result.nickname: {present: true}
  - name: uses a variable nobody saved
    path: /v1/viewCustomer
    body: {entityId: "nope"}
    save: {who: result.entityId}
  - path: /v1/viewCustomer
    body: {entityId: "${who}"}
`

func TestReplayWrongExpectation(t *testing.T) {
	sb := newSandbox(t)
	res, out := sb.replay(t, sb.parse(t, "wrong.yaml", wrongFile))
	t.Log("\n" + out)
	if !replay.AnyFailed(res) {
		t.Fatalf("no failure reported:\n%s", out)
	}
	steps := res[0].Steps
	if !steps[0].Passed() || steps[1].Passed() || steps[2].Passed() || steps[3].Passed() {
		t.Fatalf("verdicts wrong:\n%s", out)
	}
	for _, want := range []string{
		"✗ 2/4",
		"at wrong.yaml:7",
		"status: expected 201, got 200",
		`body result.firstName: expected "Grace", got "Aadhu"`,
		"body result.nickname: expected to be present, got nothing (the field is not there)",
		"answer: {",
		"save who: result.entityId is not in the answer",
		"${who} has no value (the step that saves it failed or did not run)",
		"FAIL: 1 files, 4 steps, 1 passed, 3 failed, 0 skipped, 0 errors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	doc := junitOf(t, res)
	if doc.Tests != 4 || doc.Failures != 3 || len(doc.Suites) != 1 {
		t.Fatalf("totals: %+v", doc)
	}
	s := doc.Suites[0]
	if s.Name != "wrong expectations" || s.Tests != 4 || s.Failures != 3 || s.Skipped != 0 || len(s.Cases) != 4 {
		t.Fatalf("suite: %+v", s)
	}
	if s.Cases[0].Failure != nil || s.Cases[1].Failure == nil || s.Cases[1].Failure.Message != "status: expected 201, got 200" ||
		!strings.Contains(s.Cases[1].Failure.Text, `body result.firstName: expected "Grace"`) || s.Cases[1].Name != "02 wrong status" ||
		s.Cases[1].File != "wrong.yaml" || s.Cases[1].Line != 7 {
		t.Fatalf("cases: %+v", s.Cases[:2])
	}
}

func TestJUnitCountsSkipped(t *testing.T) {
	sb := newSandbox(t)
	a := sb.parse(t, "a.yaml", "name: a\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"675676\"}, expect: {status: 200}}\n  - {path: /v1/x, skip: later}\n")
	b := sb.parse(t, "b.yaml", "name: b\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"675676\"}, expect: {status: 400}}\n")
	res, _ := sb.replay(t, a, b)
	doc := junitOf(t, res)
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 2 ||
		doc.Suites[0].Skipped != 1 || doc.Suites[0].Cases[1].Skipped == nil || doc.Suites[0].Cases[1].Skipped.Message != "later" ||
		doc.Suites[1].Failures != 1 || doc.Suites[0].File != "a.yaml" {
		t.Fatalf("doc %+v", doc)
	}
}

func TestReplayFixtures(t *testing.T) {
	sb := newSandbox(t)
	// A new customer made from the fixture one, as a partner would write it (a snapshot
	// shows records in the same form).
	var fx struct {
		Customers []map[string]any `json:"customers"`
	}
	if err := fixtures.Load("dcms", &fx); err != nil {
		t.Fatal(err)
	}
	var cust map[string]any
	for _, c := range fx.Customers {
		if c["entityId"] == "675676" {
			cust = c
		}
	}
	if cust == nil {
		t.Fatal("no fixture customer 675676")
	}
	cust["entityId"], cust["firstName"] = "777777", "Fixture"
	value, _ := json.Marshal(cust) // JSON is YAML
	f := sb.parse(t, "fixtures.yaml", `name: fixtures
reset: true
fixtures:
  - api: dcms
    kind: customer
    id: "777777"
    value: `+string(value)+`
steps:
  - path: /v1/viewCustomer
    body: {entityId: "777777"}
    expect: {status: 200, body: {result.firstName: Fixture}}
  - path: /v1/viewCustomer
    body: {entityId: "675676"}
    expect: {status: 200, body: {result.firstName: Aadhu}}
`)
	res, out := sb.replay(t, f)
	if replay.AnyFailed(res) || !strings.Contains(out, "· added 1 fixtures for ACME_BANK") {
		t.Fatalf("fixtures:\n%s", out)
	}
}

func TestReplayBadRuleFailsSetup(t *testing.T) {
	sb := newSandbox(t)
	// Parsed without a catalogue, so only the server can refuse the outcome.
	f, err := scenariofile.Parse("rule.yaml", []byte("name: r\nrules:\n  - {operationId: viewCustomer, outcome: card-melted}\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"675676\"}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, out := sb.replay(t, f)
	steps := res[0].Steps
	if len(steps) != 2 || steps[0].Name != "setup" || steps[0].Passed() || steps[1].Skipped != "the setup failed" ||
		!strings.Contains(out, "rule.yaml:3: arming the rule: POST /__sandbox/rules answered 400") || !strings.Contains(out, "card-melted") {
		t.Fatalf("setup failure:\n%s", out)
	}
}

// uatCUS001 is a UAT's answer the DCMS contract allows.
const uatCUS001 = `{"result":null,"exception":{"errorCode":"CUS001","shortMessage":"Customer not found","detailMessage":"No customer 1","httpStatus":"BAD_REQUEST","fieldError":[],"languageCode":"en"},"pagination":null}`

// A partner's UAT has no admin API: reset, rules and clock moves are skipped with a warning.
func TestReplayWithoutAdminAPI(t *testing.T) {
	uat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/viewCustomer" || r.Header.Get("tenant") != "UAT_BANK" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, uatCUS001)
	}))
	defer uat.Close()
	f, err := scenariofile.Parse("uat.yaml", []byte(`name: uat
reset: true
credentials: {dcms: {tenant: UAT_BANK}}
rules:
  - {operationId: viewCustomer, fault: http-503, times: 1}
steps:
  - clock: {advance: 24h}
  - path: /v1/viewCustomer
    body: {entityId: "1"}
    expect: {status: 400, body: {exception.errorCode: CUS001}}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res := replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: uat.URL, Out: &out})
	if replay.AnyFailed(res) {
		t.Fatalf("failed:\n%s", out.String())
	}
	if len(res[0].Warnings) != 1 || !strings.Contains(out.String(), "the target has no sandbox admin API (GET /__sandbox/rules answered 404): skipping reset, 1 rules") ||
		res[0].Steps[0].Skipped == "" {
		t.Fatalf("warnings %v:\n%s", res[0].Warnings, out.String())
	}
}

// junitOf is the JUnit XML of results, as a CI server reads it back.
func junitOf(t *testing.T, res []*replay.FileResult) replay.JUnitSuites {
	t.Helper()
	var buf bytes.Buffer
	if err := replay.WriteJUnit(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc replay.JUnitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, buf.String())
	}
	return doc
}
