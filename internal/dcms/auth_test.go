package dcms_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
)

func authenticate(t *testing.T, s *sandbox, tenantName, user, password string) call {
	t.Helper()
	return decode(t, s.raw.With("tenant", tenantName).Post("/v1/api/authenticate", map[string]any{"username": user, "password": password}))
}

func token(t *testing.T, s *sandbox, tenantName string) string {
	t.Helper()
	r := s.raw.With("tenant", tenantName).Post("/v1/api/authenticate", map[string]any{"username": "sandbox_user", "password": "sandbox_password"})
	if r.Status != 200 {
		t.Fatalf("authenticate: %d %s", r.Status, r.Body)
	}
	tok, _ := r.JSON(t)["id_token"].(string)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("id_token %q is not a JWT", tok)
	}
	return tok
}

func TestBearerOptionalByDefault(t *testing.T) {
	s := newSandbox(t)
	s.post(t, "/v1/viewCustomer", seed000).ok(t)
	tok := token(t, s, tenant)
	s.post(t, "/v1/viewCustomer", seed000, "Authorization", "Bearer "+tok).ok(t)
	authenticate(t, s, tenant, "sandbox_user", "wrong").fails(t, 401, "unauthorized")
	authenticate(t, s, tenant, "someone", "sandbox_password").fails(t, 401, "unauthorized")
	if c := decode(t, s.raw.With("tenant", "not a tenant!").Post("/v1/viewCustomer", seed000)); c.Status != 400 || c.code() != "tenant.not.found" {
		t.Fatalf("bad tenant name: %d %s", c.Status, c.Body)
	}
}

func TestBearerRequired(t *testing.T) {
	s := newSandbox(t, func(c *app.Config) { c.DCMS.RequireAuth = true })
	view := func(tenantName string, header ...string) call {
		return decode(t, s.raw.With("tenant", tenantName).Post("/v1/viewCustomer", seed000, header...))
	}
	if c := view(tenant).fails(t, 401, "unauthorized"); !strings.Contains(c.detail(), "no Bearer token") {
		t.Fatalf("detail: %s", c.detail())
	}
	view(tenant, "Authorization", "Bearer not.a.jwt").fails(t, 401, "unauthorized")
	tok := token(t, s, tenant) // authenticate itself needs no token
	view(tenant, "Authorization", "Bearer "+tok).ok(t)
	if c := view("OTHER_BANK", "Authorization", "Bearer "+tok).fails(t, 401, "unauthorized"); !strings.Contains(c.detail(), "ACME_BANK") {
		t.Fatalf("other tenant's token: %s", c.detail())
	}
	// A forged token: signed with another key.
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature of this token!"))
	view(tenant, "Authorization", "Bearer "+forged).fails(t, 401, "unauthorized")
	// Tokens live one hour of sandbox time.
	s.advance(t, "59m")
	view(tenant, "Authorization", "Bearer "+tok).ok(t)
	s.advance(t, "2m")
	if c := view(tenant, "Authorization", "Bearer "+tok).fails(t, 401, "unauthorized"); !strings.Contains(c.detail(), "expired") {
		t.Fatalf("expired token: %s", c.detail())
	}
}

func TestBearerRequiredForOneTenant(t *testing.T) {
	s := newSandbox(t, func(c *app.Config) { c.DCMS.AuthTenants = []string{"SECURE_BANK"} })
	s.post(t, "/v1/viewCustomer", seed000).ok(t)
	decode(t, s.raw.With("tenant", "SECURE_BANK").Post("/v1/viewCustomer", seed000)).fails(t, 401, "unauthorized")
	decode(t, s.raw.With("tenant", "SECURE_BANK").Post("/v1/viewCustomer", seed000, "Authorization", "Bearer "+token(t, s, "SECURE_BANK"))).ok(t)
}

func TestTenantSetPinKey(t *testing.T) {
	key := []byte("0123456789abcdef") // AES-128
	s := newSandbox(t, func(c *app.Config) {
		c.DCMS.TenantSetPinKeys = map[string]string{tenant: base64.StdEncoding.EncodeToString(key)}
	})
	if got := tenantKey(t, s); string(got) != string(key) {
		t.Fatalf("keys endpoint shows %q", got)
	}
	s.post(t, "/v1/kit-manager/kitActivation", map[string]any{"entityId": "675676", "kitNo": "4240171642"}).ok(t)
	s.post(t, "/v1/kit-manager/v2/setPin", pinRequest(t, s, "675676", "4240171642", "2468")).ok(t)
	// The default key no longer works for this tenant.
	k := s.kit(t, "4240171642")
	s.post(t, "/v1/kit-manager/v2/setPin", map[string]any{"entityId": "675676", "kitNo": "4240171642", "expiryDate": k.Expiry,
		"pin": independentBlock(t, k.PAN, "2468", []byte("sandbox-set-pin-key-0123456789AB"))}).fails(t, 400, "invalid.pin")

	bad := app.DefaultConfig()
	bad.DCMS.SetPinKey = base64.StdEncoding.EncodeToString([]byte("short"))
	if _, err := app.New(bad); err == nil {
		t.Fatal("a 5-byte set-PIN key was accepted")
	}
}
