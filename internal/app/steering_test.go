package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// waitForOutcome waits (briefly) until the newest journal entry of a tenant has the
// outcome want, and returns its status: the server may record a call a moment after the
// client has seen its end (a reset connection).
func waitForOutcome(t *testing.T, c *contracttest.Client, tenant, want string) int {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var j struct {
			Entries []struct {
				Outcome string
				Status  int
			}
		}
		c.Get("/__sandbox/journal?limit=1&tenant="+tenant).Decode(t, &j)
		if len(j.Entries) == 1 && j.Entries[0].Outcome == want {
			return j.Entries[0].Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("newest journal entry of %s is %+v, want outcome %s", tenant, j.Entries, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func rawPost(t *testing.T, ctx context.Context, base, path, tenant, body string, header ...string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("tenant", tenant)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// Checked against the contract when there is an answer at all.
	return (&http.Client{Transport: contracttest.Transport(t, nil)}).Do(req)
}

func TestFaults(t *testing.T) {
	_, c := newSandbox(t)
	dcms := c.With("tenant", "FAULTS")

	t.Run("http-500 and http-503 in the API's envelope", func(t *testing.T) {
		for fault, status := range map[string]int{"http-500": 500, "http-503": 503} {
			r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Fault", fault)
			if r.Status != status {
				t.Fatalf("%s: status %d %s", fault, r.Status, r.Body)
			}
			if ex := exception(t, r); ex["errorCode"] == "" {
				t.Fatalf("%s: no errorCode", fault)
			}
		}
	})

	t.Run("connection reset", func(t *testing.T) {
		resp, err := rawPost(t, context.Background(), c.BaseURL, "/v1/viewCustomer", "FAULTS", `{"entityId":"675676"}`, "X-Sandbox-Fault", "connection-reset")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got an answer (%d) instead of a reset", resp.StatusCode)
		}
		if !strings.Contains(err.Error(), "reset") && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("unexpected error %v", err)
		}
		if status := waitForOutcome(t, c, "FAULTS", "fault:connection-reset"); status != 0 {
			t.Fatalf("journal status %d, want 0 (no answer)", status)
		}
	})

	t.Run("timeout is freed when the client gives up", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := rawPost(t, ctx, c.BaseURL, "/v1/viewCustomer", "FAULTS", `{"entityId":"675676"}`, "X-Sandbox-Fault", "timeout")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("client error %v, want its deadline", err)
		}
		// The server holds a timeout for 60s unless the client leaves: the journal entry
		// (written when the handler returns) appearing now proves it was freed at once.
		waitForOutcome(t, c, "FAULTS", "fault:timeout")
	})

	t.Run("delay", func(t *testing.T) {
		start := time.Now()
		r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Delay", "300ms")
		took := time.Since(start)
		if r.Status != 200 || took < 300*time.Millisecond || took > 3*time.Second {
			t.Fatalf("status %d after %s", r.Status, took)
		}
		if r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Delay", "soon"); r.Status != 400 ||
			!strings.Contains(string(r.Body), "X-Sandbox-Delay") {
			t.Fatalf("bad delay: %d %s", r.Status, r.Body)
		}
		if r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Fault", "explode"); r.Status != 400 ||
			!strings.Contains(string(r.Body), "connection-reset") {
			t.Fatalf("bad fault: %d %s", r.Status, r.Body)
		}
	})
}

