package app

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/mask"
	"github.com/partnersandbox/sandbox/internal/metrics"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/openapi"
)

// readiness is what GET /readyz checks: the contracts are loaded and the store answers.
func (a *App) readiness(apis []server.API) []admin.Check {
	return []admin.Check{
		{Name: "contracts", Run: func(context.Context) error {
			for _, api := range apis {
				if doc := api.Contract(); doc == nil || doc.Paths.Len() == 0 {
					return fmt.Errorf("the %s contract is not loaded", api.Name())
				}
			}
			if len(a.Engine.Catalogue().Operations()) == 0 {
				return fmt.Errorf("the scenario catalogue is empty")
			}
			return nil
		}},
		{Name: "store", Run: func(ctx context.Context) error { return a.Store.Ping(ctx) }},
	}
}

// instrument builds the sandbox's metrics: calls (counted by the pipeline as an observer)
// and series that read the state when scraped.
func (a *App) instrument(apis []server.API) *metrics.Metrics {
	m := metrics.New(a.Engine.Catalogue().Operations())
	for _, name := range openapi.Partners {
		m.Gauge("sandbox_tenants", "Tenants that have used the API.", map[string]string{"api": name}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), admin.CheckTimeout)
			defer cancel()
			tenants, err := a.Store.Tenants(ctx, name)
			if err != nil {
				return math.NaN() // the store does not answer: unknown, not zero
			}
			return float64(len(tenants))
		})
	}
	m.Gauge("sandbox_journal_entries", "Partner calls the journal holds.", nil,
		func() float64 { n, _ := a.Journal.Size(); return float64(n) })
	m.Gauge("sandbox_journal_bytes", "Bytes of the (masked) bodies the journal holds.", nil,
		func() float64 { _, b := a.Journal.Size(); return float64(b) })
	for _, api := range apis {
		hooks, ok := api.(interface{ WebhookStats() profile.WebhookStats })
		if !ok {
			continue
		}
		m.Gauge("sandbox_webhook_queue_length", "Profile tenants with a webhook delivery due, waiting for a worker.", nil,
			func() float64 { return float64(hooks.WebhookStats().Queued) })
		m.Counter("sandbox_webhook_deliveries_total", "Profile webhook delivery attempts the webhook answered with 2xx.", nil,
			func() float64 { return float64(hooks.WebhookStats().Delivered) })
		m.Counter("sandbox_webhook_failures_total", "Profile webhook delivery attempts that failed (each retry counts).", nil,
			func() float64 { return float64(hooks.WebhookStats().Failed) })
	}
	return m
}

// observers are what the pipeline tells about each finished call: the metrics, and the
// access log when --access-log is on.
func observers(m *metrics.Metrics, accessLog bool, log *slog.Logger) []server.Observer {
	obs := []server.Observer{m}
	if accessLog {
		obs = append(obs, accessLogger{log.Handler()})
	}
	return obs
}

// accessLogger writes one structured line per partner call, whatever --log-level says
// (it writes to the handler, which does not filter levels). The path is masked as the
// journal's bodies are; a line has no body.
type accessLogger struct{ h slog.Handler }

func (l accessLogger) Observe(f *server.Finished, _ *server.Call, _ *http.Request) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "call", 0)
	r.AddAttrs(
		slog.String("api", f.API), slog.String("operationId", f.OperationID), slog.String("tenant", f.Tenant),
		slog.String("method", f.Method), slog.String("path", string(mask.PANs([]byte(f.Path)))),
		slog.Int("status", f.Status), slog.String("outcome", f.Outcome), slog.Duration("duration", f.Duration),
	)
	_ = l.h.Handle(context.Background(), r)
}
