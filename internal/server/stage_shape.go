package server

import (
	"net/http"
	"strings"
)

// Shape refuses a body beyond its API's limits on shape (x-sandbox-limits: JSON depth,
// fields per object, items per array) before the contract check, whose cost grows with
// them; ReadBody has bounded its bytes. A request whose client has gone is dropped here.
type Shape struct{}

// Run scans the body's structure; it stops at the first breach and answers the API's
// documented invalid-request error naming the limit and where the body broke it.
func (Shape) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	l := c.limits
	if l == nil || len(c.Body) == 0 || strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/") {
		return "", false
	}
	br, err := l.scanJSON(r.Context(), c.Body)
	switch {
	case err != nil:
		return clientGone, true
	case br != nil:
		return rejectBreach(c, w, r, br)
	}
	return "", false
}

// clientGone is the outcome of a call whose client went away before it was answered.
const clientGone = "client-gave-up"

// rejectBreach answers a body beyond a limit with the API's invalid-request error.
func rejectBreach(c *Call, w http.ResponseWriter, r *http.Request, br *Breach) (string, bool) {
	field := br.Field()
	p := c.api.Problem(Invalid, "request beyond the API's limits: "+field, []string{field})
	p.Limit = br.Limit
	return reject(c, w, r, p)
}
