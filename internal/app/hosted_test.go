package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/mask"
	"github.com/partnersandbox/sandbox/internal/tenants"
	"github.com/partnersandbox/sandbox/openapi"
)

// Hosted-mode tokens of the tests: the operator's and the two tenants'.
const (
	operatorToken = "operator-token-for-tests"
	tenantA       = "PARTNER_A"
	tenantB       = "PARTNER_B"
)

// tenantTokens are the declared tenants' admin tokens.
var tenantTokens = map[string]string{"token-of-a": tenantA, "token-of-b": tenantB}

// startHosted serves a hosted sandbox with both tenants declared (as a --config file
// declares them: the tenant records, with these admin tokens), and returns the operator's
// client with no credentials and each tenant's DCMS login.
func startHosted(t *testing.T) *contracttest.Client {
	t.Helper()
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		cfg.Hosted, cfg.AdminToken = true, operatorToken
		for token, tn := range tenantTokens {
			cfg.Tenants = append(cfg.Tenants, tenants.Credentials{Tenant: tn, AdminToken: token, Record: tenants.Record{
				DCMS:    tenants.DCMS{Username: tn + "_user", Password: tn + "_password", SetPinKey: []byte("0123456789abcdef")},
				DMT:     tenants.DMT{ClientSecret: tn + "_secret", PassKey: tn + "_pass", Key: []byte("0123456789abcdef0123456789abcdef")},
				Profile: tenants.Profile{AppID: tn + "_app", AppSecret: tn + "_app_secret"},
			}})
		}
	})
	return c
}

// dcmsAs is a client of tenant's DCMS calls, with the Bearer token of its own login.
func dcmsAs(t *testing.T, c *contracttest.Client, tenant string) *contracttest.Client {
	t.Helper()
	var out struct {
		IDToken string `json:"id_token"`
	}
	r := c.With("tenant", tenant).Post("/v1/api/authenticate", map[string]string{"username": tenant + "_user", "password": tenant + "_password"})
	if r.Status != 200 {
		t.Fatalf("%s authenticate: %d %s", tenant, r.Status, r.Body)
	}
	r.Decode(t, &out)
	return c.With("tenant", tenant).With("Authorization", bearer(out.IDToken))
}

func bearer(token string) string { return "Bearer " + token }

// hostedCall is how the matrix calls one admin operation. In method, path and body, {t} is
// the tenant asked for, {rule} one of its rules and {call} one of its journal entries.
type hostedCall struct {
	op, method, path, body string
	// noTenant: the operation cannot name a tenant (it shows the caller's own things).
	noTenant bool
}

