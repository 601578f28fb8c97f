package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	adminapi "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/tenants"
	"github.com/partnersandbox/sandbox/internal/token"
	"github.com/partnersandbox/sandbox/partner"
)

const (
	viewCustomerPath = "/v1/viewCustomer"
	authPath         = "/v1/api/authenticate"
	appTokenPath     = "/api/AppSessionManager/GetAppToken"
	employeesPath    = "/ExtCustomerManagement/GetEmployees"
	otpSendPath      = "/common/dmt-lite/unified/otp/send"
	viewCustomerBody = `{"entityId":"675676"}`
)

func otpSendBody(mobile string) string {
	return `{"customerMobileNumber":"` + mobile + `","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`
}

// declare creates a tenant through the admin API and returns its credentials.
func declare(t *testing.T, c *contracttest.Client, name string) adminapi.TenantCredentials {
	t.Helper()
	r := c.Post("/__sandbox/tenants", map[string]string{"tenant": name})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /__sandbox/tenants %s: %d %s", name, r.Status, r.Body)
	}
	var creds adminapi.TenantCredentials
	r.Decode(t, &creds)
	if creds.AdminToken == nil || *creds.AdminToken == "" || creds.Tenant != name || creds.Dcms.Tenant != name ||
		creds.Dmt.ClientId != name || creds.Profile.TenantId != name {
		t.Fatalf("credentials of %s: %s", name, r.Body)
	}
	return creds
}

// dcmsToken authenticates with the tenant's login and returns the status and token.
func dcmsToken(t *testing.T, c *contracttest.Client, tenant, user, password string) (int, string) {
	t.Helper()
	r := c.With("tenant", tenant).Post(authPath, map[string]string{"username": user, "password": password})
	var out struct {
		IDToken string `json:"id_token"`
	}
	if r.Status == http.StatusOK {
		r.Decode(t, &out)
	}
	return r.Status, out.IDToken
}

func dcmsView(c *contracttest.Client, tenant, tok string) int {
	h := []string{"tenant", tenant}
	if tok != "" {
		h = append(h, "Authorization", "Bearer "+tok)
	}
	return c.Post(viewCustomerPath, viewCustomerBody, h...).Status
}

// profileToken asks GetAppToken for a token and returns the status and token.
func appToken(t *testing.T, c *contracttest.Client, appID, secret, tenant string) (int, string) {
	t.Helper()
	r := c.Post(appTokenPath, map[string]string{"appId": appID, "appSecret": secret, "tenantId": tenant})
	var out struct{ Result struct{ Token string } }
	if r.Status == http.StatusOK {
		r.Decode(t, &out)
	}
	return r.Status, out.Result.Token
}

func employees(c *contracttest.Client, tok string) int {
	return c.Get(employeesPath, "Authorization", "Bearer "+tok).Status
}

// dmtSend sends a DMT otp/send with client_secret and returns the HTTP status (-1 for a
// 200 that is not a success: DMT answers its refusals with 200).
func dmtSend(c *contracttest.Client, id, secret, mobile string) int {
	return dmtStatus(c.Post(otpSendPath, otpSendBody(mobile), "client_id", id, "client_secret", secret))
}

func dmtStatus(r *contracttest.Response) int {
	if r.Status == http.StatusOK && !strings.Contains(string(r.Body), `"status":"SUCCESS"`) {
		return -1
	}
	return r.Status
}

// otps is a DMT client's OTP list, as the admin API shows it.
func otps(t *testing.T, c *contracttest.Client, tenant string) string {
	t.Helper()
	r := c.Get("/__sandbox/tenants/" + tenant + "/dmt/otps")
	if r.Status != http.StatusOK {
		t.Fatalf("otps of %s: %d %s", tenant, r.Status, r.Body)
	}
	return string(r.Body)
}

