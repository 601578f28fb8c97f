package dcms_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// TestKitLifecycle walks one customer's cards through the whole lifecycle, each legal step
// and each illegal one, checking the answer (validated against the contract) and the kits'
// statuses afterwards: an illegal step must change nothing.
func TestKitLifecycle(t *testing.T) {
	s := newSandbox(t)
	const entity, mobile = "800001", "9000000001"
	refs := map[string]string{} // K1, K2, ...: kit numbers learnt along the way

	manage := func(kit, op string, extra ...string) func() any {
		return func() any {
			b := map[string]any{"entityId": entity, "oldKit": refs[kit], "operation": op}
			for i := 0; i+1 < len(extra); i += 2 {
				b[extra[i]] = extra[i+1]
			}
			return b
		}
	}
	activate := func(kit string) func() any {
		return func() any { return map[string]any{"entityId": entity, "kitNo": refs[kit]} }
	}
	bulk := func(by, id, op string) func() any {
		return func() any {
			return map[string]any{by: id, "operation": op, "reason": "LOST", "changer": "agent7", "channel": "BRANCH"}
		}
	}
	newKitAs := func(ref string) func(*testing.T, call) {
		return func(t *testing.T, c call) {
			nk, _ := c.obj(t)["newKit"].(map[string]any)
			if nk == nil {
				t.Fatalf("no newKit: %s", c.Body)
			}
			refs[ref] = nk["kitNo"].(string)
		}
	}
	managed := func(n int) func(*testing.T, call) {
		return func(t *testing.T, c call) {
			r := c.obj(t)
			if r["totalCardsManaged"] != float64(n) || len(r["managedCards"].([]any)) != n || r["entityId"] != entity {
				t.Fatalf("want %d managed cards: %s", n, c.Body)
			}
		}
	}

	const (
		manageKit = "/v1/kit-manager/manageKit"
		activ     = "/v1/kit-manager/kitActivation"
		allKits   = "/v1/kit-manager/manageAllKits"
	)
	steps := []struct {
		name   string
		path   string
		body   func() any
		code   string            // "" is success
		after  map[string]string // kit ref → status once the step is done
		inspec func(*testing.T, call)
	}{
		{"register", "/v1/register", func() any { return registration(entity, mobile) }, "",
			nil, func(t *testing.T, c call) {
				k := c.obj(t)["kitInfo"].([]any)[0].(map[string]any)
				refs["K1"] = k["kitNo"].(string)
				if k["cardType"] != "VIRTUAL" || k["cardStatus"] != "INACTIVE" || k["accountNo"] != float64(9100001) {
					t.Fatalf("registered kit: %v", k)
				}
			}},
		{"register twice", "/v1/register", func() any { return registration(entity, mobile) }, "entity.already.exists", map[string]string{"K1": "INACTIVE"}, nil},
		{"lock inactive", manageKit, manage("K1", "LOCK"), "card.not.active", map[string]string{"K1": "INACTIVE"}, nil},
		{"unlock inactive", manageKit, manage("K1", "UNLOCK"), "card.not.active", map[string]string{"K1": "INACTIVE"}, nil},
		{"set PIN inactive", "/v1/kit-manager/v2/setPin", func() any { return pinRequest(t, s, entity, refs["K1"], "1234") }, "card.not.active", map[string]string{"K1": "INACTIVE"}, nil},
		{"activate", activ, activate("K1"), "", map[string]string{"K1": "ACTIVE"}, nil},
		{"activate active", activ, activate("K1"), "card.already.active", map[string]string{"K1": "ACTIVE"}, nil},
		{"unlock active", manageKit, manage("K1", "UNLOCK"), "card.already.active", map[string]string{"K1": "ACTIVE"}, nil},
		{"lock", manageKit, manage("K1", "LOCK"), "", map[string]string{"K1": "LOCKED"}, nil},
		{"lock locked", manageKit, manage("K1", "LOCK"), "card.already.locked", map[string]string{"K1": "LOCKED"}, nil},
		{"activate locked", activ, activate("K1"), "card.already.active", map[string]string{"K1": "LOCKED"}, nil},
		{"set PIN locked", "/v1/kit-manager/v2/setPin", func() any { return pinRequest(t, s, entity, refs["K1"], "1234") }, "card.not.active", map[string]string{"K1": "LOCKED"}, nil},
		{"unlock", manageKit, manage("K1", "UNLOCK"), "", map[string]string{"K1": "ACTIVE"}, nil},
		{"set PIN", "/v1/kit-manager/v2/setPin", func() any { return pinRequest(t, s, entity, refs["K1"], "1234") }, "", map[string]string{"K1": "ACTIVE"},
			func(t *testing.T, c call) {
				if c.result != true || !s.kit(t, refs["K1"]).PinSet {
					t.Fatalf("set PIN: %s", c.Body)
				}
			}},
		{"another customer's kit", manageKit, func() any { return map[string]any{"entityId": entity, "oldKit": "4240171642", "operation": "LOCK"} }, "MCC007", map[string]string{"K1": "ACTIVE"}, nil},
		{"unknown kit", manageKit, func() any { return map[string]any{"entityId": entity, "oldKit": "4249999999", "operation": "BLOCK"} }, "MCC007", map[string]string{"K1": "ACTIVE"}, nil},
		{"unknown customer", manageKit, func() any { return map[string]any{"entityId": "nobody", "oldKit": refs["K1"], "operation": "BLOCK"} }, "CUS001", map[string]string{"K1": "ACTIVE"}, nil},
		{"replace without cardType", manageKit, manage("K1", "REPLACE"), "invalid.input.request", map[string]string{"K1": "ACTIVE"}, nil},
		{"physical replace without deliveryAddress", manageKit, manage("K1", "REPLACE", "cardType", "PHYSICAL"), "invalid.input.request", map[string]string{"K1": "ACTIVE"}, nil},
		{"replace to an address the customer lacks", manageKit, manage("K1", "REPLACE", "cardType", "PHYSICAL", "deliveryAddress", "COMMUNICATION"), "invalid.input.request", map[string]string{"K1": "ACTIVE"}, nil},
		{"replace", manageKit, manage("K1", "REPLACE", "cardType", "PHYSICAL", "deliveryAddress", "PERMANENT"), "", nil, newKitAs("K2")},
		{"after replace", "", nil, "", map[string]string{"K1": "REPLACED", "K2": "ASSIGNED"}, nil},
		{"lock replaced", manageKit, manage("K1", "LOCK"), "card.already.closed", map[string]string{"K1": "REPLACED", "K2": "ASSIGNED"}, nil},
		{"replace replaced", manageKit, manage("K1", "REPLACE", "cardType", "VIRTUAL"), "card.already.closed", map[string]string{"K1": "REPLACED", "K2": "ASSIGNED"}, nil},
		{"activate replacement", activ, activate("K2"), "", map[string]string{"K2": "ACTIVE"}, nil},
		{"block", manageKit, manage("K2", "BLOCK"), "", map[string]string{"K2": "BLOCKED"}, nil},
		{"unlock blocked", manageKit, manage("K2", "UNLOCK"), "card.already.blocked", map[string]string{"K2": "BLOCKED"}, nil},
		{"lock blocked", manageKit, manage("K2", "LOCK"), "card.already.blocked", map[string]string{"K2": "BLOCKED"}, nil},
		{"block blocked", manageKit, manage("K2", "BLOCK"), "card.already.blocked", map[string]string{"K2": "BLOCKED"}, nil},
		{"block and replace blocked", manageKit, manage("K2", "BLOCK_AND_REPLACE", "cardType", "VIRTUAL"), "card.already.blocked", map[string]string{"K2": "BLOCKED"}, nil},
		{"activate blocked", activ, activate("K2"), "card.already.blocked", map[string]string{"K2": "BLOCKED"}, nil},
		{"replace blocked", manageKit, manage("K2", "REPLACE", "cardType", "VIRTUAL"), "", nil, newKitAs("K3")},
		{"after replace of blocked", "", nil, "", map[string]string{"K2": "REPLACED", "K3": "INACTIVE"}, nil},
		{"block and replace", manageKit, manage("K3", "BLOCK_AND_REPLACE", "cardType", "VIRTUAL"), "", nil, newKitAs("K4")},
		{"after block and replace", "", nil, "", map[string]string{"K3": "BLOCKED", "K4": "INACTIVE"}, nil},
		{"replace what was replaced already", manageKit, manage("K3", "REPLACE", "cardType", "VIRTUAL"), "card.already.closed", map[string]string{"K3": "BLOCKED", "K4": "INACTIVE"}, nil},
		{"activate newest", activ, activate("K4"), "", map[string]string{"K4": "ACTIVE"}, nil},
		{"lock all by entityId", allKits, bulk("entityId", entity, "LOCK"), "", map[string]string{"K4": "LOCKED", "K3": "BLOCKED"}, managed(1)},
		{"unlock all by mobile", allKits, bulk("mobileNo", mobile, "UNLOCK"), "", map[string]string{"K4": "ACTIVE"}, managed(1)},
		{"unlock all again", allKits, bulk("mobileNo", mobile, "UNLOCK"), "card.not.found", map[string]string{"K4": "ACTIVE"}, nil},
		{"block all by mobile", allKits, bulk("mobileNo", mobile, "BLOCK"), "", map[string]string{"K4": "BLOCKED", "K1": "REPLACED"}, managed(1)},
		{"block all again", allKits, bulk("entityId", entity, "BLOCK"), "card.not.found", map[string]string{"K4": "BLOCKED"}, nil},
		{"all kits without an identifier", allKits, func() any { return map[string]any{"operation": "BLOCK"} }, "invalid.input.request", map[string]string{"K4": "BLOCKED"}, nil},
		{"all kits of an unknown mobile", allKits, bulk("mobileNo", "9999999999", "BLOCK"), "entity.not.found", nil, nil},
		{"all kits of an unknown customer", allKits, bulk("entityId", "nobody", "BLOCK"), "CUS001", nil, nil},
	}

	for _, st := range steps {
		var before map[string]map[string]any
		if st.code != "" && refs["K1"] != "" {
			before = s.kits(t, entity)
		}
		if st.path != "" {
			c := s.post(t, st.path, st.body())
			if st.code == "" {
				if c.Status != 200 || c.exception != nil {
					t.Fatalf("%s: want success, got %d %s", st.name, c.Status, c.Body)
				}
			} else if c.Status != 400 || c.code() != st.code {
				t.Fatalf("%s: want 400 %s, got %d %s", st.name, st.code, c.Status, c.Body)
			}
			if st.inspec != nil {
				st.inspec(t, c)
			}
		}
		if before != nil {
			if after := s.kits(t, entity); !maps.EqualFunc(before, after, func(a, b map[string]any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Fatalf("%s: refused, yet the kits changed:\nbefore %v\nafter  %v", st.name, before, after)
			}
		}
		for ref, want := range st.after {
			if got := s.status(t, refs[ref]); got != want {
				t.Fatalf("%s: %s (%s) is %s, want %s", st.name, ref, refs[ref], got, want)
			}
		}
	}

	// The customer ends with four kits, each once, all on the one account.
	view := s.post(t, "/v1/viewCustomer", map[string]any{"entityId": entity}).ok(t).obj(t)
	if n := len(view["kitInfo"].([]any)); n != 4 {
		t.Fatalf("%d kits at the end, want 4", n)
	}
	for _, m := range view["accountKitMapping"].([]any) {
		if m.(map[string]any)["accountNo"] != float64(9100001) {
			t.Fatalf("accountKitMapping: %v", view["accountKitMapping"])
		}
	}
	for _, k := range view["kitInfo"].([]any) {
		if cn := k.(map[string]any)["cardNumber"].(string); !strings.HasPrefix(cn, "608040XXXXXX") {
			t.Fatalf("cardNumber %s is not masked", cn)
		}
	}
}

// TestManageAllKitsJournalsAudit checks reason, changer and channel reach the journal.
func TestManageAllKitsJournalsAudit(t *testing.T) {
	s := newSandbox(t)
	s.post(t, "/v1/kit-manager/manageAllKits", map[string]any{"entityId": "676165", "operation": "LOCK",
		"reason": "SUSPECTED_FRAUD", "changer": "agent42", "channel": "WEB"}).ok(t)
	var j struct {
		Entries []struct{ OperationID, Request, Outcome string } `json:"entries"`
	}
	s.raw.Get("/__sandbox/journal?operationId=manageAllKits").Decode(t, &j)
	if len(j.Entries) != 1 {
		t.Fatalf("journal: %+v", j)
	}
	e := j.Entries[0]
	for _, want := range []string{"SUSPECTED_FRAUD", "agent42", "WEB"} {
		if !strings.Contains(e.Request, want) {
			t.Fatalf("journal request lacks %s: %s", want, e.Request)
		}
	}
}
