package app_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

type coverageOutcome struct {
	Name   string
	Status int
	Code   string
	Count  int
	Forced int
}

type coverageReport struct {
	Tenant     string
	Covered    int
	Total      int
	Operations []struct {
		API         string `json:"api"`
		OperationID string `json:"operationId"`
		Outcomes    []coverageOutcome
	}
}

func getCoverage(t *testing.T, c *contracttest.Client, query string) coverageReport {
	t.Helper()
	r := c.Get("/__sandbox/coverage?" + query)
	if r.Status != 200 {
		t.Fatalf("coverage %s: %d %s", query, r.Status, r.Body)
	}
	var rep coverageReport
	r.Decode(t, &rep)
	return rep
}

// outcome finds one outcome's counts in a report.
func (rep coverageReport) outcome(t *testing.T, op, name string) coverageOutcome {
	t.Helper()
	for _, o := range rep.Operations {
		if o.OperationID != op {
			continue
		}
		for _, oc := range o.Outcomes {
			if oc.Name == name {
				return oc
			}
		}
	}
	t.Fatalf("no outcome %s of %s in the coverage of %s", name, op, rep.Tenant)
	return coverageOutcome{}
}

func TestCoverageShapeAndTotals(t *testing.T) {
	_, c := newSandbox(t)
	r := c.Get("/__sandbox/coverage?tenant=FRESH")
	// Exactly the documented shape: these keys and no others.
	var raw map[string]json.RawMessage
	r.Decode(t, &raw)
	if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, []string{"covered", "operations", "tenant", "total"}) {
		t.Fatalf("top-level keys %v", got)
	}
	var ops []map[string]json.RawMessage
	if err := json.Unmarshal(raw["operations"], &ops); err != nil || len(ops) == 0 {
		t.Fatalf("operations: %v %s", err, raw["operations"])
	}
	if got := slices.Sorted(maps.Keys(ops[0])); !slices.Equal(got, []string{"api", "operationId", "outcomes"}) {
		t.Fatalf("operation keys %v", got)
	}
	var outs []map[string]json.RawMessage
	if err := json.Unmarshal(ops[0]["outcomes"], &outs); err != nil || len(outs) == 0 {
		t.Fatalf("outcomes: %v", err)
	}
	if got := slices.Sorted(maps.Keys(outs[0])); !slices.Equal(got, []string{"code", "count", "forced", "name", "status"}) {
		t.Fatalf("outcome keys %v", got)
	}

	// The totals are the catalogue's.
	var cat struct {
		Operations []struct {
			API      string
			Outcomes []json.RawMessage
		}
	}
	c.Get("/__sandbox/scenarios").Decode(t, &cat)
	all, dmt := 0, 0
	for _, op := range cat.Operations {
		all += len(op.Outcomes)
		if op.API == "dmt" {
			dmt += len(op.Outcomes)
		}
	}
	rep := getCoverage(t, c, "tenant=FRESH")
	if rep.Tenant != "FRESH" || rep.Covered != 0 || rep.Total != all || len(rep.Operations) != len(cat.Operations) {
		t.Fatalf("fresh tenant: tenant %s covered %d total %d (catalogue %d) operations %d", rep.Tenant, rep.Covered, rep.Total, all, len(rep.Operations))
	}
	rep = getCoverage(t, c, "tenant=FRESH&api=dmt")
	if rep.Total != dmt {
		t.Fatalf("api=dmt total %d, want %d", rep.Total, dmt)
	}
	for _, op := range rep.Operations {
		if op.API != "dmt" {
			t.Fatalf("api=dmt lists %s %s", op.API, op.OperationID)
		}
	}
	if r := c.Get("/__sandbox/coverage?tenant=FRESH&api=nope"); r.Status != 400 {
		t.Fatalf("api=nope: %d", r.Status)
	}
	if r := c.Get("/__sandbox/coverage"); r.Status != 400 {
		t.Fatalf("no tenant: %d", r.Status)
	}
}

