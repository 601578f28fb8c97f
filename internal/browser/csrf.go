package browser

import (
	"mime"
	"net/http"
	"strconv"
)

// adminWrites refuses a call that changes the admin API's state (any method but GET, HEAD
// and OPTIONS) when a browser could have sent it from another site: a foreign Origin, or
// a content type an HTML form or a simple cross-site request can send without a
// preflight. Local mode has no credentials, so the Origin is all that stands for the
// caller.
type adminWrites struct {
	Trusted func(*http.Request) bool
	Refuse  Refuse
	Next    http.Handler
}

// formTypes are the content types a cross-site page can send without a preflight.
var formTypes = map[string]bool{"application/x-www-form-urlencoded": true, "multipart/form-data": true, "text/plain": true}

func (a adminWrites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		a.Next.ServeHTTP(w, r)
		return
	}
	call := r.Method + " " + r.URL.Path
	if !a.Trusted(r) {
		origin := r.Header.Get("Origin")
		a.Refuse(w, r, "refused "+call+" from Origin "+strconv.Quote(origin)+": in local mode the admin API changes state only "+
			"for loopback origins and the sandbox's own (CSRF protection); start the sandbox with --cors-origin "+origin+" to allow this origin")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || formTypes[mt] {
			a.Refuse(w, r, "refused "+call+" with Content-Type "+strconv.Quote(ct)+": in local mode the admin API refuses form "+
				"content types, which any web page can send (CSRF protection); send Content-Type: application/json "+
				"(curl -d needs -H 'Content-Type: application/json')")
			return
		}
	}
	a.Next.ServeHTTP(w, r)
}
