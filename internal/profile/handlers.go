package profile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"time"

	gen "github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/internal/server"
)

// The handlers are thin: rate limit, ask the service, render the typed response. Errors
// go through one mapping per operation, so only documented statuses can come out.

var processed = []string{"Processed successfully"}

func okMessages() *[]string { return &processed }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tenantOf(ctx context.Context) string { return server.CallFrom(ctx).Tenant }

// GetAppToken answers POST /api/AppSessionManager/GetAppToken.
func (a *API) GetAppToken(ctx context.Context, req gen.GetAppTokenRequestObject) (gen.GetAppTokenResponseObject, error) {
	tok, exp, err := a.IssueToken(ctx, req.Body.AppId, req.Body.AppSecret, req.Body.TenantId)
	if err != nil {
		return refuse(ctx, err, refusals[gen.GetAppTokenResponseObject]{
			400: badRequest[gen.GetAppTokenResponseObject, gen.GetAppToken400JSONResponse],
			401: unauthorized[gen.GetAppTokenResponseObject, gen.GetAppToken401JSONResponse],
		})
	}
	return gen.GetAppToken200JSONResponse{StatusCode: 200, Messages: okMessages(),
		Result: gen.AppToken{Token: tok, ExpiresAt: stamp(exp)}}, nil
}

// AddCustomer answers POST /ExtCustomerManagement/AddCustomer.
func (a *API) AddCustomer(ctx context.Context, req gen.AddCustomerRequestObject) (gen.AddCustomerResponseObject, error) {
	call := server.CallFrom(ctx)
	if err := a.svc.Take(ctx, call.Tenant, Creation); err != nil {
		return addCustomerError(ctx, err)
	}
	b := req.Body
	in := NewCustomer{UserType: string(b.UserType), Email: b.CustomerEmail, EmployeeID: b.EmployeeId,
		FormID: b.FormId, SendEmail: b.SendEmail}
	if b.CustomerMobileNumber != nil {
		in.Mobile = *b.CustomerMobileNumber
	}
	if p := b.IndividualCustomer; p != nil {
		in.Individual = &Person{FirstName: p.FirstName, LastName: p.LastName}
	}
	if c := b.LegalEntityCustomer; c != nil {
		in.Legal = &Company{FullName: c.FullName, RegistrationNumber: c.RegistrationNumber, TradingName: c.TradingName}
	}
	if call.Forced != nil { // a review outcome, by header or magic e-mail
		in.Plan = call.Forced.Name
	}
	id, err := a.svc.AddCustomer(ctx, call.Tenant, in)
	if err != nil {
		return addCustomerError(ctx, err)
	}
	return gen.AddCustomer200JSONResponse{StatusCode: 200, Messages: okMessages(),
		Result: gen.AddCustomerResult{SubmissionId: id}}, nil
}

func addCustomerError(ctx context.Context, err error) (gen.AddCustomerResponseObject, error) {
	return refuse(ctx, err, refusals[gen.AddCustomerResponseObject]{
		400: badRequest[gen.AddCustomerResponseObject, gen.AddCustomer400JSONResponse],
		429: tooManyRequests[gen.AddCustomerResponseObject, gen.AddCustomer429JSONResponse],
	})
}

// GetIndividualProfile answers GET /ExtReport/GetIndividualProfile/{submissionId}.
func (a *API) GetIndividualProfile(ctx context.Context, req gen.GetIndividualProfileRequestObject) (gen.GetIndividualProfileResponseObject, error) {
	v, err := a.profile(ctx, req.SubmissionId, Individual)
	if err != nil {
		return refuse(ctx, err, refusals[gen.GetIndividualProfileResponseObject]{
			404: notFound[gen.GetIndividualProfileResponseObject, gen.GetIndividualProfile404JSONResponse],
			429: tooManyRequests[gen.GetIndividualProfileResponseObject, gen.GetIndividualProfile429JSONResponse],
		})
	}
	// The vendor answers the profile reads with statusCode 0 and messages null.
	return gen.GetIndividualProfile200JSONResponse{StatusCode: 0, Result: profileOut(v)}, nil
}

