package dcms

import (
	"github.com/partnersandbox/sandbox/scenarios"
)

// commonCodes can happen on every DCMS operation.
var commonCodes = []string{"invalid.input.request", "tenant.header.missing", "tenant.not.found", "unauthorized", "internal.error", "service.unavailable"}

// operations lists each DCMS operation with the codes it documents (besides commonCodes)
// and what its success needs of the state (the catalogue's description of "ok").
var operations = []struct {
	id, path string
	codes    []string
	needs    string
	ok       []scenarios.Outcome // forceable successes besides "ok", answered by the handler
}{
	{"authenticate", "/v1/api/authenticate", nil, "the sandbox's username and password", nil},
	{"registerCustomer", "/v1/register", []string{"entity.already.exists", "kit.not.found", "INV001"},
		"an entityId no customer has, and any insta kits named unassigned", nil},
	{"viewCustomer", "/v1/viewCustomer", []string{"CUS001"}, "an existing customer (entityId)", nil},
	{"updatePoi", "/v1/update-manager/poi", []string{"CUS001"}, "an existing customer (entityId)", nil},
	{"updatePoa", "/v1/update-manager/poa", []string{"CUS001"}, "an existing customer (entityId)", nil},
	{"expireInstaKits", "/v1/inventory/instaKit/expire", []string{"kit.not.found", "INV001", "card.already.closed"},
		"an unassigned, unexpired insta kit (kitNo), or a batch with one (parentKitNo)", nil},
	{"manageAllKits", "/v1/kit-manager/manageAllKits", []string{"CUS001", "entity.not.found", "card.not.found"},
		"a customer (entityId or mobileNo) with a card the operation applies to", nil},
	{"manageKit", "/v1/kit-manager/manageKit", []string{"CUS001", "MCC007", "card.already.active", "card.already.blocked", "card.already.closed", "card.already.locked", "card.not.active"},
		"a kit of the customer in a status the operation starts from (README: card lifecycle)", nil},
	{"kitTracking", "/v1/kit-manager/kitTracking", []string{"kit.not.found", "MCC007", "shipment.not.found"},
		"a shipped PHYSICAL kit (kitNo)", []scenarios.Outcome{
			{Name: "shipment-delivered", Status: 200, Message: "DELIVERED", Description: "The shipment shows DELIVERED now, whatever the clock says"},
			{Name: "shipment-at-bank", Status: 200, Message: "BANK", Description: "The courier gave up and left the kit at the bank branch (BANK)"},
			{Name: "shipment-returned", Status: 200, Message: "RETURNED", Description: "The courier returned the kit to its origin (RETURNED)"},
		}},
	{"upgradeCard", "/v1/kit-manager/upgradeCard", []string{"CUS001", "MCC007", "card.already.blocked", "card.already.closed"},
		"a kit of the customer that is neither BLOCKED nor closed", nil},
	{"kitActivation", "/v1/kit-manager/kitActivation", []string{"CUS001", "MCC007", "card.already.active", "card.already.blocked", "card.already.closed"},
		"an INACTIVE or ASSIGNED kit of the customer", nil},
	{"setPinV2", "/v1/kit-manager/v2/setPin", []string{"CUS001", "MCC007", "card.not.active", "card.expiry.mismatch", "invalid.pin", "PIN001", "pin.already.set", "pin.locked"},
		"an ACTIVE kit of the customer, its expiry (MMYY) and a PIN block built for its PAN with the tenant's key", nil},
	{"createCardOrder", "/v1/card-order", []string{"ORD001", "entity.already.exists"}, "an orderId no order has", nil},
	{"cancelCardOrder", "/v1/card-order/cancel", []string{"ORD001", "ORD003"}, "a RECEIVED order of that branch (orderId, branchId)", nil},
}

// magic request values that produce an outcome without the X-Sandbox-Scenario header.
var magic = map[string][]scenarios.Magic{
	"internal.error":      {{Field: "entityId", Value: "SANDBOX_500"}, {Field: "kitNo", Value: "SANDBOX_500"}, {Field: "orderId", Value: "SANDBOX_500"}},
	"service.unavailable": {{Field: "entityId", Value: "SANDBOX_503"}, {Field: "kitNo", Value: "SANDBOX_503"}, {Field: "orderId", Value: "SANDBOX_503"}},
}

// Catalogue is the DCMS part of the scenario catalogue, built from the error table.
func Catalogue() []scenarios.Operation {
	out := make([]scenarios.Operation, 0, len(operations))
	for _, op := range operations {
		o := scenarios.Operation{API: "dcms", ID: op.id, Method: "POST", Path: op.path,
			Outcomes: append([]scenarios.Outcome{{Name: scenarios.OK, Status: 200, Message: "Success", Description: scenarios.OKDescription(op.needs)}}, op.ok...)}
		for _, code := range append(append([]string(nil), op.codes...), commonCodes...) {
			info := errorTable[code]
			o.Outcomes = append(o.Outcomes, scenarios.Outcome{
				Name: info.outcome, Status: info.status, Code: code, Message: info.short,
				Description: info.detail, Magic: magic[code],
			})
		}
		out = append(out, o)
	}
	return out
}
