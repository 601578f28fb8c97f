package dmt

import (
	"context"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/credentials"
)

// GetLastOtp shows the last OTP sent to a mobile number, so a test can read a random OTP
// (--dmt-otp random) the way a customer reads the SMS.
func (a *API) GetLastOtp(ctx context.Context, req admin.GetLastOtpRequestObject) (admin.GetLastOtpResponseObject, error) {
	if ok, err := a.isClient(ctx, req.Tenant); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return admin.GetLastOtp404JSONResponse{NotFoundJSONResponse: adm.NotFound("%s is not a DMT client of the sandbox (the sandbox's own is %s)", req.Tenant, credentials.DMTClientID)}, nil
	}
	otp, err := a.svc.LastOtp(ctx, req.Tenant, req.Mobile)
	if err != nil {
		return nil, err
	}
	if otp == nil {
		return admin.GetLastOtp404JSONResponse{NotFoundJSONResponse: adm.NotFound("no OTP was sent to %s for client %s since the last reset", req.Mobile, req.Tenant)}, nil
	}
	return admin.GetLastOtp200JSONResponse{
		Tenant: req.Tenant, MobileNumber: otp.Mobile, Otp: otp.Code, OtpType: otp.Type,
		SentAt: adm.Time(otp.SentAt), ExpiresAt: adm.Time(otp.ExpiresAt), Sends: otp.Sends,
	}, nil
}
