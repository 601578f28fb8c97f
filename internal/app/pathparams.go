package app

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"
)

// pathParams decodes the path parameters of a route matched on the encoded path (the
// generated handlers take them as decoded): "a%2Fb" is the one value "a/b", which the
// operation then judges, never a redirect or another route.
func pathParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vars := mux.Vars(r)
		for k, v := range vars {
			if strings.IndexByte(v, '%') >= 0 {
				if u, err := url.PathUnescape(v); err == nil {
					vars[k] = u
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