// hostedCalls are a call of every admin operation, reads before writes (the allowed calls
// run in this order and must each succeed).
var hostedCalls = []hostedCall{
	{op: "health", method: "GET", path: "/healthz"},
	{op: "ready", method: "GET", path: "/readyz"},
	{op: "getMetrics", method: "GET", path: "/metrics"},
	{op: "getContract", method: "GET", path: "/__sandbox/openapi/sandbox.yaml"},
	{op: "getDocs", method: "GET", path: "/__sandbox/docs"},
	{op: "getDocsBundle", method: "GET", path: "/__sandbox/docs/redoc.standalone.js"},
	{op: "getRoot", method: "GET", path: "/"},
	{op: "getConsole", method: "GET", path: "/__sandbox/console"},
	{op: "getConsoleScript", method: "GET", path: "/__sandbox/console/console.js"},
	{op: "getConsoleStyle", method: "GET", path: "/__sandbox/console/console.css"},
	{op: "listScenarios", method: "GET", path: "/__sandbox/scenarios?api=dcms", noTenant: true},
	{op: "getClock", method: "GET", path: "/__sandbox/clock?tenant={t}"},
	{op: "getJournal", method: "GET", path: "/__sandbox/journal?tenant={t}"},
	{op: "countJournal", method: "GET", path: "/__sandbox/journal/count?tenant={t}&operationId=viewCustomer"},
	{op: "exportJournal", method: "GET", path: "/__sandbox/journal/export?tenant={t}"},
	{op: "exportCalls", method: "POST", path: "/__sandbox/journal/export/calls", body: `{"ids":[{call}]}`, noTenant: true},
	{op: "listRules", method: "GET", path: "/__sandbox/rules", noTenant: true},
	{op: "getSnapshot", method: "GET", path: "/__sandbox/snapshot?tenant={t}"},
	{op: "getCoverage", method: "GET", path: "/__sandbox/coverage?tenant={t}&api=dcms"},
	{op: "getTenantKeys", method: "GET", path: "/__sandbox/tenants/{t}/keys"},
	{op: "getTestKit", method: "GET", path: "/__sandbox/tenants/{t}/kits/4240171642"},
	{op: "getLastOtp", method: "GET", path: "/__sandbox/tenants/{t}/dmt/otp/8658733463"},
	{op: "getOutbox", method: "GET", path: "/__sandbox/tenants/{t}/outbox"},
	{op: "getRateLimits", method: "GET", path: "/__sandbox/tenants/{t}/ratelimits"},
	{op: "getWebhook", method: "GET", path: "/__sandbox/tenants/{t}/webhook"},
	{op: "getWebhookDeliveries", method: "GET", path: "/__sandbox/tenants/{t}/webhook/deliveries"},
	{op: "listDcmsCustomers", method: "GET", path: "/__sandbox/tenants/{t}/dcms/customers?limit=2"},
	{op: "getDcmsCustomer", method: "GET", path: "/__sandbox/tenants/{t}/dcms/customers/675676"},
	{op: "listDcmsOrders", method: "GET", path: "/__sandbox/tenants/{t}/dcms/orders"},
	{op: "listDmtCustomers", method: "GET", path: "/__sandbox/tenants/{t}/dmt/customers"},
	{op: "getDmtCustomer", method: "GET", path: "/__sandbox/tenants/{t}/dmt/customers/8658733463"},
	{op: "listDmtOtps", method: "GET", path: "/__sandbox/tenants/{t}/dmt/otps"},
	{op: "listProfileSubmissions", method: "GET", path: "/__sandbox/tenants/{t}/profile/submissions"},
	{op: "getProfileSubmission", method: "GET", path: "/__sandbox/tenants/{t}/profile/submissions/ab98babe-b555-4b79-88bf-967f454df0c0"},
	{op: "listTenants", method: "GET", path: "/__sandbox/tenants"},
	{op: "getTenant", method: "GET", path: "/__sandbox/tenants/{t}"},
	{op: "setClock", method: "POST", path: "/__sandbox/clock?tenant={t}", body: `{"advance":"1m"}`},
	{op: "armRule", method: "POST", path: "/__sandbox/rules", body: `{"operationId":"viewCustomer","outcome":"customer-not-found","times":1,"tenant":"{t}"}`},
	{op: "putSnapshot", method: "PUT", path: "/__sandbox/snapshot?tenant={t}", body: `{"version":2,"tenant":"{t}","apis":{}}`},
	{op: "addRecords", method: "POST", path: "/__sandbox/tenants/{t}/records", body: `{"records":[{"api":"dmt","kind":"agent","id":"agent7","value":{"username":"agent7","name":"Agent Seven"}}]}`},
	{op: "setRateLimits", method: "PUT", path: "/__sandbox/tenants/{t}/ratelimits", body: `{"enabled":true,"creationPerMinute":10,"retrievalPerMinute":60,"downloadPerMinute":30}`},
	{op: "setWebhook", method: "PUT", path: "/__sandbox/tenants/{t}/webhook", body: webhookBody},
	{op: "reviewSubmission", method: "POST", path: "/__sandbox/profile/submissions/{submission}/review?tenant={t}", body: `{"status":"{move}"}`},
	{op: "clearCoverage", method: "DELETE", path: "/__sandbox/coverage?tenant={t}"},
	{op: "deleteWebhook", method: "DELETE", path: "/__sandbox/tenants/{t}/webhook"},
	{op: "removeRule", method: "DELETE", path: "/__sandbox/rules/{rule}", noTenant: true},
	{op: "createTenant", method: "POST", path: "/__sandbox/tenants", body: `{"tenant":"PARTNER_C"}`},
	{op: "rotateTenant", method: "POST", path: "/__sandbox/tenants/PARTNER_C/rotate"},
	{op: "deleteTenant", method: "DELETE", path: "/__sandbox/tenants/PARTNER_C"},
	{op: "reset", method: "POST", path: "/__sandbox/reset?tenant={t}"},
	{op: "clearJournal", method: "DELETE", path: "/__sandbox/journal"},
}

