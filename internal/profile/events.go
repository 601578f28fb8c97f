package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	gen "github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/webhook"
)

// events collects what a transaction does to the webhook queue, to wake the deliverer
// once it has committed.
type events struct {
	s      *Service
	tenant string
	queued bool
}

func (s *Service) events(tenant string) *events { return &events{s: s, tenant: tenant} }

// add queues a profile event for the tenant's webhook, if it has one.
func (e *events) add(tx store.Tx, submissionID string, typ gen.WebhookEventType, data map[string]any) {
	now := e.s.clock.Now(e.tenant)
	queued := e.s.hooks.Enqueue(tx, now, func() webhook.Event {
		evt := gen.WebhookEvent{Id: "evt_" + randomHex(16), Type: typ, TenantId: e.tenant,
			SubmissionId: submissionID, OccurredAt: now.UTC().Format(time.RFC3339), Data: data}
		body, err := json.Marshal(evt)
		if err != nil { // data is built from strings and nils only
			panic(fmt.Sprintf("profile: webhook event does not marshal: %v", err))
		}
		return webhook.Event{ID: evt.Id, Type: string(typ), Body: body}
	})
	e.queued = e.queued || queued
}

// send wakes the deliverer for the committed events; it never waits for them.
func (e *events) send() {
	if e.queued {
		e.s.reviews.start()
		e.s.hooks.Wake(e.tenant)
	}
}

// SetWebhook registers or replaces the tenant's webhook (a *webhook.ConfigError says what
// is wrong with it) and starts the automatic reviews' job, whose events it now receives.
func (s *Service) SetWebhook(ctx context.Context, tenant string, w webhook.Endpoint) (webhook.Endpoint, error) {
	w, err := s.hooks.SetEndpoint(ctx, tenant, w)
	if err == nil {
		s.reviews.start()
	}
	return w, err
}
