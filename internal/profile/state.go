package profile

import (
	"context"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/tenant"
)

// The admin API's view of a profile tenant's submissions, for the console: review state,
// the review moves allowed, and the documents (metadata only).

func submissionState(r store.Reader, s *Submission) admin.ProfileSubmission {
	out := admin.ProfileSubmission{SubmissionId: s.ID, Name: s.Name(), UserType: s.UserType, Email: s.Email,
		Status: admin.ProfileSubmissionStatus(s.Status), Progress: s.Progress(), CreatedAt: adm.Time(s.Created),
		Reviews: []admin.ProfileSubmissionReviews{}, Documents: []admin.ProfileDocument{}}
	if s.RiskLevel != "" {
		out.RiskLevel = &s.RiskLevel
	}
	if !s.Completed.IsZero() {
		t := adm.Time(s.Completed)
		out.CompletedAt = &t
	}
	if due, ok := kindReviewDue.Get(r, s.ID); ok {
		t := adm.Time(due.At)
		out.ReviewDueAt = &t
	}
	for _, st := range transitions[s.Status] {
		out.Reviews = append(out.Reviews, admin.ProfileSubmissionReviews(st))
	}
	for _, id := range s.Documents {
		if d, ok := kindDocument.Get(r, id); ok {
			out.Documents = append(out.Documents, admin.ProfileDocument{Id: d.ID, FileName: d.OriginalFileName, DocumentTypeId: d.TypeID,
				ContentType: d.ContentType, Size: len(d.Content), UploadedAt: adm.Time(d.Uploaded)})
		}
	}
	return out
}

func noTenant(name string) admin.NotFoundJSONResponse {
	return adm.NotFound("no profile tenant %q: %s", name, tenant.Rule)
}

// ListProfileSubmissions pages over a tenant's submissions (fixtures and its own).
func (a *API) ListProfileSubmissions(ctx context.Context, req admin.ListProfileSubmissionsRequestObject) (admin.ListProfileSubmissionsResponseObject, error) {
	if !tenant.Valid(req.Tenant) {
		return admin.ListProfileSubmissions404JSONResponse{NotFoundJSONResponse: noTenant(req.Tenant)}, nil
	}
	out := admin.ProfileSubmissionPage{Tenant: req.Tenant}
	var err error
	out.Submissions, out.Next, err = adm.Page(ctx, a.svc.store, partition(req.Tenant), kindSubmission, req.Params.After, req.Params.Limit, submissionState)
	if err != nil {
		return nil, err
	}
	return admin.ListProfileSubmissions200JSONResponse(out), nil
}

// GetProfileSubmission looks one submission up.
func (a *API) GetProfileSubmission(ctx context.Context, req admin.GetProfileSubmissionRequestObject) (admin.GetProfileSubmissionResponseObject, error) {
	if !tenant.Valid(req.Tenant) {
		return admin.GetProfileSubmission404JSONResponse{NotFoundJSONResponse: noTenant(req.Tenant)}, nil
	}
	out, err := adm.Lookup(ctx, a.svc.store, partition(req.Tenant), kindSubmission, req.SubmissionId, submissionState)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return admin.GetProfileSubmission404JSONResponse{NotFoundJSONResponse: adm.NotFound("no submission %s in profile tenant %s", req.SubmissionId, req.Tenant)}, nil
	}
	return admin.GetProfileSubmission200JSONResponse(*out), nil
}
