package dcms

import (
	"context"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
)

// DefaultSetPinKey is every tenant's Set PIN V2 AES key unless configured otherwise.
var DefaultSetPinKey = []byte("sandbox-set-pin-key-0123456789AB")

// SetPinKey is the tenant's Set PIN V2 AES key.
func (a *API) SetPinKey(tenant string) []byte { return DefaultSetPinKey }

// GetTestKit answers the admin API's test-kit look-up (the DCMS issue adds the PAN).
func (a *API) GetTestKit(_ context.Context, req admin.GetTestKitRequestObject) (admin.GetTestKitResponseObject, error) {
	return admin.GetTestKit404JSONResponse{NotFoundJSONResponse: adm.NotFound("kit %s not found in tenant %s", req.KitNo, req.Tenant)}, nil
}
