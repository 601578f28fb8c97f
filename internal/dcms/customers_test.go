package dcms_test

import (
	"strings"
	"testing"
)

func TestRegister(t *testing.T) {
	s := newSandbox(t)
	without := func(field string) map[string]any {
		r := registration("800020", "9000000020")
		delete(r, field)
		return r
	}
	with := func(field string, v any) map[string]any {
		r := registration("800020", "9000000020")
		r[field] = v
		return r
	}
	insta := func(kitNo, cardType string) map[string]any {
		return map[string]any{"kitNo": kitNo, "cardType": cardType}
	}
	commAddress := []any{map[string]any{"address1": "1 Mount Road", "addressCategory": "COMMUNICATION", "city": "Chennai", "country": "INDIA", "pincode": "600002", "state": "TAMILNADU"}}

	cases := []struct {
		name, code, field string
		body              map[string]any
	}{
		{"no kycInfo", "invalid.input.request", "kycInfo: is required", without("kycInfo")},
		{"no accountInfo", "invalid.input.request", "accountInfo: is required", without("accountInfo")},
		{"empty communicationInfo", "invalid.input.request", "communicationInfo", with("communicationInfo", []any{})},
		{"no PERMANENT address", "invalid.input.request", "addressInfo: must include a PERMANENT address", with("addressInfo", commAddress)},
		{"dob not a date", "invalid.input.request", "dob", with("dob", "1990-02-31")},
		{"bad gender", "invalid.input.request", "gender: must be one of", with("gender", "M")},
		{"unknown insta kit", "kit.not.found", "kitInfo[0].kitNo", registration("800020", "9000000020", insta("4249999999", "PHYSICAL"))},
		{"assigned kit", "INV001", "kitInfo[0].kitNo", registration("800020", "9000000020", insta("4240171642", "VIRTUAL"))},
		{"insta kit of another type", "invalid.input.request", "kitInfo[0].cardType", registration("800020", "9000000020", insta("4240190002", "VIRTUAL"))},
		{"insta kit twice", "invalid.input.request", "kitInfo[1].kitNo", registration("800020", "9000000020", insta("4240190002", "PHYSICAL"), insta("4240190002", "PHYSICAL"))},
		{"COMMUNICATION delivery without the address", "invalid.input.request", "deliveryAddress", func() map[string]any {
			r := registration("800020", "9000000020", map[string]any{"cardType": "PHYSICAL"})
			r["deliveryAddress"] = "COMMUNICATION"
			return r
		}()},
		{"existing customer", "entity.already.exists", "entityId", registration("675676", "9000000020")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := s.post(t, "/v1/register", tc.body).fails(t, 400, tc.code)
			if fe := string(mustJSON(t, c.exception["fieldError"])); !strings.Contains(fe, tc.field) {
				t.Fatalf("fieldError %s does not name %q", fe, tc.field)
			}
			// Nothing was written: the customer does not exist, the insta kit is still free.
			if tc.code != "entity.already.exists" {
				s.post(t, "/v1/viewCustomer", map[string]any{"entityId": "800020"}).fails(t, 400, "CUS001")
			}
			if st := s.status(t, "4240190002"); st != "UNALLOCATED" {
				t.Fatalf("insta kit is %s", st)
			}
		})
	}

	// Insta kit plus a new physical kit shipped to a communication address.
	body := registration("800020", "9000000020", insta("4240190002", "PHYSICAL"), map[string]any{"cardType": "PHYSICAL", "tierType": "GOLD"})
	body["addressInfo"] = append(body["addressInfo"].([]any), commAddress...)
	body["deliveryAddress"] = "COMMUNICATION"
	kits := s.post(t, "/v1/register", body).ok(t).obj(t)["kitInfo"].([]any)
	if len(kits) != 2 {
		t.Fatalf("kits: %v", kits)
	}
	k0, k1 := kits[0].(map[string]any), kits[1].(map[string]any)
	if k0["kitNo"] != "4240190002" || k0["cardStatus"] != "ASSIGNED" || k0["entityId"] != "800020" {
		t.Fatalf("insta kit: %v", k0)
	}
	if k1["cardStatus"] != "ASSIGNED" || k1["tierType"] != "GOLD" || k1["productId"] != "2003_PHYSICAL" {
		t.Fatalf("new kit: %v", k1)
	}
	sh := shipment(t, s.post(t, "/v1/kit-manager/kitTracking", map[string]any{"kitNo": k1["kitNo"]}).ok(t))
	if sh["destination"] != "CHENNAI" {
		t.Fatalf("shipment: %v", sh)
	}
	v := s.post(t, "/v1/viewCustomer", map[string]any{"entityId": "800020"}).ok(t).obj(t)
	if len(v["kitInfo"].([]any)) != 2 || len(v["accountKitMapping"].([]any)) != 2 || len(v["addressInfo"].([]any)) != 2 ||
		v["kycInfo"].([]any)[0].(map[string]any)["hashDocumentNo"] != "XXXXXXXX" {
		t.Fatalf("viewCustomer: %v", v)
	}
	// Another customer cannot take the same insta kit.
	s.post(t, "/v1/register", registration("800021", "9000000021", insta("4240190002", "PHYSICAL"))).fails(t, 400, "INV001")
}

