package profile

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/webhook"
)

// TestCloseStopsDelivery proves the workers stop and nothing is delivered after Close.
func TestCloseStopsDelivery(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	api, err := New(server.Deps{Store: store.NewMemory(nil), Clock: &clock.Clock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := api.svc.SetWebhook(ctx, "t", webhook.Endpoint{URL: srv.URL, AuthType: "None"}); err != nil {
		t.Fatal(err)
	}
	api.Close() // returns only once the workers, the sweeper and the review job have stopped
	_ = api.svc.update(ctx, "t", func(tx store.Tx, ev *events) error {
		ev.add(tx, "s1", "profile.created", map[string]any{})
		return nil
	})
	log, _ := api.svc.hooks.Log(ctx, "t")
	ds := log.Deliveries
	if len(ds) != 1 || ds[0].Status != webhook.Pending || ds[0].Attempts != 0 || hits.Load() != 0 {
		t.Fatalf("after Close: %+v, %d hits", ds, hits.Load())
	}
}
