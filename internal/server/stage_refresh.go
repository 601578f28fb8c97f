package server

import (
	"context"
	"net/http"
)

// Refresh brings what steers calls (the clocks, the armed rules) up to date with the other
// replicas sharing the store, before anything reads them. A store that cannot be reached
// is the API's documented 503.
type Refresh struct {
	Func func(context.Context) error
}

// Run refreshes, or answers the 503.
func (s Refresh) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	if err := s.Func(r.Context()); err != nil {
		return reject(c, w, r, c.api.Problem(KindOf(err), err.Error(), nil))
	}
	return "", false
}