const webhookBody = `{"url":"http://203.0.113.10/hooks","authType":"ApiKey","authSettings":{"headerName":"X-Api-Key","apiKey":"api-key-of-{t}"},"secret":"signing-secret-of-{t}","retryCount":1,"retryInterval":1}`

// world is what the matrix fills its calls with, per tenant.
type world struct {
	rules       map[string]string // tenant ("" every tenant) → the id of one of its rules
	calls       map[string]string // tenant → the journal id of one of its calls
	submission  string
	move        string
	operatorCli *contracttest.Client
}

func (w *world) fill(s, tenant, rule string) string {
	return strings.NewReplacer("{t}", tenant, "{rule}", rule, "{call}", w.calls[tenant],
		"{submission}", w.submission, "{move}", w.move).Replace(s)
}

// setUp gives both tenants a webhook with secrets, an OTP, a DCMS call in the journal, a
// rule each and a moved clock (B), and arms a rule for every tenant.
func setUp(t *testing.T, c *contracttest.Client) *world {
	t.Helper()
	op := c.With("Authorization", bearer(operatorToken))
	w := &world{rules: map[string]string{}, calls: map[string]string{}, operatorCli: op}
	for _, tn := range []string{tenantA, tenantB} {
		op.Do("PUT", "/__sandbox/tenants/"+tn+"/webhook", w.fill(webhookBody, tn, ""))
		otp := fmt.Sprintf(`{"records":[{"api":"dmt","kind":"otp","id":"8658733463/1","value":{"Mobile":"8658733463","Type":"1","Code":"4%s","SentAt":"2026-01-01T00:00:00Z","ExpiresAt":"2999-01-01T00:00:00Z","Sends":1,"Used":false}}]}`, map[string]string{tenantA: "11111", tenantB: "22222"}[tn])
		if r := op.Post("/__sandbox/tenants/"+tn+"/records", otp); r.Status != 200 {
			t.Fatalf("adding %s's OTP: %d %s", tn, r.Status, r.Body)
		}
		if r := dcmsAs(t, c, tn).Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
			t.Fatalf("%s viewCustomer: %d %s", tn, r.Status, r.Body)
		}
		var j struct{ Entries []struct{ Id int64 } }
		op.Get("/__sandbox/journal?limit=1&tenant="+tn).Decode(t, &j)
		w.calls[tn] = fmt.Sprint(j.Entries[0].Id)
	}
	for _, tn := range []string{tenantA, tenantB, ""} {
		body := `{"operationId":"getCustomer","fault":"http-503","times":5}`
		if tn != "" {
			body = `{"operationId":"getCustomer","fault":"http-503","times":5,"tenant":"` + tn + `"}`
		}
		var r struct{ Id string }
		op.Post("/__sandbox/rules", body).Decode(t, &r)
		w.rules[tn] = r.Id
	}
	op.Post("/__sandbox/clock?tenant="+tenantB, `{"advance":"1h"}`)
	var subs struct {
		Submissions []struct {
			SubmissionId string
			Reviews      []string
		}
	}
	op.Get("/__sandbox/tenants/"+tenantA+"/profile/submissions").Decode(t, &subs)
	for _, s := range subs.Submissions {
		if len(s.Reviews) > 0 {
			w.submission, w.move = s.SubmissionId, s.Reviews[0]
			break
		}
	}
	if w.submission == "" {
		t.Fatal("no profile submission to review")
	}
	return w
}

