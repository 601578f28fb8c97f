package app_test

import (
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/dmt"
)

// Two CI jobs on two tenants: one moving its clock 72 hours on leaves the other's OTP
// valid; a reset of the tenant puts it back on the shared clock.
func TestTenantClocksAreIndependent(t *testing.T) {
	t.Parallel()
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		acme, err := dmt.ParseClient("acme:acme_secret")
		if err != nil {
			t.Fatal(err)
		}
		cfg.DMT.Clients = []dmt.Client{acme}
	})
	clients := map[string]*contracttest.Client{
		"sandbox_client": c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret"),
		"acme":           c.With("client_id", "acme").With("client_secret", "acme_secret"),
	}
	const send = `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`
	const register = `{"mobileNumber":"8618743463","name":"Sangram Keshari pradhan","otp":"123456","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`
	for name, cl := range clients {
		if r := cl.Post("/common/dmt-lite/unified/otp/send", send).JSON(t); r["statusCode"] != "0" {
			t.Fatalf("%s otp/send: %v", name, r)
		}
	}

	moved := c.Post("/__sandbox/clock?tenant=acme", `{"advance":"72h"}`).JSON(t)
	if moved["offset"] != "72h0m0s" || moved["own"] != true || moved["tenant"] != "acme" {
		t.Fatalf("acme's clock after its advance: %v", moved)
	}
	if other := c.Get("/__sandbox/clock?tenant=sandbox_client").JSON(t); other["offset"] != "0s" || other["own"] != false {
		t.Fatalf("sandbox_client's clock moved with acme's: %v", other)
	}
	if shared := c.Get("/__sandbox/clock").JSON(t); shared["offset"] != "0s" {
		t.Fatalf("the shared clock moved with acme's: %v", shared)
	}

	if r := clients["sandbox_client"].Post("/common/dmt-lite/unified/customer/process-customer-registration", register).JSON(t); r["statusCode"] != "3" {
		t.Fatalf("sandbox_client's OTP should still be valid: %v", r)
	}
	if r := clients["acme"].Post("/common/dmt-lite/unified/customer/process-customer-registration", register).JSON(t); r["statusDesc"] != "OTP expired" {
		t.Fatalf("acme's OTP should have expired 72 hours on: %v", r)
	}

	c.Post("/__sandbox/reset?tenant=acme", nil)
	if back := c.Get("/__sandbox/clock?tenant=acme").JSON(t); back["offset"] != "0s" || back["own"] != false {
		t.Fatalf("a tenant reset should put acme back on the shared clock: %v", back)
	}

	// Without tenant, the change applies to every tenant.
	c.Post("/__sandbox/clock?tenant=acme", `{"advance":"1h"}`)
	c.Post("/__sandbox/clock", `{"advance":"2h"}`)
	for tenant, want := range map[string]string{"acme": "3h0m0s", "sandbox_client": "2h0m0s"} {
		if got := c.Get("/__sandbox/clock?tenant=" + tenant).JSON(t); got["offset"] != want {
			t.Fatalf("%s after a shared advance: %v, want offset %s", tenant, got, want)
		}
	}
	c.Post("/__sandbox/clock", `{"reset":true}`)
	if got := c.Get("/__sandbox/clock?tenant=acme").JSON(t); got["offset"] != "0s" || got["own"] != false {
		t.Fatalf("a shared reset should put every tenant at real time: %v", got)
	}
}
