package profile

import (
	"context"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
)

// The profile part of the admin API; the profile issue fills it in.

func (a *API) GetOutbox(_ context.Context, req admin.GetOutboxRequestObject) (admin.GetOutboxResponseObject, error) {
	return admin.GetOutbox200JSONResponse{}, nil
}
func (a *API) GetRateLimits(context.Context, admin.GetRateLimitsRequestObject) (admin.GetRateLimitsResponseObject, error) {
	return admin.GetRateLimits200JSONResponse{Enabled: false, CreationPerMinute: 10, RetrievalPerMinute: 60, DownloadPerMinute: 30}, nil
}
func (a *API) SetRateLimits(_ context.Context, req admin.SetRateLimitsRequestObject) (admin.SetRateLimitsResponseObject, error) {
	return admin.SetRateLimits400JSONResponse{BadRequestJSONResponse: adm.BadRequest("rate limits are not implemented yet")}, nil
}
func (a *API) GetWebhook(_ context.Context, req admin.GetWebhookRequestObject) (admin.GetWebhookResponseObject, error) {
	return admin.GetWebhook404JSONResponse{NotFoundJSONResponse: adm.NotFound("tenant %s has no webhook", req.Tenant)}, nil
}
func (a *API) SetWebhook(context.Context, admin.SetWebhookRequestObject) (admin.SetWebhookResponseObject, error) {
	return admin.SetWebhook400JSONResponse{BadRequestJSONResponse: adm.BadRequest("webhooks are not implemented yet")}, nil
}
func (a *API) DeleteWebhook(context.Context, admin.DeleteWebhookRequestObject) (admin.DeleteWebhookResponseObject, error) {
	return admin.DeleteWebhook204Response{}, nil
}
func (a *API) GetWebhookDeliveries(context.Context, admin.GetWebhookDeliveriesRequestObject) (admin.GetWebhookDeliveriesResponseObject, error) {
	return admin.GetWebhookDeliveries200JSONResponse{}, nil
}
func (a *API) ReviewSubmission(_ context.Context, req admin.ReviewSubmissionRequestObject) (admin.ReviewSubmissionResponseObject, error) {
	return admin.ReviewSubmission404JSONResponse{NotFoundJSONResponse: adm.NotFound("submission %s not found", req.SubmissionId)}, nil
}
