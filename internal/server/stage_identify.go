package server

import "net/http"

// Identify finds who is calling: the API's tenant (its partition), authenticated where the
// API authenticates. An unknown or unauthenticated caller is refused in the API's envelope.
type Identify struct{}

// Run sets c.Tenant.
func (Identify) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	tenant, prob := c.api.Tenant(r)
	c.Tenant = tenant
	if prob != nil {
		return reject(c, w, r, *prob)
	}
	return "", false
}