// GetLegalProfile answers GET /ExtReport/GetLegalProfile/{submissionId}.
func (a *API) GetLegalProfile(ctx context.Context, req gen.GetLegalProfileRequestObject) (gen.GetLegalProfileResponseObject, error) {
	v, err := a.profile(ctx, req.SubmissionId, Legal)
	if err != nil {
		return refuse(ctx, err, refusals[gen.GetLegalProfileResponseObject]{
			404: notFound[gen.GetLegalProfileResponseObject, gen.GetLegalProfile404JSONResponse],
			429: tooManyRequests[gen.GetLegalProfileResponseObject, gen.GetLegalProfile429JSONResponse],
		})
	}
	return gen.GetLegalProfile200JSONResponse{StatusCode: 0, Result: profileOut(v)}, nil
}

// profile is the rate-limited profile read of both user types (JSON and PDF).
func (a *API) profile(ctx context.Context, id, userType string) (ProfileView, error) {
	tenant := tenantOf(ctx)
	if err := a.svc.Take(ctx, tenant, Retrieval); err != nil {
		return ProfileView{}, err
	}
	return a.svc.Profile(ctx, tenant, id, userType)
}

// DownloadIndividualProfilePdf answers GET /ExtReport/DownloadIndividualProfilePagePdf/{submissionId}.
func (a *API) DownloadIndividualProfilePdf(ctx context.Context, req gen.DownloadIndividualProfilePdfRequestObject) (gen.DownloadIndividualProfilePdfResponseObject, error) {
	pdf, err := a.pdf(ctx, req.SubmissionId, Individual)
	if err != nil {
		return refuse(ctx, err, refusals[gen.DownloadIndividualProfilePdfResponseObject]{
			404: notFound[gen.DownloadIndividualProfilePdfResponseObject, gen.DownloadIndividualProfilePdf404JSONResponse],
			429: tooManyRequests[gen.DownloadIndividualProfilePdfResponseObject, gen.DownloadIndividualProfilePdf429JSONResponse],
		})
	}
	return gen.DownloadIndividualProfilePdf200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf)),
		Headers: gen.DownloadIndividualProfilePdf200ResponseHeaders{ContentDisposition: attachment("profile-" + req.SubmissionId + ".pdf")}}, nil
}

// DownloadLegalProfilePdf answers GET /ExtReport/DownloadLegalProfilePagePdf/{submissionId}.
func (a *API) DownloadLegalProfilePdf(ctx context.Context, req gen.DownloadLegalProfilePdfRequestObject) (gen.DownloadLegalProfilePdfResponseObject, error) {
	pdf, err := a.pdf(ctx, req.SubmissionId, Legal)
	if err != nil {
		return refuse(ctx, err, refusals[gen.DownloadLegalProfilePdfResponseObject]{
			404: notFound[gen.DownloadLegalProfilePdfResponseObject, gen.DownloadLegalProfilePdf404JSONResponse],
			429: tooManyRequests[gen.DownloadLegalProfilePdfResponseObject, gen.DownloadLegalProfilePdf429JSONResponse],
		})
	}
	return gen.DownloadLegalProfilePdf200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf)),
		Headers: gen.DownloadLegalProfilePdf200ResponseHeaders{ContentDisposition: attachment("profile-" + req.SubmissionId + ".pdf")}}, nil
}

func (a *API) pdf(ctx context.Context, id, userType string) ([]byte, error) {
	v, err := a.profile(ctx, id, userType)
	if err != nil {
		return nil, err
	}
	return RenderPDF(v, a.svc.clock.Now(tenantOf(ctx)))
}