func TestUpdatePoiAndPoa(t *testing.T) {
	s := newSandbox(t)
	s.post(t, "/v1/update-manager/poi", map[string]any{"entityId": "675676",
		"communicationInfo": []any{map[string]any{"contactNo": "9876500001", "emailId": "aadhu@example.com", "notification": false}}}).ok(t)
	v := s.post(t, "/v1/viewCustomer", map[string]any{"entityId": "675676"}).ok(t).obj(t)
	co := v["communicationInfo"].([]any)
	if len(co) != 1 || co[0].(map[string]any)["contactNo"] != "9876500001" || co[0].(map[string]any)["notification"] != false {
		t.Fatalf("communicationInfo: %v", co)
	}
	// The new number finds the customer; the old one no longer does.
	r := s.post(t, "/v1/kit-manager/manageAllKits", map[string]any{"mobileNo": "9876500001", "operation": "BLOCK"}).ok(t).obj(t)
	if r["entityId"] != "675676" {
		t.Fatalf("manageAllKits by new mobile: %v", r)
	}
	s.post(t, "/v1/kit-manager/manageAllKits", map[string]any{"mobileNo": "9876543210", "operation": "BLOCK"}).fails(t, 400, "entity.not.found")

	s.post(t, "/v1/update-manager/poa", map[string]any{"entityId": "675676", "addressInfo": []any{
		map[string]any{"address1": "12 Anna Salai", "addressCategory": "COMMUNICATION", "city": "CHENNAI", "country": "INDIA", "pincode": "600018", "state": "TAMILNADU"},
		map[string]any{"address1": "5 Beach Road", "addressCategory": "PERMANENT", "city": "CHENNAI", "country": "INDIA", "pincode": "600004", "state": "TAMILNADU"},
	}}).ok(t)
	addrs := s.post(t, "/v1/viewCustomer", map[string]any{"entityId": "675676"}).ok(t).obj(t)["addressInfo"].([]any)
	if len(addrs) != 2 || addrs[0].(map[string]any)["address1"] != "5 Beach Road" || addrs[1].(map[string]any)["address1"] != "12 Anna Salai" || addrs[1].(map[string]any)["address2"] != "" {
		t.Fatalf("addressInfo: %v", addrs)
	}

	s.post(t, "/v1/update-manager/poi", map[string]any{"entityId": "nobody", "communicationInfo": []any{map[string]any{"contactNo": "1"}}}).fails(t, 400, "CUS001")
	s.post(t, "/v1/update-manager/poa", map[string]any{"entityId": "675676", "addressInfo": []any{}}).fails(t, 400, "invalid.input.request")
}

func TestExpireInstaKits(t *testing.T) {
	s := newSandbox(t)
	exp := func(body map[string]any) call { return s.post(t, "/v1/inventory/instaKit/expire", body) }
	if c := exp(map[string]any{"kitNo": "4240190002"}).ok(t); c.result != "SUCCESS" {
		t.Fatalf("expire: %s", c.Body)
	}
	if st := s.status(t, "4240190002"); st != "EXPIRED_CARD" {
		t.Fatalf("expired kit is %s", st)
	}
	exp(map[string]any{"kitNo": "4240190002"}).fails(t, 400, "card.already.closed")
	exp(map[string]any{"kitNo": "4240171642"}).fails(t, 400, "INV001")
	exp(map[string]any{"kitNo": "4249999999"}).fails(t, 400, "kit.not.found")
	exp(map[string]any{}).fails(t, 400, "invalid.input.request")
	exp(map[string]any{"kitNo": "4240190001", "parentKitNo": "4240190000"}).fails(t, 400, "invalid.input.request")
	exp(map[string]any{"parentKitNo": "4249999990"}).fails(t, 400, "kit.not.found")
	s.post(t, "/v1/register", registration("800030", "9000000030", map[string]any{"kitNo": "4240190002", "cardType": "PHYSICAL"})).fails(t, 400, "INV001")

	// A batch: its one assigned kit stays, the others expire.
	s.post(t, "/v1/register", registration("800030", "9000000030", map[string]any{"kitNo": "4240190001", "cardType": "PHYSICAL"})).ok(t)
	exp(map[string]any{"parentKitNo": "4240190000"}).ok(t)
	for kit, want := range map[string]string{"4240190001": "ASSIGNED", "4240190002": "EXPIRED_CARD", "4240190003": "EXPIRED_CARD", "4240190011": "UNALLOCATED"} {
		if st := s.status(t, kit); st != want {
			t.Fatalf("%s is %s, want %s", kit, st, want)
		}
	}
	exp(map[string]any{"parentKitNo": "4240190000"}).fails(t, 400, "INV001")
	exp(map[string]any{"parentKitNo": "4240190010"}).ok(t)
	exp(map[string]any{"parentKitNo": "4240190010"}).fails(t, 400, "card.already.closed")
}
