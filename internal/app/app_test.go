package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/dmt"
)

func newSandbox(t *testing.T) (*app.App, *contracttest.Client) {
	t.Helper()
	return contracttest.Start(t)
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func asJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

func exception(t *testing.T, r *contracttest.Response) map[string]any {
	t.Helper()
	ex, _ := r.JSON(t)["exception"].(map[string]any)
	if ex == nil {
		t.Fatalf("no exception in %s", r.Body)
	}
	return ex
}

func TestViewCustomerSeed000(t *testing.T) {
	_, c := newSandbox(t)
	dcmsc := c.With("tenant", "ACME_BANK")

	r := dcmsc.Post("/v1/viewCustomer", `{ "entityId": "675676" }`)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if got, want := asJSON(t, r.Body), readJSON(t, "testdata/seed000_view_customer.json"); !reflect.DeepEqual(got, want) {
		t.Fatalf("viewCustomer 675676 differs from seed 000:\n got %s", r.Body)
	}

	r = dcmsc.Post("/v1/viewCustomer", `{"entityId":"nope"}`)
	if r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	if got, want := asJSON(t, r.Body), readJSON(t, "testdata/seed000_customer_not_found.json"); !reflect.DeepEqual(got, want) {
		t.Fatalf("unknown entityId differs from seed 000's CUS001:\n got %s", r.Body)
	}
}

func TestDCMSPipelineErrors(t *testing.T) {
	_, c := newSandbox(t)
	dcmsc := c.With("tenant", "ACME_BANK")
	cases := []struct {
		name       string
		client     *contracttest.Client
		method     string
		path       string
		body       any
		header     []string
		status     int
		code       string
		fieldsLike []string
	}{
		{"no tenant header", c, "POST", "/v1/viewCustomer", `{"entityId":"675676"}`, nil, 400, "tenant.header.missing", []string{"tenant"}},
		{"missing field", dcmsc, "POST", "/v1/viewCustomer", `{}`, nil, 400, "invalid.input.request", []string{"entityId: is required"}},
		{"wrong type", dcmsc, "POST", "/v1/viewCustomer", `{"entityId": 675676}`, nil, 400, "invalid.input.request", []string{"entityId: must be of type string"}},
		{"malformed JSON", dcmsc, "POST", "/v1/viewCustomer", `{"entityId": `, nil, 400, "invalid.input.request", []string{"body"}},
		{"wrong content type", dcmsc, "POST", "/v1/viewCustomer", `{"entityId":"675676"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "invalid.input.request", []string{"Content-Type"}},
		{"unknown scenario", dcmsc, "POST", "/v1/viewCustomer", `{"entityId":"675676"}`, []string{"X-Sandbox-Scenario", "bogus"}, 400, "invalid.input.request", []string{"X-Sandbox-Scenario"}},
		{"forced CUS001", dcmsc, "POST", "/v1/viewCustomer", `{"entityId":"675676"}`, []string{"X-Sandbox-Scenario", "customer-not-found"}, 400, "CUS001", nil},
		{"forced internal error", dcmsc, "POST", "/v1/viewCustomer", `{"entityId":"675676"}`, []string{"X-Sandbox-Scenario", "internal-error"}, 500, "internal.error", nil},
		{"magic internal error", dcmsc, "POST", "/v1/viewCustomer", `{"entityId":"SANDBOX_500"}`, nil, 500, "internal.error", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.client.Do(tc.method, tc.path, tc.body, tc.header...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			ex := exception(t, r)
			if ex["errorCode"] != tc.code {
				t.Fatalf("errorCode %v, want %s: %s", ex["errorCode"], tc.code, r.Body)
			}
			fields, _ := json.Marshal(ex["fieldError"])
			for _, want := range tc.fieldsLike {
				if !strings.Contains(string(fields), want) {
					t.Errorf("fieldError %s does not name %q", fields, want)
				}
			}
		})
	}

	t.Run("unknown scenario lists the valid names", func(t *testing.T) {
		r := dcmsc.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "bogus")
		if d := exception(t, r)["detailMessage"].(string); !strings.Contains(d, "customer-not-found") || !strings.Contains(d, "internal-error") {
			t.Fatalf("detail does not list the names: %s", d)
		}
	})
}

// Unknown paths and wrong methods are not operations, so they are checked here by hand
// rather than against a contract.
func TestUnmatchedRoutes(t *testing.T) {
	sb, _ := newSandbox(t)
	cases := []struct {
		method, path string
		status       int
		want         string
	}{
		{"POST", "/v1/noSuchThing", 404, `"errorCode":"resource.not.found"`},
		{"GET", "/v1/viewCustomer", 405, `"errorCode":"method.not.allowed"`},
		{"GET", "/common/dmt-lite/unified/customer/get-customer", 405, `"statusCode":"-1"`},
		{"GET", "/ExtCustomerManagement/Nope", 404, `"statusCode":404`},
		{"GET", "/nowhere", 404, `"code":"not_found"`},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		sb.Handler.ServeHTTP(rec, httptest.NewRequest(tc.method, "http://localhost"+tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s %s = %d %s, want %d with %s", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.want)
		}
	}
}

// Two tenants never see each other's changes, in any API, and a reset of one leaves the
// other alone.
func TestTenantsAreIsolated(t *testing.T) {
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		cfg.DMT.Clients = append(cfg.DMT.Clients, dmt.Client{ID: "other_client", Secret: "other_secret"})
	})

	// DCMS: a change made through the API (a customer's new e-mail) stays in its tenant.
	acme, other := c.With("tenant", "ACME_BANK"), c.With("tenant", "OTHER_BANK")
	email := func(cl *contracttest.Client) string {
		r := cl.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
		return r.JSON(t)["result"].(map[string]any)["communicationInfo"].([]any)[0].(map[string]any)["emailId"].(string)
	}
	if email(acme) != "test98765@gmail.com" || email(other) != "test98765@gmail.com" {
		t.Fatal("both tenants should start from the fixtures")
	}
	if r := acme.Post("/v1/update-manager/poi", `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000001","emailId":"new@example.com","notification":true}]}`); r.Status != 200 {
		t.Fatalf("updatePoi: %d %s", r.Status, r.Body)
	}
	if email(acme) != "new@example.com" {
		t.Fatal("ACME_BANK does not see its own change")
	}
	if email(other) != "test98765@gmail.com" {
		t.Fatal("OTHER_BANK sees ACME_BANK's change")
	}

	// DMT: a customer registered for one client is unknown to another.
	c.Post("/__sandbox/reset", nil) // (also proves a full reset is harmless mid-test)
	dmtBody := `{"mobileNumber":"8618743463","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`
	code := func(cl *contracttest.Client) any {
		return cl.Post("/common/dmt-lite/unified/customer/get-customer", dmtBody).JSON(t)["statusCode"]
	}
	sandboxClient := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	sandboxClient.Post("/common/dmt-lite/unified/otp/send", `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`)
	sandboxClient.Post("/common/dmt-lite/unified/customer/process-customer-registration",
		`{"mobileNumber":"8618743463","name":"Sangram Keshari pradhan","otp":"123456","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`)
	if code(sandboxClient) != "3" {
		t.Fatalf("registered customer: %v", code(sandboxClient))
	}
	if got := code(c.With("client_id", "other_client").With("client_secret", "other_secret")); got != "0" {
		t.Fatalf("another client sees the customer: statusCode %v", got)
	}

	// Profile: a submission of one tenant is not found by another tenant's token.
	token := func(tenant string) *contracttest.Client {
		r := c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": tenant})
		return c.With("Authorization", "Bearer "+r.JSON(t)["result"].(map[string]any)["token"].(string))
	}
	mine, theirs := token("tenant_a"), token("tenant_b")
	add := mine.Post("/ExtCustomerManagement/AddCustomer", map[string]any{"userType": "IndividualCustomer", "customerEmail": "a@example.com",
		"employeeId": "3ea657a9-5a05-46f9-9277-d27f2ccd13ea", "formId": "ffIn3438-63d4-443a-a4af-2336f58d1112", "sendEmail": false,
		"individualCustomer": map[string]string{"firstName": "Ann", "lastName": "A"}})
	id := add.JSON(t)["result"].(map[string]any)["submissionId"].(string)
	if r := mine.Get("/ExtCustomerManagement/GetCustomerDetails/" + id); r.Status != 200 {
		t.Fatalf("own submission: %d", r.Status)
	}
	if r := theirs.Get("/ExtCustomerManagement/GetCustomerDetails/" + id); r.Status != 404 {
		t.Fatalf("another tenant's submission: %d", r.Status)
	}

	// Reset of one tenant leaves the others alone; reset of a tenant restores its fixtures.
	acme.Post("/v1/update-manager/poi", `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000001","emailId":"new@example.com","notification":true}]}`)
	c.Post("/__sandbox/reset?tenant=OTHER_BANK", nil)
	if email(acme) != "new@example.com" {
		t.Fatal("reset of OTHER_BANK touched ACME_BANK")
	}
	if r := c.Post("/__sandbox/reset?tenant=ACME_BANK", nil); r.JSON(t)["tenant"] != "ACME_BANK" {
		t.Fatalf("reset answered %s", r.Body)
	}
	if email(acme) != "test98765@gmail.com" {
		t.Fatal("reset did not restore the fixtures")
	}
	if code(sandboxClient) != "3" {
		t.Fatal("reset of ACME_BANK touched the DMT client sandbox_client")
	}
}

func TestScenarioCatalogue(t *testing.T) {
	_, c := newSandbox(t)
	r := c.Get("/__sandbox/scenarios?operationId=viewCustomer")
	var cat struct {
		Operations []struct {
			OperationID string `json:"operationId"`
			Outcomes    []struct {
				Name   string `json:"name"`
				Status int    `json:"status"`
				Code   string `json:"code"`
			} `json:"outcomes"`
		} `json:"operations"`
	}
	r.Decode(t, &cat)
	if len(cat.Operations) != 1 || cat.Operations[0].OperationID != "viewCustomer" {
		t.Fatalf("filter by operationId: %s", r.Body)
	}
	found := false
	for _, o := range cat.Operations[0].Outcomes {
		if o.Name == "customer-not-found" && o.Status == 400 && o.Code == "CUS001" {
			found = true
		}
	}
	if !found {
		t.Fatalf("customer-not-found → CUS001 missing: %s", r.Body)
	}
	all := c.Get("/__sandbox/scenarios")
	all.Decode(t, &cat)
	if len(cat.Operations) < 30 {
		t.Fatalf("catalogue has %d operations", len(cat.Operations))
	}
}

func TestJournal(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "ACME_BANK")
	acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	acme.Post("/v1/viewCustomer", `{"entityId":"nope"}`)
	c.With("tenant", "OTHER").Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "internal-error")

	var j struct {
		Capacity int `json:"capacity"`
		Entries  []struct {
			Tenant, OperationID, Outcome, Request, Response string
			Status                                          int
		} `json:"entries"`
	}
	c.Get("/__sandbox/journal?tenant=ACME_BANK").Decode(t, &j)
	if len(j.Entries) != 2 || j.Capacity != 1000 {
		t.Fatalf("journal for ACME_BANK: %+v", j)
	}
	newest, oldest := j.Entries[0], j.Entries[1]
	if newest.Outcome != "customer-not-found" || newest.Status != 400 || !strings.Contains(newest.Request, "nope") {
		t.Fatalf("newest entry: %+v", newest)
	}
	if oldest.Outcome != "ok" || oldest.OperationID != "viewCustomer" || !strings.Contains(oldest.Response, "608040XXXXXX6857") {
		t.Fatalf("oldest entry: %+v", oldest)
	}
	c.Get("/__sandbox/journal?limit=1").Decode(t, &j)
	if len(j.Entries) != 1 || j.Entries[0].Tenant != "OTHER" || j.Entries[0].Outcome != "internal-error" {
		t.Fatalf("limit=1: %+v", j.Entries)
	}
	if r := c.Do("DELETE", "/__sandbox/journal", nil); r.JSON(t)["cleared"] != float64(3) {
		t.Fatalf("clear: %s", r.Body)
	}
	c.Get("/__sandbox/journal").Decode(t, &j)
	if len(j.Entries) != 0 {
		t.Fatalf("journal after clear: %+v", j.Entries)
	}
	if r := c.Get("/__sandbox/journal?limit=0"); r.Status != 400 || !strings.Contains(string(r.Body), "limit") {
		t.Fatalf("limit=0: %d %s", r.Status, r.Body)
	}
}

