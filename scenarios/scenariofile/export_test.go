package scenariofile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/scenarios"
)

const sub = "3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

// exportEntries are a session touching every special case of Export.
func exportEntries() []journal.Entry {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return []journal.Entry{
		{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", ContentType: "application/json",
			Status: 200, Outcome: "ok", Request: []byte(`{"entityId":"675676"}`), Response: []byte(`{"result":{"entityId":"675676","kitInfo":[{"kitNo":"4240171642"}]},"exception":null}`)},
		{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", ContentType: "application/json",
			Scenario: "customer-not-found", Status: 400, Outcome: "customer-not-found", Request: []byte(`{"entityId":"000123"}`),
			Response: []byte(`{"result":null,"exception":{"errorCode":"CUS001"}}`)},
		{Time: at, API: "dcms", Tenant: "OTHER_BANK", OperationID: "kitActivation", Method: "POST", Path: "/v1/kit-manager/kitActivation", ContentType: "application/json",
			Rule: "rule-3", Status: 500, Outcome: "internal-error", Request: []byte(`{"entityId":"675676","kitNo":"4240171642"}`), Response: []byte(`{"exception":{"errorCode":"internal.error"}}`)},
		{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "setPinV2", Method: "POST", Path: "/v1/kit-manager/v2/setPin", ContentType: "application/json",
			Status: 200, Outcome: "ok", Request: []byte(`{"pin":"****","kitNo":"4240171642"}`), Response: []byte(`{"result":true,"exception":null}`)},
		{Time: at, API: "dcms", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", ContentType: "application/json",
			Status: 400, Outcome: "tenant-header-missing", Request: []byte(`{"entityId":"675676"}`), Response: []byte(`{"exception":{"errorCode":"tenant.header.missing"}}`)},
		{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", ContentType: "application/json",
			Status: 0, Request: []byte(`{"entityId":"675676"}`)},
		{Time: at, API: "dmt", Tenant: "sandbox_client", OperationID: "processCustomerRegistration", Method: "POST", Path: "/common/dmt-lite/unified/customer/process-customer-registration",
			ContentType: "application/json", Status: 200, Outcome: "registration-success",
			Request: []byte(`{"mobileNumber":"9876500100","name":"Asha Rao","otp":"****"}`), Response: []byte(`{"status":"SUCCESS","statusCode":"2"}`)},
		{Time: at, API: "profile", Tenant: "sandbox_tenant", OperationID: "getAppToken", Method: "POST", Path: "/api/AppSessionManager/GetAppToken", ContentType: "application/json",
			Status: 200, Outcome: "ok", Request: []byte(`{"appId":"sandbox_app","appSecret":"****","tenantId":"sandbox_tenant"}`), Response: []byte(`{"statusCode":200,"result":{"token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.x.y"}}`)},
		{Time: at, API: "profile", Tenant: "sandbox_tenant", OperationID: "addCustomer", Method: "POST", Path: "/ExtCustomerManagement/AddCustomer", ContentType: "application/json",
			Status: 200, Outcome: "ok", Request: []byte(`{"firstName":"Ada"}`), Response: []byte(`{"statusCode":200,"result":{"submissionId":"` + sub + `"}}`)},
		{Time: at, API: "profile", Tenant: "sandbox_tenant", OperationID: "getCustomerDetails", Method: "GET", Path: "/ExtCustomerManagement/GetCustomerDetails/" + sub,
			Status: 200, Outcome: "ok", Response: []byte(`{"statusCode":200,"result":{"submissionId":"` + sub + `"}}`)},
		{Time: at, API: "profile", Tenant: "sandbox_tenant", OperationID: "setCustomerPassword", Method: "POST", Path: "/ExtCustomerManagement/SetCustomerPassword", Query: "lang=en",
			ContentType: "application/json", Status: 200, Outcome: "ok", Request: []byte(`{"userType":"Customer","submissionId":"` + sub + `"}`), Response: []byte(`{"statusCode":200}`)},
		{Time: at, API: journal.ClockAPI, OperationID: journal.ClockOperation, Method: "POST", Path: journal.ClockPath, Status: 200, Outcome: "ok",
			Request: []byte(`{"advance":"72h"}`), Response: []byte(`{"now":"2026-01-05T03:04:05Z","offset":"72h0m0s"}`)},
		{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "kitTracking", Method: "POST", Path: "/v1/kit-manager/kitTracking", ContentType: "application/json",
			Status: 200, Outcome: "ok", Request: []byte(`{"kitNo":"4240300002"}`),
			Response: []byte(`{"exception":null,"result":{"shipmentData":{"shipment":[{"kitNo":"4240300002","status":"DELIVERED","statusDate":"2026-01-05","receivedBy":"Arjun Mehta","waybillNo":"WB90000123"}]}}}`)},
		{Time: at, API: journal.ClockAPI, Tenant: "ACME_BANK", OperationID: journal.ClockOperation, Method: "POST", Path: journal.ClockPath, Status: 200, Outcome: "ok",
			Request: []byte(`{"reset":true}`), Response: []byte(`{"now":"2026-01-02T03:04:05Z","offset":"0s"}`)},
	}
}

