package profile

// WebhookStats is the state of webhook delivery, for the metrics.
type WebhookStats struct {
	Queued    int   // tenants with a delivery due, waiting for a worker
	Delivered int64 // attempts the webhook answered with 2xx
	Failed    int64 // attempts that failed (an error, another status, refused); each retry counts
}

// WebhookStats reports webhook delivery since start.
func (a *API) WebhookStats() WebhookStats {
	st := a.svc.hooks.Stats()
	return WebhookStats{Queued: st.Waiting, Delivered: st.Delivered, Failed: st.Failed}
}