func TestClock(t *testing.T) {
	_, c := newSandbox(t)
	r := c.Post("/__sandbox/clock", map[string]any{"advance": "72h"})
	if r.Status != 200 || r.JSON(t)["offset"] != "72h0m0s" {
		t.Fatalf("advance: %d %s", r.Status, r.Body)
	}
	r = c.Post("/__sandbox/clock", map[string]any{"set": "2030-01-02T15:04:05Z"})
	if !strings.HasPrefix(r.JSON(t)["now"].(string), "2030-01-02T15:04:0") {
		t.Fatalf("set: %s", r.Body)
	}
	if r := c.Post("/__sandbox/clock", map[string]any{"advance": "soon"}); r.Status != 400 || !strings.Contains(string(r.Body), "advance") {
		t.Fatalf("bad duration: %d %s", r.Status, r.Body)
	}
	if r := c.Post("/__sandbox/clock", map[string]any{}); r.Status != 400 {
		t.Fatalf("empty change: %d %s", r.Status, r.Body)
	}
	c.Post("/__sandbox/clock", map[string]any{"reset": true})
	if r := c.Get("/__sandbox/clock"); r.JSON(t)["offset"] != "0s" {
		t.Fatalf("reset: %s", r.Body)
	}
}

func TestHealth(t *testing.T) {
	_, c := newSandbox(t)
	if r := c.Get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthz: %d", r.Status)
	}
}

