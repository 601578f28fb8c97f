package app

import (
	"context"
	"log/slog"

	"github.com/partnersandbox/sandbox/internal/tenants"
	"github.com/partnersandbox/sandbox/openapi"
)

// declareTenants builds the registry of declared tenants over the store, declares the
// configuration's, takes on the tenants the store holds already (so --max-tenants and
// --tenant-idle-ttl count them), and starts the idle sweep.
func (a *App) declareTenants(cfg Config, log *slog.Logger) error {
	a.Tenants = tenants.New(a.Store, tenants.Options{
		Hosted: cfg.Hosted, Shared: a.control != nil, MaxTenants: cfg.MaxTenants, IdleTTL: cfg.TenantIdleTTL,
	})
	ctx := context.Background()
	for _, c := range cfg.Tenants {
		if err := a.Tenants.Declare(ctx, c); err != nil {
			return err
		}
	}
	for _, api := range openapi.Partners {
		names, err := a.Store.Tenants(ctx, api)
		if err != nil {
			return err
		}
		for _, name := range names {
			a.Tenants.Touched(name)
		}
	}
	stop := a.Tenants.SweepEvery(func(names []string, err error) {
		if err != nil {
			log.Warn("dropping idle tenants failed", "err", err)
		}
		if len(names) > 0 {
			log.Info("idle tenants' state dropped", "tenants", len(names), "idle", cfg.TenantIdleTTL.String())
		}
	})
	a.closers = append(a.closers, stop)
	if len(cfg.Tenants) > 0 || cfg.Hosted {
		log.Info("tenants declared", "count", len(cfg.Tenants), "hosted", cfg.Hosted)
	}
	return nil
}