// GetCustomerDetails answers GET /ExtCustomerManagement/GetCustomerDetails/{submissionId}.
func (a *API) GetCustomerDetails(ctx context.Context, req gen.GetCustomerDetailsRequestObject) (gen.GetCustomerDetailsResponseObject, error) {
	tenant := tenantOf(ctx)
	err := a.svc.Take(ctx, tenant, Retrieval)
	var sub *Submission
	var form Form
	if err == nil {
		sub, form, err = a.svc.Details(ctx, tenant, req.SubmissionId)
	}
	if err != nil {
		return refuse(ctx, err, refusals[gen.GetCustomerDetailsResponseObject]{
			404: notFound[gen.GetCustomerDetailsResponseObject, gen.GetCustomerDetails404JSONResponse],
			429: tooManyRequests[gen.GetCustomerDetailsResponseObject, gen.GetCustomerDetails429JSONResponse],
		})
	}
	out := gen.CustomerDetails{
		FormId: sub.FormID, FormName: form.Name, EntityTypeId: gen.EntityType(sub.EntityType()),
		AccountStatusId: gen.AccountStatus(sub.Status), RiskLevelId: riskLevel(sub.RiskLevel),
		OnboardingProgress: sub.Progress(), OnboardingStarted: stamp(sub.Created),
	}
	if !sub.Completed.IsZero() {
		done := stamp(sub.Completed)
		out.OnboardingCompleted = &done
	}
	return gen.GetCustomerDetails200JSONResponse{StatusCode: 200, Messages: okMessages(), Result: out}, nil
}

// SetCustomerPassword answers POST /ExtCustomerManagement/SetCustomerPassword.
func (a *API) SetCustomerPassword(ctx context.Context, req gen.SetCustomerPasswordRequestObject) (gen.SetCustomerPasswordResponseObject, error) {
	if err := a.svc.SetCustomerPassword(ctx, tenantOf(ctx), req.Body.SubmissionId, string(req.Body.UserType)); err != nil {
		return refuse(ctx, err, refusals[gen.SetCustomerPasswordResponseObject]{
			400: badRequest[gen.SetCustomerPasswordResponseObject, gen.SetCustomerPassword400JSONResponse],
			404: notFound[gen.SetCustomerPasswordResponseObject, gen.SetCustomerPassword404JSONResponse],
		})
	}
	return gen.SetCustomerPassword200JSONResponse{StatusCode: 200, Messages: okMessages()}, nil
}

// GetEmployees answers GET /ExtCustomerManagement/GetEmployees.
func (a *API) GetEmployees(ctx context.Context, _ gen.GetEmployeesRequestObject) (gen.GetEmployeesResponseObject, error) {
	emps, err := a.svc.Employees(ctx, tenantOf(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]gen.Employee, len(emps))
	for i, e := range emps {
		out[i] = gen.Employee{Id: e.ID, Name: e.Name}
	}
	return gen.GetEmployees200JSONResponse{StatusCode: 200, Messages: okMessages(), Result: out}, nil
}

// UploadDocument answers POST /ExtForm/submissions/{submissionId}/documents.
func (a *API) UploadDocument(ctx context.Context, req gen.UploadDocumentRequestObject) (gen.UploadDocumentResponseObject, error) {
	u, err := ReadUpload(req.Body)
	var doc *Document
	if err == nil {
		doc, err = a.svc.UploadDocument(ctx, tenantOf(ctx), req.SubmissionId, u)
	}
	if err != nil {
		return refuse(ctx, err, refusals[gen.UploadDocumentResponseObject]{
			400: badRequest[gen.UploadDocumentResponseObject, gen.UploadDocument400JSONResponse],
			404: notFound[gen.UploadDocumentResponseObject, gen.UploadDocument404JSONResponse],
		})
	}
	return gen.UploadDocument200JSONResponse{StatusCode: 200, Messages: okMessages(), Result: documentOut(doc)}, nil
}

// ListDocuments answers GET /ExtForm/submissions/{submissionId}/documents.
func (a *API) ListDocuments(ctx context.Context, req gen.ListDocumentsRequestObject) (gen.ListDocumentsResponseObject, error) {
	docs, err := a.svc.Documents(ctx, tenantOf(ctx), req.SubmissionId)
	if err != nil {
		return refuse(ctx, err, refusals[gen.ListDocumentsResponseObject]{
			404: notFound[gen.ListDocumentsResponseObject, gen.ListDocuments404JSONResponse],
		})
	}
	return gen.ListDocuments200JSONResponse{StatusCode: 200, Messages: okMessages(), Result: documentsOut(docs)}, nil
}

