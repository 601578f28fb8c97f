package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

type oneTenantToken struct{ token, tenant string }

func (o oneTenantToken) TenantForAdminToken(_ context.Context, token string) (string, bool, error) {
	return o.tenant, token == o.token, nil
}

// In a hosted sandbox the console asks for the admin token (its calls get 401 until then),
// keeps the typed token in the tab's sessionStorage and sends it with every call: with a
// tenant's token, that tenant's calls show in the journal view.
func TestConsoleInHostedSandbox(t *testing.T) {
	b := newBrowser(t)
	const tenant, token = "CONSOLE_BANK", "tenant-token-of-console-bank"
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		cfg.Hosted, cfg.AdminToken, cfg.TenantTokens = true, "operator-token-of-the-test", oneTenantToken{token, tenant}
	})
	b.do(10*time.Second, "open the console", chromedp.Navigate(c.BaseURL+"/__sandbox/console?tenant="+tenant+"#journal"),
		chromedp.WaitVisible(chromedp.CSS("#view-journal")))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.text("#status"), "enter the admin token") {
		if time.Now().After(deadline) {
			t.Fatalf("without a token the console says %q", b.text("#status"))
		}
		time.Sleep(50 * time.Millisecond)
	}

	b.do(5*time.Second, "enter the tenant's token",
		chromedp.SendKeys(chromedp.CSS("#admin-token"), token),
		chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#journal-empty")))
	if r := c.With("tenant", tenant).Post("/v1/viewCustomer", `{"entityId":"676165"}`); r.Status != 200 {
		t.Fatalf("viewCustomer: %d %s", r.Status, r.Body)
	}
	b.do(3*time.Second, "the tenant's call in the journal view",
		chromedp.WaitVisible(chromedp.CSS(`#journal-rows tr.call[data-operation="viewCustomer"]`)))
	stored, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`sessionStorage.getItem('sandbox.adminToken')`))
	if err != nil || stored != token {
		t.Fatalf("sessionStorage holds %q (%v)", stored, err)
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	if strings.Contains(loc, token) || b.text("#admin-token") != "" {
		t.Fatalf("the token shows in the URL %q or the page", loc)
	}
	if errs := b.jsErrors(); len(errs) > 0 {
		t.Fatalf("JavaScript errors: %v", errs)
	}
}
