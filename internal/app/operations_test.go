package app_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/openapi"
)

// opCall is one call of an operation on a fresh sandbox: a request (with, for POSTs of the
// partner APIs, the contract's own example body unless body is given) and the status the
// sandbox must answer.
type opCall struct {
	method, path string
	header       []string
	example      string // name of the contract's request example to send as the body
	body         any
	status       int
	before       func(t *testing.T, c *contracttest.Client) // state the call needs
}

const (
	profileToken = "PROFILE_TOKEN"
	individual   = "ab98babe-b555-4b79-88bf-967f454df0c0" // seed 004's submission, in the fixtures
	legal        = "5c0e7a1d-93f4-4b8e-a2d6-1e7b9c3f8a40"
)

var dmtAuth = []string{"client_id", "sandbox_client", "client_secret", "sandbox_secret"}

func dcmsCall(path, example string) opCall {
	return opCall{method: "POST", path: path, header: []string{"tenant", "ACME_BANK"}, example: example, status: 200}
}

func dmtCall(path, example string) opCall {
	return opCall{method: "POST", path: path, header: dmtAuth, example: example, status: 200}
}

func profileCall(method, path string) opCall {
	return opCall{method: method, path: path, header: []string{"Authorization", profileToken}, status: 200}
}

func adminCall(method, path string, body any, status int) opCall {
	return opCall{method: method, path: path, body: body, status: status}
}

// uploadDocument puts one PDF on the seed's individual submission.
func uploadDocument(t *testing.T, c *contracttest.Client) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("OriginalFileName", "passport.pdf")
	_ = w.WriteField("DocumentTypeId", "Passport")
	part, _ := w.CreateFormFile("FileContent", "passport.pdf")
	_, _ = part.Write([]byte("%PDF-1.4\n%%EOF\n"))
	_ = w.Close()
	req, _ := http.NewRequest("POST", c.BaseURL+"/ExtForm/submissions/"+individual+"/documents", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", c.Header.Get("Authorization"))
	if r := c.Send(req); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
}