// DownloadDocument answers GET /ExtForm/submissions/{submissionId}/documents/{documentId}/download.
func (a *API) DownloadDocument(ctx context.Context, req gen.DownloadDocumentRequestObject) (gen.DownloadDocumentResponseObject, error) {
	tenant := tenantOf(ctx)
	err := a.svc.Take(ctx, tenant, Downloads)
	var doc *Document
	if err == nil {
		doc, err = a.svc.Document(ctx, tenant, req.SubmissionId, req.DocumentId)
	}
	if err != nil {
		return refuse(ctx, err, refusals[gen.DownloadDocumentResponseObject]{
			404: notFound[gen.DownloadDocumentResponseObject, gen.DownloadDocument404JSONResponse],
			429: tooManyRequests[gen.DownloadDocumentResponseObject, gen.DownloadDocument429JSONResponse],
		})
	}
	body, n := bytes.NewReader(doc.Content), int64(len(doc.Content))
	headers := gen.DownloadDocument200ResponseHeaders{ContentDisposition: attachment(doc.OriginalFileName)}
	switch doc.ContentType {
	case "application/pdf":
		return gen.DownloadDocument200ApplicationpdfResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "image/jpeg":
		return gen.DownloadDocument200ImagejpegResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "image/png":
		return gen.DownloadDocument200ImagepngResponse{Body: body, ContentLength: n, Headers: headers}, nil
	}
	return nil, fmt.Errorf("profile: document %s has content type %q, which uploads never store", doc.ID, doc.ContentType)
}

// DeleteDocuments answers DELETE /ExtForm/submissions/{submissionId}/documents?ids=….
func (a *API) DeleteDocuments(ctx context.Context, req gen.DeleteDocumentsRequestObject) (gen.DeleteDocumentsResponseObject, error) {
	n, err := a.svc.DeleteDocuments(ctx, tenantOf(ctx), req.SubmissionId, req.Params.Ids)
	if err != nil {
		return refuse(ctx, err, refusals[gen.DeleteDocumentsResponseObject]{
			400: badRequest[gen.DeleteDocumentsResponseObject, gen.DeleteDocuments400JSONResponse],
			404: notFound[gen.DeleteDocumentsResponseObject, gen.DeleteDocuments404JSONResponse],
		})
	}
	return gen.DeleteDocuments200JSONResponse{StatusCode: 200, Messages: okMessages(), Result: fmt.Sprintf("Deleted %d documents", n)}, nil
}

// refusal is a domain error as the profile API answers it: the error and its envelope.
type refusal struct {
	err *Error
	env gen.ErrorEnvelope
}

// refusals are an operation's documented error answers, by HTTP status.
type refusals[R any] = server.Answers[refusal, R]

// refuse turns a domain error into the operation's documented answer for its status and
// names the call's outcome (server.Refuse). Any other error is the sandbox's own failure,
// and a status the operation does not document a sandbox bug: both go to the strict
// server's error handler.
func refuse[R any](ctx context.Context, err error, answers refusals[R]) (R, error) {
	call := server.CallFrom(ctx)
	var e *Error
	r, err := server.Refuse(err, func(err error) (int, refusal, bool) {
		if !errors.As(err, &e) {
			return 0, refusal{}, false
		}
		msgs := e.Messages()
		if e.Kind != errInvalid && e.Kind != errInvalidDocument { // not the request's fault: the state's
			msgs = append([]string{call.Refusal(msgs[0])}, msgs[1:]...)
		}
		return e.Status(), refusal{e, gen.ErrorEnvelope{StatusCode: e.Status(), Messages: msgs}}, true
	}, answers)
	if err == nil {
		call.Outcome = e.Kind
	}
	return r, err
}