func TestExport(t *testing.T) {
	entries := exportEntries()
	data, err := Export(entries, "hand session")
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	t.Log("\n" + out)
	f, err := Parse("export.yaml", data, nil)
	if err != nil {
		t.Fatalf("the export does not parse:\n%v\n%s", err, out)
	}
	if f.Name != "hand session" || !f.Reset || f.Credentials.DCMS.Tenant != "ACME_BANK" || f.Credentials.DMT.ClientID != "sandbox_client" {
		t.Fatalf("header: %+v", f)
	}
	if len(f.Steps) != len(entries)+1 {
		t.Fatalf("%d steps for %d calls and clock moves (+1 OTP read)", len(f.Steps), len(entries))
	}
	s := f.Steps
	if s[0].Name != "viewCustomer" || s[0].Expect.Status != 200 || s[0].Expect.Body[0].Path != "exception" || s[0].Expect.Body[0].Match.Kind != MatchAbsent {
		t.Errorf("ok step: %+v", s[0])
	}
	if s[1].Scenario != "customer-not-found" || s[1].Expect.Body[0].Match.Value != "CUS001" || s[1].Body.V.(map[string]any)["entityId"] != "000123" {
		t.Errorf("scenario step: %+v", s[1])
	}
	if s[2].Tenant != "OTHER_BANK" || s[2].Scenario != "internal-error" || !strings.Contains(s[2].Note, "armed rule rule-3") {
		t.Errorf("rule step: %+v", s[2])
	}
	if !strings.Contains(s[3].Note, "masked values") {
		t.Errorf("masked PIN not marked: %+v", s[3])
	}
	if !s[4].NoAuth() {
		t.Errorf("call without tenant replays with credentials: %+v", s[4])
	}
	if s[5].Expect.Status != 0 || !strings.Contains(s[5].Note, "no answer was recorded") {
		t.Errorf("fault step: %+v", s[5])
	}
	if s[6].Path != "/__sandbox/tenants/sandbox_client/dmt/otp/9876500100" || len(s[6].Save) != 1 || s[6].Save[0] != (Save{"otp", "otp"}) ||
		s[7].Body.V.(map[string]any)["otp"] != "${otp}" || strings.Contains(s[7].Note, "masked") {
		t.Errorf("DMT OTP: %+v / %+v", s[6], s[7])
	}
	if s[8].Body.V.(map[string]any)["appSecret"] != credentials.ProfileAppSecret {
		t.Errorf("GetAppToken secret: %+v", s[8])
	}
	if len(s[9].Save) != 1 || s[9].Save[0] != (Save{"submissionId", "result.submissionId"}) ||
		s[10].Path != "/ExtCustomerManagement/GetCustomerDetails/${submissionId}" || s[10].Method != "GET" ||
		s[11].Body.V.(map[string]any)["submissionId"] != "${submissionId}" || s[11].Query[0] != (KV{"lang", "en"}) {
		t.Errorf("profile ids: %+v / %+v / %+v", s[9], s[10], s[11])
	}
	// The seeded kit shown by viewCustomer and sent back later is saved too (harmless: the
	// same value comes back), but the token is never taken for an id of a request.
	if strings.Contains(out, "token:") && strings.Contains(out, "${token}") {
		t.Errorf("token substituted")
	}
	if !strings.Contains(out, "# Recorded by the partner sandbox (GET /__sandbox/journal/export)") || f.Description != "12 calls and 2 clock moves recorded from 2026-01-02T03:04:05Z to 2026-01-02T03:04:05Z (sandbox clock)" {
		t.Errorf("header comment or description: %q", f.Description)
	}
	// Expectations are typed: DMT's statusCode is a string, the profile's a number.
	if c := s[7].Expect.Body[1]; c.Path != "statusCode" || c.Match.Value != "2" {
		t.Errorf("DMT statusCode: %+v", c)
	}
	if c := s[8].Expect.Body[0]; c.Path != "statusCode" || c.Match.Value != json.Number("200") {
		t.Errorf("profile statusCode: %+v", c)
	}
	// Clock moves are clock steps where they happened, and the answer after the move is
	// expected by what a partner checks (the delivery status, who received it), not by
	// its dates or waybill.
	if c := s[12].Clock; c == nil || c.Advance != "72h" || c.Tenant != "" || s[14].Clock == nil || !s[14].Clock.Reset || s[14].Clock.Tenant != "ACME_BANK" {
		t.Errorf("clock steps: %+v / %+v", s[12], s[14])
	}
	want := map[string]any{"exception": nil, "result.shipmentData.shipment.0.status": "DELIVERED", "result.shipmentData.shipment.0.receivedBy": "Arjun Mehta"}
	if got := s[13].Expect.Body; len(got) != len(want) {
		t.Errorf("kitTracking expectations: %+v", got)
	} else {
		for _, c := range got {
			if w, ok := want[c.Path]; !ok || (w != nil && c.Match.Value != w) {
				t.Errorf("kitTracking expects %s = %v", c.Path, c.Match.Value)
			}
		}
	}
}

