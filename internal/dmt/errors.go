package dmt

import "net/http"

// outcome is one documented DMT answer: the scenario name (X-Sandbox-Scenario), the HTTP
// status, statusCode and statusDesc, and KYCTypeFlag. status is SUCCESS for codes 0–3,
// FAILED otherwise.
type outcome struct {
	status int
	code   string
	desc   string
	kyc    bool
	about  string // when the real service answers this
}

// Outcome names. The domain answers with one of these; the table below gives each its
// status, code and message, and the scenario catalogue is built from it.
const (
	outCustomerNotOnboarded  = "customer-not-onboarded"
	outCustomerCreated       = "customer-created-not-verified"
	outCustomerVerified      = "customer-verified"
	outCustomerVerifiedNoOvd = "customer-verified-ovd-not-verified"
	outRegistered            = "registration-success"
	outRegisteredOvdKept     = "registration-success-ovd-already-verified"
	outRegisteredNoOvd       = "registration-success-ovd-not-verified"
	outOtpSent               = "otp-sent"

	outInvalidRequest   = "invalid-request"
	outUndecryptable    = "request-data-undecryptable"
	outMobileMissing    = "mobile-number-missing"
	outNameMissing      = "name-missing"
	outOtpMissing       = "otp-missing"
	outUsernameEmpty    = "username-empty"
	outOtpTypeMissing   = "otp-type-missing"
	outLatlongMissing   = "latlong-missing"
	outPublicIPMissing  = "public-ip-missing"
	outExtRefMissing    = "external-ref-number-missing"
	outAmountMissing    = "requested-amount-missing"
	outInvalidMobile    = "invalid-mobile-number"
	outUserNotOnboarded = "user-not-onboarded"
	outInvalidPincode   = "invalid-pincode"
	outOvdIncomplete    = "ovd-incomplete"
	outInvalidOvdData   = "invalid-ovd-data"
	outOtpNotRequested  = "otp-not-requested"
	outOtpExpired       = "otp-expired"
	outInvalidOtp       = "invalid-otp"
	outInvalidAmount    = "invalid-requested-amount"
	outNotVerified      = "customer-not-verified"
	outResendTooSoon    = "otp-resend-too-soon"
	outLimitExceeded    = "otp-limit-exceeded"

	outInternalError      = "internal-error"
	outUnauthorized       = "unauthorized"
	outHTTP500            = "http-500"
	outServiceUnavailable = "service-unavailable"
)

// The vendor words code 4 differently per operation; these are the two wordings.
const (
	issueShort = "Internal Server Issue"
	issueLong  = "Internal Server Issue, Kindly Try After Sometime"
)

