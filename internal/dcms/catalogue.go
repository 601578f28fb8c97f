package dcms

import (
	"github.com/partnersandbox/sandbox/scenarios"
)

// commonCodes can happen on every DCMS operation.
var commonCodes = []string{"invalid.input.request", "tenant.header.missing", "tenant.not.found", "unauthorized", "internal.error", "service.unavailable"}

// operations lists each DCMS operation with the codes it documents (besides commonCodes).
var operations = []struct {
	id, path string
	codes    []string
}{
	{"authenticate", "/v1/api/authenticate", nil},
	{"registerCustomer", "/v1/register", []string{"entity.already.exists", "kit.not.found", "INV001"}},
	{"viewCustomer", "/v1/viewCustomer", []string{"CUS001"}},
	{"updatePoi", "/v1/update-manager/poi", []string{"CUS001"}},
	{"updatePoa", "/v1/update-manager/poa", []string{"CUS001"}},
	{"expireInstaKits", "/v1/inventory/instaKit/expire", []string{"kit.not.found", "INV001", "card.already.closed"}},
	{"manageAllKits", "/v1/kit-manager/manageAllKits", []string{"CUS001", "entity.not.found", "card.not.found"}},
	{"manageKit", "/v1/kit-manager/manageKit", []string{"CUS001", "MCC007", "card.already.active", "card.already.blocked", "card.already.closed", "card.not.active"}},
	{"kitTracking", "/v1/kit-manager/kitTracking", []string{"kit.not.found", "MCC007", "shipment.not.found"}},
	{"upgradeCard", "/v1/kit-manager/upgradeCard", []string{"CUS001", "MCC007", "card.already.blocked", "card.already.closed"}},
	{"kitActivation", "/v1/kit-manager/kitActivation", []string{"CUS001", "MCC007", "card.already.active", "card.already.blocked", "card.already.closed"}},
	{"setPinV2", "/v1/kit-manager/v2/setPin", []string{"CUS001", "MCC007", "card.not.active", "card.expiry.mismatch", "invalid.pin", "PIN001", "pin.already.set", "pin.locked"}},
	{"createCardOrder", "/v1/card-order", []string{"ORD001", "entity.already.exists"}},
	{"cancelCardOrder", "/v1/card-order/cancel", []string{"ORD001", "ORD003"}},
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
			Outcomes: []scenarios.Outcome{{Name: scenarios.OK, Status: 200, Message: "Success"}}}
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