func TestExportEmpty(t *testing.T) {
	if _, err := Export(nil, "x"); !errors.Is(err, ErrNothingToExport) {
		t.Fatalf("exported an empty journal: %v", err)
	}
}

// An entry that a scenario file cannot hold is left out with a comment; the file still
// parses; with nothing left, the error says why (issue 12).
func TestExportLeavesOutInvalidUTF8(t *testing.T) {
	good := journal.Entry{ID: 1, API: "dcms", Tenant: "ACME_BANK", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer",
		ContentType: "application/json", Status: 200, Request: []byte(`{"entityId":"675676"}`), Response: []byte(`{"result":{}}`)}
	badPath, badScenario := good, good
	badPath.ID, badPath.Path = 2, "/v1/\xff"
	badScenario.ID, badScenario.Scenario = 3, "x\xfe"
	out, err := Export([]journal.Entry{good, badPath, badScenario}, "bad\xffname")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"journal entry 2 (viewCustomer) is left out: its path is not valid UTF-8",
		"journal entry 3 (viewCustomer) is left out: its X-Sandbox-Scenario header is not valid UTF-8"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("no %q in\n%s", w, out)
		}
	}
	if f, err := Parse("export.yaml", out, nil); err != nil || len(f.Steps) != 1 {
		t.Fatalf("the export does not parse to one step: %v\n%s", err, out)
	}
	if _, err := Export([]journal.Entry{badPath}, "x"); !errors.Is(err, ErrNothingToExport) || !strings.Contains(err.Error(), "its path is not valid UTF-8") {
		t.Fatalf("export of a bad entry alone: %v", err)
	}
}

// A call that asked for a fault is exported with its steering headers; one that has no
// answer to check (connection reset, timeout) is exported skipped.
func TestExportFaults(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	entry := func(fault string, status int) journal.Entry {
		return journal.Entry{Time: at, API: "dcms", Tenant: "ACME_BANK", OperationID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer",
			ContentType: "application/json", Fault: fault, Delay: "5ms", Status: status, Request: []byte(`{"entityId":"675676"}`),
			Response: []byte(`{"exception":{"errorCode":"service.unavailable"}}`)}
	}
	data, err := Export([]journal.Entry{entry(scenarios.Fault503, 503), entry(scenarios.FaultReset, 0)}, "faults")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("faults.yaml", data, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	header := func(s Step, name string) string {
		for _, kv := range s.Headers {
			if kv.Name == name {
				return kv.Value
			}
		}
		return ""
	}
	if s := f.Steps[0]; header(s, scenarios.FaultHeader) != scenarios.Fault503 || header(s, scenarios.DelayHeader) != "5ms" || s.Skip != "" {
		t.Fatalf("http-503 step: %+v", s)
	}
	if s := f.Steps[1]; header(s, scenarios.FaultHeader) != scenarios.FaultReset || s.Skip == "" {
		t.Fatalf("connection-reset step is not skipped: %+v", s)
	}
}
