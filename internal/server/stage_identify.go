package server

import (
	"context"
	"net/http"
)

// Identify finds who is calling: the API's tenant (its partition), authenticated where the
// API authenticates, and admitted by the Gate. An unknown or unauthenticated caller is
// refused in the API's envelope.
type Identify struct {
	Gate Gate // nil admits every tenant
}

// Gate admits the tenants the sandbox serves (tenants.Registry: declared tenants, and in
// local mode up to --max-tenants others). A name it does not admit is never taken on as a
// tenant: the call is refused with why (in the API's 503), or with the API's own refusal.
type Gate interface {
	Admit(ctx context.Context, tenant string, refused bool) (ok bool, why string)
}

// Run sets c.Tenant.
func (s Identify) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	tenant, prob := identify(s.Gate, c.api, r)
	c.Tenant = tenant
	if prob != nil {
		return reject(c, w, r, *prob)
	}
	return "", false
}

// identify is the API's identification of the caller, passed through g.
func identify(g Gate, api API, r *http.Request) (string, *Problem) {
	tenant, prob := api.Tenant(r)
	if g == nil || tenant == "" {
		return tenant, prob
	}
	ok, why := g.Admit(r.Context(), tenant, prob != nil)
	switch {
	case ok:
		return tenant, prob
	case prob == nil:
		p := api.Problem(Unavailable, "", nil)
		p.Message = why
		prob = &p
	}
	return "", prob
}
