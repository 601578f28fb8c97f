package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// In a hosted sandbox the console asks for the admin token (its calls get 401 until then),
// keeps the typed token in the tab's sessionStorage and sends it with every call: with a
// tenant's token, that tenant's calls show in the journal view.
func TestConsoleInHostedSandbox(t *testing.T) {
	b := newBrowser(t)
	const tenant, operator = "CONSOLE_BANK", "operator-token-of-the-test"
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Hosted, cfg.AdminToken = true, operator })
	var creds struct {
		AdminToken string
		Dcms       struct{ Username, Password string }
	}
	if r := c.With("Authorization", "Bearer "+operator).Post("/__sandbox/tenants", map[string]string{"tenant": tenant}); r.Status != 201 {
		t.Fatalf("create tenant: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &creds)
	}
	token := creds.AdminToken
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
	var login struct {
		IDToken string `json:"id_token"`
	}
	c.With("tenant", tenant).Post("/v1/api/authenticate", map[string]string{"username": creds.Dcms.Username, "password": creds.Dcms.Password}).Decode(t, &login)
	if r := c.With("tenant", tenant).With("Authorization", "Bearer "+login.IDToken).Post("/v1/viewCustomer", `{"entityId":"676165"}`); r.Status != 200 {
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
