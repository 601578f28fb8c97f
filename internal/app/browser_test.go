package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// sendAs sends a request with the given Host (and header pairs) through the checking
// client: every answer is checked against the contract.
func sendAs(t *testing.T, c *contracttest.Client, host, method, path, body string, header ...string) *contracttest.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Send(req)
}

// preflight sends a CORS preflight as a browser does; it is not an operation of any
// contract, so its headers are checked here.
func preflight(t *testing.T, c *contracttest.Client, path, method, origin, headers string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, c.BaseURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// journalSize is how many calls the journal holds.
func journalSize(t *testing.T, c *contracttest.Client) int {
	t.Helper()
	var j struct{ Entries []any }
	c.Get("/__sandbox/journal").Decode(t, &j)
	return len(j.Entries)
}

const viewCustomer = `{"entityId":"675676"}`

// A preflight on a partner route or an admin route answers 204 with the APIs' own headers
// allowed, without going through the partner pipeline; a foreign origin gets no CORS
// headers from the admin API.
func TestBrowserPreflight(t *testing.T) {
	_, c := contracttest.Start(t)
	cases := []struct {
		name, path, method, origin, headers string
		allowOrigin                         string // "": none
	}{
		{"dcms", "/v1/viewCustomer", "POST", "https://partner-app.example", "tenant,authorization,content-type,x-sandbox-scenario", "*"},
		{"dmt", "/common/dmt-lite/unified/customer/get-customer", "POST", "https://partner-app.example",
			"client_id,client_secret,content-type,header_secrets,pass_key,x-sandbox-delay,x-sandbox-fault", "*"},
		{"profile", "/ExtCustomerManagement/GetEmployees", "GET", "http://localhost:3000", "Authorization, X-Sandbox-Scenario", "*"},
		{"admin write", "/__sandbox/reset", "POST", "http://localhost:5173", "content-type", "http://localhost:5173"},
		{"admin read", "/__sandbox/journal", "GET", "http://127.0.0.1:3000", "", "http://127.0.0.1:3000"},
		{"admin from [::1]", "/__sandbox/rules", "POST", "http://[::1]:8000", "content-type", "http://[::1]:8000"},
		{"admin from a foreign origin", "/__sandbox/reset", "POST", "https://evil.example", "content-type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := preflight(t, c, tc.path, tc.method, tc.origin, tc.headers)
			h := resp.Header
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("preflight answered %d, want 204", resp.StatusCode)
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, tc.allowOrigin)
			}
			if tc.allowOrigin == "" {
				if h.Get("Access-Control-Allow-Methods") != "" || h.Get("Access-Control-Allow-Headers") != "" {
					t.Fatalf("a refused origin got CORS headers: %v", h)
				}
				return
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != tc.method {
				t.Errorf("Access-Control-Allow-Methods = %q, want %q", got, tc.method)
			}
			got := h.Get("Access-Control-Allow-Headers")
			if tc.headers == "" && !strings.Contains(got, "X-Sandbox-Scenario") || tc.headers != "" && got != tc.headers {
				t.Errorf("Access-Control-Allow-Headers = %q, want the headers asked, %q (all when none)", got, tc.headers)
			}
		})
	}
	if n := journalSize(t, c); n != 0 {
		t.Errorf("preflights left %d journal entries: they went through the partner pipeline", n)
	}

	// The answer itself lets the page read it, and Retry-After.
	r := sendAs(t, c, "", "POST", "/v1/viewCustomer", viewCustomer, "tenant", "ACME_BANK", "Origin", "https://partner-app.example")
	if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("cross-origin viewCustomer: %d, CORS headers %v", r.Status, r.Header)
	}
}

