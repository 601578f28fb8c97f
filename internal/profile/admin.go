package profile

import (
	"context"
	"errors"
	"slices"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/mask"
	"github.com/partnersandbox/sandbox/internal/webhook"
)

// The profile part of the admin API (openapi/sandbox.yaml): outbox, rate limits, webhook,
// delivery log and review. Domain errors become the admin API's 400/404; anything else is
// a sandbox failure (500).

var _ adm.Profile = (*API)(nil)

// GetOutbox answers GET /__sandbox/tenants/{tenant}/outbox.
func (a *API) GetOutbox(ctx context.Context, req admin.GetOutboxRequestObject) (admin.GetOutboxResponseObject, error) {
	msgs, err := a.svc.Outbox(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	out := admin.Outbox{}
	out.Messages = slices.Grow(out.Messages, len(msgs)+1)[:len(msgs)] // +1: never nil, the contract wants []
	for i, m := range msgs {
		o := &out.Messages[i]
		o.Id, o.Kind, o.To, o.Subject, o.SubmissionId, o.SentAt = m.ID, admin.OutboxMessagesKind(m.Kind), m.To, m.Subject, m.SubmissionID, adm.Time(m.Sent)
	}
	return admin.GetOutbox200JSONResponse(out), nil
}

// GetRateLimits answers GET /__sandbox/tenants/{tenant}/ratelimits.
func (a *API) GetRateLimits(ctx context.Context, req admin.GetRateLimitsRequestObject) (admin.GetRateLimitsResponseObject, error) {
	l, err := a.svc.RateLimits(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	return admin.GetRateLimits200JSONResponse(limitsOut(l)), nil
}

// SetRateLimits answers PUT /__sandbox/tenants/{tenant}/ratelimits.
func (a *API) SetRateLimits(ctx context.Context, req admin.SetRateLimitsRequestObject) (admin.SetRateLimitsResponseObject, error) {
	b := req.Body
	l := Limits{Enabled: b.Enabled, Creation: b.CreationPerMinute, Retrieval: b.RetrievalPerMinute, Downloads: b.DownloadPerMinute}
	if err := a.svc.SetRateLimits(ctx, req.Tenant, l); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return admin.SetRateLimits400JSONResponse{BadRequestJSONResponse: adm.BadRequest("%s", e.Message)}, nil
		}
		return nil, err
	}
	return admin.SetRateLimits200JSONResponse(limitsOut(l)), nil
}

func limitsOut(l Limits) admin.RateLimits {
	return admin.RateLimits{Enabled: l.Enabled, CreationPerMinute: l.Creation, RetrievalPerMinute: l.Retrieval, DownloadPerMinute: l.Downloads}
}

// GetWebhook answers GET /__sandbox/tenants/{tenant}/webhook.
func (a *API) GetWebhook(ctx context.Context, req admin.GetWebhookRequestObject) (admin.GetWebhookResponseObject, error) {
	w, err := a.svc.hooks.Endpoint(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return admin.GetWebhook404JSONResponse{NotFoundJSONResponse: adm.NotFound("tenant %s has no webhook", req.Tenant)}, nil
	}
	return admin.GetWebhook200JSONResponse(webhookOut(*w)), nil
}

// Defaults of a webhook configured without retry settings.
const (
	defaultRetryCount    = 3
	defaultRetryInterval = 2 // seconds
)

// SetWebhook answers PUT /__sandbox/tenants/{tenant}/webhook.
func (a *API) SetWebhook(ctx context.Context, req admin.SetWebhookRequestObject) (admin.SetWebhookResponseObject, error) {
	b := req.Body
	w := webhook.Endpoint{URL: b.Url, AuthType: string(b.AuthType), RetryCount: defaultRetryCount, RetryInterval: defaultRetryInterval}
	if b.RetryCount != nil {
		w.RetryCount = *b.RetryCount
	}
	if b.RetryInterval != nil {
		w.RetryInterval = *b.RetryInterval
	}
	if b.Secret != nil {
		w.Secret = *b.Secret
	}
	if s := b.AuthSettings; s != nil {
		w.HeaderName, w.APIKey, w.Username, w.Password = deref(s.HeaderName), deref(s.ApiKey), deref(s.Username), deref(s.Password)
	}
	w, err := a.svc.SetWebhook(ctx, req.Tenant, w)
	if err != nil {
		var e *webhook.ConfigError
		if errors.As(err, &e) {
			return admin.SetWebhook400JSONResponse{BadRequestJSONResponse: adm.BadRequest("%s", e.Error())}, nil
		}
		return nil, err
	}
	return admin.SetWebhook200JSONResponse(webhookOut(w)), nil
}

// masked stands for a credential the admin API does not show again.
const masked = mask.Withheld