func TestArmedRulesThroughAdmin(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "ACME_BANK")

	if r := c.Post("/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "outcome": "teapot"}); r.Status != 400 ||
		!strings.Contains(string(r.Body), "customer-not-found") {
		t.Fatalf("undocumented outcome: %d %s", r.Status, r.Body)
	}
	r := c.Post("/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "outcome": "customer-not-found", "times": 2,
		"tenant": "ACME_BANK", "match": map[string]string{"entityId": "675676"}})
	if r.Status != 201 {
		t.Fatalf("arm: %d %s", r.Status, r.Body)
	}
	id := r.JSON(t)["id"].(string)

	if r := c.With("tenant", "OTHER").Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
		t.Fatal("rule for ACME_BANK fired for OTHER")
	}
	for i := 0; i < 2; i++ {
		if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 400 || exception(t, r)["errorCode"] != "CUS001" {
			t.Fatalf("call %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
		t.Fatal("rule fired a third time")
	}
	var list struct {
		Rules []struct {
			ID        string `json:"id"`
			Fired     int    `json:"fired"`
			Remaining int    `json:"remaining"`
		} `json:"rules"`
	}
	c.Get("/__sandbox/rules").Decode(t, &list)
	if len(list.Rules) != 1 || list.Rules[0].ID != id || list.Rules[0].Fired != 2 || list.Rules[0].Remaining != 0 {
		t.Fatalf("rules: %+v", list)
	}
	if r := c.Do("DELETE", "/__sandbox/rules/"+id, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := c.Do("DELETE", "/__sandbox/rules/"+id, nil); r.Status != 404 {
		t.Fatalf("delete twice: %d", r.Status)
	}

	// A fault rule until removed, then reset clears it.
	c.Post("/__sandbox/rules", map[string]any{"operationId": "viewCustomer", "fault": "http-503", "tenant": "ACME_BANK"})
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 503 {
		t.Fatalf("fault rule: %d", r.Status)
	}
	c.Post("/__sandbox/reset?tenant=ACME_BANK", nil)
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
		t.Fatalf("after reset: %d", r.Status)
	}
}

func TestJournalCount(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "ACME_BANK")
	acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	acme.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	acme.Post("/v1/viewCustomer", `{"entityId":"nope"}`)
	count := func(q string) float64 {
		return c.Get("/__sandbox/journal/count?" + q).JSON(t)["count"].(float64)
	}
	if n := count("operationId=viewCustomer&tenant=ACME_BANK"); n != 3 {
		t.Fatalf("all: %v", n)
	}
	if n := count("operationId=viewCustomer&field=entityId=675676"); n != 2 {
		t.Fatalf("by field: %v", n)
	}
	if n := count("outcome=customer-not-found&status=400"); n != 1 {
		t.Fatalf("by outcome: %v", n)
	}
	if n := count("tenant=OTHER"); n != 0 {
		t.Fatalf("other tenant: %v", n)
	}
	if r := c.Get("/__sandbox/journal/count?field=nokeyvalue"); r.Status != 400 {
		t.Fatalf("bad field filter: %d", r.Status)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	_, c := newSandbox(t)
	acme := c.With("tenant", "ACME_BANK")
	before := c.Get("/__sandbox/snapshot?tenant=ACME_BANK")
	if before.Status != 200 {
		t.Fatalf("snapshot: %d %s", before.Status, before.Body)
	}
	// Mutate through the API: register a customer, lock a kit, change contacts.
	register := `{"entityId":"900002","entityType":"CUSTOMER","business":"ACME_BANK","businessId":"687","businessType":"ACME_BANK",
		"title":"Mr","firstName":"Snap","lastName":"Shot","gender":"MALE","dob":"1980-01-01",
		"addressInfo":[{"address1":"1 Main Rd","address2":"","address3":"","addressCategory":"PERMANENT","city":"PUNE","country":"INDIA","pincode":"411001","state":"MH"}],
		"communicationInfo":[{"contactNo":"9876500222","emailId":"snap@example.com","notification":true}],
		"kycInfo":[{"documentType":"PAN","documentNo":"AAAPS1234C","documentExpiry":"2099-01-01"}],
		"accountInfo":[{"accountNo":8900002,"accountStatus":"ACTIVE","accountType":"SAVING","accountsCurrency":"INR","defaultAccount":true,"initialFunding":"0","isPrimary":true,"schemeCode":"2003"}]}`
	for path, body := range map[string]string{
		"/v1/register":              register,
		"/v1/kit-manager/manageKit": `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`,
		"/v1/update-manager/poi":    `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000001","emailId":"x@example.com","notification":false}]}`,
	} {
		if r := acme.Post(path, body); r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"900002"}`); r.Status != 200 {
		t.Fatal("the registered customer is not there")
	}
	if len(before.Body) > 200 {
		t.Fatalf("the snapshot of a tenant that changed nothing is not tiny: %d bytes", len(before.Body))
	}
	changed := c.Get("/__sandbox/snapshot?tenant=ACME_BANK")
	for _, want := range []string{`"900002"`, `"4561789"`, `"9876543210":null`} {
		if !strings.Contains(strings.ReplaceAll(string(changed.Body), " ", ""), want) {
			t.Fatalf("the snapshot after changes lacks %s: %s", want, changed.Body)
		}
	}
	if r := c.Do("PUT", "/__sandbox/snapshot?tenant=ACME_BANK", before.Body); r.Status != 200 {
		t.Fatalf("put original: %d %s", r.Status, r.Body)
	}
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"900002"}`); r.Status != 400 {
		t.Fatal("the customer registered after the snapshot survived its restore")
	}
	after := c.Get("/__sandbox/snapshot?tenant=ACME_BANK")
	var a, b map[string]any
	after.Decode(t, &a)
	before.Decode(t, &b)
	delete(a, "takenAt")
	delete(b, "takenAt")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("restored state differs from the snapshot")
	}
	if r := c.Do("PUT", "/__sandbox/snapshot?tenant=OTHER", before.Body); r.Status != 400 {
		t.Fatalf("snapshot of another tenant accepted: %d", r.Status)
	}
	if r := c.Do("PUT", "/__sandbox/snapshot?tenant=ACME_BANK", changed.Body); r.Status != 200 {
		t.Fatalf("put changed: %d %s", r.Status, r.Body)
	}
	if r := acme.Post("/v1/viewCustomer", `{"entityId":"900002"}`); r.Status != 200 {
		t.Fatal("restoring the changed snapshot lost the registered customer")
	}
	bad := strings.Replace(string(changed.Body), `"customer":`, `"martian":`, 1)
	if r := c.Do("PUT", "/__sandbox/snapshot?tenant=ACME_BANK", bad); r.Status != 400 || !strings.Contains(string(r.Body), "martian") {
		t.Fatalf("unknown kind: %d %s", r.Status, r.Body)
	}
}