// With --cors-origin, those origins (and no others) may call both APIs from a browser.
func TestCORSOrigin(t *testing.T) {
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		cfg.Browser.CORSOrigins = []string{"https://console.example", "https://*.partner.example"}
	})
	for _, tc := range []struct {
		path, origin string
		allowed      bool
	}{
		{"/__sandbox/reset", "https://console.example", true},
		{"/v1/viewCustomer", "https://app.partner.example", true},
		{"/v1/viewCustomer", "https://other.example", false},
		{"/__sandbox/reset", "http://localhost:3000", false},
	} {
		resp := preflight(t, c, tc.path, "POST", tc.origin, "content-type")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); resp.StatusCode != http.StatusNoContent || (got == tc.origin) != tc.allowed {
			t.Errorf("preflight of %s from %s: %d, Access-Control-Allow-Origin %q (allowed: %v)", tc.path, tc.origin, resp.StatusCode, got, tc.allowed)
		}
	}
	// A listed origin may change state; a loopback one still may (it is this machine).
	for _, origin := range []string{"https://console.example", "http://localhost:3000"} {
		if r := sendAs(t, c, "", "POST", "/__sandbox/clock", `{"advance":"1h"}`, "Origin", origin); r.Status != http.StatusOK {
			t.Errorf("clock from %s: %d %s", origin, r.Status, r.Body)
		}
	}
	if r := sendAs(t, c, "", "POST", "/__sandbox/clock", `{"advance":"1h"}`, "Origin", "https://other.example"); r.Status != http.StatusForbidden {
		t.Errorf("clock from an unlisted origin: %d %s", r.Status, r.Body)
	}
}

// In local mode a web page cannot change the admin API's state: not by a cross-site form,
// not by a JSON fetch from its own origin; nothing is changed.
func TestCrossSiteAdminWritesRefused(t *testing.T) {
	_, c := contracttest.Start(t)
	rule := `{"operationId":"viewCustomer","outcome":"customer-not-found","tenant":"ACME_BANK"}`
	if r := c.Post("/__sandbox/rules", rule); r.Status != http.StatusCreated {
		t.Fatalf("arming a rule: %d %s", r.Status, r.Body)
	}
	cases := []struct {
		name, method, path, contentType, origin, body, says string
	}{
		{"form post from another site", "POST", "/__sandbox/reset", "application/x-www-form-urlencoded", "https://evil.example", "tenant=ACME_BANK", "--cors-origin https://evil.example"},
		{"form post without Origin", "POST", "/__sandbox/reset", "application/x-www-form-urlencoded", "", "x=1", "application/json"},
		{"multipart from this machine", "POST", "/__sandbox/reset", "multipart/form-data; boundary=x", "http://localhost:3000", "--x--", "form"},
		{"text/plain", "POST", "/__sandbox/rules", "text/plain;charset=UTF-8", "", rule, "application/json"},
		{"JSON from another site", "POST", "/__sandbox/reset", "application/json", "https://evil.example", "{}", "Origin"},
		{"delete from a sandboxed frame", "DELETE", "/__sandbox/rules/rule-1", "", "null", "", "Origin"},
		{"delete from another site", "DELETE", "/__sandbox/journal", "", "https://evil.example", "", "--cors-origin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, c.BaseURL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			r := c.Send(req)
			var e struct {
				Error struct{ Code, Message string }
			}
			r.Decode(t, &e)
			if r.Status != http.StatusForbidden || e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, tc.says) {
				t.Errorf("%d %s; want 403 forbidden saying %q", r.Status, r.Body, tc.says)
			}
		})
	}
	var rules struct{ Rules []any }
	c.Get("/__sandbox/rules").Decode(t, &rules)
	if len(rules.Rules) != 1 {
		t.Fatalf("after refused calls, %d rules armed, want the 1 armed before (nothing reset)", len(rules.Rules))
	}
	// The same reset from this machine's own page, or from curl, goes through.
	if r := sendAs(t, c, "", "POST", "/__sandbox/reset", "", "Origin", "http://localhost:8080"); r.Status != http.StatusOK {
		t.Fatalf("reset from a loopback origin: %d %s", r.Status, r.Body)
	}
	c.Get("/__sandbox/rules").Decode(t, &rules)
	if len(rules.Rules) != 0 {
		t.Errorf("reset left %d rules", len(rules.Rules))
	}
}

