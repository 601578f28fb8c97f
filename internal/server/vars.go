package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"
)

// DecodeVars decodes r's path parameters in place. The router matches the path as sent
// (UseEncodedPath, SkipClean: "a%2Fb" stays inside its parameter and ".." is never a
// redirect), and handlers take each parameter decoded: "a%2Fb" is the one value "a/b",
// which the operation then judges. Only a path with escapes (URL.RawPath) needs it.
func DecodeVars(r *http.Request) {
	if r.URL.RawPath == "" {
		return
	}
	vars := mux.Vars(r)
	for k, v := range vars {
		if strings.IndexByte(v, '%') >= 0 {
			if u, err := url.PathUnescape(v); err == nil {
				vars[k] = u
			}
		}
	}
}

// DecodedVars is DecodeVars as a middleware.
func DecodedVars(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		DecodeVars(r)
		next.ServeHTTP(w, r)
	})
}
