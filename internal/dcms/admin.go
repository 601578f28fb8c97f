package dcms

import (
	"context"
	"time"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	tenantname "github.com/partnersandbox/sandbox/internal/tenant"
)

// tokenTTL is how long a DCMS token (POST /v1/api/authenticate) lives.
const tokenTTL = time.Hour

// DefaultSetPinKey is every tenant's Set PIN V2 AES-256 key unless configured otherwise
// (Base64 c2FuZGJveC1zZXQtcGluLWtleS0wMTIzNDU2Nzg5QUI=).
var DefaultSetPinKey = []byte("sandbox-set-pin-key-0123456789AB")

// SetPinKey is the tenant's Set PIN V2 AES key.
func (a *API) SetPinKey(tenant string) []byte {
	if rec, _ := a.declared.Lookup(context.Background(), tenant); rec != nil {
		return rec.DCMS.SetPinKey // a declared tenant's record is the one source of its key
	}
	if k, ok := a.tenantKeys[tenant]; ok {
		return k
	}
	return a.setPinKey
}

// GetTestKit answers the admin API's test-kit look-up: the kit's full test PAN (derived,
// never stored) and its state, so a partner can build a Set PIN V2 block.
func (a *API) GetTestKit(ctx context.Context, req admin.GetTestKitRequestObject) (admin.GetTestKitResponseObject, error) {
	if !tenantname.Valid(req.Tenant) {
		return admin.GetTestKit404JSONResponse{NotFoundJSONResponse: adm.NotFound("no DCMS tenant %q", req.Tenant)}, nil
	}
	k, err := a.svc.TestKit(ctx, req.Tenant, req.KitNo)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return admin.GetTestKit404JSONResponse{NotFoundJSONResponse: adm.NotFound("kit %s not found in tenant %s", req.KitNo, req.Tenant)}, nil
	}
	return admin.GetTestKit200JSONResponse{
		Tenant: req.Tenant, KitNo: k.KitNo, EntityId: k.EntityID,
		Pan: TestPAN(req.Tenant, k), MaskedPan: k.MaskedPAN(), Expiry: expiryMMYY(k),
		CardStatus: k.Status, CardType: k.Type, PinSet: k.PinSet,
	}, nil
}
