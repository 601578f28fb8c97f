package app_test

import (
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/scenarios"
)

// TestForcedOK checks the one rule of a forced "ok": it skips armed rules and magic
// values, succeeds where the state allows, and otherwise answers the operation's
// documented error saying that success needs state that does not exist; the catalogue
// says what each operation's success needs.
func TestForcedOK(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "ACME_BANK")
	ok := []string{"X-Sandbox-Scenario", "ok"}
	refused := func(t *testing.T, msg string) {
		t.Helper()
		if !strings.HasPrefix(msg, scenarios.OKRefused+": ") {
			t.Errorf("message %q does not say that ok needs state that does not exist", msg)
		}
	}

	t.Run("dcms", func(t *testing.T) {
		// Where the state allows, ok is a plain call: the kit is activated.
		if r := acme.Post("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"4240171642"}`, ok...); r.Status != 200 {
			t.Fatalf("ok on an INACTIVE kit: %d %s", r.Status, r.Body)
		}
		// Now the kit is ACTIVE: activation needs a status that does not exist.
		r := acme.Post("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"4240171642"}`, ok...)
		if ex := exception(t, r); r.Status != 400 || ex["errorCode"] != "card.already.active" {
			t.Fatalf("ok on an ACTIVE kit: %d %s", r.Status, r.Body)
		} else {
			refused(t, ex["detailMessage"].(string))
		}
		// An unknown id: the not-found error, saying why.
		r = acme.Post("/v1/viewCustomer", `{"entityId":"SANDBOX_500"}`, ok...) // ok wins over the magic value too
		if ex := exception(t, r); r.Status != 400 || ex["errorCode"] != "CUS001" {
			t.Fatalf("ok on an unknown customer: %d %s", r.Status, r.Body)
		} else {
			refused(t, ex["detailMessage"].(string))
		}
		// A request's own mistake is not the state's: no such prefix.
		r = acme.Post("/v1/kit-manager/manageKit", `{"entityId":"675676","oldKit":"4240171642","operation":"REPLACE"}`, ok...)
		if ex := exception(t, r); r.Status != 400 || ex["errorCode"] != "invalid.input.request" || strings.HasPrefix(ex["detailMessage"].(string), scenarios.OKRefused) {
			t.Fatalf("ok on an invalid request: %d %s", r.Status, r.Body)
		}
		// ok wins over an armed rule.
		c.Post("/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "outcome": "customer-not-found", "tenant": "ACME_BANK"})
		if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`, ok...); r.Status != 200 {
			t.Fatalf("ok under an armed rule: %d %s", r.Status, r.Body)
		}
	})

	t.Run("profile", func(t *testing.T) {
		var tok struct{ Result struct{ Token string } }
		c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}).Decode(t, &tok)
		p := c.With("Authorization", "Bearer "+tok.Result.Token)
		r := p.Get("/ExtReport/GetIndividualProfile/00000000-0000-0000-0000-000000000000", ok...)
		var env struct{ Messages []string }
		r.Decode(t, &env)
		if r.Status != 404 || len(env.Messages) == 0 {
			t.Fatalf("ok on an unknown submission: %d %s", r.Status, r.Body)
		}
		refused(t, env.Messages[0])
		if r := p.Get("/ExtReport/GetIndividualProfile/ab98babe-b555-4b79-88bf-967f454df0c0", ok...); r.Status != 200 {
			t.Fatalf("ok on the seed's submission: %d %s", r.Status, r.Body)
		}
	})

	t.Run("dmt", func(t *testing.T) {
		d := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
		var a struct{ Status, StatusCode, StatusDesc string }
		d.Post("/common/dmt-lite/unified/customer/process-customer-registration",
			`{"mobileNumber":"9437000077","name":"Ok Forced","otp":"123456","username":"isutestapi1","latlong":"1,2","publicIP":"1.2.3.4"}`, ok...).Decode(t, &a)
		if a.Status != "FAILED" || a.StatusCode != "-1" || a.StatusDesc != scenarios.OKRefused+": OTP not requested, kindly send OTP first" {
			t.Fatalf("ok without an OTP: %+v", a)
		}
		d.Post("/common/dmt-lite/unified/customer/get-customer",
			`{"mobileNumber":"9000000500","username":"isutestapi1","latlong":"1,2","publicIP":"1.2.3.4"}`, ok...).Decode(t, &a)
		if a.Status != "SUCCESS" || a.StatusCode != "0" {
			t.Fatalf("ok over a magic number: %+v", a)
		}
	})

	t.Run("catalogue", func(t *testing.T) {
		var cat struct {
			Operations []struct {
				OperationID string
				Outcomes    []struct{ Name, Description string }
			}
		}
		c.Get("/__sandbox/scenarios").Decode(t, &cat)
		for _, op := range cat.Operations {
			if o := op.Outcomes[0]; o.Name != "ok" || !strings.Contains(o.Description, "Forced, it skips armed rules and magic values") {
				t.Errorf("%s: first outcome %q says %q", op.OperationID, o.Name, o.Description)
			}
		}
		if len(cat.Operations) < 30 {
			t.Fatalf("%d operations", len(cat.Operations))
		}
	})
}