// In local mode a Host that is not a loopback name (a DNS-rebinding page's) is refused,
// in each API's documented error; --allowed-host serves it; loopback names with any port
// are served.
func TestForeignHostRefused(t *testing.T) {
	_, c := contracttest.Start(t)
	const host = "attacker.example"
	for _, tc := range []struct {
		method, path, body string
		header             []string
		status             int
		says               string
	}{
		{"GET", "/__sandbox/journal", "", nil, http.StatusForbidden, `"code":"forbidden"`},
		{"GET", "/healthz", "", nil, http.StatusForbidden, `"code":"forbidden"`},
		{"POST", "/v1/viewCustomer", viewCustomer, []string{"tenant", "ACME_BANK"}, http.StatusBadRequest, `"errorCode":"invalid.input.request"`},
		{"POST", "/common/dmt-lite/unified/customer/get-customer", `{"mobile":"9876543210"}`, []string{"client_id", "sandbox_client", "client_secret", "sandbox_secret"}, http.StatusBadRequest, `"statusCode":"-1"`},
		{"POST", "/api/AppSessionManager/GetAppToken", `{"appId":"sandbox_app","appSecret":"sandbox_secret","tenantId":"sandbox_tenant"}`, nil, http.StatusBadRequest, `"statusCode":400`},
	} {
		r := sendAs(t, c, host, tc.method, tc.path, tc.body, tc.header...)
		body := string(r.Body)
		if r.Status != tc.status || !strings.Contains(body, tc.says) || !strings.Contains(body, "--allowed-host attacker.example") {
			t.Errorf("%s %s with Host %s: %d %s; want %d with %s naming --allowed-host", tc.method, tc.path, host, r.Status, body, tc.status, tc.says)
		}
	}
	if n := journalSize(t, c); n != 0 {
		t.Errorf("refused calls left %d journal entries", n)
	}
	for _, h := range []string{"localhost", "localhost:8080", "127.0.0.1:1", "[::1]:9", "app.localhost:3000"} {
		if r := sendAs(t, c, h, "POST", "/v1/viewCustomer", viewCustomer, "tenant", "ACME_BANK"); r.Status != http.StatusOK {
			t.Errorf("viewCustomer with Host %s: %d %s", h, r.Status, r.Body)
		}
		if r := sendAs(t, c, h, "GET", "/__sandbox/journal", ""); r.Status != http.StatusOK {
			t.Errorf("journal with Host %s: %d %s", h, r.Status, r.Body)
		}
	}

	_, allowed := contracttest.Start(t, func(cfg *app.Config) { cfg.Browser.AllowedHosts = []string{host} })
	if r := sendAs(t, allowed, host, "POST", "/v1/viewCustomer", viewCustomer, "tenant", "ACME_BANK"); r.Status != http.StatusOK {
		t.Errorf("viewCustomer with --allowed-host %s: %d %s", host, r.Status, r.Body)
	}
	if r := sendAs(t, allowed, host+":8080", "GET", "/__sandbox/journal", ""); r.Status != http.StatusOK {
		t.Errorf("journal with --allowed-host %s: %d %s", host, r.Status, r.Body)
	}
	if r := sendAs(t, allowed, "other.example", "GET", "/__sandbox/journal", ""); r.Status != http.StatusForbidden {
		t.Errorf("journal with Host other.example and --allowed-host %s: %d %s", host, r.Status, r.Body)
	}
}

// Hosted mode leaves Host and Origin to its credentials; CORS stays.
func TestHostedModeHasNoHostCheck(t *testing.T) {
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Hosted, cfg.AdminToken = true, "operator-token" })
	if r := sendAs(t, c, "sandbox.partners.example", "GET", "/healthz", ""); r.Status != http.StatusOK {
		t.Errorf("hosted /healthz with a public Host: %d %s", r.Status, r.Body)
	}
	resp := preflight(t, c, "/v1/viewCustomer", "POST", "https://partner-app.example", "tenant")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("hosted preflight: %d %v", resp.StatusCode, resp.Header)
	}
}