// outcomes is THE DMT error table: every answer the API gives. internal-error and
// http-500 take the operation's own code-4 message (opSpec.issue).
var outcomes = map[string]outcome{
	outCustomerNotOnboarded:  {200, "0", "customer Not Exits,kindly onboard", false, "get-customer: no customer has this mobile number"},
	outCustomerCreated:       {200, "1", "Customer created but not verified", false, "get-customer: registered, but the OTP was never verified"},
	outCustomerVerified:      {200, "2", "Customer verified successfully", true, "get-customer: customer verified, OVD verified"},
	outCustomerVerifiedNoOvd: {200, "3", "Customer verified successfully", false, "get-customer: customer verified, OVD not verified"},
	outRegistered:            {200, "2", "Customer verified successfully and Ovd Data Updated", true, "registration with the right OTP and an OVD"},
	outRegisteredOvdKept:     {200, "2", "Customer verified successfully", true, "registration with the right OTP, no OVD, OVD verified earlier"},
	outRegisteredNoOvd:       {200, "3", "Customer verified successfully", false, "registration with the right OTP and no OVD"},
	outOtpSent:               {200, "0", "OTP Sent Successfully.", false, "otp/send: OTP stored for the mobile number"},

	outInvalidRequest:   {200, "-1", "Invalid request", false, "the body breaks the contract (not JSON, a wrong type, a value outside its enum); statusDesc names every field"},
	outUndecryptable:    {200, "-1", "Unable to decrypt RequestData", false, "encrypted variant: RequestData is not Base64, not block-aligned, badly padded or encrypted with another key; statusDesc says which"},
	outMobileMissing:    {200, "-1", "Mobile number must Not Be Empty or Null", false, "the mobile number is missing, empty or null"},
	outNameMissing:      {200, "-1", "Name Must Not Be Empty or Null", false, "name is missing, empty or null"},
	outOtpMissing:       {200, "-1", "OTP must Not Be Empty or Null", false, "otp is missing, empty or null"},
	outUsernameEmpty:    {200, "-1", "Username Must not be Empty", false, "username is missing, empty or null"},
	outOtpTypeMissing:   {200, "-1", "OTP Type must Not Be Empty or Null", false, "otpType is missing, empty or null"},
	outLatlongMissing:   {200, "-1", "Latlong must Not Be Empty or Null", false, "latlong (latLong in otp/send) is missing, empty or null"},
	outPublicIPMissing:  {200, "-1", "PublicIP must Not Be Empty or Null", false, "publicIP is missing, empty or null"},
	outExtRefMissing:    {200, "-1", "External Ref Number must Not Be Empty or Null", false, `otpType "2" without externalRefNumber`},
	outAmountMissing:    {200, "-1", "Requested Amount must Not Be Empty or Null", false, `otpType "2" without requestedAmount`},
	outInvalidMobile:    {200, "-1", "Invalid mobile number", false, "the mobile number is not 10 digits starting with 6, 7, 8 or 9"},
	outUserNotOnboarded: {200, "-1", "User not onboarded", false, "username is not an agent of this client"},
	outInvalidPincode:   {200, "-1", "Invalid pincode", false, "a pincode was sent and is not 6 digits"},
	outOvdIncomplete:    {200, "-1", "OVD Type and OVD Data must be sent together", false, "only one of ovdType and ovdData was sent"},
	outInvalidOvdData:   {200, "-1", "Invalid OVD data", false, "an Aadhaar number that is not 12 digits"},
	outOtpNotRequested:  {200, "-1", "OTP not requested, kindly send OTP first", false, "no unused registration OTP for this number; the customer is created (code 1)"},
	outOtpExpired:       {200, "-1", "OTP expired", false, "the OTP was sent more than 3 minutes (sandbox clock) ago; the customer is created (code 1)"},
	outInvalidOtp:       {200, "-1", "Invalid OTP", false, "the OTP is not the one sent; the customer is created (code 1)"},
	outInvalidAmount:    {200, "-1", "Invalid requested amount", false, "requestedAmount is not a positive amount with at most 2 decimals"},
	outNotVerified:      {200, "-1", "Customer not verified, kindly onboard", false, `otpType "2" for a customer that is not verified (code 2 or 3)`},
	outResendTooSoon:    {200, "-1", "OTP already sent, retry after 30 seconds", false, "an OTP of this type was sent to this number less than 30 seconds ago"},
	outLimitExceeded:    {200, "-1", "OTP send limit exceeded", false, "5 OTPs of this type were already sent to this number"},

	outInternalError:      {200, "4", issueShort, false, "the vendor's internal server issue: HTTP 200, statusCode 4 (seed 001)"},
	outUnauthorized:       {http.StatusUnauthorized, "-1", "Invalid client credentials", false, "client_id / client_secret (or header_secrets / pass_key) missing or wrong"},
	outHTTP500:            {http.StatusInternalServerError, "4", issueShort, false, "a transport-level HTTP 500 (what X-Sandbox-Fault: http-500 answers); the vendor documents none: its internal error is internal-error, HTTP 200"},
	outServiceUnavailable: {http.StatusServiceUnavailable, "4", "Service Unavailable, Kindly Try After Sometime", false, "the service is down (HTTP 503)"},
}

// success says whether a statusCode is a SUCCESS.
func success(code string) bool { return code == "0" || code == "1" || code == "2" || code == "3" }

// result is what the domain answers: an outcome name, and a statusDesc that replaces the
// table's when it says more (the fields of an invalid request, why decryption failed).
type result struct {
	outcome string
	desc    string
	name    string // the customer's name, shown by get-customer
}

func answer(name string) result { return result{outcome: name} }