func TestCoverageCountsStateAndForcedOutcomes(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "COV_BANK")
	ok := `{"entityId":"675676"}`
	acme.Post("/v1/viewCustomer", ok)
	acme.Post("/v1/viewCustomer", ok)
	acme.Post("/v1/viewCustomer", `{"entityId":"999999"}`)                        // CUS001 from state
	acme.Post("/v1/viewCustomer", ok, "X-Sandbox-Scenario", "customer-not-found") // forced by header
	acme.Post("/v1/viewCustomer", `{"entityId":"SANDBOX_503"}`)                   // forced by a magic value
	acme.Post("/v1/viewCustomer", ok, "X-Sandbox-Fault", "http-503")              // a fault answered as a documented outcome
	c.Post("/__sandbox/rules", `{"operationId":"viewCustomer","outcome":"customer-not-found","times":1,"tenant":"COV_BANK"}`)
	acme.Post("/v1/viewCustomer", ok) // forced by the rule
	c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret").
		Post("/common/dmt-lite/unified/customer/get-customer", `{"customerMobileNumber":"9000000004","username":"isutestapi1"}`)

	rep := getCoverage(t, c, "tenant=COV_BANK")
	if got := rep.outcome(t, "viewCustomer", "ok"); got.Count != 2 || got.Forced != 0 {
		t.Fatalf("ok: %+v, want 2 calls decided by state", got)
	}
	if got := rep.outcome(t, "viewCustomer", "customer-not-found"); got.Count != 3 || got.Forced != 2 || got.Status != 400 || got.Code != "CUS001" {
		t.Fatalf("customer-not-found: %+v, want 3 calls, 2 forced (header, rule)", got)
	}
	unavailable := ""
	for _, op := range rep.Operations {
		for _, o := range op.Outcomes {
			if op.OperationID == "viewCustomer" && o.Status == 503 {
				unavailable = o.Name
				if o.Count != 2 || o.Forced != 2 {
					t.Fatalf("503 outcome %+v, want 2, both forced (fault header, magic value)", o)
				}
			}
		}
	}
	if unavailable == "" {
		t.Fatal("viewCustomer has no 503 outcome in the coverage")
	}
	if rep.Covered != 3 {
		t.Fatalf("covered %d, want 3 (ok, customer-not-found, %s)", rep.Covered, unavailable)
	}

	// The journal says what decided each answer.
	var j struct {
		Entries []struct{ Outcome, DecidedBy, Rule string }
	}
	c.Get("/__sandbox/journal?tenant=COV_BANK&limit=5").Decode(t, &j)
	want := []string{"rule", "header", "magic", "header", "state"} // rule, fault, magic value, scenario, CUS001
	for i, e := range j.Entries {
		if e.DecidedBy != want[i] {
			t.Fatalf("journal entry %d (%s): decidedBy %q, want %q (all: %+v)", i, e.Outcome, e.DecidedBy, want[i], j.Entries)
		}
	}
	if j.Entries[0].Rule == "" {
		t.Fatalf("the rule's entry names no rule: %+v", j.Entries[0])
	}

	// The DMT client's calls count under the client, not under the DCMS tenant.
	dmt := getCoverage(t, c, "tenant=sandbox_client&api=dmt")
	if dmt.Covered != 1 {
		t.Fatalf("sandbox_client covered %d, want 1: %+v", dmt.Covered, dmt.Operations)
	}
	if other := getCoverage(t, c, "tenant=OTHER_BANK"); other.Covered != 0 {
		t.Fatalf("another tenant sees coverage: %d", other.Covered)
	}
}

func TestCoverageClearAndReset(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "CLEAR_BANK")
	acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	acme.Post("/v1/viewCustomer", `{"entityId":"999999"}`)
	c.With("tenant", "KEEP_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)

	r := c.Do("DELETE", "/__sandbox/coverage?tenant=CLEAR_BANK", nil)
	if r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	var cleared struct {
		Tenant  string
		Cleared int
	}
	r.Decode(t, &cleared)
	if cleared.Tenant != "CLEAR_BANK" || cleared.Cleared != 2 {
		t.Fatalf("cleared %+v, want 2 counts of CLEAR_BANK", cleared)
	}
	if rep := getCoverage(t, c, "tenant=CLEAR_BANK"); rep.Covered != 0 {
		t.Fatalf("after DELETE: covered %d", rep.Covered)
	}
	if rep := getCoverage(t, c, "tenant=KEEP_BANK"); rep.Covered != 1 {
		t.Fatalf("DELETE of another tenant cleared KEEP_BANK: covered %d", rep.Covered)
	}

	acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	if rep := getCoverage(t, c, "tenant=CLEAR_BANK"); rep.Covered != 1 {
		t.Fatalf("counting again after DELETE: covered %d", rep.Covered)
	}
	c.Post("/__sandbox/reset?tenant=CLEAR_BANK", nil)
	if rep := getCoverage(t, c, "tenant=CLEAR_BANK"); rep.Covered != 0 {
		t.Fatalf("after a tenant reset: covered %d", rep.Covered)
	}
	if rep := getCoverage(t, c, "tenant=KEEP_BANK"); rep.Covered != 1 {
		t.Fatalf("a reset of CLEAR_BANK cleared KEEP_BANK: covered %d", rep.Covered)
	}
}
