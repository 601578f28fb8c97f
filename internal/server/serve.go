package server

import (
	"net/http"
	"path"

	"github.com/gorilla/mux"
)

// bound is a partner route's handler as the pipeline binds it.
type bound struct{ http.HandlerFunc }

// Handler serves r (a router the pipeline mounted its APIs on) with a shorter way for
// partner calls: gorilla/mux still picks the route (Router.Match: same routes, same order),
// but a partner route's request is not copied twice into new contexts to carry the route
// and its variables, which the pipeline bound once at start-up; path variables, when the
// route has any, ride in the request as mux.Vars reads them. Every other request (admin,
// unmatched, a path mux would redirect to its clean form) goes through r as it is.
func (p *Pipeline) Handler(r *mux.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m mux.RouteMatch
		if req.URL.RawPath == "" && isClean(req.URL.Path) && r.Match(req, &m) {
			// The route's own handler, not m.Handler: the router's middleware (which wraps
			// m.Handler) is for the other routes, or for paths with escapes (RawPath set).
			if h, ok := routeHandler(m.Route).(bound); ok {
				if len(m.Vars) > 0 {
					req = mux.SetURLVars(req, m.Vars)
				}
				h.ServeHTTP(w, req)
				return
			}
		}
		r.ServeHTTP(w, req)
	})
}

// isClean says whether gorilla/mux would serve p as it is rather than redirect to its
// clean form (mux's cleanPath: path.Clean, keeping a final slash).
func isClean(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		return len(p) == len(np)+1 && p[:len(np)] == np
	}
	return np == p
}

// routeHandler is a matched route's own handler (nil for a match without a route: 405).
func routeHandler(r *mux.Route) http.Handler {
	if r == nil {
		return nil
	}
	return r.GetHandler()
}
