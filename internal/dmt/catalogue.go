package dmt

import "github.com/partnersandbox/sandbox/scenarios"

// Catalogue is the DMT part of the scenario catalogue.
func Catalogue() []scenarios.Operation {
	ops := []struct{ id, path string }{
		{"getCustomer", "/common/dmt-lite/unified/customer/get-customer"},
		{"processCustomerRegistration", "/common/dmt-lite/unified/customer/process-customer-registration"},
		{"sendOtp", "/common/dmt-lite/unified/otp/send"},
	}
	out := make([]scenarios.Operation, 0, len(ops))
	for _, op := range ops {
		out = append(out, scenarios.Operation{API: "dmt", ID: op.id, Method: "POST", Path: op.path, Outcomes: []scenarios.Outcome{
			{Name: scenarios.OK, Status: 200, Code: "0", Message: "Success"},
			{Name: "internal-error", Status: 500, Code: "4", Message: "Internal Server Issue"},
			{Name: "service-unavailable", Status: 503, Code: "4", Message: "Service Unavailable, Kindly Try After Sometime"},
		}})
	}
	return out
}
