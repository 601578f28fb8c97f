package dcms

import (
	"fmt"
	"net/http"
	"strings"
)

// Error is a documented DCMS error: a code from the error table, plus the offending
// fields and, where useful, a more precise detail message.
type Error struct {
	Code   string
	Fields []string
	Detail string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + ": " + e.Detail
	}
	return e.Code + ": " + errorTable[e.Code].short
}

// failf is a refusal with a detail message. A contract-style refusal (invalid.input.request)
// lists its message as the field error, "field: what was wrong", as the pipeline's own
// validation does; a business code lists the field as the vendor does ("Invalid kitNo").
func failf(code, field, format string, args ...any) *Error {
	detail := fmt.Sprintf(format, args...)
	if code == "invalid.input.request" {
		field = detail
	}
	return &Error{Code: code, Fields: []string{field}, Detail: detail}
}

type errorInfo struct {
	status  int
	outcome string // scenario name
	short   string
	detail  string
}

// errorTable is the one place DCMS error codes get their status, outcome name and
// messages. The scenario catalogue is built from it.
var errorTable = map[string]errorInfo{
	"CUS001":                {400, "customer-not-found", "Customer not found", "No customer found for the given entity ID"},
	"MCC007":                {400, "kit-not-found-for-customer", "Valid kit not found", "No valid kit found for the given customer and kit number"},
	"PIN001":                {400, "invalid-pin-format", "Invalid PIN format", "The decrypted PIN block is not a valid ISO 9564 format 0 block for this card"},
	"ORD001":                {400, "invalid-order", "Invalid order request", "The card order request is invalid or does not match an existing order"},
	"ORD003":                {400, "order-not-cancellable", "Order cannot be cancelled", "Only an order in RECEIVED status can be cancelled"},
	"INV001":                {400, "kit-transfer-failed", "Kit transfer failed", "The kit is already assigned to a customer"},
	"invalid.input.request": {400, "invalid-input", "Invalid input request", "The request does not match the contract"},
	"entity.already.exists": {400, "entity-already-exists", "Entity already exists", "An entity with this identifier already exists"},
	"entity.not.found":      {400, "entity-not-found", "Entity not found", "No entity found for the given identifier"},
	"kit.not.found":         {400, "kit-not-found", "Kit not found", "No kit found for the given kit number"},
	"card.not.found":        {400, "card-not-found", "Card not found", "No card found that this operation applies to"},
	"card.already.active":   {400, "card-already-active", "Card already active", "The card is already active"},
	"card.already.blocked":  {400, "card-already-blocked", "Card already blocked", "The card is blocked; blocking is final"},
	"card.already.closed":   {400, "card-already-closed", "Card already closed", "The card has been replaced or has expired"},
	"card.already.locked":   {400, "card-already-locked", "Card already locked", "The card is already locked"},
	"card.not.active":       {400, "card-not-active", "Card not active", "The card must be ACTIVE for this operation"},
	"card.expiry.mismatch":  {400, "card-expiry-mismatch", "Card expiry mismatch", "expiryDate does not match the card's expiry (MMYY)"},
	"shipment.not.found":    {400, "shipment-not-found", "Shipment not found", "The kit has no shipment (virtual kits and insta kits are never shipped)"},
	"pin.already.set":       {400, "pin-already-set", "PIN already set", "A PIN is already set for this card"},
	"invalid.pin":           {400, "invalid-pin", "Invalid PIN", "The encrypted PIN block could not be decrypted"},
	"pin.locked":            {400, "pin-locked", "PIN locked", "Too many wrong PIN attempts; the PIN is locked"},
	"tenant.not.found":      {400, "tenant-not-found", "Tenant not found", "The tenant is not known to DCMS"},
	"tenant.header.missing": {400, "tenant-header-missing", "Tenant header missing", "Every DCMS call must carry the tenant header"},
	"unauthorized":          {401, "unauthorized", "Unauthorized", "A valid Bearer token is required"},
	"internal.error":        {500, "internal-error", "Internal server error", "DCMS failed to process the request"},
	"service.unavailable":   {503, "service-unavailable", "Service unavailable", "DCMS is temporarily unavailable; retry later"},
}

// vendorFields are the fieldError entries the vendor's samples show for a code, used when
// an answer names no field itself (a forced scenario), so it reads like the sample.
var vendorFields = map[string][]string{
	"CUS001": {"Invalid entityId"},
	"MCC007": {"Invalid kitNo"},
	"PIN001": {"Invalid pin"},
	"ORD001": {"Invalid orderId or branchId"},
	"INV001": {"Invalid kitNo"},
}

// httpStatusName is the exception's httpStatus text.
func httpStatusName(status int) string {
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