// A hosted sandbox serves declared tenants only, each with its own credentials.
func TestHostedTenantsUseTheirOwnCredentialsOnly(t *testing.T) {
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Hosted, cfg.AdminToken = true, operatorToken })
	c = c.With("Authorization", bearer(operatorToken)) // the admin calls' (partner calls set their own)
	a, b := declare(t, c, "PARTNER_A"), declare(t, c, "PARTNER_B")
	if a.Dcms.Password == b.Dcms.Password || a.Dmt.ClientSecret == b.Dmt.ClientSecret || a.Profile.AppSecret == b.Profile.AppSecret ||
		a.Dcms.SetPinKey == b.Dcms.SetPinKey || a.Dmt.Key == b.Dmt.Key || *a.AdminToken == *b.AdminToken {
		t.Fatal("two tenants share a secret")
	}

	// The admin endpoints' refusals.
	if r := c.Post("/__sandbox/tenants", map[string]string{"tenant": "PARTNER_A"}); r.Status != http.StatusConflict {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	if r := c.Post("/__sandbox/tenants", map[string]string{"tenant": "bad name!"}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "1 to 64") {
		t.Errorf("bad name: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/__sandbox/tenants/NOBODY", "/__sandbox/tenants/NOBODY/rotate"} {
		method := http.MethodGet
		if strings.HasSuffix(path, "rotate") {
			method = http.MethodPost
		}
		if r := c.Do(method, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
	}
	if r := c.Do(http.MethodDelete, "/__sandbox/tenants/NOBODY", nil); r.Status != http.StatusNotFound {
		t.Errorf("DELETE unknown: %d %s", r.Status, r.Body)
	}

	for _, pair := range [][2]adminapi.TenantCredentials{{a, b}, {b, a}} {
		me, other := pair[0], pair[1]
		// DCMS: its own login gets a token, which serves it and nobody else.
		st, tok := dcmsToken(t, c, me.Tenant, me.Dcms.Username, me.Dcms.Password)
		if st != http.StatusOK || dcmsView(c, me.Tenant, tok) != http.StatusOK {
			t.Fatalf("%s: DCMS flow with its own login: %d", me.Tenant, st)
		}
		if s := dcmsView(c, me.Tenant, ""); s != http.StatusUnauthorized {
			t.Errorf("%s: DCMS call without a token: %d", me.Tenant, s)
		}
		if s := dcmsView(c, other.Tenant, tok); s != http.StatusUnauthorized {
			t.Errorf("%s's token sent with tenant %s: %d", me.Tenant, other.Tenant, s)
		}
		if s, _ := dcmsToken(t, c, other.Tenant, me.Dcms.Username, me.Dcms.Password); s != http.StatusUnauthorized {
			t.Errorf("%s's login for %s: %d", me.Tenant, other.Tenant, s)
		}
		if s, _ := dcmsToken(t, c, me.Tenant, "sandbox_user", "sandbox_password"); s != http.StatusUnauthorized {
			t.Errorf("%s: the documented login: %d", me.Tenant, s)
		}

		// DMT: its own client_id and secret; another's secret changes nothing.
		before := otps(t, c, other.Tenant)
		if s := dmtSend(c, me.Tenant, me.Dmt.ClientSecret, "9123456780"); s != http.StatusOK {
			t.Fatalf("%s: DMT otp/send with its own secret: %d", me.Tenant, s)
		}
		if s := dmtSend(c, other.Tenant, me.Dmt.ClientSecret, "9123456781"); s != http.StatusUnauthorized {
			t.Errorf("%s's secret as client %s: %d", me.Tenant, other.Tenant, s)
		}
		if after := otps(t, c, other.Tenant); after != before {
			t.Errorf("a refused call changed %s's OTPs: %s -> %s", other.Tenant, before, after)
		}
		// The encrypted variant: header_secrets under its own key, with its own pass_key.
		key, _ := base64.StdEncoding.DecodeString(me.Dmt.Key)
		hs, err := partner.DMTHeaderSecrets(key, me.Tenant, me.Dmt.ClientSecret, time.Now().Unix())
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Post(otpSendPath, otpSendBody("9123456782"), "client_id", me.Tenant, "pass_key", me.Dmt.PassKey, "header_secrets", hs); dmtStatus(r) != http.StatusOK {
			t.Errorf("%s: header_secrets and pass_key: %d %s", me.Tenant, r.Status, r.Body)
		}
		if r := c.Post(otpSendPath, otpSendBody("9123456782"), "client_id", me.Tenant, "pass_key", other.Dmt.PassKey, "header_secrets", hs); r.Status != http.StatusUnauthorized {
			t.Errorf("%s with %s's pass_key: %d", me.Tenant, other.Tenant, r.Status)
		}

		// Profile: its own app gets tokens for its own tenant only.
		st, ptok := appToken(t, c, me.Profile.AppId, me.Profile.AppSecret, me.Tenant)
		if st != http.StatusOK || employees(c, ptok) != http.StatusOK {
			t.Fatalf("%s: profile flow with its own app: %d", me.Tenant, st)
		}
		if s, _ := appToken(t, c, me.Profile.AppId, me.Profile.AppSecret, other.Tenant); s != http.StatusUnauthorized {
			t.Errorf("%s's app asking for %s: %d", me.Tenant, other.Tenant, s)
		}
		if s, _ := appToken(t, c, "sandbox_app", "sandbox_secret", me.Tenant); s != http.StatusUnauthorized {
			t.Errorf("the documented app asking for %s: %d", me.Tenant, s)
		}
	}

	// Undeclared tenants, even with the documented credentials, are not served.
	if s, _ := dcmsToken(t, c, "ACME_BANK", "sandbox_user", "sandbox_password"); s != http.StatusUnauthorized {
		t.Errorf("hosted DCMS, undeclared tenant: %d", s)
	}
	if s := dcmsView(c, "ACME_BANK", ""); s != http.StatusUnauthorized {
		t.Errorf("hosted DCMS call, undeclared tenant: %d", s)
	}
	if s := dmtSend(c, "sandbox_client", "sandbox_secret", "9123456783"); s != http.StatusUnauthorized {
		t.Errorf("hosted DMT, the documented client: %d", s)
	}
	if s, _ := appToken(t, c, "sandbox_app", "sandbox_secret", "sandbox_tenant"); s != http.StatusUnauthorized {
		t.Errorf("hosted profile, the documented app: %d", s)
	}

	// A forged token (right shape and claims, another key) is refused.
	forger := &token.Signer{Key: []byte("not the sandbox's key"), Clock: &clock.Clock{}}
	forged, _, _ := forger.Issue("dcms", a.Dcms.Username, a.Tenant, time.Hour)
	if s := dcmsView(c, a.Tenant, forged); s != http.StatusUnauthorized {
		t.Errorf("forged DCMS token: %d", s)
	}
	forged, _, _ = forger.Issue("profile", a.Profile.AppId, a.Tenant, time.Hour)
	if s := employees(c, forged); s != http.StatusUnauthorized {
		t.Errorf("forged profile token: %d", s)
	}

	// Rotation: every old credential, and every token they got, stops working at once.
	_, oldDCMS := dcmsToken(t, c, a.Tenant, a.Dcms.Username, a.Dcms.Password)
	_, oldProfile := appToken(t, c, a.Profile.AppId, a.Profile.AppSecret, a.Tenant)
	r := c.Post("/__sandbox/tenants/PARTNER_A/rotate", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	var a2 adminapi.TenantCredentials
	r.Decode(t, &a2)
	if a2.Dcms.Password == a.Dcms.Password || a2.Dmt.ClientSecret == a.Dmt.ClientSecret || a2.Profile.AppSecret == a.Profile.AppSecret || *a2.AdminToken == *a.AdminToken {
		t.Fatalf("rotate kept a secret: %s", r.Body)
	}
	if s := dcmsView(c, a.Tenant, oldDCMS); s != http.StatusUnauthorized {
		t.Errorf("DCMS token of before the rotation: %d", s)
	}
	if s, _ := dcmsToken(t, c, a.Tenant, a.Dcms.Username, a.Dcms.Password); s != http.StatusUnauthorized {
		t.Errorf("DCMS login of before the rotation: %d", s)
	}
	if s := dmtSend(c, a.Tenant, a.Dmt.ClientSecret, "9123456784"); s != http.StatusUnauthorized {
		t.Errorf("DMT secret of before the rotation: %d", s)
	}
	if s := employees(c, oldProfile); s != http.StatusUnauthorized {
		t.Errorf("profile token of before the rotation: %d", s)
	}
	if s, _ := appToken(t, c, a.Profile.AppId, a.Profile.AppSecret, a.Tenant); s != http.StatusUnauthorized {
		t.Errorf("profile app of before the rotation: %d", s)
	}
	if st, tok := dcmsToken(t, c, a.Tenant, a2.Dcms.Username, a2.Dcms.Password); st != http.StatusOK || dcmsView(c, a.Tenant, tok) != http.StatusOK {
		t.Errorf("DCMS after the rotation: %d", st)
	}
	if s := dmtSend(c, a.Tenant, a2.Dmt.ClientSecret, "9123456785"); s != http.StatusOK {
		t.Errorf("DMT after the rotation: %d", s)
	}
	ctx := context.Background()
	if name, ok, err := sb.Tenants.TenantForAdminToken(ctx, *a2.AdminToken); err != nil || !ok || name != a.Tenant {
		t.Errorf("new admin token: %q %v %v", name, ok, err)
	}
	if _, ok, _ := sb.Tenants.TenantForAdminToken(ctx, *a.AdminToken); ok {
		t.Error("the admin token of before the rotation still names a tenant")
	}

	// The operator sees the credentials again, but for the admin token (only its hash is kept).
	var shown adminapi.TenantCredentials
	c.Get("/__sandbox/tenants/PARTNER_A").Decode(t, &shown)
	a2.AdminToken = nil
	if fmt.Sprint(shown) != fmt.Sprint(a2) {
		t.Errorf("GET shows %+v, want %+v", shown, a2)
	}
	// Each tenant's keys are its own: the record is their one source.
	var keys adminapi.TenantKeys
	c.Get("/__sandbox/tenants/PARTNER_A/keys").Decode(t, &keys)
	if keys.SetPinKey != a2.Dcms.SetPinKey || keys.DmtKey != a2.Dmt.Key {
		t.Errorf("keys %+v, credentials %+v", keys, a2)
	}

	// No secret of a tenant is in snapshots or the journal.
	snap := string(c.Get("/__sandbox/snapshot").Body)
	journal := string(c.Get("/__sandbox/journal?limit=1000").Body)
	for _, secret := range []string{a.Dcms.Password, a2.Dcms.Password, a.Dmt.ClientSecret, a2.Dmt.ClientSecret, a.Dmt.PassKey,
		a.Profile.AppSecret, a2.Profile.AppSecret, a.Dcms.SetPinKey, a.Dmt.Key, *b.AdminToken} {
		if strings.Contains(snap, secret) || strings.Contains(journal, secret) {
			t.Errorf("a secret is in the snapshot or the journal: %q", secret)
		}
	}

	// Delete: B's credentials and state are gone.
	if r := c.Do(http.MethodDelete, "/__sandbox/tenants/PARTNER_B", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if s := dmtSend(c, b.Tenant, b.Dmt.ClientSecret, "9123456786"); s != http.StatusUnauthorized {
		t.Errorf("DMT of a deleted tenant: %d", s)
	}
	if r := c.Get("/__sandbox/tenants/PARTNER_B"); r.Status != http.StatusNotFound {
		t.Errorf("GET a deleted tenant: %d", r.Status)
	}
	var list adminapi.Tenants
	c.Get("/__sandbox/tenants").Decode(t, &list)
	var names []string
	for _, ti := range list.Tenants {
		names = append(names, ti.Tenant)
		if ti.Tenant == "PARTNER_A" && (ti.Declared == nil || !*ti.Declared || !slices.Contains(ti.Apis, "dmt")) {
			t.Errorf("PARTNER_A listed as %+v", ti)
		}
	}
	if !slices.Contains(names, "PARTNER_A") || slices.Contains(names, "PARTNER_B") {
		t.Errorf("tenants after the delete: %v", names)
	}
}

// Local mode: the documented credentials keep working for every undeclared tenant, and a
// declared one (here from the config file, with the credentials it gives) needs its own.
func TestLocalModeServesDocumentedAndDeclaredTenants(t *testing.T) {
	key32 := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	declared := tenants.Credentials{Tenant: "FILE_BANK", AdminToken: "file-admin-token", Record: tenants.Record{
		DCMS:    tenants.DCMS{Username: "file_user", Password: "file_pw", SetPinKey: []byte("0123456789abcdef")},
		DMT:     tenants.DMT{ClientSecret: "file_secret", PassKey: "file_pass", Key: []byte("0123456789abcdef0123456789abcdef")},
		Profile: tenants.Profile{AppID: "file_app", AppSecret: "file_app_secret"},
	}}
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Tenants = []tenants.Credentials{declared} })

	if s := dcmsView(c, "ACME_BANK", ""); s != http.StatusOK {
		t.Errorf("documented DCMS tenant: %d", s)
	}
	if st, _ := dcmsToken(t, c, "ANY_BANK", "sandbox_user", "sandbox_password"); st != http.StatusOK {
		t.Errorf("documented DCMS login: %d", st)
	}
	if s := dmtSend(c, "sandbox_client", "sandbox_secret", "9123456787"); s != http.StatusOK {
		t.Errorf("documented DMT client: %d", s)
	}
	if st, tok := appToken(t, c, "sandbox_app", "sandbox_secret", "sandbox_tenant"); st != http.StatusOK || employees(c, tok) != http.StatusOK {
		t.Errorf("documented profile app: %d", st)
	}

	// The declared tenant: its own credentials only.
	if s := dcmsView(c, "FILE_BANK", ""); s != http.StatusUnauthorized {
		t.Errorf("declared DCMS tenant without a token: %d", s)
	}
	if st, _ := dcmsToken(t, c, "FILE_BANK", "sandbox_user", "sandbox_password"); st != http.StatusUnauthorized {
		t.Errorf("declared DCMS tenant, documented login: %d", st)
	}
	if st, tok := dcmsToken(t, c, "FILE_BANK", "file_user", "file_pw"); st != http.StatusOK || dcmsView(c, "FILE_BANK", tok) != http.StatusOK {
		t.Errorf("declared DCMS tenant, its own login: %d", st)
	}
	if s := dmtSend(c, "FILE_BANK", "file_secret", "9123456788"); s != http.StatusOK {
		t.Errorf("declared DMT client: %d", s)
	}
	if st, _ := appToken(t, c, "sandbox_app", "sandbox_secret", "FILE_BANK"); st != http.StatusUnauthorized {
		t.Errorf("declared profile tenant, documented app: %d", st)
	}
	if st, tok := appToken(t, c, "file_app", "file_app_secret", "FILE_BANK"); st != http.StatusOK || employees(c, tok) != http.StatusOK {
		t.Errorf("declared profile tenant, its own app: %d", st)
	}
	var keys adminapi.TenantKeys
	c.Get("/__sandbox/tenants/FILE_BANK/keys").Decode(t, &keys)
	if keys.DmtKey != key32 || keys.SetPinKey != base64.StdEncoding.EncodeToString([]byte("0123456789abcdef")) {
		t.Errorf("keys of the declared tenant: %+v", keys)
	}
	if name, ok, err := sb.Tenants.TenantForAdminToken(context.Background(), "file-admin-token"); !ok || err != nil || name != "FILE_BANK" {
		t.Errorf("admin token from the file: %q %v %v", name, ok, err)
	}
	// A reset of every tenant keeps the declared ones.
	c.Post("/__sandbox/reset", nil)
	if s := dmtSend(c, "FILE_BANK", "file_secret", "9123456789"); s != http.StatusOK {
		t.Errorf("declared DMT client after a reset: %d", s)
	}
}

// --max-tenants: a new tenant past the limit gets its API's 503 naming the limit; those
// already served keep being served, and so do declared ones.
func TestMaxTenants(t *testing.T) {
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.MaxTenants = 3 })
	for _, name := range []string{"T1", "T2", "T3"} {
		if s := dcmsView(c, name, ""); s != http.StatusOK {
			t.Fatalf("%s: %d", name, s)
		}
	}
	r := c.With("tenant", "T4").Post(viewCustomerPath, viewCustomerBody)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "--max-tenants") || !strings.Contains(string(r.Body), "at most 3 tenants") {
		t.Errorf("DCMS, a tenant past the limit: %d %s", r.Status, r.Body)
	}
	r = c.Post(appTokenPath, map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "T5"})
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "--max-tenants") {
		t.Errorf("profile, a tenant past the limit: %d %s", r.Status, r.Body)
	}
	if s := dmtSend(c, "sandbox_client", "sandbox_secret", "9123456790"); s != http.StatusServiceUnavailable {
		t.Errorf("DMT, a client past the limit: %d", s)
	}
	if s := dcmsView(c, "T2", ""); s != http.StatusOK {
		t.Errorf("a tenant within the limit: %d", s)
	}
	r = c.Post("/__sandbox/tenants", map[string]string{"tenant": "NEW_PARTNER"})
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "tenant_limit") {
		t.Errorf("declaring past the limit: %d %s", r.Status, r.Body)
	}
	var list adminapi.Tenants
	c.Get("/__sandbox/tenants").Decode(t, &list)
	if len(list.Tenants) != 3 {
		t.Errorf("tenants: %+v", list.Tenants)
	}
}

