package app_test

import (
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// No token-signing key is written in the binary: two sandboxes sign with keys of their own
// unless they are given the same one (--token-key, or a shared --store).
func TestTokenKeyIsNeverBuiltIn(t *testing.T) {
	t.Parallel()
	token := func(c *contracttest.Client) string {
		r := c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"})
		return r.JSON(t)["result"].(map[string]any)["token"].(string)
	}
	employees := func(c *contracttest.Client, tok string) *contracttest.Response {
		return c.With("Authorization", "Bearer "+tok).Get("/ExtCustomerManagement/GetEmployees")
	}
	_, a := contracttest.Start(t)
	_, b := contracttest.Start(t)
	if r := employees(b, token(a)); r.Status != 401 || !strings.Contains(string(r.Body), "signature") {
		t.Fatalf("a token of another sandbox with no shared key: %d %s", r.Status, r.Body)
	}
	shared := func(cfg *app.Config) { cfg.TokenKey = "a key the operator chose" }
	_, c := contracttest.Start(t, shared)
	_, d := contracttest.Start(t, shared)
	if r := employees(d, token(c)); r.Status != 200 {
		t.Fatalf("a token of a sandbox with the same --token-key: %d %s", r.Status, r.Body)
	}
}
