package app_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// profileBearer gets a profile token for the sandbox tenant.
func clientProfileBearer(t *testing.T, c *contracttest.Client) string {
	t.Helper()
	var tok struct{ Result struct{ Token string } }
	c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}).Decode(t, &tok)
	if tok.Result.Token == "" {
		t.Fatal("no profile token")
	}
	return "Bearer " + tok.Result.Token
}

// Issue 12: one call with invalid UTF-8 in its path or X-Sandbox-Scenario header made every
// export answer 500. Now such an entry is left out with a comment in the file; an export
// with nothing left answers the documented 404, naming why.
func TestExportLeavesOutWhatItCannotWrite(t *testing.T) {
	_, c := newSandbox(t)
	dcms := c.With("tenant", "ACME_BANK")
	dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "bad\xffscenario")
	bearer := clientProfileBearer(t, c)
	c.Get("/ExtReport/GetIndividualProfile/%FF%FE", "Authorization", bearer)
	dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`)

	r := c.Get("/__sandbox/journal/export")
	out := string(r.Body)
	if r.Status != http.StatusOK {
		t.Fatalf("export: %d %s", r.Status, out)
	}
	mustContain(t, "export", out, "path: /v1/viewCustomer", "path: /api/AppSessionManager/GetAppToken")
	if os.Getenv(contracttest.StoreEnv) == "redis" {
		// The shared journal keeps entries as JSON, which turns invalid UTF-8 into U+FFFD:
		// the calls come back as text, and are exported.
		mustContain(t, "export", out, "\uFFFD")
		return
	}
	mustContain(t, "export", out, "is left out: its X-Sandbox-Scenario header is not valid UTF-8", "is left out: its path is not valid UTF-8")

	// Only bad entries: nothing to export, said as the contract documents.
	var j struct{ Entries []struct{ ID int64 } }
	c.Get("/__sandbox/journal?api=profile&limit=1").Decode(t, &j)
	r = c.Post("/__sandbox/journal/export/calls", map[string]any{"ids": []int64{j.Entries[0].ID}})
	if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "its path is not valid UTF-8") {
		t.Fatalf("export of the bad call alone: %d %s", r.Status, r.Body)
	}
	c.Do(http.MethodDelete, "/__sandbox/journal", nil)
	dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "\xff")
	if r := c.Get("/__sandbox/journal/export?tenant=ACME_BANK"); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "not valid UTF-8") {
		t.Fatalf("export of bad calls only: %d %s", r.Status, r.Body)
	}
	// An empty selection: the documented 404.
	if r := c.Get("/__sandbox/journal/export?tenant=NOBODY"); r.Status != http.StatusNotFound {
		t.Fatalf("empty export: %d %s", r.Status, r.Body)
	}
}

// Issue 12: ".." or an encoded slash in a path parameter is no redirect, on the admin API
// and on the partner APIs: the operation answers it as the bad value it is; a partner
// route keeps working with an encoded character in its parameter.
func TestNoRedirectForPathParameters(t *testing.T) {
	_, c := newSandbox(t)
	// ".." follows the tenant-name rule: it is that tenant's keys, not a redirect.
	if r := c.Get("/__sandbox/tenants/../keys"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"tenant":".."`) {
		t.Errorf("GET /__sandbox/tenants/../keys: %d %s", r.Status, r.Body)
	}
	for _, p := range []string{"/__sandbox/tenants/a%2Fb/dcms/customers", "/__sandbox/tenants/..%2F..%2Fx/dcms/customers", "/__sandbox/tenants/ACME_BANK/kits/..%2F..", "/__sandbox/tenants/%2F/profile/submissions"} {
		if r := c.Get(p); r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
		}
	}
	bearer := clientProfileBearer(t, c)
	for _, p := range []string{"/ExtReport/GetIndividualProfile/..", "/ExtReport/GetIndividualProfile/a%2Fb", "/ExtForm/submissions/../documents"} {
		if r := c.Get(p, "Authorization", bearer); r.Status/100 == 3 || r.Status >= 500 {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
		}
	}
	// An escaped id is decoded for the operation: the seed's submission, its "-" escaped.
	if r := c.Get("/ExtReport/GetIndividualProfile/"+strings.Replace(individual, "-", "%2D", 1), "Authorization", bearer); r.Status != http.StatusOK {
		t.Errorf("escaped submission id: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/__sandbox/tenants/ACME%5FBANK/keys"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"tenant":"ACME_BANK"`) {
		t.Errorf("escaped tenant: %d %s", r.Status, r.Body)
	}
}