// state is what the operator sees of both tenants and of the whole sandbox: what a refused
// call must leave as it was.
func (w *world) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	get := func(path string, drop ...string) {
		r := w.operatorCli.Get(path)
		var v map[string]any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, k := range drop {
			delete(v, k)
		}
		out, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %d %s\n", path, r.Status, out)
	}
	for _, tn := range []string{tenantA, tenantB} {
		get("/__sandbox/snapshot?tenant="+tn, "takenAt")
		get("/__sandbox/clock?tenant="+tn, "now")
		get("/__sandbox/coverage?tenant=" + tn)
		get("/__sandbox/tenants/" + tn + "/ratelimits")
		get("/__sandbox/tenants/" + tn + "/webhook")
	}
	get("/__sandbox/clock", "now")
	get("/__sandbox/rules")
	get("/__sandbox/journal")
	return b.String()
}

// Every admin operation in hosted mode: open ones answer anyone; the others refuse no token
// and a bad token (401), a tenant's token for another tenant or for every tenant (403),
// each changing nothing; the operator may call each, and a tenant each on its own tenant.
func TestHostedAdminAPIAuthorizesEveryOperation(t *testing.T) {
	t.Parallel()
	c := startHosted(t)
	w := setUp(t, c)
	covered := map[string]bool{}
	for _, call := range hostedCalls {
		covered[call.op] = true
	}
	doc, err := openapi.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if !covered[op.OperationID] {
				t.Errorf("%s: no call in hostedCalls", op.OperationID)
			}
		}
	}

	anonymous := c
	bad := c.With("Authorization", bearer("not-a-token"))
	tokenA := c.With("Authorization", bearer("token-of-a"))
	before := w.state(t)
	for _, call := range hostedCalls {
		scope := admin.Scopes[call.op]
		send := func(who *contracttest.Client, tenant, rule string) *contracttest.Response {
			return who.Do(call.method, w.fill(call.path, tenant, rule), nilIfEmpty(w.fill(call.body, tenant, rule)))
		}
		if scope == admin.Open {
			if r := send(anonymous, tenantA, ""); r.Status >= 400 {
				t.Errorf("%s without a token: %d %s", call.op, r.Status, r.Body)
			}
			continue
		}
		for who, cl := range map[string]*contracttest.Client{"no token": anonymous, "a bad token": bad} {
			r := send(cl, tenantA, w.rules[tenantA])
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s with %s: %d (WWW-Authenticate %q) %s, want 401 with a Bearer challenge", call.op, who, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
		var refused []*contracttest.Response
		switch {
		case scope == admin.OperatorOnly:
			refused = append(refused, send(tokenA, tenantA, ""))
		case call.op == "removeRule": // another's rule, and a rule of every tenant
			refused = append(refused, send(tokenA, tenantA, w.rules[tenantB]), send(tokenA, tenantA, w.rules[""]))
		case call.noTenant:
		case call.op == "armRule": // another's rule, and a rule of every tenant
			refused = append(refused, send(tokenA, tenantB, ""),
				tokenA.Do(call.method, call.path, `{"operationId":"viewCustomer","outcome":"customer-not-found","times":1}`))
		case call.op == "putSnapshot": // another's snapshot in its own tenant's place
			refused = append(refused, send(tokenA, tenantB, ""),
				tokenA.Do(call.method, w.fill(call.path, tenantA, ""), w.fill(call.body, tenantB, "")))
		default:
			refused = append(refused, send(tokenA, tenantB, ""))
		}
		for _, r := range refused {
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), `"forbidden"`) {
				t.Errorf("%s with tenant %s's token (%s): %d %s, want 403", call.op, tenantA, scope, r.Status, r.Body)
			}
		}
		if after := w.state(t); after != before {
			t.Fatalf("refused calls of %s changed the state:\nbefore\n%s\nafter\n%s", call.op, before, after)
		}
	}

	// Allowed: the tenant on its own tenant (also naming no tenant), then the operator.
	for _, call := range hostedCalls {
		scope := admin.Scopes[call.op]
		if scope == admin.Open || scope == admin.OperatorOnly {
			continue
		}
		// Without ?tenant= the token's own tenant is meant; reads are also sent naming it.
		own := strings.NewReplacer("?tenant={t}&", "?", "?tenant={t}", "", "&tenant={t}", "").Replace(call.path)
		paths := []string{w.fill(own, tenantA, w.rules[tenantA])}
		if own != call.path && call.method == http.MethodGet {
			paths = append(paths, w.fill(call.path, tenantA, w.rules[tenantA]))
		}
		for _, p := range paths {
			r := tokenA.Do(call.method, p, nilIfEmpty(w.fill(call.body, tenantA, "")))
			if r.Status < 200 || r.Status > 299 {
				t.Errorf("%s %s with its tenant's token: %d %s", call.method, p, r.Status, r.Body)
			}
		}
	}
	for _, call := range hostedCalls {
		if admin.Scopes[call.op] == admin.Open {
			continue
		}
		r := w.operatorCli.Do(call.method, w.fill(call.path, tenantB, w.rules[""]), nilIfEmpty(w.fill(call.body, tenantB, "")))
		if r.Status < 200 || r.Status > 299 {
			t.Errorf("%s with the operator token: %d %s", call.op, r.Status, r.Body)
		}
	}
}

