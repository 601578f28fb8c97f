package dcms_test

import (
	"regexp"
	"testing"
)

// The seed documents' example requests, byte for byte, each against a fresh sandbox.
const (
	seed000 = `{ "entityId": "675676" }`
	seed002 = `{ "mobileNo": "9876543210", "operation": "BLOCK", "reason": "CUSTOMER_REQUEST", "changer": "user", "channel": "IVR" }`
	seed003 = `{ "entityId": "676165", "kitNo": "4561789", "deliveryAddress": "PERMANENT", "kitInfo": [ { "aliasName": "sample", "cardType": "PHYSICAL", "plasticCode": "4566", "tierType": "SILVER" } ] }`
)

func TestSeedRequestsSucceedVerbatim(t *testing.T) {
	t.Run("000 viewCustomer", func(t *testing.T) {
		s := newSandbox(t)
		v := s.post(t, "/v1/viewCustomer", seed000).ok(t).obj(t)
		kits := v["kitInfo"].([]any)
		if len(kits) != 1 || kits[0].(map[string]any)["cardNumber"] != "608040XXXXXX6857" {
			t.Fatalf("kitInfo: %v", kits)
		}
		if m := v["accountKitMapping"].([]any); len(m) != 1 || m[0].(map[string]any)["kitNo"] != "4240171642" {
			t.Fatalf("accountKitMapping: %v", m)
		}
	})

	t.Run("000 error sample, real and forced", func(t *testing.T) {
		s := newSandbox(t)
		real := s.post(t, "/v1/viewCustomer", `{"entityId":"nope"}`).fails(t, 400, "CUS001")
		forced := s.post(t, "/v1/viewCustomer", seed000, "X-Sandbox-Scenario", "customer-not-found").fails(t, 400, "CUS001")
		if string(real.Body) != string(forced.Body) {
			t.Fatalf("forced CUS001 differs from the real one:\n%s\n%s", forced.Body, real.Body)
		}
	})

	t.Run("002 manageAllKits", func(t *testing.T) {
		s := newSandbox(t)
		r := s.post(t, "/v1/kit-manager/manageAllKits", seed002).ok(t).obj(t)
		cards := r["managedCards"].([]any)
		if r["entityId"] != "675676" || r["operation"] != "BLOCK" || r["totalCardsManaged"] != float64(len(cards)) || len(cards) != 1 {
			t.Fatalf("result: %v", r)
		}
		c := cards[0].(map[string]any)
		if c["kitNo"] != "4240171642" || c["cardNumber"] != "608040XXXXXX6857" || c["previousStatus"] != "INACTIVE" || c["currentStatus"] != "BLOCKED" {
			t.Fatalf("managed card: %v", c)
		}
		if got := s.status(t, "4240171642"); got != "BLOCKED" {
			t.Fatalf("kit is %s after BLOCK", got)
		}
	})

	t.Run("003 upgradeCard", func(t *testing.T) {
		s := newSandbox(t)
		r := s.post(t, "/v1/kit-manager/upgradeCard", seed003).ok(t).obj(t)
		kits := r["kitInfo"].([]any)
		if r["entityId"] != "676165" || len(kits) != 1 {
			t.Fatalf("result: %v", r)
		}
		k := kits[0].(map[string]any)
		if k["cardType"] != "PHYSICAL" || k["tierType"] != "SILVER" || k["cardStatus"] != "ASSIGNED" ||
			k["productId"] != "2003_PHYSICAL" || k["accountNo"] != float64(8642136) || k["entityId"] != "676165" || k["kitNo"] == "4561789" {
			t.Fatalf("new kit: %v", k)
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(k["encryptedCardNumber"].(string)) {
			t.Fatalf("encryptedCardNumber: %v", k["encryptedCardNumber"])
		}
		if got := s.status(t, "4561789"); got != "REPLACED" {
			t.Fatalf("old kit is %s after the upgrade", got)
		}
		view := s.kits(t, "676165")
		if len(view) != 2 || view[k["kitNo"].(string)]["tierType"] != "SILVER" {
			t.Fatalf("viewCustomer after upgrade: %v", view)
		}
		// The same request again: the old kit is closed now.
		s.post(t, "/v1/kit-manager/upgradeCard", seed003).fails(t, 400, "card.already.closed")
	})
}
