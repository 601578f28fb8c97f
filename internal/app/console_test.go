package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

func TestConsoleIsServedAndRootRedirects(t *testing.T) {
	_, c := newSandbox(t)
	noFollow := *c
	noFollow.HTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r := noFollow.Get("/")
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/__sandbox/console" {
		t.Fatalf("GET /: %d Location %q", r.Status, r.Header.Get("Location"))
	}
	for path, want := range map[string]string{
		"/__sandbox/console":             "text/html",
		"/__sandbox/console/console.js":  "application/javascript",
		"/__sandbox/console/console.css": "text/css",
	} {
		r := c.Get(path)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), want) || len(r.Body) < 500 {
			t.Fatalf("%s: %d %q, %d bytes", path, r.Status, r.Header.Get("Content-Type"), len(r.Body))
		}
	}
	page := string(c.Get("/__sandbox/console").Body)
	for _, ref := range []string{`src="/__sandbox/console/console.js"`, `href="/__sandbox/console/console.css"`} {
		if !strings.Contains(page, ref) {
			t.Fatalf("the page does not load %s", ref)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Fatal("the page refers to another site; the console must work offline")
	}
}

type dcmsPage struct {
	Customers []struct {
		EntityID string `json:"entityId"`
		Kits     []struct {
			KitNo      string `json:"kitNo"`
			CardStatus string `json:"cardStatus"`
			MaskedPan  string `json:"maskedPan"`
			Moves      []struct{ Operation, To string }
		}
	}
	Next      *string
	Generated *struct {
		Count       int
		First, Last string
	}
}

