package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScenariosDirAtStartUp(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "start.yaml", `name: start state
fixtures:
  - api: dcms
    tenant: ACME_BANK
    kind: customer
    id: "777777"
    value: {entityId: "777777", entityType: CUSTOMER, firstName: Fixture, middleName: "", lastName: Person,
            title: Mr, gender: MALE, dob: "1990-01-01", business: ACME_BANK, businessId: "687", businessType: ACME_BANK,
            accountInfo: [], addressInfo: [], communicationInfo: [], kycInfo: [], kitNos: []}
rules:
  - operationId: viewCustomer
    outcome: service-unavailable
    tenant: ACME_BANK
    times: 1
    match: {entityId: "675676"}
`)
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.ScenariosDir = dir })
	acme := c.With("tenant", "ACME_BANK")

	check := func() {
		t.Helper()
		if r := acme.Post("/v1/viewCustomer", `{"entityId":"777777"}`); r.Status != 200 || !strings.Contains(string(r.Body), `"firstName":"Fixture"`) {
			t.Fatalf("fixture customer: %d %s", r.Status, r.Body)
		}
		if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 503 {
			t.Fatalf("armed rule did not fire: %d", r.Status)
		}
		if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
			t.Fatalf("rule fired past its times: %d", r.Status)
		}
	}
	check()
	// The files are part of the starting state: a reset brings both back.
	c.Post("/__sandbox/reset?tenant=ACME_BANK", nil)
	check()
	if r := c.With("tenant", "OTHER").Post("/v1/viewCustomer", `{"entityId":"777777"}`); r.Status != 400 {
		t.Fatalf("another tenant sees the fixture: %d", r.Status)
	}
}

func TestScenariosDirRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.yaml", `name: bad
rules:
  - operationId: viewCustomer
    outcome: teapot
`)
	cfg := app.DefaultConfig()
	cfg.ScenariosDir = dir
	_, err := app.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:4") || !strings.Contains(err.Error(), "teapot") {
		t.Fatalf("bad file: %v", err)
	}
}