func nilIfEmpty(body string) any {
	if body == "" {
		return nil
	}
	return body
}

// A tenant's token sees only its own tenant where no tenant is named (journal, rules,
// clock, export), and its snapshots hide sandbox secrets that the operator's show; its
// keys and its OTPs it still reads.
func TestHostedTenantTokenSeesItsOwn(t *testing.T) {
	t.Parallel()
	c := startHosted(t)
	w := setUp(t, c)
	tokenA := c.With("Authorization", bearer("token-of-a"))

	var j struct {
		Entries []struct{ Tenant string }
	}
	tokenA.Get("/__sandbox/journal").Decode(t, &j)
	if len(j.Entries) == 0 || slices.ContainsFunc(j.Entries, func(e struct{ Tenant string }) bool { return e.Tenant != tenantA }) {
		t.Errorf("tenant A's journal: %+v, want its own calls only", j.Entries)
	}
	var rules struct{ Rules []struct{ Id, Tenant string } }
	tokenA.Get("/__sandbox/rules").Decode(t, &rules)
	if len(rules.Rules) != 1 || rules.Rules[0].Id != w.rules[tenantA] {
		t.Errorf("tenant A's rules: %+v, want only %s", rules.Rules, w.rules[tenantA])
	}
	if clock := tokenA.Get("/__sandbox/clock").JSON(t); clock["tenant"] != tenantA {
		t.Errorf("tenant A's clock without ?tenant=: %v", clock)
	}
	if r := tokenA.Post("/__sandbox/journal/export/calls", `{"ids":[`+w.calls[tenantB]+`]}`); r.Status != http.StatusNotFound {
		t.Errorf("tenant A exporting B's call: %d %s, want 404 (none of its calls)", r.Status, r.Body)
	}
	if r := tokenA.Post("/__sandbox/reset", nil).JSON(t); r["tenant"] != tenantA {
		t.Errorf("tenant A's reset without ?tenant=: %v, want its own tenant", r)
	}
	if r := w.operatorCli.Get("/__sandbox/tenants/" + tenantB + "/webhook"); r.Status != http.StatusOK {
		t.Errorf("tenant A's reset touched B's webhook: %d %s", r.Status, r.Body)
	}

	// Secrets: the operator sees them, a tenant's token gets them masked.
	w.operatorCli.Do("PUT", "/__sandbox/tenants/"+tenantA+"/webhook", w.fill(webhookBody, tenantA, ""))
	w.operatorCli.Post("/__sandbox/tenants/"+tenantA+"/records", `{"records":[{"api":"dmt","kind":"otp","id":"8658733463/1","value":{"Mobile":"8658733463","Type":"1","Code":"411111","SentAt":"2026-01-01T00:00:00Z","ExpiresAt":"2999-01-01T00:00:00Z","Sends":1,"Used":false}}]}`)
	secrets := []string{"api-key-of-" + tenantA, "signing-secret-of-" + tenantA, "411111"}
	full := string(w.operatorCli.Get("/__sandbox/snapshot?tenant=" + tenantA).Body)
	masked := string(tokenA.Get("/__sandbox/snapshot").Body)
	for _, s := range secrets {
		if !strings.Contains(full, s) {
			t.Errorf("the operator's snapshot lacks %q: %s", s, full)
		}
		if strings.Contains(masked, s) {
			t.Errorf("tenant A's snapshot shows the secret %q: %s", s, masked)
		}
	}
	if n := strings.Count(masked, `"`+mask.Withheld+`"`); n != len(secrets) {
		t.Errorf("tenant A's snapshot masks %d values, want %d: %s", n, len(secrets), masked)
	}
	// The masked snapshot restored by the tenant keeps the secrets it could not see.
	if r := tokenA.Do("PUT", "/__sandbox/snapshot", masked); r.Status != http.StatusOK {
		t.Fatalf("tenant A restoring its masked snapshot: %d %s", r.Status, r.Body)
	}
	if again := string(w.operatorCli.Get("/__sandbox/snapshot?tenant=" + tenantA).Body); strings.Contains(again, `"`+mask.Withheld+`"`) {
		t.Errorf("restoring the masked snapshot stored the mask: %s", again)
	}
	if hook := w.operatorCli.Get("/__sandbox/tenants/" + tenantA + "/webhook").JSON(t); hook["secret"] != "signing-secret-of-"+tenantA {
		t.Errorf("the webhook's signing secret after the restore: %v", hook["secret"])
	}
	if keys := tokenA.Get("/__sandbox/tenants/" + tenantA + "/keys").JSON(t); keys["setPinKey"] == "" || keys["dmtKey"] == "" {
		t.Errorf("tenant A's keys: %v", keys)
	}
	if otp := tokenA.Get("/__sandbox/tenants/" + tenantA + "/dmt/otp/8658733463").JSON(t); otp["otp"] != "411111" {
		t.Errorf("tenant A's own OTP: %v", otp)
	}
}

