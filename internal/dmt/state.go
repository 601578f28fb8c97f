package dmt

import (
	"context"
	"time"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/store"
)

// The admin API's view of a DMT client's state, for the console: customers with their
// onboarding state and last OTPs, and every OTP.

func (a *API) unknownClient(tenant string) admin.NotFoundJSONResponse {
	return adm.NotFound("%s is not a DMT client of the sandbox (the sandbox's own is %s)", tenant, credentials.DMTClientID)
}

func otpState(o *Otp, now time.Time) admin.DmtOtp {
	return admin.DmtOtp{MobileNumber: o.Mobile, OtpType: o.Type, Otp: o.Code, SentAt: adm.Time(o.SentAt), ExpiresAt: adm.Time(o.ExpiresAt),
		Expired: !now.Before(o.ExpiresAt), Sends: o.Sends, Used: o.Used}
}

func customerState(r store.Reader, c *Customer, now time.Time) admin.DmtCustomer {
	o := outcomes[stateOutcome[c.State]]
	out := admin.DmtCustomer{MobileNumber: c.Mobile, Name: c.Name, StatusCode: o.code, State: o.desc, CreatedAt: adm.Time(c.CreatedAt), Otps: []admin.DmtOtp{}}
	if c.OvdType != "" {
		out.OvdType = &c.OvdType
	}
	if !c.VerifiedAt.IsZero() {
		v := adm.Time(c.VerifiedAt)
		out.VerifiedAt = &v
	}
	for _, typ := range []string{"1", "2"} {
		if otp, ok := kindOtp.Get(r, otpKey(c.Mobile, typ)); ok {
			out.Otps = append(out.Otps, otpState(otp, now))
		}
	}
	return out
}

// ListDmtCustomers pages over the customers a client can list: fixtures and its own.
func (a *API) ListDmtCustomers(ctx context.Context, req admin.ListDmtCustomersRequestObject) (admin.ListDmtCustomersResponseObject, error) {
	if ok, err := a.isClient(ctx, req.Tenant); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return admin.ListDmtCustomers404JSONResponse{NotFoundJSONResponse: a.unknownClient(req.Tenant)}, nil
	}
	now := a.svc.clock.Now(req.Tenant)
	out := admin.DmtCustomerPage{Tenant: req.Tenant}
	var err error
	out.Customers, out.Next, err = adm.Page(ctx, a.svc.store, partition(req.Tenant), kindCustomer, req.Params.After, req.Params.Limit,
		func(r store.Reader, c *Customer) admin.DmtCustomer { return customerState(r, c, now) })
	if err != nil {
		return nil, err
	}
	if a.generated > 0 {
		out.Generated = &admin.Generated{Count: a.generated, First: generatedMobile(0), Last: generatedMobile(a.generated - 1)}
	}
	return admin.ListDmtCustomers200JSONResponse(out), nil
}

// GetDmtCustomer looks one customer up by mobile number, generated ones included.
func (a *API) GetDmtCustomer(ctx context.Context, req admin.GetDmtCustomerRequestObject) (admin.GetDmtCustomerResponseObject, error) {
	if ok, err := a.isClient(ctx, req.Tenant); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return admin.GetDmtCustomer404JSONResponse{NotFoundJSONResponse: a.unknownClient(req.Tenant)}, nil
	}
	now := a.svc.clock.Now(req.Tenant)
	out, err := adm.Lookup(ctx, a.svc.store, partition(req.Tenant), kindCustomer, req.Mobile,
		func(r store.Reader, c *Customer) admin.DmtCustomer { return customerState(r, c, now) })
	if err != nil {
		return nil, err
	}
	if out == nil {
		return admin.GetDmtCustomer404JSONResponse{NotFoundJSONResponse: adm.NotFound("no customer with mobile number %s in DMT client %s", req.Mobile, req.Tenant)}, nil
	}
	return admin.GetDmtCustomer200JSONResponse(*out), nil
}

// ListDmtOtps pages over a client's last OTPs, by mobile number and type.
func (a *API) ListDmtOtps(ctx context.Context, req admin.ListDmtOtpsRequestObject) (admin.ListDmtOtpsResponseObject, error) {
	if ok, err := a.isClient(ctx, req.Tenant); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return admin.ListDmtOtps404JSONResponse{NotFoundJSONResponse: a.unknownClient(req.Tenant)}, nil
	}
	now := a.svc.clock.Now(req.Tenant)
	out := admin.DmtOtpPage{Tenant: req.Tenant}
	var err error
	out.Otps, out.Next, err = adm.Page(ctx, a.svc.store, partition(req.Tenant), kindOtp, req.Params.After, req.Params.Limit,
		func(_ store.Reader, o *Otp) admin.DmtOtp { return otpState(o, now) })
	if err != nil {
		return nil, err
	}
	return admin.ListDmtOtps200JSONResponse(out), nil
}