func TestContractsAndDocsAreServed(t *testing.T) {
	_, c := newSandbox(t)
	for _, api := range []string{"dcms", "dmt", "profile", "sandbox"} {
		r := c.Get("/__sandbox/openapi/" + api + ".yaml")
		if r.Status != 200 || !strings.HasPrefix(string(r.Body), "openapi: 3.0.3") {
			t.Fatalf("%s: %d %.40s", api, r.Status, r.Body)
		}
	}
	page := string(c.Get("/__sandbox/docs?api=dmt").Body)
	if !strings.Contains(page, `<redoc spec-url="/__sandbox/openapi/dmt.yaml">`) {
		t.Fatalf("docs page: %s", page)
	}
	// The bundle is vendored (internal/docs/assets), so every build serves it.
	if r := c.Get("/__sandbox/docs/redoc.standalone.js"); r.Status != 200 || len(r.Body) < 100000 {
		t.Fatalf("Redoc bundle: %d, %d bytes", r.Status, len(r.Body))
	}
}

// TestAdminTenantNames: a {tenant} of the admin API is a tenant name (1 to 64 letters,
// digits, '_', '-' or '.'), as the contract's pattern says; anything else is a 400.
func TestAdminTenantNames(t *testing.T) {
	_, c := newSandbox(t)
	for path, want := range map[string]int{
		"/__sandbox/tenants/ACME_BANK/keys":                         200,
		"/__sandbox/tenants/sandbox_client/keys":                    200,
		"/__sandbox/tenants/no%20spaces/keys":                       400,
		"/__sandbox/tenants/" + strings.Repeat("x", 65) + "/outbox": 400,
		"/__sandbox/snapshot?tenant=a%2Fb":                          400,
		"/__sandbox/openapi/nope.yaml":                              400,
	} {
		if r := c.Get(path); r.Status != want {
			t.Errorf("GET %s: %d, want %d: %s", path, r.Status, want, r.Body)
		}
	}
	if r := c.Post("/__sandbox/reset?tenant=bad%20name", nil); r.Status != 400 {
		t.Errorf("reset of a bad tenant name: %d %s", r.Status, r.Body)
	}
}

// TestJournalExportEmptyAndClockMoves: an export with nothing to export answers the
// documented 404 (never a 500 that `curl -s` would save as a scenario file); moves of the
// clock are journalled among the calls and exported as clock steps where they happened.
func TestJournalExportEmptyAndClockMoves(t *testing.T) {
	_, c := newSandbox(t)
	if r := c.Get("/__sandbox/journal/export"); r.Status != 404 || !strings.Contains(string(r.Body), "nothing to export: the journal is empty") {
		t.Fatalf("empty export: %d %s", r.Status, r.Body)
	}
	c.Post("/__sandbox/clock", map[string]string{"advance": "1h"})
	var j struct {
		Entries []struct{ API, OperationID, Request string }
	}
	c.Get("/__sandbox/journal").Decode(t, &j)
	if len(j.Entries) != 1 || j.Entries[0].API != "sandbox" || j.Entries[0].OperationID != "setClock" || j.Entries[0].Request != `{"advance":"1h"}` {
		t.Fatalf("journal after a clock move: %+v", j.Entries)
	}
	// A clock move alone is no session.
	if r := c.Get("/__sandbox/journal/export?tenant=ACME_BANK"); r.Status != 404 || !strings.Contains(string(r.Body), "no calls of tenant ACME_BANK") {
		t.Fatalf("export of a tenant without calls: %d %s", r.Status, r.Body)
	}
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	c.Post("/__sandbox/clock", map[string]bool{"reset": true})
	r := c.Get("/__sandbox/journal/export?tenant=ACME_BANK")
	out := string(r.Body)
	if r.Status != 200 || !strings.Contains(out, "- clock: {advance: 1h}\n") || !strings.Contains(out, "- clock: {reset: true}\n") ||
		strings.Index(out, "advance: 1h") > strings.Index(out, "path: /v1/viewCustomer") || !strings.Contains(out, "result.firstName: Aadhu") {
		t.Fatalf("export with clock moves: %d\n%s", r.Status, out)
	}
}
