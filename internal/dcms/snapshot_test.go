package dcms_test

import (
	"testing"
)

// TestSnapshotRoundTrip: every DCMS record kind (customers, kits with shipments and PIN
// state, orders, the mobile index, the kit number sequence) survives export and restore.
func TestSnapshotRoundTrip(t *testing.T) {
	s := newSandbox(t)
	kitNo := physicalCustomer(t, s, "800300")
	s.post(t, "/v1/kit-manager/kitActivation", map[string]any{"entityId": "675676", "kitNo": "4240171642"}).ok(t)
	s.post(t, "/v1/kit-manager/v2/setPin", pinRequest(t, s, "675676", "4240171642", "1234")).ok(t)
	s.post(t, "/v1/card-order/cancel", map[string]any{"orderId": "ORD-2024-0001", "branchId": "BR001"}).ok(t)
	before := s.kits(t, "800300")
	trackBefore := string(s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": kitNo}).ok(t).Body)

	snap := s.raw.Get("/__sandbox/snapshot?tenant=" + tenant)
	if snap.Status != 200 {
		t.Fatalf("snapshot: %d %s", snap.Status, snap.Body)
	}
	s.raw.Post("/__sandbox/reset?tenant="+tenant, nil)
	s.post(t, "/v1/viewCustomer", map[string]any{"entityId": "800300"}).fails(t, 400, "CUS001")
	if r := s.raw.Do("PUT", "/__sandbox/snapshot?tenant="+tenant, snap.Body); r.Status != 200 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}

	if after := s.kits(t, "800300"); len(after) != len(before) || after[kitNo]["cardStatus"] != before[kitNo]["cardStatus"] {
		t.Fatalf("kits after restore: %v, before %v", after, before)
	}
	if got := string(s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": kitNo}).ok(t).Body); got != trackBefore {
		t.Fatalf("tracking after restore:\n%s\nbefore:\n%s", got, trackBefore)
	}
	if !s.kit(t, "4240171642").PinSet {
		t.Fatal("pinSet lost")
	}
	s.post(t, "/v1/card-order/cancel", map[string]any{"orderId": "ORD-2024-0001", "branchId": "BR001"}).fails(t, 400, "ORD003")
	// The mobile index and the kit number sequence came back too.
	s.post(t, "/v1/kit-manager/manageAllKits", map[string]any{"mobileNo": "9000000002", "operation": "BLOCK"}).ok(t)
	r := s.post(t, "/v1/register", registration("800301", "9000000301")).ok(t).obj(t)
	if no := r["kitInfo"].([]any)[0].(map[string]any)["kitNo"]; no == kitNo {
		t.Fatalf("a restored sandbox handed out kit number %v again", no)
	}
}
