package dcms_test

import (
	"strings"
	"testing"
	"time"
)

func physicalCustomer(t *testing.T, s *sandbox, entity string) string {
	t.Helper()
	r := s.post(t, "/v1/register", registration(entity, "9000000002", map[string]any{"cardType": "PHYSICAL"})).ok(t).obj(t)
	k := r["kitInfo"].([]any)[0].(map[string]any)
	if k["cardStatus"] != "ASSIGNED" || k["cardType"] != "PHYSICAL" {
		t.Fatalf("new physical kit: %v", k)
	}
	return k["kitNo"].(string)
}

func shipment(t *testing.T, c call) map[string]any {
	t.Helper()
	sh := c.obj(t)["shipmentData"].(map[string]any)["shipment"].([]any)
	if len(sh) != 1 {
		t.Fatalf("want one shipment: %s", c.Body)
	}
	return sh[0].(map[string]any)
}

func scans(sh map[string]any) []any { return sh["scans"].(map[string]any)["scanDetail"].([]any) }

func TestKitTrackingFollowsTheClock(t *testing.T) {
	s := newSandbox(t)
	kitNo := physicalCustomer(t, s, "800010")
	track := func(header ...string) call {
		return s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": kitNo}, header...)
	}

	sh := shipment(t, track().ok(t))
	if sh["status"] != "IN_TRANSIT" || len(scans(sh)) != 1 || sh["destination"] != "CHENNAI" || sh["kitNo"] != kitNo || sh["receivedBy"] != nil {
		t.Fatalf("at issue: %v", sh)
	}
	expected := sh["expectedDeliveryDate"].(string)
	if _, err := time.Parse("2 January 2006", expected); err != nil {
		t.Fatalf("expectedDeliveryDate %q: %v", expected, err)
	}

	s.advance(t, "21h")
	if sh := shipment(t, track().ok(t)); sh["status"] != "IN_TRANSIT" || len(scans(sh)) != 2 {
		t.Fatalf("after 21h: %v", sh)
	}

	// A forced outcome shows a state without changing any.
	forced := shipment(t, track("X-Sandbox-Scenario", "shipment-returned").ok(t))
	if forced["status"] != "RETURNED" || len(scans(forced)) != 3 {
		t.Fatalf("forced RETURNED: %v", forced)
	}
	if sh := shipment(t, track("X-Sandbox-Scenario", "shipment-at-bank").ok(t)); sh["status"] != "BANK" {
		t.Fatalf("forced BANK: %v", sh)
	}
	if sh := shipment(t, track("X-Sandbox-Scenario", "shipment-delivered").ok(t)); sh["status"] != "DELIVERED" || sh["receivedBy"] != "Arjun Mehta" {
		t.Fatalf("forced DELIVERED: %v", sh)
	}

	s.advance(t, "72h")
	sh = shipment(t, track().ok(t))
	sc := scans(sh)
	last := sc[len(sc)-1].(map[string]any)
	if sh["status"] != "DELIVERED" || sh["receivedBy"] != "Arjun Mehta" || len(sc) != 5 || last["scanType"] != "DL" || sh["statusDate"] != expected {
		t.Fatalf("after 93h: %v", sh)
	}
	for _, x := range sc[:len(sc)-1] {
		if x.(map[string]any)["scanType"] != "UD" {
			t.Fatalf("scan before delivery is not UD: %v", x)
		}
	}

	// What has no shipment.
	cases := []struct{ kitNo, code string }{
		{"4240171642", "shipment.not.found"}, // VIRTUAL
		{"4249999999", "kit.not.found"},
		{"4240190011", "MCC007"}, // UNALLOCATED insta kit
	}
	for _, tc := range cases {
		s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": tc.kitNo}).fails(t, 400, tc.code)
		s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": tc.kitNo}, "X-Sandbox-Scenario", "shipment-delivered").fails(t, 400, tc.code)
	}
	// An insta kit is handed over at the branch: nothing to track.
	s.post(t, "/v1/register", registration("800011", "9000000003", map[string]any{"kitNo": "4240190001", "cardType": "PHYSICAL"})).ok(t)
	c := s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": "4240190001"}).fails(t, 400, "shipment.not.found")
	if !strings.Contains(c.detail(), "insta") {
		t.Fatalf("detail: %s", c.detail())
	}
}

func TestCardOrdersMoveWithTheClockAndCancelOnlyWhenReceived(t *testing.T) {
	s := newSandbox(t)
	var clk struct{ Now string }
	s.raw.Get("/__sandbox/clock").Decode(t, &clk)
	now, err := time.Parse(time.RFC3339Nano, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	ist := time.FixedZone("IST", 19800)
	at := func(d time.Duration) string { return now.Add(d).In(ist).Format("2006-01-02 15:04:05") }
	order := func(id, start string, bin string) map[string]any {
		return map[string]any{"orderId": id, "branchInfo": map[string]any{"branchId": "BR001", "branchName": "Guindy"},
			"address": "Olympia Quest, Guindy", "pinCode": "600032",
			"orderingPartyInfo": map[string]any{"orderingPartyId": "EMP1", "orderingPartyType": "BRANCH"},
			"processStartTime":  start, "validity": 30,
			"products": []any{map[string]any{"bin": bin, "productId": "2003_PHYSICAL", "quantity": 10}}}
	}
	create := func(o map[string]any) call { return s.post(t, "/v1/card-order", o) }
	cancel := func(id, branch string) call {
		return s.post(t, "/v1/card-order/cancel", map[string]any{"orderId": id, "branchId": branch})
	}

	if r := create(order("O1", at(2*time.Hour), "608040")).ok(t).obj(t); r["status"] != "RECEIVED" || r["orderId"] != "O1" {
		t.Fatalf("new order: %v", r)
	}
	create(order("O1", at(2*time.Hour), "608040")).fails(t, 400, "entity.already.exists")
	create(order("O9", at(2*time.Hour), "411111")).fails(t, 400, "ORD001")
	create(order("O9", "2030-02-30 10:00:00", "608040")).fails(t, 400, "ORD001")
	if r := create(order("O2", at(-time.Hour), "608040")).ok(t).obj(t); r["status"] != "PENDING" {
		t.Fatalf("order that started an hour ago: %v", r)
	}

	cancel("O1", "BR002").fails(t, 400, "ORD001")
	cancel("NOPE", "BR001").fails(t, 400, "ORD001")
	if c := cancel("O1", "BR001").ok(t); c.result != "Order cancelled successfully" {
		t.Fatalf("cancel: %s", c.Body)
	}
	cancel("O1", "BR001").fails(t, 400, "ORD003")
	create(order("O1", at(2*time.Hour), "608040")).fails(t, 400, "entity.already.exists")

	create(order("O3", at(2*time.Hour), "608040")).ok(t)
	for _, step := range []struct{ advance, status string }{{"3h", "PENDING"}, {"24h", "PROCESSED"}, {"24h", "SUCCESS"}} {
		s.advance(t, step.advance)
		if c := cancel("O3", "BR001").fails(t, 400, "ORD003"); !strings.Contains(c.detail(), step.status) {
			t.Fatalf("after +%s the order should be %s: %s", step.advance, step.status, c.detail())
		}
	}
	// The seeded order starts in 2099.
	cancel("ORD-2024-0001", "BR001").ok(t)
}
