package profile

import (
	"context"

	gen "github.com/partnersandbox/sandbox/generated/profile"
)

// The operations below answer 501 until the profile issue replaces them (README status table).

func (a *API) AddCustomer(context.Context, gen.AddCustomerRequestObject) (gen.AddCustomerResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) GetCustomerDetails(context.Context, gen.GetCustomerDetailsRequestObject) (gen.GetCustomerDetailsResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) GetEmployees(context.Context, gen.GetEmployeesRequestObject) (gen.GetEmployeesResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) SetCustomerPassword(context.Context, gen.SetCustomerPasswordRequestObject) (gen.SetCustomerPasswordResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) DeleteDocuments(context.Context, gen.DeleteDocumentsRequestObject) (gen.DeleteDocumentsResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) ListDocuments(context.Context, gen.ListDocumentsRequestObject) (gen.ListDocumentsResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) UploadDocument(context.Context, gen.UploadDocumentRequestObject) (gen.UploadDocumentResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) DownloadDocument(context.Context, gen.DownloadDocumentRequestObject) (gen.DownloadDocumentResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) DownloadIndividualProfilePdf(context.Context, gen.DownloadIndividualProfilePdfRequestObject) (gen.DownloadIndividualProfilePdfResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) DownloadLegalProfilePdf(context.Context, gen.DownloadLegalProfilePdfRequestObject) (gen.DownloadLegalProfilePdfResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) GetIndividualProfile(context.Context, gen.GetIndividualProfileRequestObject) (gen.GetIndividualProfileResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) GetLegalProfile(context.Context, gen.GetLegalProfileRequestObject) (gen.GetLegalProfileResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) GetAppToken(context.Context, gen.GetAppTokenRequestObject) (gen.GetAppTokenResponseObject, error) {
	return nil, errNotImplemented
}