// --tenant-idle-ttl: an undeclared tenant nobody touched for so long loses its state; a
// declared one keeps it.
func TestTenantIdleTTL(t *testing.T) {
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.TenantIdleTTL = 300 * time.Millisecond })
	creds := declare(t, c, "KEPT")
	if s := dmtSend(c, "KEPT", creds.Dmt.ClientSecret, "9123456791"); s != http.StatusOK {
		t.Fatalf("declared tenant: %d", s)
	}
	if s := dmtSend(c, "sandbox_client", "sandbox_secret", "9123456792"); s != http.StatusOK {
		t.Fatalf("undeclared tenant: %d", s)
	}
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		names, err := sb.Store.Tenants(ctx, "dmt")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, "sandbox_client") {
			if !slices.Contains(names, "KEPT") {
				t.Fatalf("the declared tenant's state was dropped too: %v", names)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the idle tenant's state is still there: %v", names)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(otps(t, c, "KEPT"), "9123456791") {
		t.Error("the declared tenant lost its OTP")
	}
	if strings.Contains(otps(t, c, "sandbox_client"), "9123456792") {
		t.Error("the idle tenant kept its OTP")
	}
}

// 100k distinct tenant names at a local sandbox with a small --max-tenants: it keeps
// serving, and its heap stays bounded by the limit, not by the names.
func TestManyTenantNamesKeepMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("100k calls")
	}
	const limit, names = 50, 100_000
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.MaxTenants = limit })
	send := func(i int) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, viewCustomerPath, strings.NewReader(viewCustomerBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("tenant", fmt.Sprintf("FLOOD_%06d", i))
		w := httptest.NewRecorder()
		sb.Handler.ServeHTTP(w, req)
		if i%1000 == 0 { // a sample of the answers, checked against the contract
			req = httptest.NewRequest(http.MethodPost, viewCustomerPath, strings.NewReader(viewCustomerBody))
			req.Header.Set("Content-Type", "application/json")
			contracttest.Check(t, req, w.Code, w.Header(), w.Body.Bytes())
		}
		return w
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for i := range 10_000 {
		send(i)
	}
	before := heap()
	refused := 0
	for i := 10_000; i < names; i++ {
		if w := send(i); w.Code == http.StatusServiceUnavailable {
			refused++
		}
	}
	after := heap()
	t.Logf("heap after 10k names %d KiB, after %d names %d KiB; %d refused", before>>10, names, after>>10, refused)
	if refused != names-10_000 {
		t.Errorf("%d of the last %d names were refused, want all (the limit is %d)", refused, names-10_000, limit)
	}
	if served := sb.Tenants.Served(); served > limit {
		t.Errorf("%d tenants served, limit %d", served, limit)
	}
	if after > before+16<<20 {
		t.Errorf("90k more tenant names grew the heap from %d to %d KiB", before>>10, after>>10)
	}
	if s := dcmsView(c, "FLOOD_000001", ""); s != http.StatusOK {
		t.Errorf("a tenant within the limit after the flood: %d", s)
	}
}

