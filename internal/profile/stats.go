package profile

// WebhookStats is the state of webhook delivery, for the metrics.
type WebhookStats struct {
	Queued    int   // deliveries waiting for a worker
	Delivered int64 // attempts the webhook answered with 2xx
	Failed    int64 // attempts that failed (an error, or another status); each retry counts
}

// WebhookStats reports webhook delivery since start.
func (a *API) WebhookStats() WebhookStats {
	d := a.svc.hooks
	return WebhookStats{Queued: len(d.jobs), Delivered: d.delivered.Load(), Failed: d.failed.Load()}
}
