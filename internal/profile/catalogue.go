package profile

import "github.com/partnersandbox/sandbox/scenarios"

// Catalogue is the profile part of the scenario catalogue.
func Catalogue() []scenarios.Operation {
	ops := []struct{ id, method, path string }{
		{"getAppToken", "POST", "/api/AppSessionManager/GetAppToken"},
		{"addCustomer", "POST", "/ExtCustomerManagement/AddCustomer"},
		{"getIndividualProfile", "GET", "/ExtReport/GetIndividualProfile/{submissionId}"},
		{"getLegalProfile", "GET", "/ExtReport/GetLegalProfile/{submissionId}"},
		{"getCustomerDetails", "GET", "/ExtCustomerManagement/GetCustomerDetails/{submissionId}"},
		{"downloadIndividualProfilePdf", "GET", "/ExtReport/DownloadIndividualProfilePagePdf/{submissionId}"},
		{"downloadLegalProfilePdf", "GET", "/ExtReport/DownloadLegalProfilePagePdf/{submissionId}"},
		{"setCustomerPassword", "POST", "/ExtCustomerManagement/SetCustomerPassword"},
		{"getEmployees", "GET", "/ExtCustomerManagement/GetEmployees"},
		{"uploadDocument", "POST", "/ExtForm/submissions/{submissionId}/documents"},
		{"listDocuments", "GET", "/ExtForm/submissions/{submissionId}/documents"},
		{"downloadDocument", "GET", "/ExtForm/submissions/{submissionId}/documents/{documentId}/download"},
		{"deleteDocuments", "DELETE", "/ExtForm/submissions/{submissionId}/documents"},
	}
	out := make([]scenarios.Operation, 0, len(ops))
	for _, op := range ops {
		out = append(out, scenarios.Operation{API: "profile", ID: op.id, Method: op.method, Path: op.path, Outcomes: []scenarios.Outcome{
			{Name: scenarios.OK, Status: 200, Code: "200", Message: "Processed successfully"},
			{Name: "internal-error", Status: 500, Code: "500", Message: "Internal server error"},
			{Name: "service-unavailable", Status: 503, Code: "503", Message: "Service unavailable"},
		}})
	}
	return out
}