// webhookOut shows a webhook with its credentials masked; the signing secret is shown, as
// partners need it to check signatures.
func webhookOut(w webhook.Endpoint) admin.Webhook {
	retries, interval, secret := w.RetryCount, w.RetryInterval, w.Secret
	out := admin.Webhook{Url: w.URL, AuthType: admin.WebhookAuthType(w.AuthType), RetryCount: &retries, RetryInterval: &interval, Secret: &secret}
	hide := func(s string) *string {
		if s == "" {
			return nil
		}
		m := masked
		return &m
	}
	show := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	switch w.AuthType {
	case "ApiKey":
		out.AuthSettings = &struct {
			ApiKey     *string `json:"apiKey,omitempty"`
			HeaderName *string `json:"headerName,omitempty"`
			Password   *string `json:"password,omitempty"`
			Username   *string `json:"username,omitempty"`
		}{HeaderName: show(w.HeaderName), ApiKey: hide(w.APIKey)}
	case "Basic":
		out.AuthSettings = &struct {
			ApiKey     *string `json:"apiKey,omitempty"`
			HeaderName *string `json:"headerName,omitempty"`
			Password   *string `json:"password,omitempty"`
			Username   *string `json:"username,omitempty"`
		}{Username: show(w.Username), Password: hide(w.Password)}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// DeleteWebhook answers DELETE /__sandbox/tenants/{tenant}/webhook.
func (a *API) DeleteWebhook(ctx context.Context, req admin.DeleteWebhookRequestObject) (admin.DeleteWebhookResponseObject, error) {
	if err := a.svc.hooks.DeleteEndpoint(ctx, req.Tenant); err != nil {
		return nil, err
	}
	return admin.DeleteWebhook204Response{}, nil
}

// GetWebhookDeliveries answers GET /__sandbox/tenants/{tenant}/webhook/deliveries.
func (a *API) GetWebhookDeliveries(ctx context.Context, req admin.GetWebhookDeliveriesRequestObject) (admin.GetWebhookDeliveriesResponseObject, error) {
	log, err := a.svc.hooks.Log(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	ds := log.Deliveries
	out := admin.Deliveries{Dropped: int(log.Dropped)}
	out.Deliveries = slices.Grow(out.Deliveries, len(ds)+1)[:len(ds)] // +1: never nil
	for i, d := range ds {
		o := &out.Deliveries[i]
		o.Id, o.EventId, o.EventType, o.Url = d.ID, d.EventID, d.EventType, d.URL
		o.Attempts, o.Status, o.LastStatusCode, o.LastError = d.Attempts, admin.DeliveriesDeliveriesStatus(d.Status), d.LastStatusCode, d.LastError
		o.CreatedAt = adm.Time(d.Created)
		if !d.LastAttempt.IsZero() {
			t := adm.Time(d.LastAttempt)
			o.LastAttemptAt = &t
		}
	}
	return admin.GetWebhookDeliveries200JSONResponse(out), nil
}

// ReviewSubmission answers POST /__sandbox/profile/submissions/{submissionId}/review.
// Without ?tenant= the submission is looked for in every tenant, first match (by tenant
// name) wins; the seed's fixture profiles are in every tenant, so name one for them.
func (a *API) ReviewSubmission(ctx context.Context, req admin.ReviewSubmissionRequestObject) (admin.ReviewSubmissionResponseObject, error) {
	tenants, err := a.svc.tenants(ctx, "profile")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(tenants, credentials.ProfileTenant) {
		// The documented tenant's fixtures can be reviewed before its first call.
		tenants = append(tenants, credentials.ProfileTenant)
	}
	if req.Params.Tenant != nil {
		tenants = []string{*req.Params.Tenant}
	}
	risk := ""
	if req.Body.RiskLevel != nil {
		risk = string(*req.Body.RiskLevel)
	}
	for _, tenant := range tenants {
		sub, err := a.svc.Review(ctx, tenant, req.SubmissionId, string(req.Body.Status), risk)
		var e *Error
		switch {
		case err == nil:
			out := admin.ReviewResult{Tenant: tenant, SubmissionId: sub.ID, Status: admin.ReviewResultStatus(sub.Status)}
			if sub.RiskLevel != "" {
				r := sub.RiskLevel
				out.RiskLevel = &r
			}
			return admin.ReviewSubmission200JSONResponse(out), nil
		case errors.As(err, &e) && e.Kind == errSubmissionNotFound:
			continue
		case errors.As(err, &e):
			return admin.ReviewSubmission400JSONResponse{BadRequestJSONResponse: adm.BadRequest("%s", e.Message)}, nil
		default:
			return nil, err
		}
	}
	if req.Params.Tenant != nil {
		return admin.ReviewSubmission404JSONResponse{NotFoundJSONResponse: adm.NotFound("submission %s not found in tenant %s", req.SubmissionId, *req.Params.Tenant)}, nil
	}
	return admin.ReviewSubmission404JSONResponse{NotFoundJSONResponse: adm.NotFound("submission %s not found in any tenant", req.SubmissionId)}, nil
}