// operations has one successful call of every operation of every contract;
// TestEveryOperationAnswersAsDocumented fails when an operation is missing here.
var operations = map[string]opCall{
	// DCMS, with the contract's examples.
	"authenticate":     dcmsCall("/v1/api/authenticate", "sandboxUser"),
	"registerCustomer": dcmsCall("/v1/register", "register"),
	"viewCustomer":     dcmsCall("/v1/viewCustomer", "seed000"),
	"updatePoi":        dcmsCall("/v1/update-manager/poi", "newMobile"),
	"updatePoa":        dcmsCall("/v1/update-manager/poa", "newCommunicationAddress"),
	"expireInstaKits":  dcmsCall("/v1/inventory/instaKit/expire", "byParentKitNo"),
	"manageAllKits":    dcmsCall("/v1/kit-manager/manageAllKits", "seed002"),
	"manageKit":        dcmsCall("/v1/kit-manager/manageKit", "lock"),
	"kitTracking":      dcmsCall("/v1/kit-manager/kitTracking", "track"),
	"upgradeCard":      dcmsCall("/v1/kit-manager/upgradeCard", "seed003"),
	"kitActivation":    dcmsCall("/v1/kit-manager/kitActivation", "activate"),
	"setPinV2": func() opCall {
		c := dcmsCall("/v1/kit-manager/v2/setPin", "vendorStyle")
		c.before = func(t *testing.T, cl *contracttest.Client) { // the example's kit must be ACTIVE
			cl.Post("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"4240171642"}`, "tenant", "ACME_BANK")
		}
		return c
	}(),
	"createCardOrder": dcmsCall("/v1/card-order", "order"),
	"cancelCardOrder": dcmsCall("/v1/card-order/cancel", "cancel"),

	// DMT, with the contract's examples.
	"getCustomer":                 dmtCall("/common/dmt-lite/unified/customer/get-customer", "seed001"),
	"processCustomerRegistration": dmtCall("/common/dmt-lite/unified/customer/process-customer-registration", "seed001"),
	"sendOtp":                     dmtCall("/common/dmt-lite/unified/otp/send", "registration"),

	// Profile, on the seed's fixtures.
	"getAppToken": {method: "POST", path: "/api/AppSessionManager/GetAppToken", example: "sandbox", status: 200},
	"addCustomer": func() opCall {
		c := profileCall("POST", "/ExtCustomerManagement/AddCustomer")
		c.example = "seed004Individual"
		return c
	}(),
	"setCustomerPassword": func() opCall {
		c := profileCall("POST", "/ExtCustomerManagement/SetCustomerPassword")
		c.example = "seed004"
		return c
	}(),
	"getEmployees":                 profileCall("GET", "/ExtCustomerManagement/GetEmployees"),
	"getIndividualProfile":         profileCall("GET", "/ExtReport/GetIndividualProfile/"+individual),
	"getLegalProfile":              profileCall("GET", "/ExtReport/GetLegalProfile/"+legal),
	"getCustomerDetails":           profileCall("GET", "/ExtCustomerManagement/GetCustomerDetails/"+individual),
	"downloadIndividualProfilePdf": profileCall("GET", "/ExtReport/DownloadIndividualProfilePagePdf/"+individual),
	"downloadLegalProfilePdf":      profileCall("GET", "/ExtReport/DownloadLegalProfilePagePdf/"+legal),
	"uploadDocument":               {method: "UPLOAD", status: 200},
	"listDocuments":                profileCall("GET", "/ExtForm/submissions/"+individual+"/documents"),
	"downloadDocument":             {method: "DOWNLOAD", status: 200},
	"deleteDocuments":              {method: "DELETE_DOCS", status: 200},

	// Admin.
	"health":        adminCall("GET", "/healthz", nil, 200),
	"ready":         adminCall("GET", "/readyz", nil, 200),
	"getMetrics":    adminCall("GET", "/metrics", nil, 200),
	"listScenarios": adminCall("GET", "/__sandbox/scenarios", nil, 200),
	"reset":         adminCall("POST", "/__sandbox/reset?tenant=ACME_BANK", nil, 200),
	"getJournal":    adminCall("GET", "/__sandbox/journal", nil, 200),
	"clearJournal":  adminCall("DELETE", "/__sandbox/journal", nil, 200),
	"countJournal":  adminCall("GET", "/__sandbox/journal/count?operationId=viewCustomer", nil, 200),
	"exportJournal": adminCall("GET", "/__sandbox/journal/export", nil, 200),
	"listRules":     adminCall("GET", "/__sandbox/rules", nil, 200),
	"armRule":       adminCall("POST", "/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "outcome": "customer-not-found"}, 201),
	"removeRule":    {method: "REMOVE_RULE", status: 204},
	"getClock":      adminCall("GET", "/__sandbox/clock", nil, 200),
	"setClock":      adminCall("POST", "/__sandbox/clock", map[string]any{"advance": "1h"}, 200),
	"getSnapshot":   adminCall("GET", "/__sandbox/snapshot?tenant=ACME_BANK", nil, 200),
	"putSnapshot":   {method: "PUT_SNAPSHOT", status: 200},
	"addRecords": adminCall("POST", "/__sandbox/tenants/OPS_BANK/records", map[string]any{"records": []any{
		map[string]any{"api": "dmt", "kind": "customer", "id": "9876500001", "value": map[string]any{"Mobile": "9876500001", "Name": "Ops"}}}}, 200),
	"getTenantKeys":        adminCall("GET", "/__sandbox/tenants/ACME_BANK/keys", nil, 200),
	"getTestKit":           adminCall("GET", "/__sandbox/tenants/ACME_BANK/kits/4240171642", nil, 200),
	"getLastOtp":           {method: "LAST_OTP", status: 200},
	"getOutbox":            adminCall("GET", "/__sandbox/tenants/sandbox_tenant/outbox", nil, 200),
	"getRateLimits":        adminCall("GET", "/__sandbox/tenants/sandbox_tenant/ratelimits", nil, 200),
	"setRateLimits":        adminCall("PUT", "/__sandbox/tenants/sandbox_tenant/ratelimits", map[string]any{"enabled": true, "creationPerMinute": 5, "retrievalPerMinute": 60, "downloadPerMinute": 30}, 200),
	"getWebhook":           {method: "GET_WEBHOOK", status: 200},
	"setWebhook":           adminCall("PUT", "/__sandbox/tenants/sandbox_tenant/webhook", map[string]any{"url": "http://127.0.0.1:9/hooks", "authType": "None"}, 200),
	"deleteWebhook":        adminCall("DELETE", "/__sandbox/tenants/sandbox_tenant/webhook", nil, 204),
	"getWebhookDeliveries": adminCall("GET", "/__sandbox/tenants/sandbox_tenant/webhook/deliveries", nil, 200),
	"reviewSubmission":     adminCall("POST", "/__sandbox/profile/submissions/"+legal+"/review", map[string]any{"status": "Approved", "riskLevel": "Low"}, 200),
	"getContract":          adminCall("GET", "/__sandbox/openapi/dcms.yaml", nil, 200),
	"getDocs":              adminCall("GET", "/__sandbox/docs", nil, 200),
	"getDocsBundle":        adminCall("GET", "/__sandbox/docs/redoc.standalone.js", nil, 200),
	// The console and coverage.
	"getRoot":                {method: "GET_ROOT", status: 302},
	"getConsole":             adminCall("GET", "/__sandbox/console", nil, 200),
	"getConsoleScript":       adminCall("GET", "/__sandbox/console/console.js", nil, 200),
	"getConsoleStyle":        adminCall("GET", "/__sandbox/console/console.css", nil, 200),
	"getCoverage":            adminCall("GET", "/__sandbox/coverage?tenant=ACME_BANK", nil, 200),
	"clearCoverage":          adminCall("DELETE", "/__sandbox/coverage?tenant=ACME_BANK", nil, 200),
	"listTenants":            adminCall("GET", "/__sandbox/tenants", nil, 200),
	"createTenant":           adminCall("POST", "/__sandbox/tenants", map[string]any{"tenant": "PARTNER_A"}, 201),
	"getTenant":              withPartner(adminCall("GET", "/__sandbox/tenants/PARTNER_A", nil, 200)),
	"rotateTenant":           withPartner(adminCall("POST", "/__sandbox/tenants/PARTNER_A/rotate", nil, 200)),
	"deleteTenant":           withPartner(adminCall("DELETE", "/__sandbox/tenants/PARTNER_A", nil, 204)),
	"exportCalls":            {method: "POST", path: "/__sandbox/journal/export/calls", body: map[string]any{"ids": []int{1, 2}}, status: 200},
	"listDcmsCustomers":      adminCall("GET", "/__sandbox/tenants/ACME_BANK/dcms/customers?limit=2", nil, 200),
	"getDcmsCustomer":        adminCall("GET", "/__sandbox/tenants/ACME_BANK/dcms/customers/675676", nil, 200),
	"listDcmsOrders":         adminCall("GET", "/__sandbox/tenants/ACME_BANK/dcms/orders", nil, 200),
	"listDmtCustomers":       adminCall("GET", "/__sandbox/tenants/sandbox_client/dmt/customers", nil, 200),
	"getDmtCustomer":         adminCall("GET", "/__sandbox/tenants/sandbox_client/dmt/customers/8658733463", nil, 200),
	"listDmtOtps":            adminCall("GET", "/__sandbox/tenants/sandbox_client/dmt/otps", nil, 200),
	"listProfileSubmissions": adminCall("GET", "/__sandbox/tenants/sandbox_tenant/profile/submissions", nil, 200),
	"getProfileSubmission":   adminCall("GET", "/__sandbox/tenants/sandbox_tenant/profile/submissions/"+legal, nil, 200),
}

// withPartner declares the tenant PARTNER_A before the call.
func withPartner(call opCall) opCall {
	call.before = func(t *testing.T, c *contracttest.Client) {
		if r := c.Post("/__sandbox/tenants", map[string]any{"tenant": "PARTNER_A"}); r.Status != 201 {
			t.Fatalf("declaring PARTNER_A: %d %s", r.Status, r.Body)
		}
	}
	return call
}

// requestExample returns a named example of an operation's JSON request body.
func requestExample(t *testing.T, docs map[string]*openapi3.T, method, path, name string) any {
	t.Helper()
	for _, doc := range docs {
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			continue
		}
		ex := item.GetOperation(method).RequestBody.Value.Content.Get("application/json").Examples[name]
		if ex == nil {
			t.Fatalf("%s %s has no request example %q", method, path, name)
		}
		return ex.Value.Value
	}
	t.Fatalf("%s %s is in no contract", method, path)
	return nil
}

// TestEveryOperationAnswersAsDocumented calls every operation of every contract once, on
// a fresh sandbox, the partner APIs with the contract's own examples, and checks the
// status and (through contracttest) the whole answer against the contract.
func TestEveryOperationAnswersAsDocumented(t *testing.T) {
	docs := map[string]*openapi3.T{}
	var ids []string
	for _, api := range openapi.APIs {
		doc, err := openapi.Load(api)
		if err != nil {
			t.Fatal(err)
		}
		docs[api] = doc
		for _, path := range doc.Paths.InMatchingOrder() {
			for _, op := range doc.Paths.Value(path).Operations() {
				ids = append(ids, op.OperationID)
			}
		}
	}
	sort.Strings(ids)
	if len(ids) != len(operations) {
		t.Errorf("the table has %d operations, the contracts %d", len(operations), len(ids))
	}
	for _, id := range ids {
		call, ok := operations[id]
		if !ok {
			t.Errorf("%s: no call in the table", id)
			continue
		}
		t.Run(id, func(t *testing.T) {
			_, c := contracttest.Start(t)
			token := c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"})
			var tok struct{ Result struct{ Token string } }
			token.Decode(t, &tok)
			authed := c.With("Authorization", "Bearer "+tok.Result.Token)
			if call.before != nil {
				call.before(t, c)
			}
			var r *contracttest.Response
			switch call.method {
			case "UPLOAD":
				uploadDocument(t, authed)
				return
			case "DOWNLOAD", "DELETE_DOCS":
				uploadDocument(t, authed)
				var list struct{ Result []struct{ ID string } }
				authed.Get("/ExtForm/submissions/"+individual+"/documents").Decode(t, &list)
				if len(list.Result) == 0 {
					t.Fatal("no document listed after upload")
				}
				if call.method == "DOWNLOAD" {
					r = authed.Get("/ExtForm/submissions/" + individual + "/documents/" + list.Result[0].ID + "/download")
				} else {
					r = authed.Do("DELETE", "/ExtForm/submissions/"+individual+"/documents?ids="+list.Result[0].ID, nil)
				}
			case "REMOVE_RULE":
				armed := c.Post("/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "outcome": "customer-not-found"})
				r = c.Do("DELETE", "/__sandbox/rules/"+armed.JSON(t)["id"].(string), nil)
			case "PUT_SNAPSHOT":
				r = c.Do("PUT", "/__sandbox/snapshot?tenant=ACME_BANK", c.Get("/__sandbox/snapshot?tenant=ACME_BANK").Body)
			case "LAST_OTP":
				c.Post("/common/dmt-lite/unified/otp/send", requestExample(t, docs, "POST", "/common/dmt-lite/unified/otp/send", "registration"), dmtAuth...)
				var sent map[string]any
				b, _ := json.Marshal(requestExample(t, docs, "POST", "/common/dmt-lite/unified/otp/send", "registration"))
				_ = json.Unmarshal(b, &sent)
				r = c.Get("/__sandbox/tenants/sandbox_client/dmt/otp/" + sent["customerMobileNumber"].(string))
			case "GET_ROOT":
				noFollow := *c
				noFollow.HTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				r = noFollow.Get("/")
			case "GET_WEBHOOK":
				c.Do("PUT", "/__sandbox/tenants/sandbox_tenant/webhook", map[string]any{"url": "http://127.0.0.1:9/hooks", "authType": "None"})
				r = c.Get("/__sandbox/tenants/sandbox_tenant/webhook")
			default:
				body := call.body
				if call.example != "" {
					body = requestExample(t, docs, call.method, call.path, call.example)
				}
				header := append([]string(nil), call.header...)
				for i := range header {
					if header[i] == profileToken {
						header[i] = "Bearer " + tok.Result.Token
					}
				}
				r = c.Do(call.method, call.path, body, header...)
			}
			if r.Status != call.status {
				t.Fatalf("%s: status %d, want %d: %.400s", id, r.Status, call.status, r.Body)
			}
			if strings.Contains(r.Header.Get("Content-Type"), "json") && len(r.Body) == 0 {
				t.Fatalf("%s: empty JSON body", id)
			}
		})
	}
}
