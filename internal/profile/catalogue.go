package profile

import (
	"github.com/partnersandbox/sandbox/scenarios"
)

// operations lists each profile operation with the error kinds it documents besides the
// common ones, and what its success needs of the state (the catalogue's description of
// "ok"). Order matters: the first outcome of a status is the one a pipeline rejection of
// that status is named after.
var operations = []struct {
	id, method, path string
	kinds            []string
	needs            string
}{
	{"getAppToken", "POST", "/api/AppSessionManager/GetAppToken", []string{errInvalid, errBadCredentials}, "the sandbox's appId and appSecret"},
	{"addCustomer", "POST", "/ExtCustomerManagement/AddCustomer", []string{errUnknownEmployee, errUnknownForm, errRateLimited},
		"a known employeeId and formId, and room under the creation rate limit"},
	{"getIndividualProfile", "GET", "/ExtReport/GetIndividualProfile/{submissionId}", []string{errSubmissionNotFound, errWrongUserType, errRateLimited},
		"an IndividualCustomer submission (submissionId), and room under the retrieval rate limit"},
	{"getLegalProfile", "GET", "/ExtReport/GetLegalProfile/{submissionId}", []string{errSubmissionNotFound, errWrongUserType, errRateLimited},
		"a LegalCustomer submission (submissionId), and room under the retrieval rate limit"},
	{"getCustomerDetails", "GET", "/ExtCustomerManagement/GetCustomerDetails/{submissionId}", []string{errSubmissionNotFound, errRateLimited},
		"a submission (submissionId), and room under the retrieval rate limit"},
	{"downloadIndividualProfilePdf", "GET", "/ExtReport/DownloadIndividualProfilePagePdf/{submissionId}", []string{errSubmissionNotFound, errWrongUserType, errRateLimited},
		"an IndividualCustomer submission (submissionId), and room under the retrieval rate limit"},
	{"downloadLegalProfilePdf", "GET", "/ExtReport/DownloadLegalProfilePagePdf/{submissionId}", []string{errSubmissionNotFound, errWrongUserType, errRateLimited},
		"a LegalCustomer submission (submissionId), and room under the retrieval rate limit"},
	{"setCustomerPassword", "POST", "/ExtCustomerManagement/SetCustomerPassword", []string{errUserTypeMismatch, errSubmissionNotFound},
		"a submission (submissionId) of that userType"},
	{"getEmployees", "GET", "/ExtCustomerManagement/GetEmployees", nil, ""},
	{"uploadDocument", "POST", "/ExtForm/submissions/{submissionId}/documents", []string{errInvalidDocument, errSubmissionNotFound}, "a submission (submissionId)"},
	{"listDocuments", "GET", "/ExtForm/submissions/{submissionId}/documents", []string{errSubmissionNotFound}, "a submission (submissionId)"},
	{"downloadDocument", "GET", "/ExtForm/submissions/{submissionId}/documents/{documentId}/download", []string{errSubmissionNotFound, errDocumentNotFound, errRateLimited},
		"a document (documentId) of the submission, and room under the download rate limit"},
	{"deleteDocuments", "DELETE", "/ExtForm/submissions/{submissionId}/documents", []string{errSubmissionNotFound, errDocumentNotFound},
		"documents (ids) of the submission"},
}

// Review plans: what the automatic review does with a new submission. They are AddCustomer
// outcomes (answered 200 at once, decided later) so the catalogue lists their magic e-mails.
const (
	planApprove = "" // the default: Approved, risk Low
	planReject  = "review-rejected"
	planMedium  = "review-medium-risk"
	planManual  = "review-manual"
)

var reviewOutcomes = []scenarios.Outcome{
	{Name: planReject, Status: 200, Code: "200", Message: "Processed successfully",
		Description: "The automatic review rejects the profile (risk High)",
		Magic:       []scenarios.Magic{{Field: "customerEmail", Value: "review.rejected@sandbox.test"}}},
	{Name: planMedium, Status: 200, Code: "200", Message: "Processed successfully",
		Description: "The automatic review approves the profile with risk Medium",
		Magic:       []scenarios.Magic{{Field: "customerEmail", Value: "review.medium@sandbox.test"}}},
	{Name: planManual, Status: 200, Code: "200", Message: "Processed successfully",
		Description: "No automatic review: the profile stays Pending until POST /__sandbox/profile/submissions/{submissionId}/review",
		Magic:       []scenarios.Magic{{Field: "customerEmail", Value: "review.manual@sandbox.test"}}},
}

// magic request values that force an error outcome without the X-Sandbox-Scenario header.
var magic = map[string]map[string][]scenarios.Magic{
	"getAppToken": {
		errInternal:    {{Field: "tenantId", Value: "SANDBOX_500"}},
		errUnavailable: {{Field: "tenantId", Value: "SANDBOX_503"}},
	},
	"addCustomer": {
		errInternal:    {{Field: "customerEmail", Value: "sandbox.500@sandbox.test"}},
		errUnavailable: {{Field: "customerEmail", Value: "sandbox.503@sandbox.test"}},
	},
}

// Catalogue is the profile part of the scenario catalogue, built from the error table.
func Catalogue() []scenarios.Operation {
	out := make([]scenarios.Operation, 0, len(operations))
	for _, op := range operations {
		o := scenarios.Operation{API: "profile", ID: op.id, Method: op.method, Path: op.path,
			Outcomes: []scenarios.Outcome{{Name: scenarios.OK, Status: 200, Code: "200", Message: "Processed successfully", Description: scenarios.OKDescription(op.needs)}}}
		if op.id == "addCustomer" {
			o.Outcomes = append(o.Outcomes, reviewOutcomes...)
		}
		kinds := op.kinds
		if op.id != "getAppToken" {
			kinds = append([]string{errInvalid, errUnauthorized}, kinds...)
		}
		for _, kind := range append(kinds, errInternal, errUnavailable) {
			info := errorTable[kind]
			o.Outcomes = append(o.Outcomes, scenarios.Outcome{
				Name: kind, Status: info.status, Code: code(info.status), Message: info.message,
				Description: info.message, Magic: magic[op.id][kind],
			})
		}
		out = append(out, o)
	}
	return out
}
