package dmt

import (
	"context"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
)

// DefaultKey is every client's AES-256 key unless configured otherwise.
var DefaultKey = []byte("sandbox-dmt-aes-256-key-32-bytes")

// Key is the client's AES-256 key for the encrypted variant.
func (a *API) Key(tenant string) []byte { return DefaultKey }

// GetLastOtp answers the admin API's OTP look-up (the DMT issue fills it in).
func (a *API) GetLastOtp(_ context.Context, req admin.GetLastOtpRequestObject) (admin.GetLastOtpResponseObject, error) {
	return admin.GetLastOtp404JSONResponse{NotFoundJSONResponse: adm.NotFound("no OTP was sent to %s in tenant %s", req.Mobile, req.Tenant)}, nil
}