// The generated fixtures come from --seed: the same flags give the same data in every
// API, another seed gives other data, and --customers says how many there are.
func TestFixturesAreDeterministic(t *testing.T) {
	answers := func(seed uint64) []string {
		_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Fixtures.Seed = seed; cfg.Fixtures.Customers = 5 })
		var out []string
		for _, id := range []string{"700001", "700005", "700006"} {
			r := c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"`+id+`"}`)
			out = append(out, fmt.Sprint(r.Status), string(r.Body))
		}
		dmt := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
		for _, mobile := range []string{"7000000005", "7000000006"} {
			r := dmt.Post("/common/dmt-lite/unified/customer/get-customer", `{"mobileNumber":"`+mobile+`","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`)
			out = append(out, string(r.Body))
		}
		return out
	}
	lines, b, other := answers(7), answers(7), answers(8)
	a := strings.Join(lines, "\n")
	if a != strings.Join(b, "\n") {
		t.Fatal("the same seed gave different fixtures")
	}
	if a == strings.Join(other, "\n") {
		t.Fatal("another seed gave the same fixtures")
	}
	if lines[0] != "200" || lines[2] != "200" || lines[4] != "400" || !strings.Contains(lines[5], "CUS001") ||
		!strings.Contains(lines[6], `"statusCode":"2"`) || !strings.Contains(lines[7], `"statusCode":"0"`) {
		t.Fatalf("--customers 5 did not give exactly five generated DCMS customers:\n%s", a)
	}
}