// The documented error answers of any operation: R is the operation's response type, T
// the generated type of its answer at that status.

func badRequest[R any, T ~struct{ gen.BadRequestJSONResponse }](r refusal) R {
	return any(T{gen.BadRequestJSONResponse(r.env)}).(R)
}

func unauthorized[R any, T ~struct{ gen.UnauthorizedJSONResponse }](r refusal) R {
	return any(T{gen.UnauthorizedJSONResponse(r.env)}).(R)
}

func notFound[R any, T ~struct{ gen.NotFoundJSONResponse }](r refusal) R {
	return any(T{gen.NotFoundJSONResponse(r.env)}).(R)
}

// tooManyRequests always carries Retry-After, as the contract requires.
func tooManyRequests[R any, T ~struct {
	gen.TooManyRequestsJSONResponse
}](r refusal) R {
	return any(T{gen.TooManyRequestsJSONResponse{Body: r.env, Headers: gen.TooManyRequestsResponseHeaders{RetryAfter: r.err.RetryAfter}}}).(R)
}

// attachment is a Content-Disposition naming the file.
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

func riskLevel(s string) *gen.RiskLevel {
	if s == "" {
		return nil
	}
	r := gen.RiskLevel(s)
	return &r
}

func profileOut(v ProfileView) gen.Profile {
	sub := v.Submission
	version := v.Form.Version
	out := gen.Profile{
		Form: gen.Form{Id: v.Form.ID, Name: v.Form.Name, Version: &version},
		Submission: gen.Submission{
			Id: sub.ID, FormId: sub.FormID, UserType: gen.UserType(sub.UserType), CustomerEmail: sub.Email,
			CustomerMobileNumber: sub.Mobile, EmployeeId: sub.EmployeeID, Status: gen.AccountStatus(sub.Status),
			CreatedAt: stamp(sub.Created), UpdatedAt: stamp(sub.Updated),
		},
		Answers:              []gen.Answer{},
		RiskAssessment:       gen.RiskAssessment{RiskLevel: riskLevel(sub.RiskLevel)},
		RiskAssessmentDetail: gen.RiskAssessmentDetail{Factors: []gen.RiskFactor{}},
		Documents:            documentsOut(v.Documents),
	}
	if p := sub.Individual; p != nil {
		out.Submission.IndividualCustomer = &gen.IndividualCustomer{FirstName: p.FirstName, LastName: p.LastName}
	}
	if c := sub.Legal; c != nil {
		out.Submission.LegalEntityCustomer = &gen.LegalEntityCustomer{FullName: c.FullName, RegistrationNumber: c.RegistrationNumber, TradingName: c.TradingName}
	}
	for _, a := range answers(sub) {
		out.Answers = append(out.Answers, gen.Answer{QuestionId: a.id, Question: a.question, Answer: a.answer})
	}
	if sub.RiskLevel != "" {
		score := riskScore[sub.RiskLevel]
		out.RiskAssessment.Score = &score
		for _, f := range riskFactors(sub) {
			out.RiskAssessmentDetail.Factors = append(out.RiskAssessmentDetail.Factors, gen.RiskFactor{Name: f.name, Value: f.value, Weight: f.weight})
		}
	}
	return out
}

func documentsOut(docs []*Document) []gen.Document {
	out := make([]gen.Document, len(docs))
	for i, d := range docs {
		out[i] = documentOut(d)
	}
	return out
}

func documentOut(d *Document) gen.Document {
	out := gen.Document{
		Id: d.ID, FileName: d.FileName(), OriginalFileName: d.OriginalFileName, Description: d.Description,
		DocumentTypeId: gen.DocumentType(d.TypeID), FileSizeInBytes: int64(len(d.Content)),
		ContentType: gen.DocumentContentType(d.ContentType), ShA256Hash: d.SHA256, UploadedAt: stamp(d.Uploaded),
	}
	if d.ExpiryDate != "" {
		e := d.ExpiryDate
		out.ExpiryDate = &e
	}
	return out
}
