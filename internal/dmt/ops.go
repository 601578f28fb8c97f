package dmt

import (
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// field is one property of a plain request body, in the order of the vendor's field
// table: the order in which problems are reported.
type field struct {
	name    string
	missing string                 // outcome when missing, empty or null; "" for an optional field
	when    func(req request) bool // the field is mandatory only when this holds (nil: always)
}

// echo says what an operation's answer carries besides status, statusCode and statusDesc.
type echo int

const (
	echoNone         echo = iota // otp/send
	echoCustomer                 // get-customer: name, mobileNumber, KYCTypeFlag
	echoRegistration             // process-customer-registration: the same plus paramA–paramC
)

// opSpec describes one DMT operation: its request fields, its answer, its outcomes.
type opSpec struct {
	id, path string
	plain    string // components.schemas name of the plain body
	mobile   string // the JSON name of the customer's mobile number
	fields   []field
	echo     echo
	issue    string   // the operation's code-4 message
	needs    string   // what its success needs of the state (the catalogue's "ok")
	outcomes []string // in catalogue order, after "ok"

	schema *openapi3.Schema // the plain body's schema, from the contract
}

func isTransaction(req request) bool { return req.str("otpType") == "2" }

// commonOutcomes end every operation's outcome list. invalid-request comes before every
// other -1 outcome, so the pipeline names a contract violation after it.
var (
	leadingFailures = []string{outInvalidRequest, outUndecryptable}
	commonOutcomes  = []string{outInternalError, outUnauthorized, outHTTP500, outServiceUnavailable}
)

var operations = []opSpec{
	{
		id: "getCustomer", path: "/common/dmt-lite/unified/customer/get-customer",
		plain: "GetCustomerRequest", mobile: "mobileNumber", echo: echoCustomer, issue: issueShort,
		needs: "an onboarded agent (username)",
		fields: []field{
			{name: "mobileNumber", missing: outMobileMissing},
			{name: "username", missing: outUsernameEmpty},
			{name: "latlong", missing: outLatlongMissing},
			{name: "publicIP", missing: outPublicIPMissing},
		},
		outcomes: []string{
			outCustomerNotOnboarded, outCustomerCreated, outCustomerVerified, outCustomerVerifiedNoOvd,
			outMobileMissing, outUsernameEmpty, outLatlongMissing, outPublicIPMissing,
			outInvalidMobile, outUserNotOnboarded,
		},
	},
	{
		id: "processCustomerRegistration", path: "/common/dmt-lite/unified/customer/process-customer-registration",
		plain: "ProcessCustomerRegistrationRequest", mobile: "mobileNumber", echo: echoRegistration, issue: issueLong,
		needs: "an onboarded agent (username) and the unused, unexpired registration OTP last sent to the number (otp)",
		fields: []field{
			{name: "mobileNumber", missing: outMobileMissing},
			{name: "name", missing: outNameMissing},
			{name: "address"},
			{name: "pincode"},
			{name: "ovdType"},
			{name: "ovdData"},
			{name: "otp", missing: outOtpMissing},
			{name: "username", missing: outUsernameEmpty},
			{name: "latlong", missing: outLatlongMissing},
			{name: "publicIP", missing: outPublicIPMissing},
			{name: "paramA"}, {name: "paramB"}, {name: "paramC"},
		},
		outcomes: []string{
			outRegistered, outRegisteredOvdKept, outRegisteredNoOvd,
			outMobileMissing, outNameMissing, outOtpMissing, outUsernameEmpty, outLatlongMissing, outPublicIPMissing,
			outInvalidMobile, outUserNotOnboarded, outInvalidPincode, outOvdIncomplete, outInvalidOvdData,
			outOtpNotRequested, outOtpExpired, outInvalidOtp,
		},
	},
	{
		id: "sendOtp", path: "/common/dmt-lite/unified/otp/send",
		plain: "SendOtpRequest", mobile: "customerMobileNumber", echo: echoNone, issue: issueShort,
		needs: "an onboarded agent (username), no OTP of the type sent to the number in the last 30 seconds nor 5 already, and for otpType 2 a verified customer",
		fields: []field{
			{name: "customerMobileNumber", missing: outMobileMissing},
			{name: "username", missing: outUsernameEmpty},
			{name: "otpType", missing: outOtpTypeMissing},
			{name: "latLong", missing: outLatlongMissing},
			{name: "publicIP", missing: outPublicIPMissing},
			{name: "externalRefNumber", missing: outExtRefMissing, when: isTransaction},
			{name: "requestedAmount", missing: outAmountMissing, when: isTransaction},
			{name: "ovdType"}, {name: "ovdData"}, {name: "email"},
			{name: "paramA"}, {name: "paramB"}, {name: "paramC"},
		},
		outcomes: []string{
			outOtpSent,
			outMobileMissing, outUsernameEmpty, outOtpTypeMissing, outLatlongMissing, outPublicIPMissing,
			outExtRefMissing, outAmountMissing, outInvalidMobile, outUserNotOnboarded, outInvalidAmount,
			outNotVerified, outResendTooSoon, outLimitExceeded,
		},
	},
}

// bindOperations gives each operation its plain schema from the contract and proves the
// field tables and the contract agree, so neither can drift from the other.
func bindOperations(doc *openapi3.T) (map[string]*opSpec, error) {
	out := make(map[string]*opSpec, len(operations))
	for _, spec := range operations {
		o := spec
		ref := doc.Components.Schemas[o.plain]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("openapi/dmt.yaml: no schema %s", o.plain)
		}
		o.schema = ref.Value
		names := make([]string, 0, len(o.fields))
		for _, f := range o.fields {
			if o.schema.Properties[f.name] == nil {
				return nil, fmt.Errorf("%s: field %s is not in schema %s", o.id, f.name, o.plain)
			}
			names = append(names, f.name)
			if f.missing != "" && f.when == nil && !slices.Contains(o.schema.Required, f.name) {
				return nil, fmt.Errorf("%s: mandatory field %s is not required in schema %s", o.id, f.name, o.plain)
			}
		}
		for _, name := range o.schema.Required {
			if i := slices.IndexFunc(o.fields, func(f field) bool { return f.name == name }); i < 0 || o.fields[i].missing == "" {
				return nil, fmt.Errorf("%s: required property %s of schema %s has no missing-field outcome", o.id, name, o.plain)
			}
		}
		for name := range o.schema.Properties {
			if !slices.Contains(names, name) {
				return nil, fmt.Errorf("%s: schema %s property %s has no field entry", o.id, o.plain, name)
			}
		}
		out[o.id] = &o
	}
	return out, nil
}