// Local mode (no --hosted) asks for no token, and ignores one.
func TestLocalAdminAPINeedsNoToken(t *testing.T) {
	t.Parallel()
	_, c := contracttest.Start(t)
	for _, cl := range []*contracttest.Client{c, c.With("Authorization", bearer("not-a-token"))} {
		if r := cl.Get("/__sandbox/tenants"); r.Status != http.StatusOK {
			t.Errorf("local listTenants: %d %s", r.Status, r.Body)
		}
		if r := cl.Post("/__sandbox/reset", nil).JSON(t); r["tenant"] != "*" {
			t.Errorf("local reset: %v", r)
		}
	}
}

// Hosted mode does not start without the operator's token; the token comes from the
// environment's variable or a file.
func TestHostedNeedsAnOperatorToken(t *testing.T) {
	t.Parallel()
	cfg := app.DefaultConfig()
	cfg.Hosted = true
	if _, err := app.New(cfg); err == nil || !strings.Contains(err.Error(), "SANDBOX_ADMIN_TOKEN") {
		t.Fatalf("hosted without a token: %v", err)
	}
	cfg.AdminToken, cfg.AdminTokenFile = "x", "y"
	if _, err := app.New(cfg); err == nil || !strings.Contains(err.Error(), "give one of them") {
		t.Fatalf("two tokens: %v", err)
	}
}