// Replicas sharing a store share the declared tenants: one declared or rotated through a
// replica is served, or refused, by the other within its cache's second.
func TestReplicasShareDeclaredTenants(t *testing.T) {
	url := contracttest.SharedRedis(t)
	prefix := fmt.Sprintf("tenants%d:", time.Now().UnixNano())
	shared := func(cfg *app.Config) { // on Redis, whatever store the suite runs over
		cfg.Backend, cfg.Store, cfg.RedisPrefix, cfg.Hosted, cfg.AdminToken = nil, url, prefix, true, operatorToken
	}
	_, a := contracttest.Start(t, shared)
	_, b := contracttest.Start(t, shared)
	a, b = a.With("Authorization", bearer(operatorToken)), b.With("Authorization", bearer(operatorToken))
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	eventually("replica B never served a tenant declared through A", func() bool {
		return dmtSend(b, "PARTNER_R", "none yet", "9123456793") == http.StatusUnauthorized
	})
	creds := declare(t, a, "PARTNER_R")
	eventually("replica B never served a tenant declared through A", func() bool {
		return dmtSend(b, "PARTNER_R", creds.Dmt.ClientSecret, "9123456793") == http.StatusOK
	})
	if r := a.Post("/__sandbox/tenants/PARTNER_R/rotate", nil); r.Status != http.StatusOK {
		t.Fatalf("rotate: %d", r.Status)
	}
	eventually("replica B kept accepting a rotated secret", func() bool {
		return dmtSend(b, "PARTNER_R", creds.Dmt.ClientSecret, "9123456794") == http.StatusUnauthorized
	})
}

