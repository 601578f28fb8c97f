package dmt

import (
	"context"

	gen "github.com/partnersandbox/sandbox/generated/dmt"
)

// The operations below answer 501 until the DMT issue replaces them (README status table).

func (a *API) GetCustomer(context.Context, gen.GetCustomerRequestObject) (gen.GetCustomerResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) ProcessCustomerRegistration(context.Context, gen.ProcessCustomerRegistrationRequestObject) (gen.ProcessCustomerRegistrationResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) SendOtp(context.Context, gen.SendOtpRequestObject) (gen.SendOtpResponseObject, error) {
	return nil, errNotImplemented
}
