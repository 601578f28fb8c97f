package server

import (
	"context"
	"net/http"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Refresh takes Identify's place when replicas share the store: in one round trip it
// brings what steers calls (the clocks, the armed rules) and the caller's partition up to
// date with the other replicas, so that neither Steer nor the handler's reads ask again.
// The caller is identified first on this replica's clocks (to know its partition) and,
// if the round trip brought other clocks or rules, again on those (a token's expiry
// follows its tenant's clock). A store that cannot be reached is the API's 503.
type Refresh struct {
	// Func refreshes, with p's partition if p.Tenant is known; changed says the clocks or
	// rules changed.
	Func func(ctx context.Context, p store.Partition) (changed bool, err error)
	Gate Gate // as Identify's: a tenant it does not admit is not refreshed
}

// Run refreshes and sets c.Tenant, or answers the refusal.
func (s Refresh) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	tenant, prob := identify(s.Gate, c.api, r)
	p := store.Partition{API: c.API}
	if prob == nil {
		p.Tenant = tenant
	}
	changed, err := s.Func(r.Context(), p)
	if err == nil && changed {
		tenant, prob = identify(s.Gate, c.api, r)
	}
	c.Tenant = tenant
	switch {
	case err != nil:
		return reject(c, w, r, c.api.Problem(KindOf(err), err.Error(), nil))
	case prob != nil:
		return reject(c, w, r, *prob)
	}
	return "", false
}