// Admin endpoints never make a tenant as a side effect: reading an unknown tenant's state
// shows the fixtures every tenant starts from, and the tenant is still not listed.
func TestAdminReadsMakeNoTenant(t *testing.T) {
	_, c := contracttest.Start(t)
	for _, path := range []string{
		"/__sandbox/tenants/GHOST/dcms/customers?limit=1", "/__sandbox/tenants/GHOST/dcms/orders",
		"/__sandbox/tenants/GHOST/profile/submissions", "/__sandbox/tenants/GHOST/ratelimits",
		"/__sandbox/tenants/GHOST/webhook/deliveries", "/__sandbox/tenants/GHOST/outbox",
		"/__sandbox/tenants/GHOST/dmt/otps", "/__sandbox/snapshot?tenant=GHOST", "/__sandbox/coverage?tenant=GHOST",
	} {
		if r := c.Get(path); r.Status >= 500 {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	if r := c.Get("/__sandbox/tenants"); strings.Contains(string(r.Body), "GHOST") {
		t.Fatalf("admin reads listed the tenant: %s", r.Body)
	}
	// A partner call does make it one.
	if r := c.Post(viewCustomerPath, viewCustomerBody, "tenant", "GHOST"); r.Status != http.StatusOK {
		t.Fatalf("viewCustomer: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/__sandbox/tenants"); !strings.Contains(string(r.Body), "GHOST") {
		t.Fatalf("a partner call did not list the tenant: %s", r.Body)
	}
}