func TestStateViewsPageAndLookUp(t *testing.T) {
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.Fixtures.Customers = 1000 })

	// Page through every listable customer one at a time: each once, in order, then no next.
	var all dcmsPage
	c.Get("/__sandbox/tenants/STATE_BANK/dcms/customers?limit=500").Decode(t, &all)
	if len(all.Customers) == 0 || all.Next != nil {
		t.Fatalf("one big page: %d customers, next %v", len(all.Customers), all.Next)
	}
	if g := all.Generated; g == nil || g.Count != 1000 || g.First != "700001" || g.Last != "701000" {
		t.Fatalf("generated: %+v", all.Generated)
	}
	after, seen := "", []string{}
	for range len(all.Customers) + 1 {
		var p dcmsPage
		path := "/__sandbox/tenants/STATE_BANK/dcms/customers?limit=1"
		if after != "" {
			path += "&after=" + after
		}
		c.Get(path).Decode(t, &p)
		for _, cu := range p.Customers {
			seen = append(seen, cu.EntityID)
		}
		if p.Next == nil {
			break
		}
		after = *p.Next
	}
	if len(seen) != len(all.Customers) {
		t.Fatalf("paging one at a time saw %v, one page has %d", seen, len(all.Customers))
	}
	for i, cu := range all.Customers {
		if seen[i] != cu.EntityID {
			t.Fatalf("page %d is %s, want %s", i, seen[i], cu.EntityID)
		}
		if strings.HasPrefix(cu.EntityID, "70") && len(cu.EntityID) == 6 {
			t.Fatalf("a generated customer (%s) is listed", cu.EntityID)
		}
	}

	// Generated customers are looked up by id; past the range there is none.
	r := c.Get("/__sandbox/tenants/STATE_BANK/dcms/customers/700001")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"kitNo":"4240200001"`) {
		t.Fatalf("generated customer: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/__sandbox/tenants/STATE_BANK/dcms/customers/701001"); r.Status != 404 {
		t.Fatalf("past the generated range: %d", r.Status)
	}
	if r := c.Get("/__sandbox/tenants/bad%20name/dcms/customers"); r.Status != 400 || !strings.Contains(string(r.Body), "tenant") {
		t.Fatalf("a name that is no tenant name: %d %s", r.Status, r.Body)
	}

	// A move the lifecycle made shows, with the moves allowed from the new status; the
	// customer a tenant changed is listed after that (it is its own record now).
	bank := c.With("tenant", "STATE_BANK")
	if r := bank.Post("/v1/kit-manager/manageKit", `{"entityId":"700002","oldKit":"4240200002","operation":"LOCK"}`); r.Status != 200 {
		t.Fatalf("lock: %d %s", r.Status, r.Body)
	}
	var cu struct {
		Kits []struct {
			CardStatus string
			Moves      []struct{ Operation, To string }
		}
	}
	c.Get("/__sandbox/tenants/STATE_BANK/dcms/customers/700002").Decode(t, &cu)
	if len(cu.Kits) != 1 || cu.Kits[0].CardStatus != "LOCKED" {
		t.Fatalf("after LOCK: %+v", cu)
	}
	moves := map[string]string{}
	for _, m := range cu.Kits[0].Moves {
		moves[m.Operation] = m.To
	}
	if moves["UNLOCK"] != "ACTIVE" || moves["BLOCK"] != "BLOCKED" || moves["LOCK"] != "" {
		t.Fatalf("moves from LOCKED: %v", moves)
	}
	var orders struct {
		Orders []struct{ OrderID, Status string }
	}
	c.Get("/__sandbox/tenants/STATE_BANK/dcms/orders").Decode(t, &orders)
	if len(orders.Orders) == 0 {
		t.Fatal("no card order listed (the fixtures have some)")
	}

	// DMT: the OTP just sent shows under the customer and in the OTP list.
	dmt := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	dmt.Post("/common/dmt-lite/unified/otp/send", `{"customerMobileNumber":"8658733463","username":"isutestapi1","otpType":"1","latLong":"1,2","publicIP":"1.2.3.4"}`)
	var dc struct {
		StatusCode string
		Otps       []struct {
			OtpType string
			Expired bool
		}
	}
	c.Get("/__sandbox/tenants/sandbox_client/dmt/customers/8658733463").Decode(t, &dc)
	if dc.StatusCode != "2" || len(dc.Otps) != 1 || dc.Otps[0].OtpType != "1" || dc.Otps[0].Expired {
		t.Fatalf("DMT customer: %+v", dc)
	}
	var otps struct {
		Otps []struct{ MobileNumber string }
	}
	c.Get("/__sandbox/tenants/sandbox_client/dmt/otps").Decode(t, &otps)
	if len(otps.Otps) != 1 || otps.Otps[0].MobileNumber != "8658733463" {
		t.Fatalf("OTPs: %+v", otps)
	}
	if r := c.Get("/__sandbox/tenants/sandbox_client/dmt/customers/7000001000"); r.Status != 200 {
		t.Fatalf("generated DMT customer: %d", r.Status)
	}
	if r := c.Get("/__sandbox/tenants/nobody/dmt/customers"); r.Status != 404 {
		t.Fatalf("not a DMT client: %d", r.Status)
	}

	// Profile: the fixture submissions, each with the reviews allowed from its status.
	var subs struct {
		Submissions []struct {
			SubmissionID string `json:"submissionId"`
			Status       string
			Reviews      []string
		}
	}
	c.Get("/__sandbox/tenants/sandbox_tenant/profile/submissions").Decode(t, &subs)
	if len(subs.Submissions) == 0 {
		t.Fatal("no submission listed")
	}
	s := subs.Submissions[0]
	if s.Status == "Pending" && len(s.Reviews) != 2 {
		t.Fatalf("a Pending submission may be Approved or Rejected: %+v", s)
	}
	if r := c.Get("/__sandbox/tenants/sandbox_tenant/profile/submissions/" + s.SubmissionID); r.Status != 200 {
		t.Fatalf("look up %s: %d", s.SubmissionID, r.Status)
	}

	// The tenants that used the sandbox, with their APIs.
	var ts struct {
		Tenants []struct {
			Tenant string
			Apis   []string
		}
	}
	c.Get("/__sandbox/tenants").Decode(t, &ts)
	apis := map[string]string{}
	for _, tn := range ts.Tenants {
		apis[tn.Tenant] = strings.Join(tn.Apis, ",")
	}
	if apis["STATE_BANK"] != "dcms" || apis["sandbox_client"] != "dmt" {
		t.Fatalf("tenants: %+v", ts.Tenants)
	}
}

func TestExportChosenCalls(t *testing.T) {
	_, c := newSandbox(t)
	bank := c.With("tenant", "EXPORT_BANK")
	bank.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	bank.Post("/v1/kit-manager/manageKit", `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`)
	bank.Post("/v1/viewCustomer", `{"entityId":"676165"}`)
	var j struct{ Entries []struct{ ID int64 } }
	c.Get("/__sandbox/journal?tenant=EXPORT_BANK").Decode(t, &j)
	if len(j.Entries) != 3 {
		t.Fatalf("journal: %+v", j)
	}
	// The newest and the oldest call, named newest first: the file has them oldest first.
	r := c.Post("/__sandbox/journal/export/calls", map[string]any{"ids": []int64{j.Entries[0].ID, j.Entries[2].ID}, "name": "two calls"})
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	file := string(r.Body)
	first, second := strings.Index(file, "675676"), strings.Index(file, "676165")
	if !strings.Contains(file, "two calls") || first < 0 || second < first || strings.Contains(file, "manageKit") {
		t.Fatalf("exported file:\n%s", file)
	}
	if r := c.Post("/__sandbox/journal/export/calls", map[string]any{"ids": []int64{999999}}); r.Status != 404 {
		t.Fatalf("unknown ids: %d", r.Status)
	}
	if r := c.Post("/__sandbox/journal/export/calls", map[string]any{"ids": []int64{}}); r.Status != 400 {
		t.Fatalf("no ids: %d", r.Status)
	}
}
